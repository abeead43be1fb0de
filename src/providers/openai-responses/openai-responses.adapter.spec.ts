// Fixtures are hand-made from documented payloads, not recordings (see openai-responses-stream.spec.ts
// for what each one is modelled on). Most tests serve them through a stubbed callProvider; the last
// block runs the adapter over HTTP against test/mock-upstream, which rejects what OpenAI rejects in a
// stateless call, so a replayed history that passes there is legal input.
import { Readable } from 'node:stream';
import { collect, rejection } from '../../../test/async.js';
import { newMessageItem, newModelRequest } from '../../../test/factories.js';
import { type MockUpstream, startMockUpstream } from '../../../test/mock-upstream/mock-upstream.js';
import { itemsFromParts } from '../../../test/model-stream.js';
import { ProviderError } from '../../common/provider-error.js';
import type { Item } from '../../items/item.schemas.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections, type ProviderResponse } from '../call-provider.js';
import { readFixtureSse, toChunkedBody } from './__fixtures__/fixture-body.js';
import { OpenAIResponsesAdapter, type OpenAIResponsesAdapterOptions } from './openai-responses.adapter.js';

/** A callProvider stand-in that records what it was asked and answers with the next of `answers`. */
function stubUpstream(...answers: (() => ProviderResponse | Promise<ProviderResponse>)[]) {
  const calls: CallProviderOptions[] = [];
  const callProvider: CallProvider = async (options) => {
    calls.push(options);
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    return answer!();
  };
  return { calls, callProvider };
}

function sse(fixture: string): ProviderResponse {
  return { statusCode: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, body: toChunkedBody(readFixtureSse(fixture)) };
}

function newAdapter(overrides: Partial<OpenAIResponsesAdapterOptions> = {}) {
  return new OpenAIResponsesAdapter({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', ...overrides });
}

const encryptedContentUnsupported = () =>
  Promise.reject(new ProviderError({ provider: 'openai', status: 400, message: 'Encrypted content is not supported with this model.', providerCode: null }));

describe(OpenAIResponsesAdapter.name, () => {
  it('streams a Response and sends the stateless request OpenAI expects', async () => {
    const upstream = stubUpstream(() => sse('openai-responses-text.chunks.txt'));
    const signal = new AbortController().signal;
    const sut = newAdapter({ callProvider: upstream.callProvider, retry: { maxRetries: 1 }, headersTimeoutMs: 5_000, bodyTimeoutMs: 9_000 });

    const parts = await collect(sut.stream(newModelRequest({ maxOutputTokens: 256, reasoning: { effort: 'low', summary: 'auto' } }), signal));

    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta', 'text-delta', 'finish']);
    expect(upstream.calls).toHaveLength(1);
    const [call] = upstream.calls;
    expect(call).toMatchObject({
      provider: 'openai',
      url: 'https://api.openai.com/v1/responses',
      headers: { accept: 'text/event-stream', authorization: 'Bearer sk-test' },
      signal,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 9_000,
    });
    expect(call?.body).toMatchInlineSnapshot(`
{
  "include": [
    "reasoning.encrypted_content",
  ],
  "input": [
    {
      "content": [
        {
          "text": "Hi",
          "type": "input_text",
        },
      ],
      "role": "user",
      "type": "message",
    },
  ],
  "max_output_tokens": 256,
  "model": "gpt-4.1",
  "reasoning": {
    "effort": "low",
    "summary": "auto",
  },
  "store": false,
  "stream": true,
}
`);
  });

  it('sends no auth header without a key and tolerates a trailing slash in the base URL', async () => {
    const upstream = stubUpstream(() => sse('openai-responses-text.chunks.txt'));
    const sut = newAdapter({ provider: 'vllm', baseUrl: 'http://gpu-box:8000/v1/', apiKey: null, callProvider: upstream.callProvider });

    await collect(sut.stream(newModelRequest(), new AbortController().signal));

    expect(upstream.calls[0]?.url).toBe('http://gpu-box:8000/v1/responses');
    expect(upstream.calls[0]?.headers).toEqual({ accept: 'text/event-stream' });
  });

  it('asks again without include when the model refuses encrypted reasoning, and remembers that per model', async () => {
    const upstream = stubUpstream(encryptedContentUnsupported, () => sse('openai-responses-text.chunks.txt'));
    const sut = newAdapter({ callProvider: upstream.callProvider });
    const signal = new AbortController().signal;

    const parts = await collect(sut.stream(newModelRequest({ model: 'gpt-4.1' }), signal));
    await collect(sut.stream(newModelRequest({ model: 'gpt-4.1' }), signal));
    await collect(sut.stream(newModelRequest({ model: 'gpt-5' }), signal));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'stop' } });
    const sent = upstream.calls.map((call) => [(call.body as { model: string }).model, 'include' in (call.body as object)]);
    expect(sent).toEqual([
      ['gpt-4.1', true],
      ['gpt-4.1', false],
      ['gpt-4.1', false],
      ['gpt-5', true],
    ]);
  });

  it('passes other failures through unchanged, without asking again', async () => {
    const failure = new ProviderError({ provider: 'openai', message: "Unsupported parameter: 'temperature'", status: 400 });
    const upstream = stubUpstream(() => Promise.reject(failure));

    await expect(collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal))).rejects.toBe(failure);
    expect(upstream.calls).toHaveLength(1);
  });

  it('reads a JSON answer to the streamed request as a Response', async () => {
    const response = {
      id: 'resp_1',
      object: 'response',
      model: 'gpt-4.1',
      status: 'completed',
      output: [{ id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] }],
      usage: { input_tokens: 3, output_tokens: 1 },
    };
    const upstream = stubUpstream(() => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from(JSON.stringify(response))]),
    }));

    const parts = await collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal));

    expect(parts).toEqual([
      { type: 'response-metadata', id: 'resp_1', model: 'gpt-4.1' },
      { type: 'text-delta', delta: 'Hello' },
      {
        type: 'finish',
        reason: { unified: 'stop', raw: 'completed' },
        usage: { inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 },
      },
    ]);
  });

  it('turns a socket failure mid-stream into a retryable ProviderError without status', async () => {
    const body = new Readable({ read() {} });
    body.push(`${readFixtureSse('openai-responses-text.chunks.txt').split('\n\n')[0]}\n\n`);
    const upstream = stubUpstream(() => ({ statusCode: 200, headers: {}, body }));
    const stream = newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal);

    expect((await stream.next()).value).toMatchObject({ type: 'response-metadata' });
    body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));

    const error = await rejection(collect(stream));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: null, retryable: true, providerCode: 'UND_ERR_SOCKET' });
  });

  it('stops and destroys the body when the signal aborts mid-stream, rejecting with the reason', async () => {
    const body = new Readable({ read() {} });
    body.push(`${readFixtureSse('openai-responses-text.chunks.txt').split('\n\n').slice(0, 5).join('\n\n')}\n\n`);
    const upstream = stubUpstream(() => ({ statusCode: 200, headers: {}, body }));
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    const stream = newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), controller.signal);

    expect((await stream.next()).value).toMatchObject({ type: 'response-metadata' });
    expect((await stream.next()).value).toEqual({ type: 'text-delta', delta: 'Grüß' });
    const pending = stream.next();
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    expect(body.destroyed).toBe(true);
  });
});

describe(`${OpenAIResponsesAdapter.name} against the mock upstream`, () => {
  let upstream: MockUpstream;
  let sut: OpenAIResponsesAdapter;

  beforeAll(async () => {
    upstream = await startMockUpstream();
    sut = new OpenAIResponsesAdapter({ provider: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-test', retry: { maxRetries: 0 } });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await upstream.close();
    await closeProviderConnections();
  });

  const run = (request: ModelRequest) => collect(sut.stream(request, new AbortController().signal));

  it('replays reasoning and a tool round trip in a form the stateless upstream accepts', async () => {
    upstream.enqueue(
      { kind: 'reasoning', reasoning: 'The user greets me.', text: 'Hello!' },
      { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Zürich","2":1,"1":2}' }] },
    );
    const history: Item[] = [newMessageItem({ id: 'msg_u1', text: 'Hi' })];

    const first = await run(newModelRequest({ model: 'gpt-5', items: history }));
    expect(first).toContainEqual({ type: 'reasoning-end', providerData: { openai: { id: 'rs_mock_1', encrypted_content: 'enc_1' } } });
    history.push(...itemsFromParts(first, 1), newMessageItem({ id: 'msg_u2', text: 'Weather in Zürich?' }));

    const second = await run(newModelRequest({ model: 'gpt-5', items: history }));
    expect(second.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls' } });
    history.push(...itemsFromParts(second, 2), {
      type: 'function_call_output',
      id: 'fco_ours_1',
      call_id: 'call_mock2_0',
      output: '{"temp_c":21}',
      status: 'completed',
    });

    const third = await run(newModelRequest({ model: 'gpt-5', items: history }));
    expect(
      third
        .filter((part) => part.type === 'text-delta')
        .map((part) => (part as { delta: string }).delta)
        .join(''),
    ).toBe('echo: Weather in Zürich?');

    expect(upstream.requests.map((record) => record.path)).toEqual(['/v1/responses', '/v1/responses', '/v1/responses']);
    expect(upstream.requests[2]?.body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
      { type: 'reasoning', id: 'rs_mock_1', summary: [], encrypted_content: 'enc_1' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Zürich?' }] },
      { type: 'function_call', call_id: 'call_mock2_0', name: 'get_weather', arguments: '{"city":"Zürich","2":1,"1":2}' },
      { type: 'function_call_output', call_id: 'call_mock2_0', output: '{"temp_c":21}' },
    ]);
    // Raw argument bytes reach the upstream as the model wrote them.
    expect(upstream.requests[2]?.rawBody).toContain(JSON.stringify('{"city":"Zürich","2":1,"1":2}'));
  });

  it('retries without include after the upstream refuses encrypted reasoning for the model', async () => {
    upstream.enqueue({ kind: 'error', status: 400, message: 'Encrypted content is not supported with this model.' });

    const parts = await run(newModelRequest({ model: 'gpt-4o' }));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'stop' } });
    expect(upstream.requests.map((record) => record.body.include)).toEqual([['reasoning.encrypted_content'], undefined]);
  });

  it('surfaces response.failed mid-stream as a ProviderError with the upstream code', async () => {
    upstream.enqueue({ kind: 'stream_error', afterChunks: 5, error: { code: 'rate_limit_exceeded', message: 'Slow down' } });

    const error = await rejection(run(newModelRequest()));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ message: 'Slow down', providerCode: 'rate_limit_exceeded', status: 429, retryable: true });
  });

  it('reports a dropped connection as a retryable transport failure', async () => {
    upstream.enqueue({ kind: 'drop', afterChunks: 3 });

    const error = await rejection(run(newModelRequest()));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: null, retryable: true });
  });

  it('reports malformed events as such', async () => {
    upstream.enqueue({ kind: 'malformed' });

    expect(await rejection(run(newModelRequest()))).toMatchObject({ message: 'malformed upstream response' });
  });
});
