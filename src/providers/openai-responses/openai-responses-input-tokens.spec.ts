// countInputTokens against test/mock-upstream, whose /responses/input_tokens route answers the
// usage.input_tokens a create with the same body reports; servers without the route answer 404.
import { Readable } from 'node:stream';
import { collect } from '../../../test/async.js';
import { newModelRequest as newBaseModelRequest, newMessageItem } from '../../../test/factories.js';
import { type MockUpstream, startMockUpstream } from '../../../test/mock-upstream/mock-upstream.js';
import { itemsFromParts, usageOf } from '../../../test/model-stream.js';
import { ProviderError } from '../../common/provider-error.js';
import type { Item } from '../../items/item.schemas.js';
import type { FunctionTool, ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections, type ProviderResponse } from '../call-provider.js';
import { OpenAIResponsesAdapter } from './openai-responses.adapter.js';
import type { OpenAIResponsesRequestBody } from './openai-responses.api.js';
import { toOpenAIResponsesInputTokensBody, toOpenAIResponsesTextPrompt } from './openai-responses-input-tokens.js';

const tools: FunctionTool[] = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: null },
];

const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest =>
  newBaseModelRequest({
    model: 'gpt-5',
    instructions: 'Be brief.',
    tools,
    parallelToolCalls: false,
    maxOutputTokens: 256,
    reasoning: { effort: 'low', summary: null },
    promptCacheKey: 'thread-1',
    safetyIdentifier: 'user-1',
    ...overrides,
  });
describe(toOpenAIResponsesInputTokensBody.name, () => {
  it('keeps the TokenCountsBody fields of a create body and drops the rest, a compaction trigger included', () => {
    const body: OpenAIResponsesRequestBody = {
      model: 'gpt-5',
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }, { type: 'compaction_trigger' }],
      tools: [{ type: 'function', name: 'f', parameters: null, strict: false }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      max_output_tokens: 256,
      temperature: 1,
      top_p: 0.9,
      text: { format: { type: 'json_object' } },
      reasoning: { effort: 'low' },
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      prompt_cache_options: { mode: 'explicit' },
      safety_identifier: 'u',
      include: ['reasoning.encrypted_content'],
      context_management: [{ type: 'compaction', compact_threshold: 100_000 }],
      store: false,
      stream: true,
    };

    expect(toOpenAIResponsesInputTokensBody(body)).toEqual({
      model: 'gpt-5',
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      tools: [{ type: 'function', name: 'f', parameters: null, strict: false }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      text: { format: { type: 'json_object' } },
      reasoning: { effort: 'low' },
    });
  });
});

describe(toOpenAIResponsesTextPrompt.name, () => {
  it('reads instructions, every input item kind and the definitions; opaque items count nothing', () => {
    const prompt = toOpenAIResponsesTextPrompt({
      model: 'gpt-5',
      instructions: 'Be brief.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look:' },
            { type: 'input_image', image_url: 'https://example.com/a.png' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thought.' }], encrypted_content: 'enc' },
        { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c', output: 'done' },
        { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_text', text: 'part' }] },
        { type: 'compaction', encrypted_content: 'enc' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: null, strict: false }],
      text: { format: { type: 'json_object' } },
      store: false,
      stream: true,
    });

    expect(prompt).toEqual({
      messages: [
        { role: 'system', texts: ['Be brief.'], toolCalls: 0, media: 0 },
        { role: 'user', texts: ['Look:'], toolCalls: 0, media: 1 },
        { role: 'assistant', texts: ['Thought.'], toolCalls: 0, media: 0 },
        { role: 'assistant', texts: ['No.'], toolCalls: 0, media: 0 },
        { role: 'assistant', texts: ['f', '{}'], toolCalls: 1, media: 0 },
        { role: 'tool', texts: ['done'], toolCalls: 0, media: 0 },
        { role: 'tool', texts: ['part'], toolCalls: 0, media: 0 },
      ],
      definitions: ['[{"type":"function","name":"f","parameters":null,"strict":false}]', '{"type":"json_object"}'],
    });
  });
});

describe(`${OpenAIResponsesAdapter.name}.countInputTokens against the mock upstream`, () => {
  let upstream: MockUpstream;
  let sut: OpenAIResponsesAdapter;

  beforeAll(async () => {
    upstream = await startMockUpstream({ requireAuthorization: true });
    sut = new OpenAIResponsesAdapter({ provider: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-test', retry: { maxRetries: 0 } });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await upstream.close();
    await closeProviderConnections();
  });

  it('counts exactly the input tokens the create reports, and sends the endpoint only the prompt fields', async () => {
    upstream.enqueue({ kind: 'tool_calls', reasoning: 'Look it up.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const question = newMessageItem({ id: 'msg_q', text: 'Weather in Paris?' });
    const first = itemsFromParts(await collect(sut.stream(newModelRequest({ items: [question] }), new AbortController().signal)), 1);
    upstream.reset();
    const history: Item[] = [question, ...first, { type: 'function_call_output', id: 'fco_1', call_id: 'call_mock1_0', output: 'sunny', status: 'completed' }];
    const request = newModelRequest({ items: history });

    const count = await sut.countInputTokens(request, new AbortController().signal);
    const usage = usageOf(await collect(sut.stream(request, new AbortController().signal)));

    expect(count).toEqual({ inputTokens: usage.inputTokens, source: 'provider' });
    expect(count.inputTokens).toBeGreaterThan(0);
    const [counted, created] = upstream.requests;
    expect(counted).toMatchObject({ method: 'POST', path: '/v1/responses/input_tokens' });
    expect(counted!.headers).toMatchObject({ authorization: 'Bearer sk-test', 'content-type': 'application/json' });
    const { stream, store, include, max_output_tokens, prompt_cache_key, safety_identifier, ...prompt } = created!.body;
    expect([stream, store, include, max_output_tokens, prompt_cache_key, safety_identifier]).toEqual([
      true,
      false,
      ['reasoning.encrypted_content'],
      256,
      'thread-1',
      'user-1',
    ]);
    expect(counted!.body).toEqual(prompt);
    expect(Object.keys(counted!.body).sort()).toEqual(['input', 'instructions', 'model', 'parallel_tool_calls', 'reasoning', 'tool_choice', 'tools']);
    expect(counted!.body.input.map((item: { type: string }) => item.type)).toEqual(['message', 'reasoning', 'function_call', 'function_call_output']);
  });

  it('falls back to the tokenizer when the server has no count endpoint (404)', async () => {
    const vllm = new OpenAIResponsesAdapter({ provider: 'vllm', baseUrl: `${upstream.origin}/v2`, apiKey: 'sk-test', retry: { maxRetries: 0 } });

    const count = await vllm.countInputTokens(
      newModelRequest({ model: 'gpt-oss-20b', tools: [], reasoning: null, items: [newMessageItem({ text: 'hello world' })] }),
      new AbortController().signal,
    );

    // system "Be brief." (3 + 1 + 3), user "hello world" (3 + 1 + 2), reply priming 3.
    expect(count).toEqual({ inputTokens: 16, source: 'tokenizer' });
    expect(upstream.requests.map((record) => record.path)).toEqual(['/v2/responses/input_tokens']);
  });

  it('throws other refusals as ProviderErrors, as stream() does', async () => {
    const keyless = new OpenAIResponsesAdapter({ provider: 'openai', baseUrl: upstream.baseUrl, apiKey: null, retry: { maxRetries: 0 } });

    const error = await keyless.countInputTokens(newModelRequest(), new AbortController().signal).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 401, retryable: false });
  });
});

describe(`${OpenAIResponsesAdapter.name}.countInputTokens with a stubbed upstream`, () => {
  function stub(answer: () => Promise<ProviderResponse>) {
    const calls: CallProviderOptions[] = [];
    const callProvider: CallProvider = async (options) => {
      calls.push(options);
      return answer();
    };
    const sut = new OpenAIResponsesAdapter({
      provider: 'vllm',
      baseUrl: 'http://gpu:8000/v1/',
      apiKey: null,
      callProvider,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
    });
    return { calls, sut };
  }
  const json = (text: string) => () => Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([text]) });
  const failure = (status: number) => () => Promise.reject(new ProviderError({ provider: 'vllm', status, message: 'Method Not Allowed' }));

  it('sends to {baseUrl}/responses/input_tokens with the options of a model call', async () => {
    const { calls, sut } = stub(json('{"object":"response.input_tokens","input_tokens":11}'));
    const signal = new AbortController().signal;

    expect(await sut.countInputTokens(newModelRequest({ trace: { requests: [], attempts: 0 } }), signal)).toEqual({ inputTokens: 11, source: 'provider' });
    expect(calls[0]).toMatchObject({
      provider: 'vllm',
      url: 'http://gpu:8000/v1/responses/input_tokens',
      signal,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
    });
    expect(calls[0]!.trace).toBeUndefined();
  });

  it('estimates a model without a public tokenizer when the endpoint answers 405', async () => {
    const { sut } = stub(failure(405));

    // 'Be brief.' 9 + 'hello world' 11 = 20 characters, at 4 per token.
    const count = await sut.countInputTokens(
      newModelRequest({ model: 'Qwen/Qwen3-8B', tools: [], items: [newMessageItem({ text: 'hello world' })] }),
      new AbortController().signal,
    );

    expect(count).toEqual({ inputTokens: 5, source: 'estimate' });
  });

  it.each([400, 429, 500])('does not fall back on a %s', async (status) => {
    const { sut } = stub(failure(status));

    await expect(sut.countInputTokens(newModelRequest(), new AbortController().signal)).rejects.toMatchObject({ status });
  });

  it('does not fall back on the 404 of a model the server does not know', async () => {
    const { sut } = stub(() =>
      Promise.reject(new ProviderError({ provider: 'vllm', status: 404, message: 'The model `x` does not exist.', providerCode: 'model_not_found' })),
    );

    await expect(sut.countInputTokens(newModelRequest(), new AbortController().signal)).rejects.toMatchObject({ status: 404, providerCode: 'model_not_found' });
  });

  it('reads an answer without input_tokens as a malformed upstream response', async () => {
    const { sut } = stub(json('{"object":"response.input_tokens"}'));

    await expect(sut.countInputTokens(newModelRequest(), new AbortController().signal)).rejects.toMatchObject({
      message: 'malformed upstream response',
      provider: 'vllm',
    });
  });
});
