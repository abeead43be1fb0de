import { connect } from 'node:net';
import OpenAI from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
import { eventually, type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ MAX_BODY_BYTES: String(256 * 1024), MAX_INPUT_ITEMS: '50', MAX_TOOLS: '8', MAX_INPUT_FILES: '4' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const auth = { authorization: `Bearer ${PROJECT_A_KEY}` };

const streamedText = (events: OpenAI.Responses.ResponseStreamEvent[]) =>
  events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');

/** The OpenAI error envelope: exactly the four keys, message a string, param and code string or null. */
function expectErrorBody(json: unknown, expected: { type: string; param?: string | null; code?: string | null }) {
  const error = (json as { error: Record<string, unknown> }).error;
  expect(Object.keys(json as object)).toEqual(['error']);
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof error.message).toBe('string');
  expect(error.type).toBe(expected.type);
  for (const key of ['param', 'code'] as const) {
    if (expected[key] !== undefined) expect(error[key]).toBe(expected[key]);
    else expect(error[key] === null || typeof error[key] === 'string').toBe(true);
  }
}

describe('bad input gets an OpenAI-shaped error with the right status', () => {
  const validBody = JSON.stringify({ model: 'openai/gpt-test', input: 'hi' });

  it('401 without an API key', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', { body: validBody });
    expect(response.status).toBe(401);
    expectErrorBody(response.json, { type: 'authentication_error', param: null });
  });

  it('401 with a wrong API key, as the SDK sees it', async () => {
    const stranger = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${harness.origin}/v1`, maxRetries: 0 });
    await expect(stranger.responses.create({ model: 'openai/gpt-test', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('400 on a body that is not JSON', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', { headers: auth, body: '{"model": "openai/gpt-test", ' });
    expect(response.status).toBe(400);
    expectErrorBody(response.json, { type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('400 naming the param for out-of-range values', async () => {
    const error = await client.responses.create({ model: 'openai/gpt-test', input: 'hi', temperature: 3 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'temperature', type: 'invalid_request_error' });
    expect((error as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('400 when model is missing', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', { headers: auth, body: JSON.stringify({ input: 'hi' }) });
    expect(response.status).toBe(400);
    expectErrorBody(response.json, { type: 'invalid_request_error', param: 'model' });
  });

  it('400 for metadata over the limits', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`key${index}`, 'value']));
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi', metadata })).rejects.toMatchObject({ status: 400, param: 'metadata' });
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi', metadata: { k: 'x'.repeat(513) } })).rejects.toMatchObject({
      status: 400,
      param: 'metadata.k',
    });
  });

  it('400 naming the nested param of a malformed input item', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: auth,
      body: JSON.stringify({
        model: 'openai/gpt-test',
        input: [
          { role: 'user', content: 'ok' },
          { type: 'function_call_output', output: 'x' },
        ],
      }),
    });
    expect(response.status).toBe(400);
    expectErrorBody(response.json, { type: 'invalid_request_error', param: 'input[1].call_id' });

    const unknownType = await rawRequest(harness.origin, '/v1/responses', {
      headers: auth,
      body: JSON.stringify({ model: 'openai/gpt-test', input: [{ type: 'telepathy', data: 1 }] }),
    });
    expect(unknownType.status).toBe(400);
    expectErrorBody(unknownType.json, { type: 'invalid_request_error', param: 'input[0].type' });
  });

  it('400 model_not_found for an unknown provider', async () => {
    await expect(client.responses.create({ model: 'nobody/model-x', input: 'hi' })).rejects.toMatchObject({
      status: 400,
      code: 'model_not_found',
      param: 'model',
    });
  });

  it('400 previous_response_not_found for an unknown previous response', async () => {
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi', previous_response_id: 'resp_nope' })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
  });

  it('400 for a function_call_output that answers no call', async () => {
    await expect(
      client.responses.create({ model: 'openai/gpt-test', input: [{ type: 'function_call_output', call_id: 'call_x', output: 'orphan' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'input' });
  });

  it('400 for combinations OpenAI refuses', async () => {
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi', background: true, store: false })).rejects.toMatchObject({
      status: 400,
      param: 'store',
    });
    await expect(
      client.responses.create({ model: 'openai/gpt-test', input: 'hi', conversation: 'conv_1', previous_response_id: 'resp_1' }),
    ).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
  });

  it('400 for input the chosen provider cannot take, before any upstream call', async () => {
    const error = await client.responses
      .create({
        model: 'vllm/qwen3-8b',
        input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' }] }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, param: 'input[0].content[0]', code: 'unsupported_parameter' });
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('400 for cancelling or re-streaming a synchronous response; 404 for an unknown one', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'sync' });
    await expect(client.responses.cancel(response.id)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Cannot cancel a synchronous response.'),
    });
    await expect(client.responses.cancel('resp_unknown')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const replay = await rawRequest(harness.origin, `/v1/responses/${response.id}?stream=true`, { method: 'GET', headers: auth });
    expect(replay.status).toBe(400);
    expectErrorBody(replay.json, { type: 'invalid_request_error', param: 'stream' });
    expect((await client.responses.retrieve(response.id)).status).toBe('completed');
  });

  it('404 for unknown responses and routes', async () => {
    await expect(client.responses.retrieve('resp_does_not_exist')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const route = await rawRequest(harness.origin, '/v1/nothing-here', { method: 'GET', headers: auth });
    expect(route.status).toBe(404);
    expectErrorBody(route.json, { type: 'invalid_request_error' });
  });

  it('413 for a body over MAX_BODY_BYTES', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: auth,
      body: JSON.stringify({ model: 'openai/gpt-test', input: 'x'.repeat(300 * 1024) }),
    });
    expect(response.status).toBe(413);
    expectErrorBody(response.json, { type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('413 after the whole body was taken, so a client that reads only once it has sent everything gets it (no broken pipe)', async () => {
    // 64 MB against a 256 KB limit, written to a raw socket as Python's http.client does: the
    // server refuses it on its content-length at once, and used to close under the writer.
    const size = 64 * 1024 * 1024;
    const { origin } = harness;
    const { hostname, port } = new URL(origin);
    const outcome = await new Promise<{ writeError: string | null; head: string; body: string }>((resolve) => {
      const socket = connect(Number(port), hostname);
      let received = '';
      let writeError: string | null = null;
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', (error: NodeJS.ErrnoException) => (writeError = error.code ?? error.message));
      socket.on('close', () => resolve({ writeError, head: received.split('\r\n')[0]!, body: received.slice(received.indexOf('\r\n\r\n') + 4) }));
      socket.write(
        `POST /v1/responses HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${PROJECT_A_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`,
      );
      socket.end(Buffer.alloc(size, 'x'));
    });
    expect(outcome.writeError).toBeNull();
    expect(outcome.head).toBe('HTTP/1.1 413 Payload Too Large');
    expectErrorBody(JSON.parse(outcome.body), { type: 'invalid_request_error', code: 'request_too_large' });
    expect((await rawRequest(harness.origin, '/health', { method: 'GET' })).status).toBe(200);
  });

  it('431 in the error envelope for headers over Node’s limit, which Fastify never sees', async () => {
    const response = await rawRequest(harness.origin, '/v1/models', { method: 'GET', headers: { ...auth, 'x-large': 'x'.repeat(70_000) } });
    expect(response.status).toBe(431);
    expectErrorBody(response.json, { type: 'invalid_request_error', param: null, code: 'headers_too_large' });
  });

  it('400 for bad pagination parameters', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'page me' });
    const tooMany = await rawRequest(harness.origin, `/v1/responses/${response.id}/input_items?limit=500`, { method: 'GET', headers: auth });
    expect(tooMany.status).toBe(400);
    expectErrorBody(tooMany.json, { type: 'invalid_request_error', param: 'limit' });
    const badCursor = await rawRequest(harness.origin, `/v1/responses/${response.id}/input_items?after=msg_unknown`, { method: 'GET', headers: auth });
    expect(badCursor.status).toBe(400);
    expectErrorBody(badCursor.json, { type: 'invalid_request_error', param: 'after' });
  });
});

describe('hostile input is refused at the edge, stores nothing, and the server goes on (#20)', () => {
  /** Conversations and responses stored in the database, to show a refused request left nothing. */
  const stored = async () => {
    const prisma = harness.app.get(PrismaClient);
    return { conversations: await prisma.conversation.count(), responses: await prisma.response.count() };
  };
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  it.each([
    ['NUL in input text', '/v1/responses', '{"model":"openai/gpt-test","input":"a\\u0000b"}', 'input'],
    ['NUL in a metadata value', '/v1/conversations', '{"metadata":{"k":"a\\u0000b"}}', 'metadata.k'],
    ['NUL in a metadata key', '/v1/conversations', '{"metadata":{"k\\u0000":"v"}}', 'metadata.k\u0000'],
    ['an unpaired surrogate', '/v1/conversations', '{"metadata":{"k":"a\\ud800b"}}', 'metadata.k'],
    ['an unpaired surrogate in an item', '/v1/conversations', '{"items":[{"type":"message","role":"user","content":"x\\udc00"}]}', 'items[0].content'],
    ['10,000 levels of metadata', '/v1/conversations', `{"metadata":${deep(10_000)}}`, null],
    [
      '10,000 levels in a tool schema',
      '/v1/responses',
      `{"model":"anthropic/claude-sonnet-4-5","input":"hi","tools":[{"type":"function","name":"f","parameters":${deep(10_000)}}]}`,
      null,
    ],
    [
      '10,000 levels in a response format',
      '/v1/responses',
      `{"model":"openai/gpt-test","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":${deep(10_000)}}}}`,
      null,
    ],
    [
      'a malformed allowed_tools choice',
      '/v1/responses',
      '{"model":"openai/gpt-test","input":"hi","tool_choice":{"type":"allowed_tools","mode":"auto","tools":5}}',
      'tool_choice.tools',
    ],
    ['an unknown tool_choice type', '/v1/responses', '{"model":"openai/gpt-test","input":"hi","tool_choice":{"type":"teleport"}}', 'tool_choice.type'],
    ['a JSON null body', '/v1/conversations', 'null', 'body'],
  ])('400 for %s', async (_name, path, body, param) => {
    const before = await stored();
    const response = await rawRequest(harness.origin, path, { headers: auth, body });
    expect(response.status).toBe(400);
    expectErrorBody(response.json, { type: 'invalid_request_error', code: 'invalid_value', ...(param === null ? {} : { param }) });
    if (param === null) expect((response.json as { error: { message: string } }).error.message).toContain('nest at most 64 levels');
    expect(await stored()).toEqual(before);
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('400 for input the provider cannot take, before the response or its input is stored (found by the fuzz suite)', async () => {
    const conversation = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'start' }] });
    const before = await stored();
    const itemsBefore = (await client.conversations.items.list(conversation.id)).data.length;
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: auth,
      body: JSON.stringify({
        model: 'anthropic/claude-sonnet-4-5',
        conversation: conversation.id,
        tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
        input: [
          { type: 'function_call', call_id: 'call_1', name: 'f', arguments: 'not json' },
          { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
        ],
      }),
    });
    expect(response.status).toBe(400);
    expectErrorBody(response.json, { type: 'invalid_request_error', param: 'input', code: 'unsupported_parameter' });
    expect(await stored()).toEqual(before);
    expect((await client.conversations.items.list(conversation.id)).data).toHaveLength(itemsBefore);
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('400 array_above_max_length past the deployment’s limits on input items, tools and files, before anything is stored', async () => {
    const before = await stored();
    const messages = (count: number) => Array.from({ length: count }, (_, index) => ({ role: 'user', content: `m${index}` }));
    const tool = (index: number) => ({ type: 'function', name: `f${index}`, parameters: { type: 'object' } });
    const image = { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' };
    for (const [body, param] of [
      [{ model: 'openai/gpt-test', input: messages(51) }, 'input'],
      [{ model: 'openai/gpt-test', input: 'hi', tools: Array.from({ length: 9 }, (_, index) => tool(index)) }, 'tools'],
      [{ model: 'openai/gpt-test', input: [{ role: 'user', content: [image, image, image, image, image] }] }, 'input'],
    ] as const) {
      const response = await rawRequest(harness.origin, '/v1/responses', { headers: auth, body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expectErrorBody(response.json, { type: 'invalid_request_error', param, code: 'array_above_max_length' });
    }
    // At the limits, the same requests go through.
    expect(
      (await rawRequest(harness.origin, '/v1/responses', { headers: auth, body: JSON.stringify({ model: 'openai/gpt-test', input: messages(50) }) })).status,
    ).toBe(200);
    expect(await stored()).toMatchObject({ conversations: before.conversations, responses: before.responses + 1 });
  });

  it('400 naming the path or query param for NUL in an id or a cursor', async () => {
    const byId = await rawRequest(harness.origin, '/v1/responses/resp_%00x', { method: 'GET', headers: auth });
    expect(byId.status).toBe(400);
    expectErrorBody(byId.json, { type: 'invalid_request_error', param: 'id', code: 'invalid_value' });
    const cursor = await rawRequest(harness.origin, '/v1/conversations/conv_x/items?after=a%00b', { method: 'GET', headers: auth });
    expect(cursor.status).toBe(400);
    expectErrorBody(cursor.json, { type: 'invalid_request_error', param: 'after', code: 'invalid_value' });
  });

  it('takes model names that are properties of every object as names, not as catalog entries', async () => {
    for (const model of ['__proto__', 'toString', 'constructor']) {
      const response = await rawRequest(harness.origin, '/v1/responses', { headers: auth, body: JSON.stringify({ model, input: 'hi' }) });
      // No provider prefix: the default provider is asked for a model of that name, as for any other name.
      expect(response.status).toBe(200);
      expect((response.json as { model: string }).model).toBe(model);
    }
    expect(harness.upstream.requests.map((request) => (request.body as { model: string }).model)).toEqual(['__proto__', 'toString', 'constructor']);
  });

  it('still answers, and an emoji and right-to-left text are stored as sent', async () => {
    const conversation = await client.conversations.create({ metadata: { note: 'ok 😀 שלום' } });
    expect((await client.conversations.retrieve(conversation.id)).metadata).toEqual({ note: 'ok 😀 שלום' });
    expect((await rawRequest(harness.origin, '/health', { method: 'GET' })).status).toBe(200);
  });
});

describe('projects are isolated', () => {
  it("project B cannot see, chain from, list or delete project A's response", async () => {
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'secret of A' });
    const other = harness.clientB;
    await expect(other.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.inputItems.list(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.delete(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.create({ model: 'openai/gpt-test', input: 'x', previous_response_id: response.id })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
    });
    const itemId = (await client.responses.inputItems.list(response.id)).data[0]!.id;
    await expect(other.responses.create({ model: 'openai/gpt-test', input: [{ type: 'item_reference', id: itemId }] })).rejects.toMatchObject({ status: 400 });
    // A's response is untouched by B's attempts.
    expect((await client.responses.retrieve(response.id)).status).toBe('completed');
  });
});

describe('upstream failures', () => {
  it('retries a 429 before the first byte, then succeeds', async () => {
    harness.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } }, { kind: 'text', text: 'after retry' });
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'hi' });
    expect(response.output_text).toBe('after retry');
    expect(harness.upstream.requests).toHaveLength(2);
  });

  it('maps a persistent upstream 429 to a 429 for the client', async () => {
    harness.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } }, { kind: 'error', status: 429, headers: { 'retry-after': '0' } });
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('maps a rejected provider key to a clear 502', async () => {
    harness.upstream.enqueue({ kind: 'error', status: 401 });
    const error = await client.responses.create({ model: 'openai/gpt-test', input: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_authentication_failed' });
  });

  it('passes an upstream 400 through as a 400 with the provider message', async () => {
    harness.upstream.enqueue({
      kind: 'error',
      status: 400,
      body: { error: { message: 'context too long', type: 'invalid_request_error', param: null, code: 'context_length_exceeded' } },
    });
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi' })).rejects.toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
      message: expect.stringContaining('context too long'),
    });
  });

  it('a failure mid-stream ends the stream with response.failed, and the response is stored as failed', async () => {
    harness.upstream.enqueue({ kind: 'stream_error', afterChunks: 3, error: { message: 'overloaded', type: 'server_error', code: 'server_error' } });
    const stream = await client.responses.create({ model: 'openai/gpt-test', input: 'hi', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.failed');
    const failed = (last as OpenAI.Responses.ResponseFailedEvent).response;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'server_error', message: expect.stringContaining('overloaded') });
    expect((await client.responses.retrieve(failed.id)).status).toBe('failed');
  });

  it('a stream whose upstream answers 429 before any output gets HTTP 429 with retry-after, so the SDK retries', async () => {
    // Our own retry (UPSTREAM_MAX_RETRIES=1) fails too; the client then sees the status, not a 200 stream.
    harness.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } }, { kind: 'error', status: 429, headers: { 'retry-after': '0' } });
    const error = await client.responses.create({ model: 'openai/gpt-test', input: 'hi', stream: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('0');
    expect(harness.upstream.requests).toHaveLength(2);
    // The failed turn is stored, as a non-streamed one would be.
    const prisma = harness.app.get(PrismaClient);
    expect(await prisma.response.count({ where: { status: 'failed' } })).toBeGreaterThan(0);

    harness.upstream.reset();
    harness.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } }, { kind: 'error', status: 429, headers: { 'retry-after': '0' } });
    const retrying = new OpenAI({ apiKey: PROJECT_A_KEY, baseURL: `${harness.origin}/v1`, maxRetries: 1 });
    const stream = await retrying.responses.create({ model: 'openai/gpt-test', input: 'hi', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed' } });
    expect(streamedText(events)).toBe('echo: hi');
    expect(harness.upstream.requests).toHaveLength(3);
  });

  it('a stream whose upstream fails with a 5xx before any output gets that class of HTTP error', async () => {
    harness.upstream.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi', stream: true })).rejects.toMatchObject({
      status: 503,
      code: 'upstream_unavailable',
    });
    harness.upstream.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi', stream: true })).rejects.toMatchObject({ status: 502 });
  });

  it.each([
    ['anthropic/claude-sonnet-4-5', "Anthropic's overloaded_error event"],
    ['google/gemini-2.5-flash', "Gemini's 503 inside the stream"],
    ['openai/gpt-5', "OpenAI's response.failed with a server error"],
  ])('%s: %s before any output is retried and the turn completes', async (model, _what) => {
    const responsesWire = model.startsWith('openai/');
    const target = responsesWire ? await startHarness({ OPENAI_WIRE_API: 'responses' }) : harness;
    try {
      target.upstream.reset();
      target.upstream.enqueue({ kind: 'stream_error', afterChunks: 0 });
      const stream = await target.client.responses.create({ model, input: 'hi', stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      expect(events[0]!.type).toBe('response.created');
      expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed' } });
      expect(streamedText(events)).toBe('echo: hi');
      expect(target.upstream.requests.filter((request) => request.method === 'POST')).toHaveLength(2);

      // The same failure twice spends the retry: the client gets the HTTP status it stands for.
      target.upstream.reset();
      target.upstream.enqueue({ kind: 'stream_error', afterChunks: 0 }, { kind: 'stream_error', afterChunks: 0 });
      const error = await target.client.responses.create({ model, input: 'hi', stream: true }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: model.startsWith('openai/') ? 502 : 503 });
    } finally {
      if (target !== harness) await target.close();
    }
  });

  it('a malformed upstream body is a clear 502, not a crash', async () => {
    harness.upstream.enqueue({ kind: 'malformed', stream: true });
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'hi' })).rejects.toMatchObject({ status: 502 });
    expect((await client.responses.create({ model: 'openai/gpt-test', input: 'still alive' })).output_text).toBe('echo: still alive');
  });

  it('aborts the upstream call when the client disconnects', async () => {
    harness.upstream.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = client.responses.create({ model: 'openai/gpt-test', input: 'slow' }, { signal: controller.signal }).catch((caught: unknown) => caught);
    await harness.upstream.waitFor(() => harness.upstream.requests.length === 1, 5_000);
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await harness.upstream.waitFor(() => harness.upstream.requests[0]!.aborted === true, 5_000);
    // The turn is still stored, as cancelled, with its input: nothing is half-written or lost.
    const prisma = harness.app.get(PrismaClient);
    const cancelled = await eventually(() => prisma.response.findFirst({ where: { status: 'cancelled' } }));
    expect(cancelled.threadId).not.toBeNull();
    const inputItems = await client.responses.inputItems.list(cancelled.id);
    expect(inputItems.data).toEqual([expect.objectContaining({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'slow' }] })]);
  });
});

describe('duplicate item ids', () => {
  const duplicate = (id: string) => `Duplicate item found with id ${id}. Remove duplicate items from your input and try again.`;

  it("refuses an id twice in one input, or one the chain already holds, in OpenAI's words, storing nothing", async () => {
    const twice = await rawRequest(harness.origin, '/v1/responses', {
      headers: auth,
      body: JSON.stringify({
        model: 'openai/gpt-test',
        input: [
          { id: 'msg_client_1', type: 'message', role: 'user', content: 'a' },
          { id: 'msg_client_1', type: 'message', role: 'user', content: 'b' },
        ],
      }),
    });
    expect(twice.status).toBe(400);
    expect(twice.json).toEqual({ error: { message: duplicate('msg_client_1'), type: 'invalid_request_error', param: 'input[1].id', code: null } });

    const first = await client.responses.create({ model: 'openai/gpt-test', input: 'hello' });
    const answer = first.output[0]!;
    // Sending the model's own answer back along with previous_response_id repeats it.
    const again = await rawRequest(harness.origin, '/v1/responses', {
      headers: auth,
      body: JSON.stringify({ model: 'openai/gpt-test', previous_response_id: first.id, input: [answer, { role: 'user', content: 'next' }] }),
    });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: { message: duplicate(answer.id!), type: 'invalid_request_error', param: 'input[0].id', code: null } });
    expect(harness.upstream.requests).toHaveLength(1);
    // The chain goes on as it was.
    const next = await client.responses.create({ model: 'openai/gpt-test', previous_response_id: first.id, input: 'next' });
    expect(next.output_text).toBe('echo: next');
  });

  it('refuses an item id the conversation already has, and one twice in one append', async () => {
    // The SDK's types have no id on an input message; the API takes one.
    const conversation = (
      await rawRequest(harness.origin, '/v1/conversations', {
        headers: auth,
        body: JSON.stringify({ items: [{ id: 'msg_kept', type: 'message', role: 'user', content: 'kept' }] }),
      })
    ).json as { id: string };
    const append = (items: unknown[]) =>
      rawRequest(harness.origin, `/v1/conversations/${conversation.id}/items`, { headers: auth, body: JSON.stringify({ items }) });
    const existing = await append([{ id: 'msg_kept', type: 'message', role: 'user', content: 'again' }]);
    expect(existing.status).toBe(400);
    expect(existing.json).toEqual({ error: { message: duplicate('msg_kept'), type: 'invalid_request_error', param: 'items[0].id', code: null } });
    const twice = await append([
      { id: 'msg_x', type: 'message', role: 'user', content: '1' },
      { id: 'msg_x', type: 'message', role: 'user', content: '2' },
    ]);
    expect((twice.json as { error: { param: string } }).error.param).toBe('items[1].id');
    const items = await client.conversations.items.list(conversation.id);
    expect(items.data.map((item) => item.id)).toEqual(['msg_kept']);
  });
});
