// Fixtures are hand-made from documented payloads, not recordings: openai-text and tool-call are modelled
// on api.openai.com chunks, vllm-text on vLLM's OpenAI server, tool-call.json on OpenAI's chat.completion
// object (see openai-compatible-stream.spec.ts for the full list). Most tests serve them through a
// stubbed callProvider; the last block uses a real HTTP server on 127.0.0.1 started and closed here.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { collect, rejection } from '../../../test/async.js';
import { newModelRequest as newBaseModelRequest } from '../../../test/factories.js';
import { ProviderError } from '../../common/provider-error.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections, type ProviderResponse } from '../call-provider.js';
import { readFixtureLines, readFixtureText, toSseBody } from './__fixtures__/fixture-body.js';
import { OpenAICompatibleAdapter, type OpenAICompatibleAdapterOptions } from './openai-compatible.adapter.js';

/** The adapter specs send a token limit and a reasoning effort unless a test says otherwise. */
const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest =>
  newBaseModelRequest({ maxOutputTokens: 256, reasoning: { effort: 'low', summary: null }, thinking: { kind: 'effort', effort: 'low' }, ...overrides });

/** A callProvider stand-in that records what it was asked and answers with `respond()`. */
function stubUpstream(respond: () => ProviderResponse | Promise<ProviderResponse>) {
  const calls: CallProviderOptions[] = [];
  const callProvider: CallProvider = async (options) => {
    calls.push(options);
    return respond();
  };
  return { calls, callProvider };
}

function sse(fixture: string): ProviderResponse {
  return { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: toSseBody(readFixtureLines(fixture)) };
}

function newAdapter(overrides: Partial<OpenAICompatibleAdapterOptions> & Pick<OpenAICompatibleAdapterOptions, 'callProvider'>) {
  return new OpenAICompatibleAdapter({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', dialect: 'openai', ...overrides });
}

describe(OpenAICompatibleAdapter.name, () => {
  it('streams a chat completion and sends the request OpenAI expects', async () => {
    const upstream = stubUpstream(() => sse('openai-compatible-openai-text.chunks.txt'));
    const signal = new AbortController().signal;
    const sut = newAdapter({ callProvider: upstream.callProvider, retry: { maxRetries: 1 }, headersTimeoutMs: 5_000, bodyTimeoutMs: 9_000 });

    const parts = await collect(sut.stream(newModelRequest(), signal));

    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta', 'text-delta', 'finish']);
    expect(upstream.calls).toHaveLength(1);
    const [call] = upstream.calls;
    expect(call).toMatchObject({
      provider: 'openai',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { accept: 'text/event-stream', authorization: 'Bearer sk-test' },
      signal,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 9_000,
    });
    expect(call?.body).toMatchInlineSnapshot(`
{
  "max_completion_tokens": 256,
  "messages": [
    {
      "content": "Hi",
      "role": "user",
    },
  ],
  "model": "gpt-4.1",
  "reasoning_effort": "low",
  "stream": true,
  "stream_options": {
    "include_usage": true,
  },
}
`);
  });

  it('speaks the generic dialect: max_tokens, no OpenAI-only fields, no auth header without a key', async () => {
    const upstream = stubUpstream(() => sse('openai-compatible-vllm-text.chunks.txt'));
    const sut = newAdapter({ provider: 'vllm', baseUrl: 'http://gpu-box:8000/v1/', apiKey: null, dialect: 'generic', callProvider: upstream.callProvider });

    const parts = await collect(sut.stream(newModelRequest({ model: 'Qwen/Qwen3-8B' }), new AbortController().signal));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'stop' } });
    const [call] = upstream.calls;
    expect(call?.url).toBe('http://gpu-box:8000/v1/chat/completions');
    expect(call?.headers).toEqual({ accept: 'text/event-stream' });
    expect(call?.body).toMatchInlineSnapshot(`
{
  "max_tokens": 256,
  "messages": [
    {
      "content": "Hi",
      "role": "user",
    },
  ],
  "model": "Qwen/Qwen3-8B",
  "reasoning_effort": "low",
  "stream": true,
  "stream_options": {
    "include_usage": true,
  },
}
`);
  });

  it('sends a non-streamed request when upstreamStreaming is false and still yields a stream', async () => {
    const upstream = stubUpstream(() => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from(readFixtureText('openai-compatible-tool-call.json'))]),
    }));
    const sut = newAdapter({ upstreamStreaming: false, callProvider: upstream.callProvider });

    const parts = await collect(sut.stream(newModelRequest(), new AbortController().signal));

    expect(parts).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-C4hZ5uV1wX3yZ7aB9cD2eF4gH6iJk', model: 'gpt-4.1-2025-04-14' },
      { type: 'tool-call-start', index: 0, callId: 'call_Lk9mN2bV5cX8zA1sD4fG7hJ0', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, delta: '{"city":"Zürich","unit":"celsius"}' },
      {
        type: 'finish',
        serviceTier: 'default',
        reason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: { inputTokens: 84, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 18, reasoningTokens: 0 },
      },
    ]);
    expect(upstream.calls[0]?.headers).toMatchObject({ accept: 'application/json' });
    expect(upstream.calls[0]?.body).not.toHaveProperty('stream');
    expect(upstream.calls[0]?.body).not.toHaveProperty('stream_options');
  });

  it('reads a JSON answer to a streamed request as a completion', async () => {
    const upstream = stubUpstream(() => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: Readable.from([Buffer.from(readFixtureText('openai-compatible-tool-call.json'))]),
    }));

    const parts = await collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls' } });
  });

  it('rejects unsupported input before calling the upstream', async () => {
    const upstream = stubUpstream(() => sse('openai-compatible-vllm-text.chunks.txt'));
    const sut = newAdapter({ dialect: 'generic', provider: 'vllm', callProvider: upstream.callProvider });
    const request = newModelRequest({
      items: [{ type: 'message', id: 'msg_1', role: 'user', status: 'completed', content: [{ type: 'input_file', file_data: 'JVBERi0=' }] }],
    });

    const error = await rejection(collect(sut.stream(request, new AbortController().signal)));

    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(upstream.calls).toHaveLength(0);
  });

  it('passes a ProviderError from the upstream call through unchanged', async () => {
    const failure = new ProviderError({ provider: 'openai', message: 'Rate limit reached', status: 429, retryable: true });
    const upstream = stubUpstream(() => Promise.reject(failure));

    await expect(collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal))).rejects.toBe(failure);
  });

  it('turns a socket failure mid-stream into a retryable ProviderError without status', async () => {
    const body = new Readable({ read() {} });
    body.push(`data: ${readFixtureLines('openai-compatible-openai-text.chunks.txt')[1]}\n\n`);
    const upstream = stubUpstream(() => ({ statusCode: 200, headers: {}, body }));
    const stream = newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal);

    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'response-metadata' });
    body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));

    const error = await rejection(collect(stream));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: null, retryable: true, providerCode: 'UND_ERR_SOCKET' });
  });

  it('stops and destroys the body when the signal aborts mid-stream, rejecting with the reason', async () => {
    const body = new Readable({ read() {} });
    body.push(`data: ${readFixtureLines('openai-compatible-openai-text.chunks.txt')[1]}\n\n`);
    const upstream = stubUpstream(() => ({ statusCode: 200, headers: {}, body }));
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    const stream = newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), controller.signal);

    await stream.next();
    await stream.next();
    const pending = stream.next();
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    expect(body.destroyed).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('releases the body when the consumer stops early', async () => {
    const body = toSseBody(readFixtureLines('openai-compatible-openai-text.chunks.txt'));
    const upstream = stubUpstream(() => ({ statusCode: 200, headers: {}, body }));

    for await (const part of newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal)) {
      if (part.type === 'text-delta') {
        break;
      }
    }

    expect(body.destroyed).toBe(true);
  });
});

describe(`${OpenAICompatibleAdapter.name} over HTTP`, () => {
  let server: Server;
  let baseUrl: string;
  let onRequest: (response: ServerResponse, closed: Promise<void>) => void;
  let bodies: unknown[];

  beforeEach(async () => {
    bodies = [];
    server = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(text));
        const closed = new Promise<void>((resolve) => response.on('close', () => resolve()));
        onRequest(response, closed);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterAll(() => closeProviderConnections());

  it('streams a fixture served over a real socket', async () => {
    onRequest = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const line of readFixtureLines('openai-compatible-deepseek-reasoning.chunks.txt')) {
        response.write(`data: ${line}\n\n`);
      }
      response.end();
    };
    const sut = new OpenAICompatibleAdapter({ provider: 'deepseek', baseUrl, apiKey: 'sk-test', dialect: 'generic' });

    const parts = await collect(sut.stream(newModelRequest({ model: 'deepseek-reasoner' }), new AbortController().signal));

    expect(parts.map((part) => part.type)).toEqual([
      'response-metadata',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-end',
      'text-delta',
      'text-delta',
      'finish',
    ]);
    expect(bodies[0]).toMatchObject({ model: 'deepseek-reasoner', max_tokens: 256, stream: true });
  });

  it('aborts the upstream request when the signal aborts', async () => {
    let upstreamClosed: Promise<void> | undefined;
    onRequest = (response, closed) => {
      upstreamClosed = closed;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${readFixtureLines('openai-compatible-openai-text.chunks.txt')[1]}\n\n`);
      // then never ends, like a model that keeps thinking
    };
    const controller = new AbortController();
    const reason = new Error('client went away');
    const sut = new OpenAICompatibleAdapter({ provider: 'openai', baseUrl, apiKey: null, dialect: 'openai' });
    const stream = sut.stream(newModelRequest(), controller.signal);

    expect((await stream.next()).value).toMatchObject({ type: 'response-metadata' });
    expect((await stream.next()).value).toEqual({ type: 'text-delta', delta: 'Hello' });
    const pending = stream.next();
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    await expect(upstreamClosed).resolves.toBeUndefined();
  });
});
