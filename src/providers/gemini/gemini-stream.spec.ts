// Fixtures are hand-made from documented payloads, not recordings (house style 6.6 asks for recordings;
// replace them when a recording script exists). Each file's first line says what it is modelled on:
// text (several chunks, running usage), function-call (Gemini 3, thoughtSignature on the part),
// parallel-function-calls (signature on the first call only), thought (thought summaries, then
// signed text), prompt-blocked (promptFeedback, no candidates), cached-usage (implicit cache hit and
// thinking tokens), error-event (google.rpc.Status event mid-stream).

import { collect, rejection } from '../../../test/async.js';
import { ProviderError } from '../../common/provider-error.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { iterateSseEvents } from '../read-body.js';
import { readFixtureLines, toSseBody } from './__fixtures__/fixture-body.js';
import { mapGeminiStream } from './gemini-stream.js';

function mapStream(lines: string[]): Promise<ModelStreamPart[]> {
  return collect(mapGeminiStream(iterateSseEvents(toSseBody(lines)), 'google'));
}

function mapFixture(name: string): Promise<ModelStreamPart[]> {
  return mapStream(readFixtureLines(`gemini-${name}.chunks.txt`));
}

function failure(lines: string[]): Promise<unknown> {
  return rejection(mapStream(lines));
}

/** A chunk whose candidate 0 has `parts` (and optionally a finish reason). */
function chunk(parts: unknown[], finishReason?: string): string {
  return JSON.stringify({
    candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    modelVersion: 'gemini-3-flash-preview',
    responseId: 'resp-1',
  });
}

const metadata = { type: 'response-metadata', id: 'resp-1', model: 'gemini-3-flash-preview' };
const callId = expect.stringMatching(/^call_\d+_[0-9a-f]{16}$/);

describe(mapGeminiStream.name, () => {
  describe('fixtures', () => {
    it('text: one delta per chunk, multi-byte text intact, usage from the last usageMetadata', async () => {
      expect(await mapFixture('text')).toEqual([
        { type: 'response-metadata', id: '6e1faNqPJoK1nvgPhNnPwAs', model: 'gemini-2.5-flash' },
        { type: 'text-delta', delta: 'Paris is' },
        { type: 'text-delta', delta: ' the capital of France' },
        { type: 'text-delta', delta: ' – 🇫🇷.' },
        {
          type: 'finish',
          reason: { unified: 'stop', raw: 'STOP' },
          usage: { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 52, reasoningTokens: 41 },
        },
      ]);
    });

    it('function-call: generates a call id, keeps the thought signature on the call, STOP becomes tool-calls', async () => {
      expect(await mapFixture('function-call')).toEqual([
        { type: 'response-metadata', id: 'zQ0gaeLzMYqfz7IPxMvK2AM', model: 'gemini-3-pro-preview' },
        {
          type: 'tool-call-start',
          index: 0,
          callId,
          name: 'check_flight',
          providerData: { gemini: { thoughtSignature: 'CiQBcsjafDzEdSf0Rk3n9WgYpVH1QmBpZ2Pj3c5nLOB5wBk1ZsMKXwFyyNp8Yw==' } },
        },
        { type: 'tool-call-delta', index: 0, delta: '{"flight":"AA100","date":"2025-11-20"}' },
        {
          type: 'finish',
          reason: { unified: 'tool-calls', raw: 'STOP' },
          usage: { inputTokens: 75, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 119, reasoningTokens: 102 },
        },
      ]);
    });

    it('parallel-function-calls: two calls with distinct ids, the signature only on the first', async () => {
      const parts = await mapFixture('parallel-function-calls');

      expect(parts).toEqual([
        { type: 'response-metadata', id: 'Vh4gaZ6dLv2Vz7IP0qjPmQk', model: 'gemini-3-flash-preview' },
        {
          type: 'tool-call-start',
          index: 0,
          callId,
          name: 'get_weather',
          providerData: { gemini: { thoughtSignature: 'CiQBcsjafHk2b2p0VVRTd0tHbXlmNEc4M2JQcnR4ZVdkUFN1UlpmUUE=' } },
        },
        { type: 'tool-call-delta', index: 0, delta: '{"city":"Paris"}' },
        { type: 'tool-call-start', index: 1, callId, name: 'get_weather' },
        { type: 'tool-call-delta', index: 1, delta: '{"city":"London"}' },
        {
          type: 'finish',
          reason: { unified: 'tool-calls', raw: 'STOP' },
          usage: { inputTokens: 58, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 102, reasoningTokens: 72 },
        },
      ]);
      const ids = parts.flatMap((part) => (part.type === 'tool-call-start' ? [part.callId] : []));
      expect(ids[0]).toMatch(/^call_0_/);
      expect(ids[1]).toMatch(/^call_1_/);
    });

    it('thought: thought parts become reasoning, sealed by the signature on the first text part', async () => {
      expect(await mapFixture('thought')).toEqual([
        { type: 'response-metadata', id: 'kW0faK3XBOLnnvgPq5W1oQ0', model: 'gemini-2.5-flash' },
        { type: 'reasoning-summary-delta', delta: '**Weighing the options**\n\nThe user asks which is larger, 9.11 or 9.9. ', index: 0 },
        { type: 'reasoning-summary-delta', delta: 'Comparing the tenths digit decides it.', index: 0 },
        { type: 'reasoning-end', providerData: { gemini: { thoughtSignature: 'CpMCAdHtim9fRUdNZXhhbXBsZS1zaWduYXR1cmUtb2YtdGhlLXRob3VnaHQ=' } } },
        { type: 'text-delta', delta: '9.9 is larger' },
        { type: 'text-delta', delta: ': 0.90 > 0.11.' },
        {
          type: 'finish',
          reason: { unified: 'stop', raw: 'STOP' },
          usage: { inputTokens: 14, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 329, reasoningTokens: 317 },
        },
      ]);
    });

    it('prompt-blocked: no candidates and a block reason finish as content-filter, with a refusal naming the reason', async () => {
      expect(await mapFixture('prompt-blocked')).toEqual([
        { type: 'response-metadata', id: 'Qx8gaZ7lGM6Gz7IPmJLh0Ag', model: 'gemini-2.5-flash' },
        { type: 'refusal-delta', delta: 'Gemini blocked the prompt (SAFETY).' },
        {
          type: 'finish',
          reason: { unified: 'content-filter', raw: 'SAFETY' },
          usage: { inputTokens: 21, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 },
        },
      ]);
    });

    it('cached-usage: cached tokens stay inside input, thinking tokens are added to output', async () => {
      expect((await mapFixture('cached-usage')).at(-1)).toEqual({
        type: 'finish',
        reason: { unified: 'stop', raw: 'STOP' },
        usage: { inputTokens: 5291, cachedInputTokens: 4089, cacheWriteTokens: 0, outputTokens: 242, reasoningTokens: 219 },
      });
    });

    it('error-event: the google.rpc.Status event is thrown as a retryable ProviderError coded by status', async () => {
      const error = await failure(readFixtureLines('gemini-error-event.chunks.txt'));

      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        provider: 'google',
        status: 503,
        providerCode: 'UNAVAILABLE',
        retryable: true,
        message: 'This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.',
      });
    });
  });

  describe('thought signatures', () => {
    it('ends the thought at a signed thought part; later thought text opens a new block', async () => {
      expect(
        await mapStream([
          chunk([{ text: 'first', thought: true, thoughtSignature: 'sig-1' }]),
          chunk([{ text: 'second', thought: true }]),
          chunk([{ text: 'answer' }], 'STOP'),
        ]),
      ).toEqual([
        metadata,
        { type: 'reasoning-summary-delta', delta: 'first', index: 0 },
        { type: 'reasoning-end', providerData: { gemini: { thoughtSignature: 'sig-1' } } },
        { type: 'reasoning-summary-delta', delta: 'second', index: 0 },
        { type: 'reasoning-end', providerData: null },
        { type: 'text-delta', delta: 'answer' },
        { type: 'finish', reason: { unified: 'stop', raw: 'STOP' }, usage: null },
      ]);
    });

    it('gives a call its own signature and ends the thought before it without one', async () => {
      expect(
        await mapStream([
          chunk([{ text: 'plan', thought: true }]),
          chunk([{ functionCall: { name: 'lookup', args: {} }, thoughtSignature: 'sig-call' }], 'STOP'),
        ]),
      ).toEqual([
        metadata,
        { type: 'reasoning-summary-delta', delta: 'plan', index: 0 },
        { type: 'reasoning-end', providerData: null },
        { type: 'tool-call-start', index: 0, callId, name: 'lookup', providerData: { gemini: { thoughtSignature: 'sig-call' } } },
        { type: 'tool-call-delta', index: 0, delta: '{}' },
        { type: 'finish', reason: { unified: 'tool-calls', raw: 'STOP' }, usage: null },
      ]);
    });

    it('keeps a signature from an empty part with no open thought for the next call', async () => {
      expect(await mapStream([chunk([{ text: '', thoughtSignature: 'sig-early' }]), chunk([{ functionCall: { name: 'lookup' } }], 'STOP')])).toEqual([
        metadata,
        { type: 'tool-call-start', index: 0, callId, name: 'lookup', providerData: { gemini: { thoughtSignature: 'sig-early' } } },
        { type: 'tool-call-delta', index: 0, delta: '{}' },
        { type: 'finish', reason: { unified: 'tool-calls', raw: 'STOP' }, usage: null },
      ]);
    });

    it('drops a trailing signature-only part after plain text (Gemini 3 text answers)', async () => {
      expect(await mapStream([chunk([{ text: 'Hi' }]), chunk([{ text: '', thoughtSignature: 'sig-last' }], 'STOP')])).toEqual([
        metadata,
        { type: 'text-delta', delta: 'Hi' },
        { type: 'finish', reason: { unified: 'stop', raw: 'STOP' }, usage: null },
      ]);
    });

    it('ends a thought still open when the stream finishes', async () => {
      expect(await mapStream([chunk([{ text: 'hmm', thought: true }], 'MAX_TOKENS')])).toEqual([
        metadata,
        { type: 'reasoning-summary-delta', delta: 'hmm', index: 0 },
        { type: 'reasoning-end', providerData: null },
        { type: 'finish', reason: { unified: 'length', raw: 'MAX_TOKENS' }, usage: null },
      ]);
    });
  });

  describe('edge cases', () => {
    it('maps a candidate stopped by a filter to content-filter, keeping the text before it', async () => {
      expect(await mapStream([chunk([{ text: 'Once upon' }]), chunk([], 'RECITATION')])).toEqual([
        metadata,
        { type: 'text-delta', delta: 'Once upon' },
        { type: 'finish', reason: { unified: 'content-filter', raw: 'RECITATION' }, usage: null },
      ]);
    });

    it("shows a safety stop as a refusal after the text before it, in Gemini's words when it gave them", async () => {
      const stopped = JSON.stringify({
        candidates: [{ content: { parts: [], role: 'model' }, index: 0, finishReason: 'SAFETY', finishMessage: 'The answer was blocked for safety.' }],
      });
      expect(await mapStream([chunk([{ text: 'Well' }]), stopped])).toEqual([
        metadata,
        { type: 'text-delta', delta: 'Well' },
        { type: 'refusal-delta', delta: 'The answer was blocked for safety.' },
        { type: 'finish', reason: { unified: 'content-filter', raw: 'SAFETY' }, usage: null },
      ]);
      expect((await mapStream([chunk([], 'PROHIBITED_CONTENT')])).at(-2)).toEqual({
        type: 'refusal-delta',
        delta: 'Gemini stopped the answer: its safety filters blocked it (PROHIBITED_CONTENT).',
      });
    });

    it('maps MALFORMED_FUNCTION_CALL to other, even after calls', async () => {
      const parts = await mapStream([chunk([{ functionCall: { name: 'f', args: { a: 1 } } }], 'MALFORMED_FUNCTION_CALL')]);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: { unified: 'other', raw: 'MALFORMED_FUNCTION_CALL' }, usage: null });
    });

    it('sends placeholder metadata before the first part when no chunk names the response', async () => {
      const parts = await mapStream([JSON.stringify({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'STOP' }] })]);
      expect(parts.slice(0, 2)).toEqual([
        { type: 'response-metadata', id: null, model: null },
        { type: 'text-delta', delta: 'x' },
      ]);
    });

    it('ignores parts it never asks for and candidates other than the first', async () => {
      const line = JSON.stringify({
        candidates: [
          { index: 1, content: { parts: [{ text: 'other candidate' }] } },
          { index: 0, content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }, { text: 'mine' }] }, finishReason: 'STOP' },
        ],
        responseId: 'resp-1',
        modelVersion: 'gemini-3-flash-preview',
      });
      expect(await mapStream([line])).toEqual([
        metadata,
        { type: 'text-delta', delta: 'mine' },
        { type: 'finish', reason: { unified: 'stop', raw: 'STOP' }, usage: null },
      ]);
    });

    it('throws a malformed-response error for a payload that is not JSON', async () => {
      const error = await failure([chunk([{ text: 'a' }]), '{"candidates": [{"content": {"parts": [{"te']);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ message: 'malformed upstream response', retryable: false, status: null });
    });

    it('throws a malformed-response error for JSON that is not a response', async () => {
      const error = await failure([JSON.stringify({ candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] })]);
      expect(error).toMatchObject({ message: 'malformed upstream response' });
    });

    it('throws a retryable error when the body ends without a finish reason', async () => {
      const error = await failure([chunk([{ text: 'cut' }])]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ retryable: true, message: 'upstream stream ended before a finish reason' });
    });

    it('codes an error event by its numeric code when it has no status, and does not retry a 400', async () => {
      const error = await failure([JSON.stringify({ error: { code: 400, message: 'Request contains an invalid argument.' } })]);
      expect(error).toMatchObject({ providerCode: '400', retryable: false, message: 'Request contains an invalid argument.' });
    });
  });
});

describe(`${mapGeminiStream.name} log probabilities`, () => {
  /** A chunk with `parts` and a logprobsResult of one chosen token per text (logProbability -0.5, left out for the first). */
  function chunkWithLogprobs(parts: Array<{ text: string; thought?: boolean }>, tokens: string[], finishReason?: string): string {
    const value = JSON.parse(chunk(parts, finishReason)) as { candidates: Array<Record<string, unknown>> };
    value.candidates[0]!['logprobsResult'] = {
      chosenCandidates: tokens.map((token, index) => ({ token, tokenId: index, ...(index === 0 ? {} : { logProbability: -0.5 }) })),
      topCandidates: tokens.map((token) => ({ candidates: [{ token, tokenId: 0, logProbability: -0.5 }] })),
    };
    return JSON.stringify(value);
  }

  it("puts a chunk's logprobsResult on its text delta", async () => {
    const parts = await mapStream([chunkWithLogprobs([{ text: 'Hi' }], ['H', 'i']), chunkWithLogprobs([{ text: '!' }], ['!'], 'STOP')]);
    const top = (token: string) => [{ token, logprob: -0.5, bytes: Array.from(Buffer.from(token)) }];
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      {
        type: 'text-delta',
        delta: 'Hi',
        logprobs: [
          { token: 'H', logprob: 0, bytes: [72], top_logprobs: top('H') },
          { token: 'i', logprob: -0.5, bytes: [105], top_logprobs: top('i') },
        ],
      },
      { type: 'text-delta', delta: '!', logprobs: [{ token: '!', logprob: 0, bytes: [33], top_logprobs: top('!') }] },
    ]);
  });

  it('gives them to the last text delta of a chunk, and leaves out those of a chunk with no answer text', async () => {
    const parts = await mapStream([
      chunkWithLogprobs([{ text: 'Thinking', thought: true }], ['Thinking']),
      chunkWithLogprobs([{ text: 'A' }, { text: 'B' }], ['A', 'B'], 'STOP'),
    ]);
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.map((part) => [part.delta, part.logprobs?.map((entry) => entry.token)])).toEqual([
      ['A', undefined],
      ['B', ['A', 'B']],
    ]);
  });
});
