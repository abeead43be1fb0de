// Fixtures are hand-made from documented payloads, not recordings (see gemini-stream.spec.ts for the
// list). The first block serves them through a stubbed callProvider; the last block runs the adapter
// against test/mock-upstream's Gemini route, which checks the rules Gemini enforces on history.
import { Readable } from 'node:stream';
import { collect, rejection } from '../../../test/async.js';
import { newModelRequest as newBaseModelRequest, newMessageItem } from '../../../test/factories.js';
import { type MockUpstream, startMockUpstream } from '../../../test/mock-upstream/mock-upstream.js';
import { functionCallsFromParts } from '../../../test/model-stream.js';
import { ProviderError } from '../../common/provider-error.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { FunctionCallItem, Item } from '../../items/item.schemas.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, type CallProviderOptions, closeProviderConnections, type ProviderResponse } from '../call-provider.js';
import { readFixtureLines, toSseBody } from './__fixtures__/fixture-body.js';
import { GeminiAdapter, type GeminiAdapterOptions } from './gemini.adapter.js';

const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest =>
  newBaseModelRequest({ model: 'gemini-2.5-flash', maxOutputTokens: 256, ...overrides });

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

function newAdapter(overrides: Partial<GeminiAdapterOptions> = {}): GeminiAdapter {
  return new GeminiAdapter({ provider: 'google', baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'gm-test', ...overrides });
}

const output = (callId: string, text: string): Item => ({
  type: 'function_call_output',
  id: `fco_${callId}`,
  call_id: callId,
  output: text,
  status: 'completed',
});

describe(GeminiAdapter.name, () => {
  it('streams from streamGenerateContent?alt=sse with the key in x-goog-api-key', async () => {
    const upstream = stubUpstream(() => sse('gemini-text.chunks.txt'));
    const signal = new AbortController().signal;
    const sut = newAdapter({
      baseUrl: 'https://generativelanguage.googleapis.com/',
      callProvider: upstream.callProvider,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 9_000,
    });

    const parts = await collect(sut.stream(newModelRequest(), signal));

    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta', 'text-delta', 'finish']);
    expect(upstream.calls).toHaveLength(1);
    const [call] = upstream.calls;
    expect(call).toMatchObject({
      provider: 'google',
      url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      headers: { accept: 'text/event-stream', 'x-goog-api-key': 'gm-test' },
      signal,
      retry: { maxRetries: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 9_000,
    });
    expect(call?.body).toMatchInlineSnapshot(`
{
  "contents": [
    {
      "parts": [
        {
          "text": "Hi",
        },
      ],
      "role": "user",
    },
  ],
  "generationConfig": {
    "maxOutputTokens": 256,
  },
}
`);
  });

  it('sends no key header without a key', async () => {
    const upstream = stubUpstream(() => sse('gemini-text.chunks.txt'));

    await collect(newAdapter({ apiKey: null, callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal));

    expect(upstream.calls[0]?.headers).toEqual({ accept: 'text/event-stream' });
  });

  it('sends a tool round trip with two parallel calls the way Gemini pairs them', async () => {
    const upstream = stubUpstream(() => sse('gemini-text.chunks.txt'));
    const request = newModelRequest({
      model: 'gemini-3-flash-preview',
      items: [
        newMessageItem({ text: 'Weather in Paris and London?' }),
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_0_aa',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          status: 'completed',
          provider_data: { gemini: { thoughtSignature: 'sig-parallel' } },
        },
        { type: 'function_call', id: 'fc_2', call_id: 'call_1_bb', name: 'get_weather', arguments: '{"city":"London"}', status: 'completed' },
        output('call_1_bb', '{"temperature":12}'),
        output('call_0_aa', 'sunny'),
      ],
      tools: [{ name: 'get_weather', description: null, parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: null }],
      toolChoice: 'required',
    });

    await collect(newAdapter({ callProvider: upstream.callProvider }).stream(request, new AbortController().signal));

    expect(upstream.calls[0]?.body).toMatchInlineSnapshot(`
{
  "contents": [
    {
      "parts": [
        {
          "text": "Weather in Paris and London?",
        },
      ],
      "role": "user",
    },
    {
      "parts": [
        {
          "functionCall": {
            "args": {
              "city": "Paris",
            },
            "name": "get_weather",
          },
          "thoughtSignature": "sig-parallel",
        },
        {
          "functionCall": {
            "args": {
              "city": "London",
            },
            "name": "get_weather",
          },
        },
      ],
      "role": "model",
    },
    {
      "parts": [
        {
          "functionResponse": {
            "name": "get_weather",
            "response": {
              "output": "sunny",
            },
          },
        },
        {
          "functionResponse": {
            "name": "get_weather",
            "response": {
              "temperature": 12,
            },
          },
        },
      ],
      "role": "user",
    },
  ],
  "generationConfig": {
    "maxOutputTokens": 256,
  },
  "toolConfig": {
    "functionCallingConfig": {
      "mode": "ANY",
    },
  },
  "tools": [
    {
      "functionDeclarations": [
        {
          "name": "get_weather",
          "parametersJsonSchema": {
            "properties": {
              "city": {
                "type": "string",
              },
            },
            "type": "object",
          },
        },
      ],
    },
  ],
}
`);
  });

  it('reads a JSON answer (a proxy that dropped alt=sse) as the same stream', async () => {
    const chunks = readFixtureLines('gemini-parallel-function-calls.chunks.txt').map((line) => JSON.parse(line) as unknown);
    const upstream = stubUpstream(() => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: Readable.from([Buffer.from(JSON.stringify(chunks))]),
    }));

    const parts = await collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal));

    expect(parts.filter((part) => part.type === 'tool-call-start')).toHaveLength(2);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls', raw: 'STOP' } });
  });

  it('rejects unsupported input before calling the upstream', async () => {
    const upstream = stubUpstream(() => sse('gemini-text.chunks.txt'));
    const request = newModelRequest({
      items: [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"broken":', status: 'completed' }],
    });

    const error = await rejection(collect(newAdapter({ callProvider: upstream.callProvider }).stream(request, new AbortController().signal)));

    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ param: 'input' });
    expect(upstream.calls).toHaveLength(0);
  });

  it('passes a ProviderError from the upstream call through unchanged', async () => {
    const failure = new ProviderError({ provider: 'google', message: 'quota', status: 429, retryable: true });
    const upstream = stubUpstream(() => Promise.reject(failure));

    await expect(collect(newAdapter({ callProvider: upstream.callProvider }).stream(newModelRequest(), new AbortController().signal))).rejects.toBe(failure);
  });

  it('turns a socket failure mid-stream into a retryable ProviderError without status', async () => {
    const body = new Readable({ read() {} });
    body.push(`data: ${readFixtureLines('gemini-text.chunks.txt')[0]}\r\n\r\n`);
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
    body.push(`data: ${readFixtureLines('gemini-text.chunks.txt')[0]}\r\n\r\n`);
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
  });
});

describe(`${GeminiAdapter.name} against the mock upstream`, () => {
  let upstream: MockUpstream;
  let sut: GeminiAdapter;

  beforeAll(async () => {
    upstream = await startMockUpstream();
    sut = new GeminiAdapter({ provider: 'google', baseUrl: upstream.origin, apiKey: 'gm-test', retry: { maxRetries: 0 } });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await upstream.close();
    await closeProviderConnections();
  });

  const question = newMessageItem({ text: 'Weather in Paris and London?' });
  const tools = [
    { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: null },
  ];

  /** Runs the first step of a tool loop: the model asks for two calls. */
  async function firstStep(): Promise<FunctionCallItem[]> {
    upstream.enqueue({
      kind: 'tool_calls',
      calls: [
        { name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_weather', arguments: '{"city":"London"}' },
      ],
    });
    const parts = await collect(sut.stream(newModelRequest({ model: 'gemini-3-flash-preview', items: [question], tools }), new AbortController().signal));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls' } });
    return functionCallsFromParts(parts);
  }

  it('completes a parallel tool loop that Gemini 3 accepts: signature replayed, responses paired in call order', async () => {
    const calls = await firstStep();
    expect(calls[0]?.provider_data).toEqual({ gemini: { thoughtSignature: expect.any(String) } });
    expect(calls[1]?.provider_data).toBeUndefined();
    const [paris, london] = calls as [FunctionCallItem, FunctionCallItem];

    const parts = await collect(
      sut.stream(
        newModelRequest({
          model: 'gemini-3-flash-preview',
          items: [question, paris, london, output(london.call_id, 'cloudy'), output(paris.call_id, 'sunny')],
          tools,
        }),
        new AbortController().signal,
      ),
    );

    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'stop', raw: 'STOP' } });
    expect(
      parts
        .filter((part) => part.type === 'text-delta')
        .map((part) => (part as { delta: string }).delta)
        .join(''),
    ).toBe('echo: Weather in Paris and London?');
    const second = upstream.requests[1]!;
    expect(second.path).toBe('/v1beta/models/gemini-3-flash-preview:streamGenerateContent');
    expect(second.body.contents[2].parts.map((part: { functionResponse: { response: unknown } }) => part.functionResponse.response)).toEqual([
      { output: 'sunny' },
      { output: 'cloudy' },
    ]);
  });

  it('gets the 400 Gemini 3 sends when a call comes back without its signature', async () => {
    const [paris, london] = (await firstStep()) as [FunctionCallItem, FunctionCallItem];
    const { provider_data: _signature, ...unsigned } = paris;

    const error = await rejection(
      collect(
        sut.stream(
          newModelRequest({ items: [question, unsigned, london, output(paris.call_id, 'a'), output(london.call_id, 'b')], tools }),
          new AbortController().signal,
        ),
      ),
    );

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 400, retryable: false, message: expect.stringMatching(/^Function call is missing a thought_signature/) });
  });

  it('reads an HTTP error body, coded by its status name', async () => {
    upstream.enqueue({ kind: 'error', status: 429 });

    const error = await rejection(collect(sut.stream(newModelRequest(), new AbortController().signal)));

    expect(error).toMatchObject({
      status: 429,
      retryable: true,
      providerCode: 'RESOURCE_EXHAUSTED',
      message: expect.stringMatching(/^You exceeded your current quota/),
    });
  });

  it('fails with the in-band error of a stream that breaks after it started', async () => {
    upstream.enqueue({ kind: 'stream_error', afterChunks: 1 });

    const error = await rejection(collect(sut.stream(newModelRequest(), new AbortController().signal)));

    expect(error).toMatchObject({ status: 503, retryable: true, providerCode: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' });
  });

  it('streams thought summaries as reasoning sealed by their signature', async () => {
    upstream.enqueue({ kind: 'reasoning', reasoning: 'Compare them.', text: 'Paris.' });

    const parts = await collect(sut.stream(newModelRequest(), new AbortController().signal));

    expect(parts.map((part) => part.type)).toEqual([
      'response-metadata',
      'reasoning-summary-delta',
      'reasoning-summary-delta',
      'reasoning-summary-delta',
      'reasoning-summary-delta',
      'reasoning-end',
      'text-delta',
      'text-delta',
      'finish',
    ]);
    expect(parts.find((part) => part.type === 'reasoning-end')).toEqual({
      type: 'reasoning-end',
      providerData: { gemini: { thoughtSignature: expect.any(String) } },
    });
    expect(parts.at(-1)).toMatchObject({ usage: { outputTokens: 6, reasoningTokens: 4 } });
  });
});
