// Fixtures are hand-made from documented payloads, not recordings (house style 6.6 asks for recordings;
// replace them when a recording script exists). Each file's first line says what it is modelled on:
// - text: gpt-4.1, one message, multi-byte text, obfuscation on deltas, usage with cache reads.
// - function-call: the function-calling guide's stream, arguments split in many deltas.
// - parallel-function-calls: two function_call items at output_index 0 and 1.
// - reasoning: the o4-mini capture with store:false + include reasoning.encrypted_content (two summary parts).
// - incomplete: gpt-5 cut off by max_output_tokens, an encrypted-only reasoning item first.
// - failed: response.failed with error {code, message} after some text.
// - error-event: the nested `error` event, then response.failed.

import { collect, rejection } from '../../../test/async.js';
import { ProviderError } from '../../common/provider-error.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { iterateSseEvents } from '../read-body.js';
import { readFixtureSse, toChunkedBody, toSseText } from './__fixtures__/fixture-body.js';
import { mapOpenAIResponsesStream } from './openai-responses-stream.js';

function mapStream(text: string): Promise<ModelStreamPart[]> {
  return collect(mapOpenAIResponsesStream(iterateSseEvents(toChunkedBody(text)), 'openai'));
}

function mapFixture(name: string): Promise<ModelStreamPart[]> {
  return mapStream(readFixtureSse(`openai-responses-${name}.chunks.txt`));
}

function failure(text: string): Promise<unknown> {
  return rejection(mapStream(text));
}

const created = { type: 'response.created', response: { id: 'resp_1', model: 'gpt-5', status: 'in_progress', output: [], usage: null } };
const completed = (output: unknown[] = [], usage: unknown = null) => ({
  type: 'response.completed',
  response: { id: 'resp_1', model: 'gpt-5', status: 'completed', output, usage },
});
const metadata: ModelStreamPart = { type: 'response-metadata', id: 'resp_1', model: 'gpt-5' };
const stop: ModelStreamPart = { type: 'finish', reason: { unified: 'stop', raw: 'completed' }, usage: null };

describe(mapOpenAIResponsesStream.name, () => {
  describe('fixtures', () => {
    it('text: metadata from response.created, one delta per output_text.delta, usage from response.completed', async () => {
      expect(await mapFixture('text')).toEqual([
        { type: 'response-metadata', id: 'resp_68c1a0f2b7e48190a9d3c4e5f6a7b8c9', model: 'gpt-4.1-2025-04-14' },
        { type: 'text-delta', delta: 'Grüß' },
        { type: 'text-delta', delta: ' dich' },
        { type: 'text-delta', delta: '! 👋 How can I help?' },
        {
          type: 'finish',
          serviceTier: 'auto',
          reason: { unified: 'stop', raw: 'completed' },
          usage: { inputTokens: 1187, cachedInputTokens: 1024, cacheWriteTokens: 0, outputTokens: 12, reasoningTokens: 0 },
        },
      ]);
    });

    it('function-call: starts the call at its output_index and streams every argument fragment', async () => {
      const parts = await mapFixture('function-call');
      expect(parts).toEqual([
        { type: 'response-metadata', id: 'resp_68c1a1e0d4f08190b7c6a5e4d3c2b1a0', model: 'gpt-4.1-2025-04-14' },
        { type: 'tool-call-start', index: 0, callId: 'call_Qw8XyZ3kLm0pRt5uVb2nCd7e', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, delta: '{"' },
        { type: 'tool-call-delta', index: 0, delta: 'city' },
        { type: 'tool-call-delta', index: 0, delta: '":"' },
        { type: 'tool-call-delta', index: 0, delta: 'Zür' },
        { type: 'tool-call-delta', index: 0, delta: 'ich"}' },
        {
          type: 'finish',
          serviceTier: 'auto',
          reason: { unified: 'tool-calls', raw: 'completed' },
          usage: { inputTokens: 84, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 18, reasoningTokens: 0 },
        },
      ]);
      const argumentsText = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.delta] : [])).join('');
      expect(argumentsText).toBe('{"city":"Zürich"}');
    });

    it('parallel-function-calls: keeps the calls apart by output_index', async () => {
      expect(await mapFixture('parallel-function-calls')).toEqual([
        { type: 'response-metadata', id: 'resp_68c1a2b9e1a48190c3d4e5f6a7b8c9d0', model: 'gpt-4.1-2025-04-14' },
        { type: 'tool-call-start', index: 0, callId: 'call_Lk9mN2bV5cX8zA1sD4fG7hJ0', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, delta: '{"city":' },
        { type: 'tool-call-delta', index: 0, delta: '"Tokyo"}' },
        { type: 'tool-call-start', index: 1, callId: 'call_Pz0oI9uY8tR7eW6qA5sD4fG3', name: 'get_time' },
        { type: 'tool-call-delta', index: 1, delta: '{"timezone":' },
        { type: 'tool-call-delta', index: 1, delta: '"Asia/Tokyo"}' },
        {
          type: 'finish',
          serviceTier: 'auto',
          reason: { unified: 'tool-calls', raw: 'completed' },
          usage: { inputTokens: 312, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 49, reasoningTokens: 0 },
        },
      ]);
    });

    it('reasoning: summary deltas with their part index, then reasoning-end carrying the rs_ id and encrypted content', async () => {
      expect(await mapFixture('reasoning')).toEqual([
        { type: 'response-metadata', id: 'resp_68b5a6a7c3c08193a1b2c3d4e5f6a7b8', model: 'o4-mini-2025-04-16' },
        { type: 'reasoning-summary-delta', delta: '**Calcul', index: 0 },
        { type: 'reasoning-summary-delta', delta: 'ating a simple sum**', index: 0 },
        { type: 'reasoning-summary-delta', delta: 'Adding 1 through 5', index: 1 },
        { type: 'reasoning-summary-delta', delta: ' gives 15.', index: 1 },
        {
          type: 'reasoning-end',
          providerData: {
            openai: {
              id: 'rs_68b5a6a7d4e08193b2c3d4e5f6a7b8c9',
              encrypted_content: 'gAAAAABotaaq3xV1mZ0pR2tY7uW9bN4cK8eH6jL1sD5fG0aQ3zX2vB7nM9kJ4hF6gD8sA1pO5iU3yT0rE2wQ==',
            },
          },
        },
        { type: 'text-delta', delta: 'The sum' },
        { type: 'text-delta', delta: ' of the first 5 positive integers' },
        { type: 'text-delta', delta: ' is 15.' },
        {
          type: 'finish',
          serviceTier: 'auto',
          reason: { unified: 'stop', raw: 'completed' },
          // Servers older than the 2026 spec send no cache_write_tokens.
          usage: { inputTokens: 17, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 122, reasoningTokens: 64 },
        },
      ]);
    });

    it('incomplete: an encrypted-only reasoning item still ends, and max_output_tokens finishes with length', async () => {
      expect(await mapFixture('incomplete')).toEqual([
        { type: 'response-metadata', id: 'resp_68d2b3c4d5e68190f4a5b6c7d8e9f0a1', model: 'gpt-5-2025-08-07' },
        {
          type: 'reasoning-end',
          providerData: {
            openai: {
              id: 'rs_68d2b3c55a6b8190a5b6c7d8e9f0a1b2',
              encrypted_content: 'gAAAAABo0rPF9cT2vX4zA6bC8dE0fG2hI4jK6lM8nO0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI0jK2lM4nO6p==',
            },
          },
        },
        { type: 'text-delta', delta: 'Once upon a time,' },
        { type: 'text-delta', delta: ' in a kingdom by the sea, there' },
        {
          type: 'finish',
          serviceTier: 'auto',
          reason: { unified: 'length', raw: 'max_output_tokens' },
          usage: { inputTokens: 25, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 64, reasoningTokens: 48 },
        },
      ]);
    });

    it('failed: throws the Response error (a server error) as a retryable ProviderError with status 500', async () => {
      const error = await failure(readFixtureSse('openai-responses-failed.chunks.txt'));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        provider: 'openai',
        status: 500,
        retryable: true,
        providerCode: 'server_error',
        message: 'The model produced invalid content. Consider modifying your prompt if you are seeing this error persistently.',
      });
    });

    it('error-event: throws the nested error with its code', async () => {
      const error = await failure(readFixtureSse('openai-responses-error-event.chunks.txt'));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 429, retryable: true, providerCode: 'rate_limit_exceeded' });
      expect((error as Error).message).toMatch(/^Rate limit reached for gpt-4.1/);
    });
  });

  describe('errors and stream ends', () => {
    it('throws a flat error event (the spec and SDK form) with its code', async () => {
      const error = await failure(
        toSseText([created, { type: 'error', code: 'server_error', message: 'Something went wrong', param: null, sequence_number: 1 }]),
      );
      expect(error).toMatchObject({ message: 'Something went wrong', providerCode: 'server_error', status: 500, retryable: true });
    });

    it('reads a flat error event without a code as having none (never the event type)', async () => {
      const error = await failure(toSseText([{ type: 'error', code: null, message: 'Overloaded', param: null }]));
      expect(error).toMatchObject({ message: 'Overloaded', providerCode: null });
    });

    it('takes the text of an error event whose data is not JSON as the message', async () => {
      const error = await failure('event: error\ndata: upstream connect error\n\n');
      expect(error).toMatchObject({ message: 'upstream connect error', providerCode: null });
    });

    it('fails a stream that ends before a terminal event, as retryable', async () => {
      const error = await failure(toSseText([created, { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hi' }]));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ message: 'upstream stream ended before the response was complete', status: null, retryable: true });
    });

    it('treats [DONE] as the end of the stream', async () => {
      expect(await mapStream(`${toSseText([created, completed()])}data: [DONE]\n\n`)).toEqual([metadata, stop]);
      const error = await failure(`${toSseText([created])}data: [DONE]\n\n${toSseText([completed()])}`);
      expect(error).toMatchObject({ retryable: true });
    });

    it('reports malformed JSON and events that break the documented shape', async () => {
      const truncated = await failure(`${toSseText([created])}event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n`);
      expect(truncated).toBeInstanceOf(ProviderError);
      expect(truncated).toMatchObject({ message: 'malformed upstream response', retryable: false });

      const wrongShape = await failure(toSseText([created, { type: 'response.output_text.delta', output_index: 0, delta: 42 }]));
      expect(wrongShape).toMatchObject({ message: 'malformed upstream response' });
      // Text deltas skip zod when well formed; every field the schema checks still fails one that is not.
      for (const field of [{ item_id: 7 }, { output_index: '0' }, { content_index: false }, { summary_index: {} }]) {
        const wrongField = await failure(
          toSseText([created, { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'hi', ...field }]),
        );
        expect(wrongField).toMatchObject({ message: 'malformed upstream response' });
      }
    });
  });

  describe('tolerance', () => {
    it('ignores keepalives, SSE comments and unknown events; a hosted tool becomes its item and progress, in order', async () => {
      const text =
        ': ping\n\n' +
        toSseText([
          created,
          { type: 'keepalive', sequence_number: 1 },
          { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 0, sequence_number: 2 },
          { type: 'response.output_item.added', output_index: 0, item: { id: 'ws_1', type: 'web_search_call', status: 'in_progress' } },
          { type: 'response.output_item.done', output_index: 0, item: { id: 'ws_1', type: 'web_search_call', status: 'completed' } },
          { type: 'response.some_future_event', whatever: true },
          completed(),
        ]);
      expect(await mapStream(text)).toEqual([
        metadata,
        // Progress of an item not announced yet still goes out: the turn drops what it cannot place.
        { type: 'hosted-event', event: { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 0, sequence_number: 2 } },
        { type: 'hosted-item', item: { id: 'ws_1', type: 'web_search_call', status: 'in_progress' }, done: false },
        { type: 'hosted-item', item: { id: 'ws_1', type: 'web_search_call', status: 'completed' }, done: true },
        stop,
      ]);
    });

    it('counts the web searches in the usage (billed per call), each once, whether streamed or only in the final Response', async () => {
      const usage = { input_tokens: 900, output_tokens: 40, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };
      const search = (id: string) => ({ id, type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q' } });
      const text = toSseText([
        created,
        { type: 'response.output_item.done', output_index: 0, item: search('ws_1') },
        // The final Response lists the streamed search again, and a second one no event announced.
        completed([search('ws_1'), search('ws_2')], usage),
      ]);
      const parts = await mapStream(text);
      expect(parts.at(-1)).toEqual({
        type: 'finish',
        reason: { unified: 'stop', raw: 'completed' },
        usage: { inputTokens: 900, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 40, reasoningTokens: 0, webSearchCalls: 2 },
      });
    });

    it('maps a custom tool call: its input deltas and, when they stop short, the rest from .done', async () => {
      const started = { id: 'ctc_1', type: 'custom_tool_call', status: 'in_progress', call_id: 'call_p', name: 'apply_patch', input: '' };
      const text = toSseText([
        created,
        { type: 'response.output_item.added', output_index: 0, item: started },
        { type: 'response.custom_tool_call_input.delta', output_index: 0, item_id: 'ctc_1', delta: '*** Begin' },
        { type: 'response.custom_tool_call_input.done', output_index: 0, item_id: 'ctc_1', input: '*** Begin Patch' },
        { type: 'response.output_item.done', output_index: 0, item: { ...started, status: 'completed', input: '*** Begin Patch' } },
        completed(),
      ]);
      expect(await mapStream(text)).toEqual([
        metadata,
        { type: 'tool-call-start', index: 0, callId: 'call_p', name: 'apply_patch', custom: true },
        { type: 'tool-call-delta', index: 0, delta: '*** Begin' },
        { type: 'tool-call-delta', index: 0, delta: ' Patch' },
        { type: 'finish', reason: { unified: 'tool-calls', raw: 'completed' }, usage: null },
      ]);
    });

    it('maps annotations from their events, or from the final message when none were streamed', async () => {
      const citation = { type: 'url_citation', start_index: 0, end_index: 2, url: 'https://example.com', title: 'Ex' };
      const message = {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Hi', annotations: [citation] }],
      };
      const streamed = toSseText([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { ...message, content: [] } },
        { type: 'response.output_text.delta', output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'Hi' },
        { type: 'response.output_text.annotation.added', output_index: 0, item_id: 'msg_1', content_index: 0, annotation_index: 0, annotation: citation },
        { type: 'response.output_item.done', output_index: 0, item: message },
        completed(),
      ]);
      const expected = [metadata, { type: 'text-delta', delta: 'Hi' }, { type: 'text-annotation', annotation: citation }, stop];
      expect(await mapStream(streamed)).toEqual(expected);
      const onlyFinal = toSseText([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { ...message, content: [] } },
        { type: 'response.output_text.delta', output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'Hi' },
        { type: 'response.output_item.done', output_index: 0, item: message },
        completed(),
      ]);
      expect(await mapStream(onlyFinal)).toEqual(expected);
    });

    it('reads the event type from the `event:` field when the payload has none', async () => {
      const text = `event: response.output_text.delta\ndata: {"output_index":0,"content_index":0,"delta":"Hi"}\n\n${toSseText([completed()])}`;
      expect(await mapStream(text)).toEqual([
        { type: 'response-metadata', id: null, model: null },
        { type: 'text-delta', delta: 'Hi' },
        { type: 'finish', reason: { unified: 'stop', raw: 'completed' }, usage: null },
      ]);
    });

    it('maps refusal deltas as refusals and raw reasoning text (vLLM, gpt-oss) as reasoning', async () => {
      const text = toSseText([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
        { type: 'response.reasoning_text.delta', item_id: 'rs_1', output_index: 0, content_index: 0, delta: 'User wants' },
        { type: 'response.reasoning_text.delta', item_id: 'rs_1', output_index: 0, content_index: 0, delta: ' a secret.' },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: { id: 'rs_1', type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'User wants a secret.' }] },
        },
        { type: 'response.output_item.added', output_index: 1, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } },
        { type: 'response.refusal.delta', item_id: 'msg_1', output_index: 1, content_index: 0, delta: "I can't help with that." },
        {
          type: 'response.output_item.done',
          output_index: 1,
          item: { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: "I can't help with that." }] },
        },
        completed(),
      ]);
      expect(await mapStream(text)).toEqual([
        metadata,
        { type: 'reasoning-delta', delta: 'User wants' },
        { type: 'reasoning-delta', delta: ' a secret.' },
        // No encrypted content, nothing to replay.
        { type: 'reasoning-end', providerData: null },
        { type: 'refusal-delta', delta: "I can't help with that." },
        stop,
      ]);
    });

    it('sends arguments that arrive only in .done as one delta, and never twice', async () => {
      const item = { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '' };
      const text = toSseText([
        created,
        { type: 'response.output_item.added', output_index: 0, item },
        { type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 0, name: 'lookup', arguments: '{"q":"x"}' },
        { type: 'response.output_item.done', output_index: 0, item: { ...item, arguments: '{"q":"x"}', status: 'completed' } },
        completed([{ ...item, arguments: '{"q":"x"}', status: 'completed' }]),
      ]);
      expect(await mapStream(text)).toEqual([
        metadata,
        { type: 'tool-call-start', index: 0, callId: 'call_1', name: 'lookup' },
        { type: 'tool-call-delta', index: 0, delta: '{"q":"x"}' },
        { type: 'finish', reason: { unified: 'tool-calls', raw: 'completed' }, usage: null },
      ]);
    });

    it('starts a call first seen in output_item.done, and sends the rest of arguments cut short in deltas', async () => {
      const text = toSseText([
        created,
        { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"q":' },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":1}' },
        },
        { type: 'response.output_item.added', output_index: 1, item: { id: 'fc_2', type: 'function_call', call_id: 'call_2', name: 'lookup', arguments: '' } },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_2', output_index: 1, delta: '{"q":' },
        {
          type: 'response.output_item.done',
          output_index: 1,
          item: { id: 'fc_2', type: 'function_call', call_id: 'call_2', name: 'lookup', arguments: '{"q":2}' },
        },
        completed(),
      ]);
      expect(await mapStream(text)).toEqual([
        metadata,
        { type: 'tool-call-start', index: 0, callId: 'call_1', name: 'lookup' },
        { type: 'tool-call-delta', index: 0, delta: '{"q":1}' },
        { type: 'tool-call-start', index: 1, callId: 'call_2', name: 'lookup' },
        { type: 'tool-call-delta', index: 1, delta: '{"q":' },
        { type: 'tool-call-delta', index: 1, delta: '2}' },
        { type: 'finish', reason: { unified: 'tool-calls', raw: 'completed' }, usage: null },
      ]);
    });

    it('reads every item from the final Response when the server streams no item events', async () => {
      const output = [
        { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'enc' },
        { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] },
        { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'save', arguments: '{}' },
      ];
      expect(await mapStream(toSseText([created, completed(output)]))).toEqual([
        metadata,
        { type: 'reasoning-summary-delta', delta: 'Plan.', index: 0 },
        { type: 'reasoning-end', providerData: { openai: { id: 'rs_1', encrypted_content: 'enc' } } },
        { type: 'text-delta', delta: 'Done.' },
        { type: 'tool-call-start', index: 2, callId: 'call_1', name: 'save' },
        { type: 'tool-call-delta', index: 2, delta: '{}' },
        { type: 'finish', reason: { unified: 'tool-calls', raw: 'completed' }, usage: null },
      ]);
    });

    it('rejects a function call that never names its call_id', async () => {
      const error = await failure(
        toSseText([created, { type: 'response.output_item.done', output_index: 0, item: { id: 'fc_1', type: 'function_call', name: 'x', arguments: '{}' } }]),
      );
      expect(error).toMatchObject({ message: 'malformed upstream response' });
    });
  });
});

describe(`${mapOpenAIResponsesStream.name} log probabilities`, () => {
  const added = { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', status: 'in_progress', content: [] } };
  const where = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  const logprob = { token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105] }] };
  const textParts = (parts: ModelStreamPart[]) => parts.filter((part) => part.type === 'text-delta');

  it("puts each output_text.delta's logprobs on its text delta, filling in bytes a server left out", async () => {
    const parts = await mapStream(
      toSseText([
        created,
        added,
        { type: 'response.output_text.delta', ...where, delta: 'Hi', logprobs: [logprob] },
        { type: 'response.output_text.delta', ...where, delta: ' é', logprobs: [{ token: ' é', logprob: -1, top_logprobs: [] }] },
        { type: 'response.output_text.delta', ...where, delta: '!', logprobs: [] },
        completed(),
      ]),
    );
    expect(textParts(parts)).toEqual([
      { type: 'text-delta', delta: 'Hi', logprobs: [logprob] },
      { type: 'text-delta', delta: ' é', logprobs: [{ token: ' é', logprob: -1, bytes: [0x20, 0xc3, 0xa9], top_logprobs: [] }] },
      { type: 'text-delta', delta: '!' },
    ]);
  });

  it('reads them from the final output_text part of a message that was not streamed', async () => {
    const output = [
      { id: 'msg_1', type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [logprob] }] },
    ];
    expect(textParts(await mapStream(toSseText([created, completed(output)])))).toEqual([{ type: 'text-delta', delta: 'Hi', logprobs: [logprob] }]);
  });

  it('rejects logprobs that are not log probabilities', async () => {
    const error = await failure(toSseText([created, added, { type: 'response.output_text.delta', ...where, delta: 'Hi', logprobs: [{ token: 'Hi' }] }]));
    expect(error).toMatchObject({ message: 'malformed upstream response' });
  });
});
