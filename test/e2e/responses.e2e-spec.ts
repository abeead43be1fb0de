import OpenAI from 'openai';
import { ConversationsRepository } from '../../src/conversations/conversations.repository.js';
import { ThreadStore } from '../../src/history/thread-store.js';
import { ResponsesRepository } from '../../src/responses/responses.repository.js';
import { ResponsesService } from '../../src/responses/responses.service.js';
import { type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

/** Every key the Response object must carry (nulls, never missing keys). */
const RESPONSE_KEYS = [
  'background',
  'completed_at',
  'conversation',
  'created_at',
  'error',
  'frequency_penalty',
  'id',
  'incomplete_details',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'moderation',
  'model',
  'object',
  'output',
  'parallel_tool_calls',
  'presence_penalty',
  'previous_response_id',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'status',
  'store',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'usage',
];

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness();
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

/** The chat messages the mock upstream received in its n-th request. */
const upstreamMessages = (index: number) => harness.upstream.requests[index]?.body?.messages as Array<Record<string, unknown>>;

describe('POST /v1/responses (sync)', () => {
  it('answers with a complete Response object and stores it', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'Hello there', metadata: { topic: 'greeting' } });

    expect(
      Object.keys(response)
        .filter((key) => key !== 'output_text')
        .sort(),
    ).toEqual([...RESPONSE_KEYS].sort());
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'openai/gpt-test',
      error: null,
      incomplete_details: null,
      previous_response_id: null,
      store: true,
      metadata: { topic: 'greeting' },
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
    });
    expect(response.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(response.output_text).toBe('echo: Hello there');
    expect(response.output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'echo: Hello there', annotations: [], logprobs: [] }],
      },
    ]);
    expect(response.usage).toEqual({
      input_tokens: expect.any(Number),
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: expect.any(Number),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: expect.any(Number),
    });
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(response.completed_at).toEqual(expect.any(Number));

    expect(harness.upstream.requests).toHaveLength(1);
    const sent = harness.upstream.requests[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-upstream-test');
    expect(sent.body).toMatchObject({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hello there' }] });

    const retrieved = await client.responses.retrieve(response.id);
    expect(retrieved).toEqual(response);
  });

  it('passes sampling, output limit and json_schema output to the upstream', async () => {
    await client.responses.create({
      model: 'openai/gpt-test',
      input: 'Give me JSON',
      instructions: 'You are terse.',
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 64,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } },
    });
    expect(harness.upstream.requests[0]!.body).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 64,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } },
      },
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Give me JSON' },
      ],
    });
  });

  it('routes provider/model names to the configured OpenAI-compatible provider', async () => {
    const response = await client.responses.create({ model: 'vllm/qwen3-8b', input: 'hi' });
    expect(response.model).toBe('vllm/qwen3-8b');
    expect(harness.upstream.requests[0]!.body.model).toBe('qwen3-8b');
  });
});

describe('POST /v1/responses (stream)', () => {
  it('streams the documented event order through the SDK stream helper', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Streaming works fine.', chunkSize: 4 });
    const stream = client.responses.stream({ model: 'openai/gpt-test', input: 'stream please' });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();

    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    const deltas = events.filter((event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === 'response.output_text.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((delta) => delta.delta).join('')).toBe('Streaming works fine.');
    expect(final.output_text).toBe('Streaming works fine.');
    expect(final.status).toBe('completed');

    // Read-your-writes: the response the stream reported completed is already retrievable.
    const retrieved = await client.responses.retrieve(final.id);
    expect(retrieved).toMatchObject({ id: final.id, status: 'completed', usage: final.usage });
    expect(retrieved.output.map((item) => item.id)).toEqual(final.output.map((item) => item.id));
    expect(retrieved.output_text).toBe(final.output_text);
    expect(harness.upstream.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('frames SSE with event names equal to the type and ends with [DONE]', async () => {
    const response = await fetch(`${harness.origin}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(client as unknown as { apiKey: string }).apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-test', input: 'raw', stream: true }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const frames = (await response.text()).split('\n\n').filter((frame) => frame.trim() !== '' && !frame.startsWith(':'));
    expect(frames.at(-1)).toBe('data: [DONE]');
    for (const frame of frames.slice(0, -1)) {
      const [eventLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      const event = JSON.parse(dataLine!.replace(/^data: /, '')) as { type: string };
      expect(eventLine).toBe(`event: ${event.type}`);
    }
  });

  it('streams reasoning text of OpenAI-compatible models as a reasoning item the SDK accepts', async () => {
    harness.upstream.enqueue({ kind: 'reasoning', reasoning: 'The user greets me.', text: 'Hello!', field: 'reasoning_content', chunkSize: 5 });
    const stream = client.responses.stream({ model: 'vllm/deepseek-r1', input: 'hi' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(types).toContain('response.reasoning_text.delta');
    expect(final.output).toEqual([
      {
        type: 'reasoning',
        id: expect.stringMatching(/^rs_/),
        summary: [],
        content: [{ type: 'reasoning_text', text: 'The user greets me.' }],
        status: 'completed',
      },
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Hello!' })] }),
    ]);
    expect((await client.responses.retrieve(final.id)).output[0]).toMatchObject({ type: 'reasoning', content: [{ text: 'The user greets me.' }] });
  });

  it('raw SDK iteration of stream: true sees the terminal response', async () => {
    const stream = await client.responses.create({ model: 'openai/gpt-test', input: 'iterate', stream: true });
    let completed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    expect(completed?.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'echo: iterate' }] });
  });
});

describe('GET/DELETE /v1/responses/{id} and input_items', () => {
  it('deletes a response: later reads are 404', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'to be deleted' });
    const deleted = await client.responses.delete(response.id);
    expect(deleted).toEqual({ id: response.id, object: 'response', deleted: true });
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.inputItems.list(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('paginates input items with ids assigned by the server, in both orders', async () => {
    const input = Array.from({ length: 7 }, (_, index) => ({ role: 'user' as const, content: `message ${index}` }));
    const response = await client.responses.create({ model: 'openai/gpt-test', input });

    const ascending: string[] = [];
    const ids: string[] = [];
    for await (const item of client.responses.inputItems.list(response.id, { limit: 2, order: 'asc' })) {
      expect(item.type).toBe('message');
      ids.push(item.id);
      ascending.push(((item as OpenAI.Responses.ResponseInputMessageItem).content[0] as { text: string }).text);
    }
    expect(ascending).toEqual(input.map((message) => message.content));
    expect(new Set(ids).size).toBe(7);
    for (const id of ids) expect(id).toMatch(/^msg_/);

    const firstPage = await client.responses.inputItems.list(response.id, { limit: 3 });
    expect(firstPage.data.map((item) => item.id)).toEqual(ids.slice(-3).reverse()); // default order is desc
    expect(firstPage.has_more).toBe(true);
    const raw = (await (
      await fetch(`${harness.origin}/v1/responses/${response.id}/input_items?limit=3&order=desc&after=${ids[4]}`, {
        headers: { authorization: `Bearer ${(client as unknown as { apiKey: string }).apiKey}` },
      })
    ).json()) as { data: Array<{ id: string }>; first_id: string; last_id: string; has_more: boolean; object: string };
    expect(raw).toEqual({
      object: 'list',
      data: ids
        .slice(1, 4)
        .reverse()
        .map((id) => expect.objectContaining({ id })),
      first_id: ids[3],
      last_id: ids[1],
      has_more: true,
    });

    const descending: string[] = [];
    for await (const item of client.responses.inputItems.list(response.id, { limit: 3 })) descending.push(item.id);
    expect(descending).toEqual([...ids].reverse());
  });
});

describe('previous_response_id chains', () => {
  it('sends all earlier turns, in order, on the 5th turn; instructions are not carried over', async () => {
    let previous: string | undefined;
    for (let turn = 1; turn <= 5; turn++) {
      const response = await client.responses.create({
        model: 'openai/gpt-test',
        input: `turn ${turn}`,
        ...(turn === 1 ? { instructions: 'first instructions only' } : {}),
        ...(previous ? { previous_response_id: previous } : {}),
      });
      expect(response.previous_response_id).toBe(previous ?? null);
      previous = response.id;
    }
    expect(harness.upstream.requests).toHaveLength(5);
    expect(upstreamMessages(0)).toEqual([
      { role: 'system', content: 'first instructions only' },
      { role: 'user', content: 'turn 1' },
    ]);
    const expected = [];
    for (let turn = 1; turn <= 5; turn++) {
      expected.push({ role: 'user', content: `turn ${turn}` });
      if (turn < 5) expected.push({ role: 'assistant', content: `echo: turn ${turn}` });
    }
    expect(upstreamMessages(4)).toEqual(expected);
  });

  it('branches: continuing from an older response sees only its own lineage', async () => {
    const first = await client.responses.create({ model: 'openai/gpt-test', input: 'root' });
    const left = await client.responses.create({ model: 'openai/gpt-test', input: 'left', previous_response_id: first.id });
    const right = await client.responses.create({ model: 'openai/gpt-test', input: 'right', previous_response_id: first.id });
    await client.responses.create({ model: 'openai/gpt-test', input: 'left again', previous_response_id: left.id });
    await client.responses.create({ model: 'openai/gpt-test', input: 'right again', previous_response_id: right.id });
    const contents = (index: number) => upstreamMessages(index).map((message) => message.content);
    expect(contents(3)).toEqual(['root', 'echo: root', 'left', 'echo: left', 'left again']);
    expect(contents(4)).toEqual(['root', 'echo: root', 'right', 'echo: right', 'right again']);
  });

  it('turns racing from the same response each get their own branch, none lost or interleaved', async () => {
    const root = await client.responses.create({ model: 'openai/gpt-test', input: 'root' });
    const branches = await Promise.all(
      Array.from({ length: 6 }, (_, index) => client.responses.create({ model: 'openai/gpt-test', input: `branch ${index}`, previous_response_id: root.id })),
    );
    harness.upstream.reset();
    for (const [index, branch] of branches.entries()) {
      await client.responses.create({ model: 'openai/gpt-test', input: `after ${index}`, previous_response_id: branch.id });
      expect(upstreamMessages(index).map((message) => message.content)).toEqual([
        'root',
        'echo: root',
        `branch ${index}`,
        `echo: branch ${index}`,
        `after ${index}`,
      ]);
    }
  });

  it('finds the previous turn when the next one is sent 0 ms after completion (no write-behind)', async () => {
    let previous = (await client.responses.create({ model: 'openai/gpt-test', input: 'start' })).id;
    for (let turn = 0; turn < 10; turn++) {
      const stream = client.responses.stream({ model: 'openai/gpt-test', input: `fast ${turn}`, previous_response_id: previous });
      let completedId: string | null = null;
      for await (const event of stream) {
        if (event.type === 'response.completed') {
          completedId = event.response.id;
          break; // chain immediately, before the stream has even closed
        }
      }
      const next = await client.responses.create({ model: 'openai/gpt-test', input: 'check', previous_response_id: completedId! });
      previous = next.id;
    }
    // start pair + 10 × (stream pair + check pair), less the last check's own answer.
    expect(upstreamMessages(harness.upstream.requests.length - 1)).toHaveLength(2 + 10 * 4 - 1);
  });
});

describe('function calling', () => {
  const tools: OpenAI.Responses.FunctionTool[] = [
    {
      type: 'function',
      name: 'get_weather',
      description: 'Weather by city',
      strict: false,
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  ];

  it('round-trips a function call and its output through a chain', async () => {
    const rawArguments = '{"city":"Paris","10":1}';
    harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: rawArguments }], argumentChunkSize: 3 });
    const first = await client.responses.create({ model: 'openai/gpt-test', input: 'Weather in Paris?', tools });
    expect(first.status).toBe('completed');
    expect(first.output).toEqual([
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_/),
        call_id: 'call_weather_1',
        name: 'get_weather',
        arguments: rawArguments,
        status: 'completed',
      },
    ]);
    expect(harness.upstream.requests[0]!.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather by city',
          strict: false,
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]);

    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'no output given', previous_response_id: first.id, tools })).rejects.toMatchObject({
      status: 400,
      error: { message: 'No tool output found for function call call_weather_1.' },
    });

    harness.upstream.enqueue({ kind: 'text', text: 'It is sunny in Paris.' });
    const second = await client.responses.create({
      model: 'openai/gpt-test',
      previous_response_id: first.id,
      tools,
      input: [{ type: 'function_call_output', call_id: 'call_weather_1', output: '{"sky":"sunny"}' }],
    });
    expect(second.output_text).toBe('It is sunny in Paris.');
    const messages = upstreamMessages(harness.upstream.requests.length - 1);
    expect(messages).toEqual(
      [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: rawArguments } }],
        },
        { role: 'tool', tool_call_id: 'call_weather_1', content: '{"sky":"sunny"}' },
      ].map((message) => expect.objectContaining(message)),
    );
    // The raw argument string reached the upstream byte for byte (integer-like keys not reordered).
    expect(harness.upstream.requests.at(-1)!.rawBody).toContain(JSON.stringify(rawArguments));
  });

  it('streams parallel function calls with argument deltas', async () => {
    harness.upstream.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
      argumentChunkSize: 4,
    });
    const stream = client.responses.stream({ model: 'openai/gpt-test', input: 'two cities', tools });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(final.output.map((item) => (item as OpenAI.Responses.ResponseFunctionToolCall).call_id)).toEqual(['call_a', 'call_b']);
    expect(final.output.map((item) => (item as OpenAI.Responses.ResponseFunctionToolCall).arguments)).toEqual(['{"city":"Oslo"}', '{"city":"Rome"}']);
    expect(types.filter((type) => type === 'response.function_call_arguments.done')).toHaveLength(2);
    expect(types).toContain('response.function_call_arguments.delta');
  });

  it('refuses a hosted tool the provider cannot run, naming the tool and the model, before any upstream call', async () => {
    const before = harness.upstream.requests.length;
    const error = await client.responses
      .create({ model: 'openai/gpt-test', input: 'search', tools: [{ type: 'web_search' }], metadata: { case: 'unsupported-tool' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
      message:
        "The tool type 'web_search' is not supported by model 'openai/gpt-test'. Remove it, use a model on OpenAI's Responses API, or send \"unsupported_tools\": \"drop\" to leave such tools out.",
      type: 'invalid_request_error',
      param: 'tools[0]',
      code: 'unsupported_tool',
    });
    expect(harness.upstream.requests.length).toBe(before);
  });

  it('accepts a coding agent request: namespace tools flattened, hosted tools dropped on request, unknown fields ignored', async () => {
    harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_ns', name: 'multi_agent_v1__close_agent', arguments: '{"target":"a1"}' }] });
    const response = await client.responses.create({
      model: 'openai/gpt-test',
      stream: false,
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'session-1',
      reasoning: { summary: 'auto' },
      parallel_tool_calls: true,
      tool_choice: 'auto',
      input: [
        { type: 'message', id: 'msg_client-supplied-1', role: 'developer', content: [{ type: 'input_text', text: 'You are a coding agent.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'close agent a1' }] },
      ],
      tools: [
        { type: 'function', name: 'exec_command', strict: false, parameters: { type: 'object', properties: {} } },
        {
          type: 'namespace',
          name: 'multi_agent_v1',
          description: 'agents',
          tools: [{ type: 'function', name: 'close_agent', strict: false, parameters: { type: 'object', properties: { target: { type: 'string' } } } }],
        },
        { type: 'web_search', external_web_access: false },
      ] as unknown as OpenAI.Responses.Tool[],
      client_metadata: { turn_id: 'x' },
      unsupported_tools: 'drop',
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(response.output[0]).toMatchObject({ type: 'function_call', name: 'close_agent', namespace: 'multi_agent_v1', call_id: 'call_ns' });
    const sent = harness.upstream.requests[0]!.body;
    expect(sent.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['exec_command', 'multi_agent_v1__close_agent']);
    expect(sent.prompt_cache_key).toBe('session-1');
    expect(sent.messages[0]).toEqual({ role: 'developer', content: 'You are a coding agent.' });
    expect(sent).not.toHaveProperty('client_metadata');
  });
});

describe('store: false', () => {
  it('answers but keeps nothing: not retrievable, not chainable', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-test', input: 'ephemeral', store: false });
    expect(response).toMatchObject({ status: 'completed', store: false, output_text: 'echo: ephemeral' });
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.create({ model: 'openai/gpt-test', input: 'next', previous_response_id: response.id })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
  });

  it('a first store: false turn reads nothing, and writes only its usage, after the answer', async () => {
    // Repositories own every query (docs/storage.md), so no call to theirs means no round trip.
    const repositories = [ResponsesRepository, ThreadStore, ConversationsRepository].map((type) => harness.app.get(type));
    const calls: string[] = [];
    const wrapped = repositories.flatMap((repository) =>
      Object.getOwnPropertyNames(Object.getPrototypeOf(repository))
        .filter((name) => name !== 'constructor' && typeof (repository as any)[name] === 'function')
        .map((name) => {
          const original = (repository as any)[name] as (...args: unknown[]) => unknown;
          (repository as any)[name] = (...args: unknown[]) => {
            calls.push(`${repository.constructor.name}.${name}`);
            return original.apply(repository, args);
          };
          return () => delete (repository as any)[name];
        }),
    );
    try {
      await client.responses.create({ model: 'openai/gpt-test', input: 'ephemeral', store: false });
      await client.responses.create({ model: 'openai/gpt-test', input: 'streamed', store: false, stream: true }).then(async (stream) => {
        for await (const _event of stream);
      });
      await harness.app.get(ResponsesService).usageRecorded();
      // Both usage records, in one batch or two depending on timing; nothing else.
      expect(new Set(calls)).toEqual(new Set(['ResponsesRepository.recordUsage']));
      // The same spies see a stored turn's reads and writes.
      await client.responses.create({ model: 'openai/gpt-test', input: 'kept' });
      expect(calls).toEqual(expect.arrayContaining(['ResponsesRepository.create', 'ResponsesRepository.commitTurn']));
    } finally {
      for (const restore of wrapped) restore();
    }
  });

  it('a stored response can be continued by a store: false turn, which stays invisible', async () => {
    const stored = await client.responses.create({ model: 'openai/gpt-test', input: 'kept' });
    const ephemeral = await client.responses.create({ model: 'openai/gpt-test', input: 'not kept', previous_response_id: stored.id, store: false });
    expect(upstreamMessages(1).map((message) => message.content)).toEqual(['kept', 'echo: kept', 'not kept']);
    await expect(client.responses.retrieve(ephemeral.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('status codes', () => {
  it('answers a synchronous create with 200, as OpenAI does (not 201)', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: { authorization: `Bearer ${PROJECT_A_KEY}` },
      body: JSON.stringify({ model: 'vllm/qwen3-8b', input: 'hi' }),
    });
    expect(response.status).toBe(200);
  });
});
