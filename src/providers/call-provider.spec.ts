import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { rejection } from '../../test/async.js';
import { ProviderError } from '../common/provider-error.js';
import { type CallProviderOptions, callProvider, closeProviderConnections, retryDelayMs } from './call-provider.js';
import { iterateSseEvents, readBodyText, type SseEvent } from './read-body.js';
import { parseProviderErrorBody, parseRetryAfterSeconds } from './upstream-errors.js';

// Retry and error tests run against a real HTTP server on 127.0.0.1 (port 0), started and closed here.

interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (response: ServerResponse) => void;

let server: Server;
let origin: string;
let handlers: Handler[];
let requests: RecordedRequest[];

beforeEach(async () => {
  handlers = [];
  requests = [];
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      const handler = handlers.shift() ?? handlers.at(-1);
      if (handler) {
        handler(response);
      } else {
        json(500, { error: { message: 'no handler' } })(response);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(() => closeProviderConnections());

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** Keeps answering with the last handler once the queue is down to one. */
function serve(...queue: Handler[]): void {
  handlers = queue;
  const last = queue.at(-1);
  if (last) {
    handlers.push(...Array.from({ length: 10 }, () => last));
  }
}

function options(overrides: Partial<CallProviderOptions> = {}): CallProviderOptions {
  return {
    provider: 'test',
    url: `${origin}/v1/chat/completions`,
    headers: { authorization: 'Bearer sk-test' },
    body: { model: 'm', messages: [] },
    signal: new AbortController().signal,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 50 },
    ...overrides,
  };
}

describe('callProvider', () => {
  it('POSTs the JSON body with the given headers and returns the 2xx response unread', async () => {
    serve(json(200, { ok: true }));

    const response = await callProvider(options());

    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('{"ok":true}');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      body: '{"model":"m","messages":[]}',
      headers: expect.objectContaining({ authorization: 'Bearer sk-test', 'content-type': 'application/json' }),
    });
  });

  it('retries a 429 and returns the following 200', async () => {
    serve(json(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }), json(200, { ok: true }));

    const response = await callProvider(options());

    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(requests).toHaveLength(2);
  });

  it('honours a Retry-After within maxDelayMs', async () => {
    serve(json(503, { error: { message: 'overloaded' } }, { 'retry-after': '0' }), json(200, {}));

    const response = await callProvider(options());

    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(requests).toHaveLength(2);
  });

  it('gives up at once when Retry-After exceeds maxDelayMs, keeping retryAfterSeconds', async () => {
    serve(json(429, { error: { message: 'slow down' } }, { 'retry-after': '30' }));

    const error = await rejection(callProvider(options()));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 30, message: 'slow down' });
    expect(requests).toHaveLength(1);
  });

  it('does not retry a 400 and reports the provider message and code', async () => {
    serve(
      json(400, {
        error: { message: "Invalid value for 'tool_choice'", type: 'invalid_request_error', param: 'tool_choice', code: 'invalid_value' },
      }),
    );

    const error = await rejection(callProvider(options()));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      provider: 'test',
      status: 400,
      retryable: false,
      message: "Invalid value for 'tool_choice'",
      providerCode: 'invalid_value',
      retryAfterSeconds: null,
    });
    expect(requests).toHaveLength(1);
  });

  it('falls back to the status text when the error body is not JSON', async () => {
    serve((response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>bad gateway</html>');
    });

    const error = await rejection(callProvider(options({ retry: { maxRetries: 0 } })));

    expect(error).toMatchObject({ status: 502, retryable: true, message: 'Bad Gateway', providerCode: null });
  });

  it('throws the last retryable failure once retries are spent', async () => {
    serve(json(500, { error: { message: 'internal', type: 'server_error' } }));

    const error = await rejection(callProvider(options()));

    expect(error).toMatchObject({ status: 500, retryable: true, message: 'internal', providerCode: 'server_error' });
    expect(requests).toHaveLength(3);
  });

  it('stops retrying once the signal aborts and rejects with its reason', async () => {
    serve(json(503, { error: { message: 'overloaded' } }));
    const controller = new AbortController();
    const reason = new Error('client went away');
    const started = Date.now();

    const promise = callProvider(options({ signal: controller.signal, retry: { maxRetries: 5, baseDelayMs: 5_000, maxDelayMs: 5_000 } }));
    await waitFor(() => requests.length === 1);
    controller.abort(reason);

    await expect(promise).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(requests).toHaveLength(1);
  });

  it('aborts an in-flight request promptly', async () => {
    serve(() => {
      // never answers
    });
    const controller = new AbortController();
    const reason = new Error('cancelled');

    const promise = callProvider(options({ signal: controller.signal }));
    await waitFor(() => requests.length === 1);
    controller.abort(reason);

    await expect(promise).rejects.toBe(reason);
    expect(requests).toHaveLength(1);
  });

  it('does not send anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('early'));

    await expect(callProvider(options({ signal: controller.signal }))).rejects.toThrow('early');
    expect(requests).toHaveLength(0);
  });

  it('turns a refused connection into a retryable ProviderError without status', async () => {
    const closedPort = await freePort();

    const error = await rejection(callProvider(options({ url: `http://127.0.0.1:${closedPort}/v1/x`, retry: { maxRetries: 0 } })));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: null, retryable: true, providerCode: 'ECONNREFUSED' });
  });

  it('turns a headers timeout into a retryable ProviderError without status', async () => {
    serve(() => {
      // never answers
    });

    const error = await rejection(callProvider(options({ headersTimeoutMs: 50, retry: { maxRetries: 0 } })));

    expect(error).toMatchObject({ status: null, retryable: true, providerCode: 'UND_ERR_HEADERS_TIMEOUT' });
  });
});

describe(retryDelayMs.name, () => {
  const retry = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 8_000 };
  const failure = (retryAfterSeconds: number | null) => new ProviderError({ provider: 'p', message: 'm', retryable: true, retryAfterSeconds });

  it('doubles per attempt, minus up to 25 % jitter, capped at maxDelayMs', () => {
    expect(retryDelayMs(failure(null), 0, retry, () => 0)).toBe(500);
    expect(retryDelayMs(failure(null), 1, retry, () => 0)).toBe(1_000);
    expect(retryDelayMs(failure(null), 1, retry, () => 1)).toBe(750);
    expect(retryDelayMs(failure(null), 10, retry, () => 0)).toBe(8_000);
  });

  it('uses Retry-After when within the cap, and gives up beyond it', () => {
    expect(retryDelayMs(failure(2.5), 0, retry)).toBe(2_500);
    expect(retryDelayMs(failure(9), 0, retry)).toBeNull();
  });
});

describe(parseRetryAfterSeconds.name, () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(parseRetryAfterSeconds({ 'retry-after-ms': '1500', 'retry-after': '2' })).toBe(1.5);
    expect(parseRetryAfterSeconds({ 'retry-after': '7' })).toBe(7);
    expect(parseRetryAfterSeconds({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() })).toBeGreaterThan(50);
    expect(parseRetryAfterSeconds({ 'retry-after': 'soon' })).toBeNull();
    expect(parseRetryAfterSeconds({})).toBeNull();
  });
});

describe(parseProviderErrorBody.name, () => {
  it.each([
    ['OpenAI', '{"error":{"message":"bad","type":"invalid_request_error","code":null}}', { message: 'bad', code: 'invalid_request_error' }],
    [
      'vLLM (top level, numeric code)',
      '{"object":"error","message":"too long","type":"BadRequestError","param":null,"code":400}',
      { message: 'too long', code: '400' },
    ],
    [
      'Gemini compatibility (array)',
      '[{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}]',
      { message: 'quota', code: 'RESOURCE_EXHAUSTED' },
    ],
    ['plain string error', '{"error":"model not found"}', { message: 'model not found', code: null }],
    ['not JSON', '<html></html>', null],
    ['no message', '{"detail":"x"}', null],
  ])('%s', (_name, body, expected) => {
    expect(parseProviderErrorBody(body)).toEqual(expected);
  });
});

describe(iterateSseEvents.name, () => {
  async function collect(body: AsyncIterable<Uint8Array | string>, signal?: AbortSignal): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for await (const event of iterateSseEvents(body, signal)) {
      events.push(event);
    }
    return events;
  }

  it('reassembles events and multi-byte characters split across chunks, and flushes a final unterminated event', async () => {
    const bytes = Buffer.from(': keep-alive\n\ndata: {"a":"ü🙂"}\n\nevent: error\ndata: {"b":1}\r\n\r\ndata: [DONE]', 'utf8');
    const pieces = Array.from(bytes).map((byte) => Uint8Array.of(byte));

    expect(await collect(Readable.from(pieces))).toEqual([
      { event: undefined, id: undefined, data: '{"a":"ü🙂"}' },
      { event: 'error', id: undefined, data: '{"b":1}' },
      { event: undefined, id: undefined, data: '[DONE]' },
    ]);
  });

  it('drops a byte order mark before the first event, even split byte by byte, and keeps one inside an event', async () => {
    const bytes = Buffer.from('\uFEFFdata: {"a":1}\n\ndata: \uFEFFx\n\n', 'utf8');
    const pieces = Array.from(bytes).map((byte) => Uint8Array.of(byte));
    expect(await collect(Readable.from(pieces))).toEqual([
      { event: undefined, id: undefined, data: '{"a":1}' },
      { event: undefined, id: undefined, data: '\uFEFFx' },
    ]);
  });

  it('turns bytes that are not UTF-8 into U+FFFD, as TextDecoder did', async () => {
    const bytes = Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xc3]), Buffer.from('b\n\n')]);
    expect(await collect(Readable.from([bytes]))).toEqual([
      { event: undefined, id: undefined, data: new TextDecoder().decode(Buffer.from([0x61, 0xff, 0xc3, 0x62])) },
    ]);
  });

  it('loses no event or line across the slices a large read is fed in', async () => {
    // 400 events in one read, with two data lines each, so cuts fall inside events and lines.
    const text = Array.from({ length: 400 }, (_, n) => `event: e${n}\ndata: ${JSON.stringify({ n, pad: 'x'.repeat(n % 37) })}\ndata: second line\n\n`).join('');
    expect(text.length).toBeGreaterThan(7 * 4_096);
    const events = await collect(Readable.from([Buffer.from(text)]));
    expect(events.map((event) => event.event)).toEqual(Array.from({ length: 400 }, (_, n) => `e${n}`));
    expect(events.map((event) => JSON.parse(event.data.split('\n')[0]!).n)).toEqual(Array.from({ length: 400 }, (_, n) => n));
    expect(events.every((event) => event.data.endsWith('\nsecond line'))).toBe(true);
  });

  it('destroys the body and rejects with the reason when the signal aborts', async () => {
    const body = new Readable({ read() {} });
    body.push('data: 1\n\n');
    const controller = new AbortController();
    const reason = new Error('stop');
    const events: SseEvent[] = [];

    const promise = (async () => {
      for await (const event of iterateSseEvents(body, controller.signal)) {
        events.push(event);
        controller.abort(reason);
      }
    })();

    await expect(promise).rejects.toBe(reason);
    expect(events).toHaveLength(1);
    expect(body.destroyed).toBe(true);
  });
});

describe(readBodyText.name, () => {
  it('stops reading at the limit', async () => {
    const body = Readable.from([Buffer.from('abc'), Buffer.from('def'), Buffer.from('ghi')]);
    expect(await readBodyText(body, { limitBytes: 4 })).toBe('abcdef');
    expect(body.destroyed).toBe(true);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
