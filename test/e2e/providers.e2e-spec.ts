import OpenAI from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
import { type Harness, startHarness } from './harness.js';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses', UPSTREAM_HEADERS_TIMEOUT_MS: '1500', UPSTREAM_BODY_TIMEOUT_MS: '1500' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

/** One row per wire protocol: the model name, the upstream path, and how to read the history it was sent. */
const upstreams = [
  {
    wire: 'OpenAI Chat Completions',
    model: 'vllm/qwen3-8b',
    path: '/v1/chat/completions',
    streamedPath: '/v1/chat/completions',
    history: (body: any) => body.messages as unknown[],
  },
  {
    wire: 'OpenAI Responses',
    model: 'openai/gpt-5-mini',
    path: '/v1/responses',
    streamedPath: '/v1/responses',
    history: (body: any) => body.input as unknown[],
  },
  {
    wire: 'Anthropic Messages',
    model: 'anthropic/claude-sonnet-4-5',
    path: '/v1/messages',
    streamedPath: '/v1/messages',
    history: (body: any) => body.messages as unknown[],
  },
  {
    wire: 'Gemini',
    model: 'google/gemini-2.5-flash',
    path: '/v1beta/models/gemini-2.5-flash:generateContent',
    streamedPath: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    history: (body: any) => body.contents as unknown[],
  },
] as const;

const tools: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather by city',
    strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const lastRequest = () => harness.upstream.requests.at(-1)!;

describe.each(upstreams)('$wire', ({ model, path, streamedPath, history }) => {
  it('answers a text turn with the same Response shape', async () => {
    const response = await client.responses.create({ model, input: 'Hello there', instructions: 'Be brief.' });
    expect(response).toMatchObject({ status: 'completed', model, error: null, instructions: 'Be brief.' });
    expect(response.output_text).toBe('echo: Hello there');
    expect(response.output).toEqual([expect.objectContaining({ type: 'message', role: 'assistant', status: 'completed' })]);
    expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
    expect(response.usage!.input_tokens).toBeGreaterThan(0);
    // The client waits for the whole answer, so the upstream is asked for one JSON body, not events.
    expect(lastRequest().path).toBe(path);
    expect(lastRequest().body.stream ?? false).toBe(false);
  });

  it('streams the same event sequence', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Streaming across vendors.', chunkSize: 5 });
    const stream = client.responses.stream({ model, input: 'stream' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Streaming across vendors.');
    expect(lastRequest().path).toBe(streamedPath);
    if (!path.includes('generateContent')) expect(lastRequest().body.stream).toBe(true);
    const deduplicated = types.filter((type, index) => type !== types[index - 1]);
    expect(deduplicated).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('round-trips a function call', async () => {
    harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }], argumentChunkSize: 4 });
    const first = await client.responses.create({ model, input: 'Weather in Paris?', tools });
    expect(first.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'get_weather', status: 'completed' })]);
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });

    harness.upstream.enqueue({ kind: 'text', text: 'Sunny.' });
    const second = await client.responses.create({
      model,
      tools,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"sky":"sunny"}' }],
    });
    // The mock validates each vendor's tool-history rules and would answer 400 on a bad mapping.
    expect(second.output_text).toBe('Sunny.');
    expect(JSON.stringify(lastRequest().body)).toContain('sunny');
  });

  it('asks for json_schema output in the vendor form', async () => {
    harness.upstream.enqueue({ kind: 'text', text: '{"a":"x"}' });
    const response = await client.responses.create({
      model,
      input: 'JSON please',
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } },
    });
    expect(response.status).toBe('completed');
    expect(JSON.parse(response.output_text)).toEqual({ a: 'x' });
    expect(lastRequest().rawBody).toMatch(/\\?"properties\\?":\{\\?"a\\?":\{\\?"type\\?":\\?"string\\?"\}\}/);
  });

  it('sends image input in the vendor form', async () => {
    const response = await client.responses.create({
      model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: PNG, detail: 'auto' },
          ],
        },
      ],
    });
    expect(response.status).toBe('completed');
    expect(lastRequest().rawBody).toContain('iVBORw0KGgo');
  });

  it('carries a 3-turn chain to the vendor in order', async () => {
    let previous: string | undefined;
    for (const text of ['one', 'two', 'three']) {
      previous = (await client.responses.create({ model, input: text, ...(previous ? { previous_response_id: previous } : {}) })).id;
    }
    expect(history(lastRequest().body)).toHaveLength(5);
    const sent = JSON.stringify(history(lastRequest().body));
    expect(sent.indexOf('one')).toBeLessThan(sent.indexOf('echo: one'));
    expect(sent.indexOf('echo: two')).toBeLessThan(sent.indexOf('three'));
  });

  it('retries a 429 before the first byte', async () => {
    harness.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } }, { kind: 'text', text: 'second try' });
    expect((await client.responses.create({ model, input: 'hi' })).output_text).toBe('second try');
    expect(harness.upstream.requests).toHaveLength(2);
  });

  it('ends with response.failed when the vendor fails mid-stream, storing nothing in the conversation', async () => {
    const conversation = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'kept' }] });
    harness.upstream.enqueue({ kind: 'stream_error', afterChunks: 5 });
    const stream = await client.responses.create({ model, input: 'doomed', stream: true, conversation: conversation.id });
    let last: OpenAI.Responses.ResponseStreamEvent | null = null;
    for await (const event of stream) last = event;
    expect(last?.type).toBe('response.failed');
    const items = await client.conversations.items.list(conversation.id);
    expect(items.data).toHaveLength(1);
  });

  it('answers a malformed vendor body with a clear 502 and keeps serving', async () => {
    harness.upstream.enqueue({ kind: 'malformed', stream: true });
    await expect(client.responses.create({ model, input: 'hi' })).rejects.toMatchObject({ status: 502 });
    expect((await client.responses.create({ model, input: 'again' })).output_text).toBe('echo: again');
  });

  it('times out a hung vendor with a clear error', async () => {
    harness.upstream.enqueue({ kind: 'hang', afterChunks: 1 }, { kind: 'hang', afterChunks: 1 });
    const error = await client.responses.create({ model, input: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: expect.any(Number) });
    expect((error as { status: number }).status).toBeGreaterThanOrEqual(500);
  });
});

describe('model catalog', () => {
  it('fills in the output limit Anthropic requires, clamps larger requests, and prices the response', async () => {
    const response = await client.responses.create({ model: 'claude-sonnet', input: 'priced' });
    expect(response.model).toBe('claude-sonnet');
    expect(lastRequest().body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 8192 });
    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'big', max_output_tokens: 500_000 });
    expect(lastRequest().body.max_tokens).toBe(64_000);

    const prisma = harness.app.get(PrismaClient);
    const stored = await prisma.response.findUniqueOrThrow({ where: { id: response.id } });
    const usage = response.usage!;
    expect(stored.costUsd).toBeCloseTo((usage.input_tokens * 3 + usage.output_tokens * 15) / 1_000_000, 12);
    const unpriced = await client.responses.create({ model: 'vllm/qwen3-8b', input: 'free' });
    expect((await prisma.response.findUniqueOrThrow({ where: { id: unpriced.id } })).costUsd).toBeNull();
  });
});

describe('one conversation across vendors', () => {
  it('keeps its tool-call history valid when the provider changes every turn', async () => {
    const conversation = await client.conversations.create();
    const order = ['vllm/qwen3-8b', 'anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'openai/gpt-5-mini', 'vllm/qwen3-8b'];
    for (const [turn, model] of order.entries()) {
      harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ id: `call_t${turn}`, name: 'get_weather', arguments: `{"city":"City ${turn}"}` }] });
      const call = await client.responses.create({ model, tools, input: `weather ${turn}?`, conversation: conversation.id });
      const functionCall = call.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
      expect(functionCall.type).toBe('function_call');
      harness.upstream.enqueue({ kind: 'text', text: `done ${turn}` });
      const answer = await client.responses.create({
        model,
        tools,
        conversation: conversation.id,
        input: [{ type: 'function_call_output', call_id: functionCall.call_id, output: `{"temp":${turn}}` }],
      });
      expect(answer.output_text).toBe(`done ${turn}`);
    }
    const items: OpenAI.Conversations.ConversationItem[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 100 })) items.push(item);
    expect(items.map((item) => item.type)).toEqual(order.flatMap(() => ['message', 'function_call', 'function_call_output', 'message']));
  });
});

describe('prompt-cache planning (Anthropic)', () => {
  const instructions = `You are a careful assistant. ${'Follow the house rules closely. '.repeat(200)}`;
  const stripMarks = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, inner) => (key === 'cache_control' ? undefined : inner)));

  it('marks the instructions and the newest block, and turn 2 starts with exactly what turn 1 sent', async () => {
    const first = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', instructions, input: 'first question' });
    const turn1 = lastRequest().body;
    // The instructions are shared by every thread of the app: they are kept for an hour.
    expect(turn1.system).toEqual([{ type: 'text', text: instructions, cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(turn1.messages.at(-1).content.at(-1).cache_control).toEqual({ type: 'ephemeral' });

    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', instructions, input: 'second question', previous_response_id: first.id });
    const turn2 = lastRequest().body;
    // Byte-stable prefix: apart from where the markers sit, turn 2 repeats turn 1 unchanged, then appends.
    const [before, after] = [stripMarks(turn1) as any, stripMarks(turn2) as any];
    expect(JSON.stringify(after.system)).toBe(JSON.stringify(before.system));
    expect(JSON.stringify(after.messages.slice(0, before.messages.length))).toBe(JSON.stringify(before.messages));
    expect(after.messages.length).toBeGreaterThan(before.messages.length);
  });
});
