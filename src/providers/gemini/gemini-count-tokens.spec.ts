// countInputTokens against test/mock-upstream, whose :countTokens route answers the promptTokenCount
// a create with the same prompt reports, and refuses a generateContent body sent as it is.
import { Readable } from 'node:stream';
import { collect } from '../../../test/async.js';
import { newModelRequest as newBaseModelRequest, newMessageItem } from '../../../test/factories.js';
import { type MockUpstream, startMockUpstream } from '../../../test/mock-upstream/mock-upstream.js';
import { functionCallsFromParts, usageOf } from '../../../test/model-stream.js';
import type { CacheSettings } from '../../caching/plan-cache.js';
import { ProviderError } from '../../common/provider-error.js';
import type { Item } from '../../items/item.schemas.js';
import type { FunctionTool, ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections } from '../call-provider.js';
import type { ProviderCacheStore } from '../provider-cache.store.js';
import { GeminiAdapter } from './gemini.adapter.js';
import { toGeminiCountTokensBody } from './gemini-count-tokens.js';

const tools: FunctionTool[] = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: null },
];
const question = newMessageItem({ id: 'msg_q', text: 'Weather in Paris?' });

const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest =>
  newBaseModelRequest({ model: 'gemini-2.5-flash', instructions: 'Be brief.', tools, maxOutputTokens: 256, temperature: 0.2, ...overrides });

describe(toGeminiCountTokensBody.name, () => {
  it('wraps the prompt in a generateContentRequest with the model, leaving output settings out', () => {
    const body = toGeminiCountTokensBody('gemini-2.5-flash', {
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      tools: [{ functionDeclarations: [{ name: 'f' }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: { maxOutputTokens: 256, thinkingConfig: { thinkingBudget: 1024 } },
    });

    expect(body).toEqual({
      generateContentRequest: {
        model: 'models/gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        tools: [{ functionDeclarations: [{ name: 'f' }] }],
        toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      },
    });
  });
});

describe(`${GeminiAdapter.name}.countInputTokens against the mock upstream`, () => {
  let upstream: MockUpstream;
  let sut: GeminiAdapter;

  beforeAll(async () => {
    upstream = await startMockUpstream({ requireAuthorization: true });
    sut = new GeminiAdapter({ provider: 'google', baseUrl: upstream.origin, apiKey: 'gm-test', retry: { maxRetries: 0 } });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await upstream.close();
    await closeProviderConnections();
  });

  it('counts exactly the prompt tokens the create reports, and sends the prompt alone', async () => {
    upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const [call] = functionCallsFromParts(await collect(sut.stream(newModelRequest({ items: [question] }), new AbortController().signal)));
    upstream.reset();
    const output: Item = { type: 'function_call_output', id: 'fco_1', call_id: call!.call_id, output: 'sunny', status: 'completed' };
    const request = newModelRequest({ items: [question, call!, output] });

    const count = await sut.countInputTokens(request, new AbortController().signal);
    const usage = usageOf(await collect(sut.stream(request, new AbortController().signal)));

    expect(count).toEqual({ inputTokens: usage.inputTokens, source: 'provider' });
    expect(count.inputTokens).toBeGreaterThan(0);
    const [counted, created] = upstream.requests;
    expect(counted).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-2.5-flash:countTokens' });
    expect(counted!.headers['x-goog-api-key']).toBe('gm-test');
    const { generationConfig, ...prompt } = created!.body;
    expect(generationConfig).toBeDefined();
    expect(counted!.body).toEqual({ generateContentRequest: { model: 'models/gemini-2.5-flash', ...prompt } });
    expect(Object.keys(counted!.body.generateContentRequest).sort()).toEqual(['contents', 'model', 'systemInstruction', 'toolConfig', 'tools']);
    expect(counted!.body.generateContentRequest.contents).toHaveLength(3);
  });

  it('throws the upstream refusal as a ProviderError, as stream() does', async () => {
    const keyless = new GeminiAdapter({ provider: 'google', baseUrl: upstream.origin, apiKey: null, retry: { maxRetries: 0 } });

    const error = await keyless.countInputTokens(newModelRequest(), new AbortController().signal).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 403, retryable: false, providerCode: 'PERMISSION_DENIED' });
  });
});

describe(`${GeminiAdapter.name}.countInputTokens with a stubbed upstream`, () => {
  function stub(answer: string) {
    const calls: CallProviderOptions[] = [];
    const callProvider: CallProvider = async (options) => {
      calls.push(options);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([answer]) };
    };
    return { calls, callProvider };
  }

  /** A store that fails the test if the count touches an explicit cache. */
  const untouchable: ProviderCacheStore = {
    find: () => Promise.reject(new Error('find')),
    save: () => Promise.reject(new Error('save')),
    extend: () => Promise.reject(new Error('extend')),
    forget: () => Promise.reject(new Error('forget')),
    list: () => Promise.reject(new Error('list')),
  };
  const cache: CacheSettings = {
    mode: 'aggressive',
    capabilities: {
      kind: 'gemini',
      minTokens: 1,
      maxBreakpoints: 0,
      lookback: 0,
      ttls: [],
      retention: [],
      promptCacheKey: false,
      multipliers: { read: 0.1, write5m: 1, write1h: 1, storagePerHour: 1 },
      thinkingKept: false,
    },
    gapsMs: [1_000],
    thread: { projectId: 'default', id: 'conv_1' },
  };

  it('counts the whole prompt with one call, never through an explicit cache', async () => {
    const { calls, callProvider } = stub('{"totalTokens": 31, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 31}]}');
    const sut = new GeminiAdapter({
      provider: 'google',
      baseUrl: 'https://generativelanguage.googleapis.com/',
      apiKey: 'gm-test',
      caches: untouchable,
      callProvider,
      retry: { maxRetries: 1 },
    });
    const signal = new AbortController().signal;

    expect(await sut.countInputTokens(newModelRequest({ cache }), signal)).toEqual({ inputTokens: 31, source: 'provider' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens',
      signal,
      retry: { maxRetries: 1 },
    });
    expect(JSON.stringify(calls[0]!.body)).not.toContain('cachedContent');
  });

  it.each([
    ['an answer without totalTokens', '{"cachedContentTokenCount": 3}'],
    ['an answer that is not JSON', 'upstream connect error'],
  ])('reads %s as a malformed upstream response', async (_name, answer) => {
    const { callProvider } = stub(answer);
    const sut = new GeminiAdapter({ provider: 'google', baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'gm-test', callProvider });

    const error = await sut.countInputTokens(newModelRequest(), new AbortController().signal).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'google', message: 'malformed upstream response', status: null });
  });
});
