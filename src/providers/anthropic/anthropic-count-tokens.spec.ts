// countInputTokens against test/mock-upstream, whose count_tokens route answers what a create with
// the same prompt reports as input, and refuses create-only fields as Anthropic does.
import { Readable } from 'node:stream';
import { collect } from '../../../test/async.js';
import { newModelRequest as newBaseModelRequest, newMessageItem } from '../../../test/factories.js';
import { type MockUpstream, startMockUpstream } from '../../../test/mock-upstream/mock-upstream.js';
import { itemsFromParts, toolOutputsFor, usageOf } from '../../../test/model-stream.js';
import { ProviderError } from '../../common/provider-error.js';
import type { Item } from '../../items/item.schemas.js';
import type { FunctionTool, ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections } from '../call-provider.js';
import { AnthropicAdapter } from './anthropic.adapter.js';
import type { AnthropicRequestBody } from './anthropic.api.js';
import { toAnthropicCountTokensBody } from './anthropic-count-tokens.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

const tools: FunctionTool[] = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: null },
];
const question = newMessageItem({ id: 'msg_q', text: 'Weather in Paris?' });

const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest =>
  newBaseModelRequest({ model: 'claude-sonnet-4-5', instructions: 'Be brief.', tools, ...overrides });
describe(toAnthropicCountTokensBody.name, () => {
  it('keeps the prompt and drops what only a create takes', () => {
    const body: AnthropicRequestBody = {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      temperature: 0.5,
      top_p: 0.9,
      metadata: { user_id: 'u' },
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
      stream: true,
    };

    expect(toAnthropicCountTokensBody(body)).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
    });
  });
});

describe(`${AnthropicAdapter.name}.countInputTokens against the mock upstream`, () => {
  let upstream: MockUpstream;
  let sut: AnthropicAdapter;

  beforeAll(async () => {
    upstream = await startMockUpstream({ requireAuthorization: true });
    sut = new AnthropicAdapter({
      provider: 'anthropic',
      baseUrl: upstream.origin,
      apiKey: 'sk-ant-test',
      defaultMaxOutputTokens: 4096,
      retry: { maxRetries: 0 },
    });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await upstream.close();
    await closeProviderConnections();
  });

  /** A tool round trip played against the mock: the question, the model's call(s), their outputs. */
  async function toolRoundTrip(overrides: Partial<ModelRequest>, reasoning?: string): Promise<Item[]> {
    upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], ...(reasoning ? { reasoning } : {}) });
    const first = itemsFromParts(await collect(sut.stream(newModelRequest({ items: [question], ...overrides }), new AbortController().signal)));
    upstream.reset();
    return [question, ...first, ...toolOutputsFor(first, 'sunny')];
  }

  it('counts exactly the input tokens the create reports, and sends count_tokens only the prompt fields', async () => {
    const request = newModelRequest({ items: await toolRoundTrip({}), temperature: 0.2, safetyIdentifier: 'user-1' });

    const count = await sut.countInputTokens(request, new AbortController().signal);
    const usage = usageOf(await collect(sut.stream(request, new AbortController().signal)));

    expect(count).toEqual({ inputTokens: usage.inputTokens, source: 'provider' });
    expect(count.inputTokens).toBeGreaterThan(0);
    const [counted, created] = upstream.requests;
    expect(counted).toMatchObject({ method: 'POST', path: '/v1/messages/count_tokens' });
    expect(counted!.headers).toMatchObject({ 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test', 'content-type': 'application/json' });
    expect(counted!.headers['anthropic-beta']).toBeUndefined();
    const { max_tokens: _max, temperature: _temperature, metadata: _metadata, stream: _stream, ...prompt } = created!.body;
    expect(counted!.body).toEqual(prompt);
    expect(Object.keys(counted!.body).sort()).toEqual(['messages', 'model', 'system', 'tool_choice', 'tools']);
    expect(counted!.body.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('counts with thinking on, thinking blocks of the history included', async () => {
    const thinking = { thinking: { kind: 'budget' as const, budgetTokens: 1024 }, maxOutputTokens: 4096 };
    const request = newModelRequest({ items: await toolRoundTrip(thinking, 'I should look it up.'), ...thinking });

    const count = await sut.countInputTokens(request, new AbortController().signal);
    const usage = usageOf(await collect(sut.stream(request, new AbortController().signal)));

    expect(count).toEqual({ inputTokens: usage.inputTokens, source: 'provider' });
    const counted = upstream.requests[0]!.body;
    expect(counted.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(counted.messages[1].content[0]).toMatchObject({ type: 'thinking', thinking: 'I should look it up.' });
    expect(Object.keys(counted).sort()).toEqual(['messages', 'model', 'system', 'thinking', 'tool_choice', 'tools']);
  });

  it('leaves cache markers out: the count is the same with or without them', async () => {
    const marked = newMessageItem({ id: 'msg_m', content: [{ type: 'input_text', text: 'Cache me.', prompt_cache_breakpoint: { mode: 'explicit' } }] });
    const request = newModelRequest({ items: [marked] });
    expect(JSON.stringify(toAnthropicRequest(request, { provider: 'anthropic', defaultMaxOutputTokens: 4096 }))).toContain('cache_control');

    const count = await sut.countInputTokens(request, new AbortController().signal);

    expect(JSON.stringify(upstream.requests[0]!.body)).not.toContain('cache_control');
    expect(count.inputTokens).toBe(
      (await sut.countInputTokens(newModelRequest({ items: [newMessageItem({ text: 'Cache me.' })] }), new AbortController().signal)).inputTokens,
    );
  });

  it('throws the upstream refusal as a ProviderError, as stream() does', async () => {
    const assistantFirst = newMessageItem({ role: 'assistant', content: [{ type: 'output_text', text: 'hi', annotations: [], logprobs: [] }] });

    const error = await sut.countInputTokens(newModelRequest({ items: [assistantFirst] }), new AbortController().signal).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      status: 400,
      retryable: false,
      providerCode: 'invalid_request_error',
      message: 'messages: first message must use the "user" role',
    });
  });

  it('throws a 401 without a key', async () => {
    const keyless = new AnthropicAdapter({
      provider: 'anthropic',
      baseUrl: upstream.origin,
      apiKey: null,
      defaultMaxOutputTokens: 4096,
      retry: { maxRetries: 0 },
    });

    await expect(keyless.countInputTokens(newModelRequest(), new AbortController().signal)).rejects.toMatchObject({ status: 401, retryable: false });
  });
});

describe(`${AnthropicAdapter.name}.countInputTokens with a stubbed upstream`, () => {
  function stub(answer: string) {
    const calls: CallProviderOptions[] = [];
    const callProvider: CallProvider = async (options) => {
      calls.push(options);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([answer]) };
    };
    const sut = new AnthropicAdapter({
      provider: 'anthropic',
      baseUrl: 'https://api.anthropic.com/',
      apiKey: 'sk-ant-test',
      defaultMaxOutputTokens: 4096,
      callProvider,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
    });
    return { calls, sut };
  }

  it('sends with the retry and timeout options of a model call, leaving the count out of the trace', async () => {
    const { calls, sut } = stub('{"input_tokens": 14}');
    const signal = new AbortController().signal;
    const trace = { requests: [], attempts: 0 };

    expect(await sut.countInputTokens(newModelRequest({ trace }), signal)).toEqual({ inputTokens: 14, source: 'provider' });
    expect(calls[0]).toMatchObject({
      provider: 'anthropic',
      url: 'https://api.anthropic.com/v1/messages/count_tokens',
      signal,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
    });
    expect(calls[0]!.trace).toBeUndefined();
  });

  it('sends the beta header the create would carry', async () => {
    const { calls, sut } = stub('{"input_tokens": 14}');

    await sut.countInputTokens(newModelRequest({ nativeCompaction: { threshold: 50_000, now: false } }), new AbortController().signal);

    expect(calls[0]!.headers).toMatchObject({ 'anthropic-beta': 'compact-2026-01-12' });
    expect(calls[0]!.body).toMatchObject({ context_management: { edits: [{ type: 'compact_20260112' }] } });
  });

  it.each([
    ['an answer without input_tokens', '{"tokens": 14}'],
    ['a negative count', '{"input_tokens": -1}'],
    ['an answer that is not JSON', '<html>bad gateway</html>'],
  ])('reads %s as a malformed upstream response', async (_name, answer) => {
    const { sut } = stub(answer);

    const error = await sut.countInputTokens(newModelRequest(), new AbortController().signal).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'anthropic', message: 'malformed upstream response', status: null, retryable: false });
  });
});
