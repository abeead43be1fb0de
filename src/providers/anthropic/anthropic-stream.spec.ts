// Fixtures are hand-made from documented payloads, not recordings (house style 6.6 asks for recordings;
// replace them when a recording script exists). Each file's first line says what it is modelled on:
// text, tool-use (input split across many input_json_delta), parallel-tool-use, thinking (signature),
// redacted-thinking, overloaded-error (error event mid-stream), cache-usage (cache read and write).

import { collect, rejection } from '../../../test/async.js';
import { ProviderError } from '../../common/provider-error.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { iterateSseEvents } from '../read-body.js';
import { readFixtureEvents, toSseBody } from './__fixtures__/fixture-body.js';
import { mapAnthropicStream } from './anthropic-stream.js';

function mapStream(events: string[]): Promise<ModelStreamPart[]> {
  return collect(mapAnthropicStream(iterateSseEvents(toSseBody(events)), 'anthropic'));
}

function mapFixture(name: string): Promise<ModelStreamPart[]> {
  return mapStream(readFixtureEvents(`anthropic-${name}.chunks.txt`));
}

function failure(events: string[]): Promise<unknown> {
  return rejection(mapStream(events));
}

/** One SSE event named after its payload's type, as Anthropic frames them. */
function event(payload: Record<string, unknown>): string {
  return `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}`;
}

const messageStart = event({ type: 'message_start', message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 3, output_tokens: 1 } } });
const messageDelta = (stopReason: string) => event({ type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 5 } });
const messageStop = event({ type: 'message_stop' });
const textStart = (index: number) => event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
const textDelta = (index: number, text: string) => event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
const blockStop = (index: number) => event({ type: 'content_block_stop', index });

describe(mapAnthropicStream.name, () => {
  describe('fixtures', () => {
    it('text: metadata from message_start, text deltas, usage from the cumulative message_delta', async () => {
      expect(await mapFixture('text')).toEqual([
        { type: 'response-metadata', id: 'msg_01QC4g3HwBThD4BaNtBckFDJ', model: 'claude-sonnet-4-5-20250929' },
        { type: 'text-delta', delta: 'Hello' },
        { type: 'text-delta', delta: '! Bonjour – 👋' },
        { type: 'text-delta', delta: ' How can I help you today?' },
        {
          type: 'finish',
          serviceTier: 'default',
          reason: { unified: 'stop', raw: 'end_turn' },
          usage: { inputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 17, reasoningTokens: 0 },
        },
      ]);
    });

    it('tool-use: text, then one call whose input arrives in many fragments, skipping the empty first one', async () => {
      const parts = await mapFixture('tool-use');
      expect(parts).toEqual([
        { type: 'response-metadata', id: 'msg_014p7gG3wDgGV9EUtLvnow3U', model: 'claude-opus-4-1-20250805' },
        { type: 'text-delta', delta: 'Okay' },
        { type: 'text-delta', delta: ", let's check the weather for San Francisco, CA:" },
        { type: 'tool-call-start', index: 1, callId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
        { type: 'tool-call-delta', index: 1, delta: '{"location":' },
        { type: 'tool-call-delta', index: 1, delta: ' "San' },
        { type: 'tool-call-delta', index: 1, delta: ' Francisc' },
        { type: 'tool-call-delta', index: 1, delta: 'o,' },
        { type: 'tool-call-delta', index: 1, delta: ' CA"' },
        { type: 'tool-call-delta', index: 1, delta: ', ' },
        { type: 'tool-call-delta', index: 1, delta: '"unit": "fah' },
        { type: 'tool-call-delta', index: 1, delta: 'renheit"}' },
        {
          type: 'finish',
          reason: { unified: 'tool-calls', raw: 'tool_use' },
          usage: { inputTokens: 472, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 89, reasoningTokens: 0 },
        },
      ]);
      const argumentsText = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.delta] : [])).join('');
      expect(JSON.parse(argumentsText)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    });

    it('parallel-tool-use: keeps the two calls apart by block index', async () => {
      expect(await mapFixture('parallel-tool-use')).toEqual([
        { type: 'response-metadata', id: 'msg_01Aq9w938a90dw8q', model: 'claude-sonnet-4-5-20250929' },
        { type: 'tool-call-start', index: 0, callId: 'toolu_01WbXoL7xrPpNb4xVSyNBJrF', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, delta: '{"location": "Pa' },
        { type: 'tool-call-delta', index: 0, delta: 'ris, France"}' },
        { type: 'tool-call-start', index: 1, callId: 'toolu_01Ujn6rmdsxJCZ2hxCNUkGvW', name: 'get_time' },
        { type: 'tool-call-delta', index: 1, delta: '{"timezone": "Europe/Paris"}' },
        {
          type: 'finish',
          serviceTier: 'default',
          reason: { unified: 'tool-calls', raw: 'tool_use' },
          usage: { inputTokens: 598, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 112, reasoningTokens: 0 },
        },
      ]);
    });

    it('thinking: reasoning deltas, then reasoning-end keeping the full text and the signature', async () => {
      expect(await mapFixture('thinking')).toEqual([
        { type: 'response-metadata', id: 'msg_01BsRhZGfHzbCnbPsPpsFGMy', model: 'claude-sonnet-4-20250514' },
        { type: 'reasoning-summary-delta', delta: 'Let me solve this step by step:\n\n1. First break down 27 * 453', index: 0 },
        { type: 'reasoning-summary-delta', delta: '\n2. 453 = 400 + 50 + 3', index: 0 },
        {
          type: 'reasoning-end',
          providerData: {
            anthropic: {
              thinking: 'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3',
              signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds4oB3vjNzXDNgO6WmDSUx2cNe0gVDMMGt3b2qyhEIfVLkKyhgNs2bRDG0dn0Ks',
            },
          },
        },
        { type: 'text-delta', delta: '27 * 453 = 12,231' },
        {
          type: 'finish',
          reason: { unified: 'stop', raw: 'end_turn' },
          // message_start carried no usage; output comes from message_delta alone.
          usage: { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 96, reasoningTokens: 21 },
        },
      ]);
    });

    it('redacted-thinking: the redacted block ends a reasoning part of its own, data kept verbatim', async () => {
      const parts = await mapFixture('redacted-thinking');
      expect(parts.filter((part) => part.type === 'reasoning-end')).toEqual([
        {
          type: 'reasoning-end',
          providerData: { anthropic: { thinking: 'The user sent a test string.', signature: 'ErUBCkYIARgCIkDJmVM1tVNWf0MBhnEupzpe7vWqY9bJNzuNcEhFqPv1g' } },
        },
        {
          type: 'reasoning-end',
          providerData: {
            anthropic: { redacted: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB4URj/cSKxgHq8bFzUXwDjOqR5gNQ==' },
          },
        },
      ]);
      expect(parts.map((part) => part.type)).toEqual([
        'response-metadata',
        'reasoning-summary-delta',
        'reasoning-end',
        'reasoning-end',
        'text-delta',
        'finish',
      ]);
    });

    it('overloaded-error: yields what came before, then throws a retryable ProviderError with the status it stands for (529)', async () => {
      const parts: ModelStreamPart[] = [];
      let caught: unknown;
      try {
        for await (const part of mapAnthropicStream(iterateSseEvents(toSseBody(readFixtureEvents('anthropic-overloaded-error.chunks.txt'))), 'anthropic')) {
          parts.push(part);
        }
      } catch (error) {
        caught = error;
      }
      expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
      expect(caught).toBeInstanceOf(ProviderError);
      expect(caught).toMatchObject({ provider: 'anthropic', status: 529, retryable: true, providerCode: 'overloaded_error', message: 'Overloaded' });
    });

    it('cache-usage: input is the uncached tail plus cache reads and writes; output falls back to message_delta', async () => {
      expect((await mapFixture('cache-usage')).at(-1)).toEqual({
        type: 'finish',
        serviceTier: 'default',
        reason: { unified: 'length', raw: 'max_tokens' },
        usage: { inputTokens: 2240, cachedInputTokens: 2048, cacheWriteTokens: 188, outputTokens: 42, reasoningTokens: 0 },
      });
    });
  });

  describe('tool calls', () => {
    it('sends {} as the arguments of a call that streamed no input', async () => {
      const parts = await mapStream([
        messageStart,
        event({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } }),
        event({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } }),
        blockStop(0),
        messageDelta('tool_use'),
        messageStop,
      ]);
      expect(parts.slice(1, 3)).toEqual([
        { type: 'tool-call-start', index: 0, callId: 'toolu_1', name: 'now' },
        { type: 'tool-call-delta', index: 0, delta: '{}' },
      ]);
    });

    it('fails on a tool_use block without a name', async () => {
      const nameless = event({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', input: {} } });
      const error = await failure([messageStart, nameless]);
      expect(error).toMatchObject({ message: 'malformed upstream response', retryable: false });
    });

    it('maps a web search to a web_search_call kept with its blocks, and its citations to url_citation annotations over the cited text', async () => {
      const result = { type: 'web_search_result', url: 'https://example.com/a', title: 'A', encrypted_content: 'enc-a', page_age: null };
      const citation = { type: 'web_search_result_location', url: 'https://example.com/a', title: 'A', encrypted_index: 'idx', cited_text: 'A is a.' };
      const parts = await mapStream([
        messageStart,
        textStart(0),
        textDelta(0, 'Let me look.'),
        blockStop(0),
        event({ type: 'content_block_start', index: 1, content_block: { type: 'server_tool_use', id: 'srvtoolu_01', name: 'web_search', input: {} } }),
        event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"query":' } }),
        event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"what is a"}' } }),
        blockStop(1),
        event({ type: 'content_block_start', index: 2, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01', content: [result] } }),
        blockStop(2),
        textStart(3),
        textDelta(3, 'Per the page, '),
        blockStop(3),
        event({ type: 'content_block_start', index: 4, content_block: { type: 'text', text: '', citations: [] } }),
        event({ type: 'content_block_delta', index: 4, delta: { type: 'citations_delta', citation } }),
        textDelta(4, 'A is a.'),
        blockStop(4),
        messageDelta('end_turn'),
        messageStop,
      ]);
      const serverToolUse = { type: 'server_tool_use', id: 'srvtoolu_01', name: 'web_search', input: { query: 'what is a' } };
      expect(parts.slice(1, -1)).toEqual([
        { type: 'text-delta', delta: 'Let me look.' },
        {
          type: 'hosted-item',
          item: { type: 'web_search_call', id: 'ws_01', status: 'in_progress', action: { type: 'search', query: 'what is a' } },
          done: false,
        },
        {
          type: 'hosted-item',
          item: {
            type: 'web_search_call',
            id: 'ws_01',
            status: 'completed',
            action: { type: 'search', query: 'what is a', sources: [{ type: 'url', url: 'https://example.com/a' }] },
            provider_data: {
              anthropic: {
                server_tool_use: serverToolUse,
                web_search_tool_result: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01', content: [result] },
              },
            },
          },
          done: true,
        },
        { type: 'text-delta', delta: 'Per the page, ' },
        { type: 'text-delta', delta: 'A is a.' },
        { type: 'text-annotation', annotation: { type: 'url_citation', url: 'https://example.com/a', title: 'A', start_index: 0, end_index: 0 }, covers: 7 },
      ]);
    });

    it('marks a search Anthropic could not run as failed, and reads past other server tools', async () => {
      const parts = await mapStream([
        messageStart,
        event({
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'server_tool_use', id: 'srvtoolu_2', name: 'web_search', input: { query: 'x' } },
        }),
        blockStop(0),
        event({
          type: 'content_block_start',
          index: 1,
          content_block: {
            type: 'web_search_tool_result',
            tool_use_id: 'srvtoolu_2',
            content: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' },
          },
        }),
        blockStop(1),
        event({ type: 'content_block_start', index: 2, content_block: { type: 'server_tool_use', id: 'srvtoolu_3', name: 'code_execution', input: {} } }),
        event({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"code":"1"}' } }),
        blockStop(2),
        messageDelta('end_turn'),
        messageStop,
      ]);
      expect(parts.filter((part) => part.type === 'hosted-item').map((part) => part.item)).toEqual([
        { type: 'web_search_call', id: 'ws_2', status: 'in_progress', action: { type: 'search', query: 'x' } },
        expect.objectContaining({ id: 'ws_2', status: 'failed', action: { type: 'search', query: 'x', sources: [] } }),
      ]);
    });
  });

  describe('stream endings and errors', () => {
    it('maps pause_turn to other, keeping the raw reason', async () => {
      const parts = await mapStream([messageStart, textStart(0), textDelta(0, 'a'), blockStop(0), messageDelta('pause_turn'), messageStop]);
      expect(parts.at(-1)).toMatchObject({ reason: { unified: 'other', raw: 'pause_turn' } });
    });

    it('shows stop_reason "refusal" as a refusal after the partial text, in Anthropic\'s own words from stop_details', async () => {
      const stopDetails = { type: 'refusal', category: 'cyber', explanation: 'This request was declined because it could enable cyber harm.' };
      const refused = event({ type: 'message_delta', delta: { stop_reason: 'refusal', stop_details: stopDetails }, usage: { output_tokens: 5 } });
      const parts = await mapStream([messageStart, textStart(0), textDelta(0, 'Hello..'), blockStop(0), refused, messageStop]);
      expect(parts.slice(1)).toEqual([
        { type: 'text-delta', delta: 'Hello..' },
        { type: 'refusal-delta', delta: 'This request was declined because it could enable cyber harm.' },
        { type: 'finish', reason: { unified: 'content-filter', raw: 'refusal' }, usage: expect.any(Object) },
      ]);
    });

    it('writes its own sentence for a refusal that came without stop_details', async () => {
      const parts = await mapStream([messageStart, messageDelta('refusal'), messageStop]);
      expect(parts.at(-2)).toEqual({ type: 'refusal-delta', delta: 'Claude declined to continue this answer.' });
    });

    it('reads nothing after message_stop', async () => {
      const parts = await mapStream([messageStart, messageDelta('end_turn'), messageStop, 'event: content_block_start\ndata: not json']);
      expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'stop' } });
    });

    it('ignores event types it does not know', async () => {
      const parts = await mapStream([messageStart, event({ type: 'message_annotation', note: 'new' }), messageDelta('end_turn'), messageStop]);
      expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'finish']);
    });

    it('throws a retryable error when the body ends before message_stop and any stop reason', async () => {
      const error = await failure([messageStart, textStart(0), textDelta(0, 'partial')]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ message: 'upstream stream ended before message_stop', status: null, retryable: true });
    });

    it('fails on a payload that does not parse', async () => {
      const error = await failure([messageStart, 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,']);
      expect(error).toMatchObject({ message: 'malformed upstream response', status: null, retryable: false });
    });

    it('fails on a known event with the wrong shape, and on a delta for a block never started', async () => {
      expect(await failure([messageStart, event({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } })])).toMatchObject({
        message: 'malformed upstream response',
      });
      expect(await failure([messageStart, textDelta(4, 'x')])).toMatchObject({ message: 'malformed upstream response' });
    });

    it('treats a non-retryable error type as such and takes the message from a bare error event', async () => {
      expect(await failure([messageStart, event({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })])).toMatchObject({
        providerCode: 'invalid_request_error',
        retryable: false,
        message: 'bad',
      });
      expect(await failure([messageStart, 'event: error\ndata: upstream exploded'])).toMatchObject({ message: 'upstream exploded', providerCode: null });
    });

    it('emits metadata first even when message_start never came', async () => {
      const parts = await mapStream([textStart(0), textDelta(0, 'hi'), messageDelta('end_turn')]);
      expect(parts).toEqual([
        { type: 'response-metadata', id: null, model: null },
        { type: 'text-delta', delta: 'hi' },
        {
          type: 'finish',
          reason: { unified: 'stop', raw: 'end_turn' },
          usage: { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 },
        },
      ]);
    });

    it('keeps no provider data for a thinking block that never got a signature', async () => {
      const parts = await mapStream([
        messageStart,
        event({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }),
        event({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
        blockStop(0),
        messageDelta('end_turn'),
        messageStop,
      ]);
      expect(parts).toContainEqual({ type: 'reasoning-end', providerData: null });
    });
  });
});
