// Fixtures are hand-made from documented payloads, not recordings (see anthropic-stream.spec.ts for
// what each is modelled on). Most tests serve them through a stubbed callProvider; the last block runs
// the adapter against test/mock-upstream, which checks the Messages API's rules on what we send.
import { Readable } from 'node:stream';
import { collect, rejection } from '../../../test/async.js';
import { newModelRequest as newBaseModelRequest, newMessageItem } from '../../../test/factories.js';
import { type MockUpstream, startMockUpstream } from '../../../test/mock-upstream/mock-upstream.js';
import { itemsFromParts, toolOutputsFor } from '../../../test/model-stream.js';
import { ProviderError } from '../../common/provider-error.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { Item } from '../../items/item.schemas.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections, type ProviderResponse } from '../call-provider.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { readFixtureEvents, readFixtureText, toSseBody } from './__fixtures__/fixture-body.js';
import { AnthropicAdapter, type AnthropicAdapterOptions } from './anthropic.adapter.js';

const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest => newBaseModelRequest({ model: 'claude-sonnet-4-5', ...overrides });

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
  return { statusCode: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, body: toSseBody(readFixtureEvents(fixture)) };
}

function newAdapter(overrides: Partial<AnthropicAdapterOptions> = {}) {
  return new AnthropicAdapter({
    provider: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    apiKey: 'sk-ant-test',
    defaultMaxOutputTokens: 4096,
    ...overrides,
  });
}

describe(AnthropicAdapter.name, () => {
  it('streams a message and sends the request Anthropic expects', async () => {
    const upstream = stubUpstream(() => sse('anthropic-text.chunks.txt'));
    const signal = new AbortController().signal;
    const sut = newAdapter({
      baseUrl: 'https://api.anthropic.com/',
      callProvider: upstream.callProvider,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 9_000,
    });

    const parts = await collect(sut.stream(newModelRequest({ instructions: 'Be brief.', temperature: 0.3, topP: 0.9 }), signal));

    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta', 'text-delta', 'finish']);
    const [call] = upstream.calls;
    expect(call).toMatchObject({
      provider: 'anthropic',
      url: 'https://api.anthropic.com/v1/messages',
      headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' },
      signal,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 9_000,
    });
    expect(call?.body).toMatchInlineSnapshot(`
      {
        "max_tokens": 4096,
        "messages": [
          {
            "content": [
              {
                "text": "Hi",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "model": "claude-sonnet-4-5",
        "stream": true,
        "system": "Be brief.",
        "temperature": 0.3,
      }
    `);
  });

  it('sends the whole request shape: folded system, merged turns, tools, parallel switch', async () => {
    const upstream = stubUpstream(() => sse('anthropic-tool-use.chunks.txt'));
    const items: Item[] = [
      newMessageItem({ role: 'developer', text: 'Use metric units.' }),
      newMessageItem({ text: 'Weather in Paris?' }),
      newMessageItem({ content: [{ type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/4AAQ', detail: 'auto' }] }),
    ];
    const request = newModelRequest({
      items,
      maxOutputTokens: 512,
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: null }],
      toolChoice: { type: 'function', name: 'get_weather' },
      parallelToolCalls: false,
    });

    const parts = await collect(newAdapter({ apiKey: null, callProvider: upstream.callProvider }).stream(request, new AbortController().signal));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls', raw: 'tool_use' } });
    expect(upstream.calls[0]?.headers).not.toHaveProperty('x-api-key');
    expect(upstream.calls[0]?.body).toMatchInlineSnapshot(`
      {
        "max_tokens": 512,
        "messages": [
          {
            "content": [
              {
                "text": "Weather in Paris?",
                "type": "text",
              },
              {
                "source": {
                  "data": "/9j/4AAQ",
                  "media_type": "image/jpeg",
                  "type": "base64",
                },
                "type": "image",
              },
            ],
            "role": "user",
          },
        ],
        "model": "claude-sonnet-4-5",
        "stream": true,
        "system": "Use metric units.",
        "tool_choice": {
          "disable_parallel_tool_use": true,
          "name": "get_weather",
          "type": "tool",
        },
        "tools": [
          {
            "description": "Weather by city",
            "input_schema": {
              "properties": {
                "city": {
                  "type": "string",
                },
              },
              "type": "object",
            },
            "name": "get_weather",
          },
        ],
      }
    `);
  });

  it('reads a JSON Message answer to a streamed request', async () => {
    const upstream = stubUpstream(() => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from(readFixtureText('anthropic-tool-use.json'))]),
    }));

    const parts = await collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls' } });
  });

  it('rejects unsupported settings before calling the upstream', async () => {
    const upstream = stubUpstream(() => sse('anthropic-text.chunks.txt'));

    const sut = newAdapter({ callProvider: upstream.callProvider });

    const error = await rejection(collect(sut.stream(newModelRequest({ temperature: 1.5 }), new AbortController().signal)));

    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ param: 'temperature' });
    expect(upstream.calls).toHaveLength(0);
  });

  it('passes a ProviderError from the upstream call through unchanged', async () => {
    const failure = new ProviderError({ provider: 'anthropic', message: 'Overloaded', status: 529, retryable: true, providerCode: 'overloaded_error' });
    const upstream = stubUpstream(() => Promise.reject(failure));

    await expect(collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal))).rejects.toBe(failure);
  });

  it('turns a socket failure mid-stream into a retryable ProviderError without status', async () => {
    const body = new Readable({ read() {} });
    body.push(`${readFixtureEvents('anthropic-text.chunks.txt')[0]}\n\n`);
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
    body.push(`${readFixtureEvents('anthropic-text.chunks.txt')[0]}\n\n`);
    const upstream = stubUpstream(() => ({ statusCode: 200, headers: {}, body }));
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    const stream = newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), controller.signal);

    await stream.next();
    const pending = stream.next();
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    expect(body.destroyed).toBe(true);
  });
});

describe(`${AnthropicAdapter.name} against the mock upstream`, () => {
  let upstream: MockUpstream;
  let sut: AnthropicAdapter;
  const tools = [{ name: 'get_weather', description: null, parameters: null, strict: null }];

  beforeAll(async () => {
    upstream = await startMockUpstream({ requireAuthorization: true });
    sut = newAdapter({ baseUrl: upstream.origin, retry: { maxRetries: 0 } });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await upstream.close();
    await closeProviderConnections();
  });

  it('runs a tool round trip with thinking, which the upstream accepts as a legal history', async () => {
    upstream.enqueue({ kind: 'reasoning', reasoning: 'Need the weather tool.', text: 'Let me check.' });
    const first = await collect(sut.stream(newModelRequest({ tools }), new AbortController().signal));
    upstream.enqueue({
      kind: 'tool_calls',
      calls: [
        { name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    });
    const history: Item[] = [newMessageItem({ text: 'Weather in Paris and Rome?' }), ...itemsFromParts(first, 1), newMessageItem({ text: 'Go on.' })];
    const second = await collect(sut.stream(newModelRequest({ tools, items: history }), new AbortController().signal));
    const outputs = toolOutputsFor(itemsFromParts(second, 2), 'sunny');

    const third = await collect(
      sut.stream(newModelRequest({ tools, items: [...history, ...itemsFromParts(second, 2), ...outputs] }), new AbortController().signal),
    );

    expect(third.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'stop', raw: 'end_turn' } });
    expect(
      third
        .filter((part) => part.type === 'text-delta')
        .map((part) => (part as { delta: string }).delta)
        .join(''),
    ).toBe('echo: Go on.');
    const sent = upstream.requests[2]!.body;
    expect(sent.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(sent.messages[1].content[0]).toEqual({ type: 'thinking', thinking: 'Need the weather tool.', signature: 'sig_1' });
    expect(sent.messages[4].content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_mock2_0', content: 'sunny' },
      { type: 'tool_result', tool_use_id: 'toolu_mock2_1', content: 'sunny' },
    ]);
    expect(upstream.requests[2]!.headers).toMatchObject({ 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' });
  });

  it('reports usage normalized from the uncached tail', async () => {
    upstream.enqueue({ kind: 'text', text: 'ok', usage: { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens: 7 } });

    const parts = await collect(sut.stream(newModelRequest(), new AbortController().signal));

    expect(parts.at(-1)).toMatchObject({ usage: { inputTokens: 100, cachedInputTokens: 60, cacheWriteTokens: 0, outputTokens: 7 } });
  });

  it('turns an HTTP 529 into a retryable ProviderError with the error type as code', async () => {
    upstream.enqueue({ kind: 'error', status: 529 });

    const error = await rejection(collect(sut.stream(newModelRequest(), new AbortController().signal)));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 529, retryable: true, providerCode: 'overloaded_error', message: 'Overloaded' });
  });

  it('turns an overloaded error event mid-stream into a retryable ProviderError with status 529', async () => {
    upstream.enqueue({ kind: 'stream_error', afterChunks: 4 });
    const parts: ModelStreamPart[] = [];

    const error = await rejection(
      (async () => {
        for await (const part of sut.stream(newModelRequest(), new AbortController().signal)) parts.push(part);
      })(),
    );

    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
    expect(error).toMatchObject({ status: 529, retryable: true, providerCode: 'overloaded_error' });
  });

  it('surfaces a 400 from the upstream for a request it rejects', async () => {
    const assistantFirst = newMessageItem({ role: 'assistant', content: [{ type: 'output_text', text: 'hi', annotations: [], logprobs: [] }] });

    const error = await rejection(collect(sut.stream(newModelRequest({ items: [assistantFirst] }), new AbortController().signal)));

    expect(error).toMatchObject({
      status: 400,
      retryable: false,
      providerCode: 'invalid_request_error',
      message: 'messages: first message must use the "user" role',
    });
  });
});
