// Fixtures are hand-made from documented payloads, not recordings (house style 6.6 asks for recordings;
// replace them when a recording script exists). What each one is modelled on:
// - openai-text: api.openai.com chat.completion.chunk (role-only first chunk with content "" and refusal
//   null, `obfuscation`, `delta: {}` with finish_reason, then a usage-only chunk with `choices: []`).
// - vllm-text: vLLM's OpenAI server (role chunk with content "", last chunk `content: ""` with
//   finish_reason and `stop_reason`, usage chunk with `prompt_tokens_details: null`); text with emoji.
// - content-in-first-chunk: Ollama's /v1 endpoint (role repeated on every chunk, content from the
//   first chunk on), finish_reason `length`.
// - role-in-second-chunk: the vendors the stream-quirks notes describe (first chunk without role, role
//   in the second); this server ignores `stream_options`, so no usage arrives.
// - tool-call: api.openai.com, one call whose arguments arrive in many fragments (split inside a
//   multi-byte character's word and across JSON tokens).
// - parallel-tool-calls: vLLM with a tool parser (name chunk without arguments, two calls, index 0 and 1).
// - deepseek-reasoning: deepseek-reasoner (`reasoning_content` then `content`, usage together with the
//   finish_reason chunk, cache reads as `prompt_cache_hit_tokens`).

import { collect, rejection } from '../../../test/async.js';
import { ProviderError } from '../../common/provider-error.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { iterateSseEvents } from '../read-body.js';
import { readFixtureLines, toSseBody } from './__fixtures__/fixture-body.js';
import { mapOpenAICompatibleStream } from './openai-compatible-stream.js';

function mapStream(lines: string[]): Promise<ModelStreamPart[]> {
  return collect(mapOpenAICompatibleStream(iterateSseEvents(toSseBody(lines)), 'test'));
}

function mapFixture(name: string): Promise<ModelStreamPart[]> {
  return mapStream(readFixtureLines(`openai-compatible-${name}.chunks.txt`));
}

function failure(lines: string[]): Promise<unknown> {
  return rejection(mapStream(lines));
}

/** A chunk with choice 0 carrying `delta` (and optionally a finish reason). */
function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id: 'chatcmpl-1', model: 'm', choices: [{ index: 0, delta, finish_reason: null, ...extra }] });
}

const zeroUsage = { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };

describe(mapOpenAICompatibleStream.name, () => {
  describe('fixtures', () => {
    it('openai-text: skips the role-only chunk and takes usage from the trailing choices-less chunk', async () => {
      expect(await mapFixture('openai-text')).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-C4hTq0p8Xw2vYk1bN6mRfZ3sLdE9a', model: 'gpt-4.1-mini-2025-04-14' },
        { type: 'text-delta', delta: 'Hello' },
        { type: 'text-delta', delta: '!' },
        { type: 'text-delta', delta: ' How can I help you today?' },
        {
          type: 'finish',
          serviceTier: 'default',
          reason: { unified: 'stop', raw: 'stop' },
          usage: { inputTokens: 1187, cachedInputTokens: 1024, cacheWriteTokens: 0, outputTokens: 10, reasoningTokens: 0 },
        },
      ]);
    });

    it('vllm-text: ignores the empty last content and keeps multi-byte text intact', async () => {
      expect(await mapFixture('vllm-text')).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-4c3b0e9f6a1d4f0e8b2a7c5d9e1f3a6b', model: 'Qwen/Qwen3-8B' },
        { type: 'text-delta', delta: 'Paris' },
        { type: 'text-delta', delta: ' is the capital' },
        { type: 'text-delta', delta: ' of France – 🇫🇷.' },
        {
          type: 'finish',
          reason: { unified: 'stop', raw: 'stop' },
          usage: { inputTokens: 14, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 10, reasoningTokens: 0 },
        },
      ]);
    });

    it('content-in-first-chunk: keeps the content that arrives with the role', async () => {
      expect(await mapFixture('content-in-first-chunk')).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-311', model: 'llama3.2' },
        { type: 'text-delta', delta: 'Sure' },
        { type: 'text-delta', delta: ', here you go.' },
        {
          type: 'finish',
          reason: { unified: 'length', raw: 'length' },
          usage: { inputTokens: 26, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 },
        },
      ]);
    });

    it('role-in-second-chunk: needs no role at all and finishes with null usage when none is sent', async () => {
      expect(await mapFixture('role-in-second-chunk')).toEqual([
        { type: 'response-metadata', id: '0217550003000001a2b3c4d5e6f', model: 'vendor-chat-pro' },
        { type: 'text-delta', delta: '你好' },
        { type: 'text-delta', delta: ',世界。' },
        { type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage: null },
      ]);
    });

    it('tool-call: starts the call once and streams every non-empty argument fragment', async () => {
      const parts = await mapFixture('tool-call');
      expect(parts).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-C4hW2rT7nJm5Qp9xK3vB8yZ1aDfGh', model: 'gpt-4.1-2025-04-14' },
        { type: 'tool-call-start', index: 0, callId: 'call_Qw8XyZ3kLm0pRt5uVb2nCd7e', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, delta: '{"' },
        { type: 'tool-call-delta', index: 0, delta: 'city' },
        { type: 'tool-call-delta', index: 0, delta: '":"' },
        { type: 'tool-call-delta', index: 0, delta: 'Zür' },
        { type: 'tool-call-delta', index: 0, delta: 'ich","' },
        { type: 'tool-call-delta', index: 0, delta: 'unit' },
        { type: 'tool-call-delta', index: 0, delta: '":"c' },
        { type: 'tool-call-delta', index: 0, delta: 'elsius"}' },
        {
          type: 'finish',
          serviceTier: 'default',
          reason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: { inputTokens: 84, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 18, reasoningTokens: 0 },
        },
      ]);
      const argumentsText = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.delta] : [])).join('');
      expect(argumentsText).toBe('{"city":"Zürich","unit":"celsius"}');
    });

    it('parallel-tool-calls: keeps the two calls apart by index', async () => {
      expect(await mapFixture('parallel-tool-calls')).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-7d1e5a0b2c3f4e6a9b8c0d1e2f3a4b5c', model: 'Qwen/Qwen3-8B' },
        { type: 'tool-call-start', index: 0, callId: 'chatcmpl-tool-0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, delta: '{"city": "' },
        { type: 'tool-call-delta', index: 0, delta: 'Tokyo' },
        { type: 'tool-call-delta', index: 0, delta: '"}' },
        { type: 'tool-call-start', index: 1, callId: 'chatcmpl-tool-9f8e7d6c5b4a43f2a1b0c9d8e7f6a5b4', name: 'get_time' },
        { type: 'tool-call-delta', index: 1, delta: '{"timezone": "' },
        { type: 'tool-call-delta', index: 1, delta: 'Asia/Tokyo"}' },
        {
          type: 'finish',
          reason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: { inputTokens: 312, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 49, reasoningTokens: 0 },
        },
      ]);
    });

    it('deepseek-reasoning: reasoning then text, cache reads from prompt_cache_hit_tokens', async () => {
      expect(await mapFixture('deepseek-reasoning')).toEqual([
        { type: 'response-metadata', id: '5b0f6e2a-3c1d-4e8f-9a7b-2c4d6e8f0a1b', model: 'deepseek-reasoner' },
        { type: 'reasoning-delta', delta: 'The user asks' },
        { type: 'reasoning-delta', delta: ' for 9.11 vs 9.8; 9.8 is larger.' },
        // Marks the reasoning as this provider's, so only it gets the text back as reasoning_content.
        { type: 'reasoning-end', providerData: { chat: { provider: 'test' } } },
        { type: 'text-delta', delta: '9.8' },
        { type: 'text-delta', delta: ' is greater.' },
        {
          type: 'finish',
          reason: { unified: 'stop', raw: 'stop' },
          usage: { inputTokens: 82, cachedInputTokens: 64, cacheWriteTokens: 0, outputTokens: 41, reasoningTokens: 33 },
        },
      ]);
    });
  });

  describe('tool call quirks', () => {
    it('accepts a whole call in one chunk', async () => {
      const parts = await mapStream([
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] }, { finish_reason: 'tool_calls' }),
        '[DONE]',
      ]);
      expect(parts.slice(1, 3)).toEqual([
        { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'f' },
        { type: 'tool-call-delta', index: 0, delta: '{"x":1}' },
      ]);
    });

    it('ignores the id and name repeated on later fragments', async () => {
      const parts = await mapStream([
        chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{"x"' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: ':1}' } }] }),
      ]);
      expect(parts.filter((part) => part.type.startsWith('tool-call'))).toEqual([
        { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'f' },
        { type: 'tool-call-delta', index: 0, delta: '{"x"' },
        { type: 'tool-call-delta', index: 0, delta: ':1}' },
      ]);
    });

    it('falls back to ids and positions when index is missing', async () => {
      const parts = await mapStream([
        chunk({
          tool_calls: [
            { id: 'call_a', function: { name: 'f', arguments: '{}' } },
            { id: 'call_b', function: { name: 'g', arguments: '{"y"' } },
          ],
        }),
        chunk({ tool_calls: [{ function: { arguments: ':2}' } }] }),
        chunk({ tool_calls: [{ id: 'call_c', function: { name: 'h', arguments: '{}' } }] }),
      ]);
      expect(parts.filter((part) => part.type.startsWith('tool-call'))).toEqual([
        { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'f' },
        { type: 'tool-call-delta', index: 0, delta: '{}' },
        { type: 'tool-call-start', index: 1, callId: 'call_b', name: 'g' },
        { type: 'tool-call-delta', index: 1, delta: '{"y"' },
        { type: 'tool-call-delta', index: 1, delta: ':2}' },
        { type: 'tool-call-start', index: 2, callId: 'call_c', name: 'h' },
        { type: 'tool-call-delta', index: 2, delta: '{}' },
      ]);
    });

    it('holds argument fragments that arrive before the name, and makes up an id when none is sent', async () => {
      const parts = await mapStream([
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1}' } }] }),
      ]);
      expect(parts.filter((part) => part.type.startsWith('tool-call'))).toEqual([
        { type: 'tool-call-start', index: 0, callId: expect.stringMatching(/^call_[0-9a-f]{32}$/), name: 'f' },
        { type: 'tool-call-delta', index: 0, delta: '{"a":1}' },
      ]);
    });

    it('fails on a call whose name never arrives', async () => {
      const error = await failure([chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { arguments: '{}' } }] }), '[DONE]']);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ message: 'malformed upstream response', status: null, retryable: false });
    });

    it('reports tool-calls when a server says stop after tool calls, keeping the raw reason', async () => {
      const parts = await mapStream([chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{}' } }] }, { finish_reason: 'stop' })]);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: { unified: 'tool-calls', raw: 'stop' }, usage: null });
    });
  });

  describe('stream endings', () => {
    it('still finishes when the body ends without finish_reason or [DONE]', async () => {
      expect(await mapStream([chunk({ content: 'partial' })])).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-1', model: 'm' },
        { type: 'text-delta', delta: 'partial' },
        { type: 'finish', reason: { unified: 'other', raw: null }, usage: null },
      ]);
    });

    it('derives tool-calls from the calls seen when no finish_reason came', async () => {
      const parts = await mapStream([chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{}' } }] })]);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: { unified: 'tool-calls', raw: null }, usage: null });
    });

    it('reads nothing after [DONE]', async () => {
      const parts = await mapStream([chunk({ content: 'a' }, { finish_reason: 'stop' }), '[DONE]', 'not json']);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage: null });
    });

    it('maps unknown finish reasons to other', async () => {
      const parts = await mapStream([chunk({}, { finish_reason: 'abort' })]);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: { unified: 'other', raw: 'abort' }, usage: null });
    });
  });

  describe('vendor variants', () => {
    it('reads vLLM/OpenRouter `reasoning`, and only one field when a server fills both', async () => {
      const parts = await mapStream([chunk({ reasoning: 'think' }), chunk({ reasoning: 'same', reasoning_content: 'same' }), chunk({ content: 'answer' })]);
      expect(parts.filter((part) => part.type !== 'finish' && part.type !== 'response-metadata')).toEqual([
        { type: 'reasoning-delta', delta: 'think' },
        { type: 'reasoning-delta', delta: 'same' },
        { type: 'reasoning-end', providerData: { chat: { provider: 'test' } } },
        { type: 'text-delta', delta: 'answer' },
      ]);
    });

    it('takes usage from inside the choice (Moonshot) and the latest usage when several arrive', async () => {
      const parts = await mapStream([
        JSON.stringify({ id: 'x', model: 'm', choices: [{ index: 0, delta: { content: 'a' } }], usage: { prompt_tokens: 1, completion_tokens: 1 } }),
        JSON.stringify({
          id: 'x',
          model: 'm',
          choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }],
        }),
      ]);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage: { ...zeroUsage, inputTokens: 5, outputTokens: 3 } });
    });

    it('waits for a chunk naming id and model (Azure prompt-filter first chunk) before the metadata', async () => {
      const parts = await mapStream([
        JSON.stringify({ id: '', model: '', object: '', created: 0, choices: [], prompt_filter_results: [{ prompt_index: 0 }] }),
        chunk({ content: 'hi' }),
      ]);
      expect(parts.slice(0, 2)).toEqual([
        { type: 'response-metadata', id: 'chatcmpl-1', model: 'm' },
        { type: 'text-delta', delta: 'hi' },
      ]);
    });

    it('emits metadata with nulls when no chunk names the response', async () => {
      const parts = await mapStream([JSON.stringify({ choices: [{ index: 0, delta: { content: 'hi' } }] })]);
      expect(parts.slice(0, 2)).toEqual([
        { type: 'response-metadata', id: null, model: null },
        { type: 'text-delta', delta: 'hi' },
      ]);
    });

    it('reads choice 0 only', async () => {
      const parts = await mapStream([
        JSON.stringify({
          id: 'x',
          model: 'm',
          choices: [
            { index: 1, delta: { content: 'second' }, finish_reason: null },
            { index: 0, delta: { content: 'first' }, finish_reason: null },
          ],
        }),
      ]);
      expect(parts.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', delta: 'first' }]);
    });

    it('streams a refusal as a refusal, not as text', async () => {
      const parts = await mapStream([chunk({ refusal: "I can't help with that." })]);
      expect(parts[1]).toEqual({ type: 'refusal-delta', delta: "I can't help with that." });
    });
  });

  describe('errors', () => {
    it('throws an in-band error chunk as a non-retryable ProviderError', async () => {
      const error = await failure([
        chunk({ content: 'a' }),
        JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } }),
      ]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        provider: 'test',
        status: null,
        retryable: false,
        message: 'The server had an error while processing your request.',
        providerCode: 'server_error',
      });
    });

    it('throws an `event: error` event even when its data is not JSON', async () => {
      const events = (async function* () {
        yield { event: 'error', id: undefined, data: 'upstream overloaded' };
      })();
      const run = async () => {
        for await (const _part of mapOpenAICompatibleStream(events, 'test')) {
          // drain
        }
      };
      await expect(run()).rejects.toMatchObject({ message: 'upstream overloaded', status: null, retryable: false });
    });

    it('throws malformed upstream response for invalid JSON, with the parse error as cause', async () => {
      const error = await failure([chunk({ content: 'a' }), '{"id": "x", "choices": [']);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ message: 'malformed upstream response', status: null, retryable: false });
      expect((error as ProviderError).cause).toBeInstanceOf(SyntaxError);
    });

    it('throws malformed upstream response for a chunk that fails the schema', async () => {
      const error = await failure([JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 42 } }] })]);
      expect(error).toMatchObject({ message: 'malformed upstream response' });
      expect((error as ProviderError).cause).toBeDefined();
    });
  });
});

describe(`${mapOpenAICompatibleStream.name} log probabilities`, () => {
  const chunk = (delta: unknown, logprobs: unknown) => JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, delta, logprobs, finish_reason: null }] });

  it("puts each chunk's choices[0].logprobs.content on its text delta, and drops those of a chunk without text", async () => {
    const hi = { token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105] }] };
    const parts = await mapStream([
      chunk({ role: 'assistant', content: '' }, { content: [], refusal: null }),
      chunk({ content: 'Hi' }, { content: [hi], refusal: null }),
      chunk({ content: '!' }, { content: [{ token: '!', logprob: -1, bytes: null, top_logprobs: [] }] }),
      chunk({ content: '?' }, null),
      '[DONE]',
    ]);
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      { type: 'text-delta', delta: 'Hi', logprobs: [hi] },
      { type: 'text-delta', delta: '!', logprobs: [{ token: '!', logprob: -1, bytes: [33], top_logprobs: [] }] },
      { type: 'text-delta', delta: '?' },
    ]);
  });

  it('rejects a chunk whose logprobs are malformed', async () => {
    const error = await rejection(mapStream([chunk({ content: 'Hi' }, { content: [{ token: 'Hi', logprob: 'low' }] }), '[DONE]']));
    expect(error).toMatchObject({ message: 'malformed upstream response' });
  });
});
