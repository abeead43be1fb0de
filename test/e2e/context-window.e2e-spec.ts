import OpenAI from 'openai';
import { Prisma } from '../../src/generated/prisma/client.js';
import { ThreadStore } from '../../src/history/thread-store.js';
import { PrismaClient } from '../../src/persistence/database.js';
import { Sql } from '../../src/persistence/sql.js';
import { ResponsesRepository } from '../../src/responses/responses.repository.js';
import { type Harness, startHarness, writeModelsFile } from './harness.js';

// The mock gives a model whose name contains `-ctx<N>` a window of N tokens and answers a longer
// prompt with its vendor's real error. The catalog below tells the server the same window, except
// for `-liar-` models, where it claims twice as much (our count is wrong: the upstream must be the judge).
const catalog = writeModelsFile([
  { match: '*-liar-ctx3000', contextWindow: 6000, defaultMaxOutputTokens: 256, maxOutputTokens: 1024 },
  { match: '*-ctx4000', contextWindow: 4000, defaultMaxOutputTokens: 256, maxOutputTokens: 1024 },
]);

const ADMIN_KEY = 'admin-test-key';
let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses', MODELS_FILE: catalog, ADMIN_API_KEY: ADMIN_KEY });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

type Body = any;
/** Per wire: the history the upstream got, and each tool call / tool output in it, in order. */
const wires = [
  {
    wire: 'OpenAI Responses',
    provider: 'openai/gpt-4o-mini',
    history: (body: Body) => body.input as unknown[],
    toolSequence: (body: Body) =>
      (body.input as Body[]).flatMap((item) =>
        item.type === 'function_call' ? [['call', item.call_id]] : item.type === 'function_call_output' ? [['output', item.call_id]] : [],
      ),
  },
  {
    wire: 'OpenAI Chat Completions',
    provider: 'vllm/qwen',
    history: (body: Body) => (body.messages as Body[]).filter((message) => message.role !== 'system'),
    toolSequence: (body: Body) =>
      (body.messages as Body[]).flatMap((message) =>
        message.role === 'tool' ? [['output', message.tool_call_id]] : (message.tool_calls ?? []).map((call: Body) => ['call', call.id]),
      ),
  },
  {
    wire: 'Anthropic Messages',
    provider: 'anthropic/claude-sonnet-4-5',
    history: (body: Body) => body.messages as unknown[],
    toolSequence: (body: Body) =>
      (body.messages as Body[]).flatMap((message) =>
        typeof message.content === 'string'
          ? []
          : (message.content as Body[]).flatMap((block) =>
              block.type === 'tool_use' ? [['call', block.id]] : block.type === 'tool_result' ? [['output', block.tool_use_id]] : [],
            ),
      ),
  },
  {
    wire: 'Gemini',
    provider: 'google/gemini-2.5-flash',
    history: (body: Body) => body.contents as unknown[],
    toolSequence: (body: Body) =>
      (body.contents as Body[]).flatMap((content) =>
        (content.parts as Body[]).flatMap((part) =>
          part.functionCall ? [['call', part.functionCall.name]] : part.functionResponse ? [['output', part.functionResponse.name]] : [],
        ),
      ),
  },
] as const;

// A conversation with tool calls in its history needs its tools on every request (Anthropic refuses tool blocks without them).
const weatherTools: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather by city',
    strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
];

/** ~400 tokens on the mock's count (one token per four characters). */
const text = (label: string) => `${label} `.padEnd(1600, 'lorem ipsum ');

/** Twelve turns' worth of conversation (about 5,000 tokens), with a tool call and its output in the middle. */
function longHistory(): OpenAI.Conversations.ConversationCreateParams['items'] {
  const items: NonNullable<OpenAI.Conversations.ConversationCreateParams['items']> = [];
  for (let turn = 0; turn < 6; turn++) {
    items.push({ type: 'message', role: 'user', content: text(`question ${turn}`) });
    if (turn === 3) {
      items.push({ type: 'function_call', call_id: 'call_weather', name: 'get_weather', arguments: '{"city":"Paris"}' } as never);
      items.push({ type: 'function_call_output', call_id: 'call_weather', output: text('sunny') } as never);
    }
    items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: text(`answer ${turn}`) }] } as never);
  }
  return items;
}

async function admin(path: string): Promise<Body> {
  const response = await fetch(`${harness.origin}/admin/v1${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return response.json();
}

async function countItems(conversationId: string): Promise<number> {
  let count = 0;
  for await (const _item of client.conversations.items.list(conversationId, { limit: 100 })) count++;
  return count;
}

/** Every tool output the upstream got follows its call: none of them lost its partner in a cut. */
function expectPairsIntact(sequence: Array<readonly [string, string]>): void {
  const calls = new Set<string>();
  for (const [kind, id] of sequence) {
    if (kind === 'call') calls.add(id);
    else expect(calls.has(id)).toBe(true);
  }
}

describe.each(wires)('$wire', ({ provider, history, toolSequence }) => {
  const model = `${provider}-ctx4000`;

  it('truncation disabled: a history over the window is a 400 context_length_exceeded before any upstream call, and nothing is stored', async () => {
    const conversation = await client.conversations.create({ items: longHistory() });
    const before = await countItems(conversation.id);
    const error = await client.responses
      .create({ model, conversation: conversation.id, input: 'And now?', tools: weatherTools })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
      message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
      type: 'invalid_request_error',
      param: 'input',
      code: 'context_length_exceeded',
    });
    expect(harness.upstream.requests).toHaveLength(0);
    expect(await countItems(conversation.id)).toBe(before);
  });

  it('truncation auto: the oldest turns are left out in one step, tool pairs stay whole, and 20 more turns succeed on a prefix that rarely moves', async () => {
    const conversation = await client.conversations.create({ items: longHistory() });
    const first = await client.responses.create({ model, conversation: conversation.id, input: 'And now?', truncation: 'auto', tools: weatherTools });
    expect(first.status).toBe('completed');
    expect(first.truncation).toBe('auto');
    const sent = harness.upstream.requests.at(-1)!.body;
    // The newest items are sent, the oldest are not; the cut went to ~70% of the budget in one step.
    expect(JSON.stringify(history(sent))).toContain('answer 5');
    expect(JSON.stringify(history(sent))).not.toContain('question 0');
    expectPairsIntact(toolSequence(sent));
    const inspected = await admin(`/responses/${first.id}`);
    expect(inspected.context).toMatchObject({ window: 4000, output_reserve: 256, budget: 3744, truncation: 'auto', cut: { reason: 'budget', from_seq: 0 } });
    expect(inspected.context.expected_tokens).toBeLessThanOrEqual(Math.floor(3744 * 0.7));
    expect(inspected.context.cut.dropped_items).toBeGreaterThan(0);

    // Twenty more turns of ~400 tokens in and out: every one succeeds, and the start moves only every few turns.
    const starts: unknown[] = [];
    const sentBodies: Array<{ id: string; raw: string }> = [];
    for (let turn = 0; turn < 20; turn++) {
      const response = await client.responses.create({
        model,
        conversation: conversation.id,
        input: text(`follow-up ${turn}`),
        truncation: 'auto',
        tools: weatherTools,
      });
      expect(response.status).toBe('completed');
      const body = harness.upstream.requests.at(-1)!.body;
      sentBodies.push({ id: response.id, raw: harness.upstream.requests.at(-1)!.rawBody });
      expectPairsIntact(toolSequence(body));
      expect(JSON.stringify(history(body))).toContain(`follow-up ${turn}`);
      starts.push(JSON.stringify(history(body)[0]));
    }
    const moves = starts.filter((start, index) => index > 0 && start !== starts[index - 1]).length;
    expect(harness.upstream.requests.filter((request) => request.method === 'POST')).toHaveLength(21);
    // Each turn adds ~800 tokens; a cut frees ~30% of 3,744, so the start moves about every other turn, never every turn.
    expect(moves).toBeGreaterThan(0);
    expect(moves).toBeLessThan(15);

    // Every body reads back exactly, and each is stored as what is new in it: the turns that moved
    // the start too, whose kept history is copied from the body before.
    const rows = await harness.app.get(PrismaClient).response.findMany({ where: { id: { in: sentBodies.map(({ id }) => id) } } });
    for (const { id, raw } of sentBodies) {
      expect((await admin(`/responses/${id}`)).upstream_request.body).toBe(raw);
      const row = rows.find((candidate) => candidate.id === id)!;
      expect(row.upstreamBodyBase).not.toBeNull();
      expect(row.upstreamBody!.length).toBeLessThan(raw.length / 3);
    }
    expect(rows.filter((row) => row.upstreamBodyCopies !== null).length).toBeGreaterThanOrEqual(moves);
  });

  it('when the upstream says the prompt is too long after all, auto cuts further and sends it once more; disabled answers 400', async () => {
    const liar = `${provider}-liar-ctx3000`;
    const conversation = await client.conversations.create({ items: longHistory()!.slice(0, 9) });
    const response = await client.responses.create({
      model: liar,
      conversation: conversation.id,
      input: 'Still there?',
      truncation: 'auto',
      tools: weatherTools,
    });
    expect(response.status).toBe('completed');
    const posts = harness.upstream.requests.filter((request) => !request.path.includes('count'));
    expect(posts).toHaveLength(2);
    expect(history(posts[1]!.body).length).toBeLessThan(history(posts[0]!.body).length);
    const inspected = await admin(`/responses/${response.id}`);
    expect(inspected.context.cut).toMatchObject({ reason: 'upstream' });
    expect(inspected.upstream_resends).toBe(1);

    harness.upstream.reset();
    const error = await client.responses
      .create({ model: liar, conversation: conversation.id, input: 'Still there?', tools: weatherTools })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
    expect(harness.upstream.requests).toHaveLength(1);
  });
});

describe('previous_response_id chains', () => {
  it('keep the start of the previous turn while the prompt fits, and cut in one step when it does not', async () => {
    const model = 'anthropic/claude-sonnet-4-5-ctx4000';
    let previous: string | undefined;
    const starts: string[] = [];
    for (let turn = 0; turn < 12; turn++) {
      const response = await client.responses.create({
        model,
        input: text(`turn ${turn}`),
        truncation: 'auto',
        ...(previous ? { previous_response_id: previous } : {}),
      });
      expect(response.status).toBe('completed');
      previous = response.id;
      starts.push(JSON.stringify(harness.upstream.requests.at(-1)!.body.messages[0]).slice(0, 100));
    }
    // The first cut happens once ~3,700 tokens are reached (turn 4 or 5); the start then stays put for a turn or more.
    expect(starts[0]).toBe(starts[3]);
    expect(new Set(starts).size).toBeGreaterThan(1);
    expect(new Set(starts).size).toBeLessThan(9);
    const inspected = await admin(`/responses/${previous}`);
    expect(inspected.context.start_seq).toBeGreaterThan(0);
  });
});

describe('POST /v1/responses/input_tokens', () => {
  // What the mock reports as a create's input tokens, by wire; the chat wire has no counting endpoint.
  const counted = [
    { wire: 'OpenAI Responses', model: 'openai/gpt-4o-mini-ctx4000', source: 'provider' },
    { wire: 'Anthropic Messages', model: 'anthropic/claude-sonnet-4-5-ctx4000', source: 'provider' },
    { wire: 'Gemini', model: 'google/gemini-2.5-flash-ctx4000', source: 'provider' },
  ] as const;

  it.each(counted)('$wire: equals the input tokens the provider reports for a create with the same body', async ({ model, source }) => {
    const conversation = await client.conversations.create({ items: longHistory()!.slice(0, 5) });
    const body = {
      model,
      conversation: conversation.id,
      input: 'How long is this?',
      tools: weatherTools,
      instructions: 'Be brief.',
      truncation: 'auto' as const,
    };
    const { data, response } = await client.responses.inputTokens.count(body).withResponse();
    expect(data.object).toBe('response.input_tokens');
    expect(response.headers.get('x-token-count-source')).toBe(source);
    // Counting stores nothing: the conversation is as it was.
    const created = await client.responses.create(body);
    expect(created.usage!.input_tokens).toBe(data.input_tokens);
  });

  it('a chat server without a counting endpoint gets our calibrated estimate, said so in a header', async () => {
    const body = { model: 'vllm/qwen-ctx4000', input: text('count me'), instructions: 'Be brief.' };
    const { data, response } = await client.responses.inputTokens.count(body).withResponse();
    expect(response.headers.get('x-token-count-source')).toBe('estimate');
    const created = await client.responses.create(body);
    // One token per four characters against the mock's count of the JSON it got: close, not exact.
    expect(Math.abs(data.input_tokens - created.usage!.input_tokens) / created.usage!.input_tokens).toBeLessThan(0.25);
  });

  it('counts a history past the window without refusing it, as truncation disabled would send it', async () => {
    const conversation = await client.conversations.create({ items: longHistory() });
    const data = await client.responses.inputTokens.count({
      model: 'anthropic/claude-sonnet-4-5-ctx4000',
      conversation: conversation.id,
      input: 'hi',
      tools: weatherTools,
    });
    expect(data.input_tokens).toBeGreaterThan(4000);
  });
});

describe('POST /v1/responses/compact', () => {
  it.each([
    ['OpenAI Responses (OpenAI compacts)', 'openai/gpt-4o-mini-ctx4000', /^mockcmp1\./],
    ['Anthropic Messages (our own summary)', 'anthropic/claude-sonnet-4-5-ctx4000', /^rse1\./],
    ['Gemini (our own summary)', 'google/gemini-2.5-flash-ctx4000', /^rse1\./],
  ])('%s: returns a CompactResource whose output chains into a later create', async (_wire, model, encrypted) => {
    const first = await client.responses.create({ model, input: text('the password is swordfish') });
    const compacted = await client.responses.compact({ model, previous_response_id: first.id, input: [{ role: 'user', content: 'and remember this too' }] });
    expect(compacted).toMatchObject({ object: 'response.compaction', id: expect.stringMatching(/^resp_/), created_at: expect.any(Number) });
    expect(compacted.output.map((item) => item.type)).toEqual(['compaction']);
    expect((compacted.output[0] as OpenAI.Responses.ResponseCompactionItem).encrypted_content).toMatch(encrypted);
    expect(compacted.usage.input_tokens).toBeGreaterThan(0);

    harness.upstream.reset();
    const next = await client.responses.create({
      model,
      store: false,
      input: [...(compacted.output as OpenAI.Responses.ResponseInputItem[]), { role: 'user', content: 'What was the password?' }],
    });
    expect(next.status).toBe('completed');
    expect(JSON.stringify(harness.upstream.requests.at(-1)!.body)).not.toContain('the password is swordfish');
  });

  it('model is required', async () => {
    const error = await client.responses.compact({ input: 'hi' } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');
  });
});

describe('prompt caching across cuts and compactions', () => {
  // A cut or a compaction moves the start of the prompt once; the turns after it share the new
  // prefix, and the planner's breakpoints (Anthropic) or the thread's cache key (OpenAI) make them
  // read it back. Prompts under the model's cache minimum (1,024 tokens) are never cached.
  const compactAt = [{ type: 'compaction' as const, compact_threshold: 3000 }];
  it.each([
    ['a truncation cut (Anthropic breakpoints)', 'anthropic/claude-sonnet-4-5-ctx4000', { truncation: 'auto' as const }, 'every turn after a move'],
    ['a compaction (Anthropic breakpoints)', 'anthropic/claude-sonnet-4-5-ctx4000', { context_management: compactAt }, 'a turn in every stretch'],
    ['a compaction (OpenAI prefix cache, native)', 'openai/gpt-4o-mini-ctx4000', { context_management: compactAt }, 'a turn in every stretch'],
  ])('after %s the next turns read the new prefix from the cache', async (_what, model, options, expectation) => {
    const conversation = await client.conversations.create();
    const moved: number[] = [];
    const readsCache: boolean[] = [];
    for (let turn = 0; turn < 20; turn++) {
      // Short answers and summaries (whichever call takes them); no reset in between: it would empty the caches.
      harness.upstream.enqueue({ kind: 'text', text: 'Noted.' }, { kind: 'text', text: 'Noted.' });
      const response = await client.responses.create({ model, conversation: conversation.id, input: text(`turn ${turn}`), ...options });
      expect(response.status).toBe('completed');
      const inspected = await admin(`/responses/${response.id}`);
      if (inspected.context.cut || inspected.context.compaction?.compacted) moved.push(turn);
      readsCache.push(response.usage!.input_tokens_details.cached_tokens / response.usage!.input_tokens > 0.5);
    }
    expect(moved.length).toBeGreaterThanOrEqual(2);
    const stretches = moved.slice(0, -1).map((from, index) => Array.from({ length: moved[index + 1]! - from - 1 }, (_, offset) => from + 1 + offset));
    if (expectation === 'every turn after a move') {
      for (const turn of moved.map((from) => from + 1).filter((turn) => turn < readsCache.length && !moved.includes(turn)))
        expect({ turn, reads: readsCache[turn] }).toEqual({ turn, reads: true });
    } else {
      for (const stretch of stretches) expect({ stretch, reads: stretch.some((turn) => readsCache[turn]) }).toEqual({ stretch, reads: true });
    }
  });
});

describe('the context anchor of a conversation', () => {
  it('is its newest finished turn: past a run of failed turns, never another project’s', async () => {
    const repository = harness.app.get(ResponsesRepository);
    const prisma = harness.app.get(PrismaClient);
    const conversationId = `conv_anchor${Date.now()}`;
    let createdAt = Date.now() - 60_000;
    const nextCreatedAt = () => {
      createdAt += 1_000;
      return createdAt;
    };
    let serial = 0;
    const row = (projectId: string, status: string, startSeq: number) => ({
      id: `resp_anchor${Date.now()}_${serial++}`,
      projectId,
      status,
      model: 'openai/gpt-4o-mini',
      settings: {},
      metadata: {},
      conversationId,
      contextPlan: { start_seq: startSeq, floor_seq: null, estimated_tokens: 1_000 + startSeq, model: 'openai/gpt-4o-mini' },
      createdAt: new Date(nextCreatedAt()),
    });
    // One finished turn, then more failed ones than the newest few the repository reads first.
    await prisma.response.createMany({ data: [row('project-a', 'completed', 4), ...Array.from({ length: 7 }, () => row('project-a', 'failed', 0))] });
    expect(await repository.latestContextAnchor('project-a', conversationId)).toMatchObject({ startSeq: 4, estimatedTokens: 1_004 });
    await prisma.response.createMany({ data: [row('project-a', 'incomplete', 7), row('project-a', 'failed', 0), row('project-b', 'completed', 9)] });
    expect(await repository.latestContextAnchor('project-a', conversationId)).toMatchObject({ startSeq: 7 });
    expect(await repository.latestContextAnchor('project-b', conversationId)).toMatchObject({ startSeq: 9 });
    expect(await repository.latestContextAnchor('project-a', `${conversationId}_none`)).toBeNull();
  });

  it('comes in one read with the history from it and the recent starts, and is read apart past a run of failed turns', async () => {
    const repository = harness.app.get(ResponsesRepository);
    const prisma = harness.app.get(PrismaClient);
    const conversation = await client.conversations.create({
      items: Array.from({ length: 5 }, (_, n) => ({ type: 'message' as const, role: 'user' as const, content: `item ${n}` })),
    });
    const { projectId } = await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    let at = Date.now() - 60_000;
    const tick = () => {
      at += 1_000;
      return at;
    };
    const row = (status: string, startSeq: number) => ({
      id: `resp_turn${tick()}`,
      projectId,
      status,
      model: 'openai/gpt-4o-mini',
      settings: {},
      metadata: {},
      conversationId: conversation.id,
      cacheThread: conversation.id,
      contextPlan: { start_seq: startSeq, floor_seq: 1, estimated_tokens: 900, model: 'openai/gpt-4o-mini' },
      createdAt: new Date(at),
    });
    await prisma.response.createMany({ data: [row('completed', 3), row('failed', 0)] });
    const options = { truncationAuto: true, startsLimit: 20, exceptId: 'resp_this_turn' };

    const auto = await repository.findConversationTurn(projectId, conversation.id, options);
    expect(auto).toMatchObject({ position: { endSeq: 5 }, loaded: { anchor: { startSeq: 3, floorSeq: 1 } } });
    expect(auto!.loaded!.history.map((entry) => entry.seq)).toEqual([3, 4]);
    // The same entries, item for item, as the history query on its own reads.
    expect(auto!.loaded!.history).toEqual(await harness.app.get(ThreadStore).loadHistory(projectId, auto!.position, 3));
    expect(auto!.loaded!.history[0]!.item).toMatchObject({ type: 'message', role: 'user' });
    expect(auto!.loaded!.starts.map((start) => start.getTime())).toEqual([at, at - 1_000]);
    // Under truncation disabled the history starts at the newest compaction (floor_seq) instead.
    const disabled = await repository.findConversationTurn(projectId, conversation.id, { ...options, truncationAuto: false });
    expect(disabled!.loaded!.history.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);

    // A store: false turn's usage row (no context plan) anchors nothing: the turn before it still does.
    await prisma.response.create({
      data: { ...row('completed', 0), contextPlan: Prisma.DbNull, deletedAt: new Date(at + 2_000), createdAt: new Date(at + 2_000) },
    });
    expect(await repository.findConversationTurn(projectId, conversation.id, options)).toMatchObject({ loaded: { anchor: { startSeq: 3 } } });
    expect(await repository.latestContextAnchor(projectId, conversation.id)).toMatchObject({ startSeq: 3 });

    // Past more failed turns than the newest few, the anchor (and the history from it) is read apart.
    await prisma.response.createMany({ data: Array.from({ length: 5 }, () => row('failed', 0)) });
    expect((await repository.findConversationTurn(projectId, conversation.id, options))!.loaded).toBeNull();
    expect(await repository.latestContextAnchor(projectId, conversation.id)).toMatchObject({ startSeq: 3 });
    expect(await repository.findConversationTurn(projectId, `${conversation.id}_none`, options)).toBeNull();
    expect(await repository.findConversationTurn('another-project', conversation.id, options)).toBeNull();
  });
});

describe('the one read of a turn', () => {
  /** Rows the plan of `text` read from the turn's tables (returned, or read and filtered out), over all its loops. */
  async function rowsRead(text: string, params: readonly unknown[]): Promise<number> {
    const [row] = await harness.app.get(Sql).query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
    const plan = typeof row!['QUERY PLAN'] === 'string' ? JSON.parse(row!['QUERY PLAN']) : row!['QUERY PLAN'];
    let read = 0;
    const walk = (node: Record<string, any>) => {
      if (['items', 'responses', 'threads', 'conversations'].includes(node['Relation Name'])) {
        read +=
          ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * (node['Actual Loops'] ?? 1);
      }
      for (const child of node['Plans'] ?? []) walk(child);
    };
    walk((plan as Array<{ Plan: Record<string, any> }>)[0]!.Plan);
    return read;
  }

  /**
   * The statements `work` sends through the Sql service, with their parameters. The server's timers
   * (run liveness, the webhook claim) use the same service meanwhile; theirs are left out.
   */
  async function statementsOf(work: () => Promise<unknown>): Promise<Array<{ text: string; params: readonly unknown[] }>> {
    const sql = harness.app.get(Sql);
    const query = sql.query;
    const sent: Array<{ text: string; params: readonly unknown[] }> = [];
    sql.query = ((text: string, params: readonly unknown[] = [], name?: string) => {
      if (!/webhook_deliveries|heartbeat_at/.test(text)) sent.push({ text, params });
      return query.call(sql, text, params, name);
    }) as Sql['query'];
    try {
      await work();
    } finally {
      sql.query = query;
    }
    return sent;
  }

  it('reads about as many rows as it returns, however many turns and items the database holds', async () => {
    const repository = harness.app.get(ResponsesRepository);
    const prisma = harness.app.get(PrismaClient);
    // What must not be read: another conversation's 300 items, and 300 earlier turns of this one.
    const other = await client.conversations.create();
    for (let n = 0; n < 15; n++) {
      await client.conversations.items.create(other.id, {
        items: Array.from({ length: 20 }, (_, k) => ({ type: 'message' as const, role: 'user' as const, content: `noise ${n}.${k}` })),
      });
    }
    const conversation = await client.conversations.create({
      items: Array.from({ length: 4 }, (_, n) => ({ type: 'message' as const, role: 'user' as const, content: `item ${n}` })),
    });
    const { projectId } = await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    let at = Date.now() - 3_600_000;
    const tick = () => {
      at += 1_000;
      return at;
    };
    await prisma.response.createMany({
      data: Array.from({ length: 300 }, (_, n) => ({
        id: `resp_many${at}_${n}`,
        projectId,
        status: 'failed',
        model: 'openai/gpt-4o-mini',
        settings: {},
        metadata: {},
        cacheThread: conversation.id,
        createdAt: new Date(tick()),
      })),
    });
    const previous = await client.responses.create({ model: 'openai/gpt-4o-mini', conversation: conversation.id, input: 'hello' });
    const options = { truncationAuto: false, startsLimit: 20, exceptId: 'resp_this_turn' };

    const reads = (startsLimit: number) => [
      () => repository.findConversationTurn(projectId, conversation.id, { ...options, startsLimit }),
      () => repository.findPreviousTurn(projectId, previous.id, { ...options, startsLimit }),
    ];
    const withStarts: number[] = [];
    for (const read of reads(20)) {
      const [statement, ...more] = await statementsOf(read);
      expect(more).toEqual([]);
      const loaded = await read();
      const history = 'loaded' in loaded! ? loaded.loaded!.history : loaded!.history!;
      const starts = 'loaded' in loaded! ? loaded.loaded!.starts : loaded!.starts;
      expect(history).toHaveLength(6);
      expect(starts).toHaveLength(20);
      // The history, the starts asked for (one more than kept), the head row and the thread: the
      // noise is ten times that.
      withStarts.push(await rowsRead(statement!.text, statement!.params));
      expect(withStarts.at(-1)).toBeLessThan(60);
    }
    // A model whose cache planning never looks at the thread's rhythm asks for no starts: the walk
    // down the 300 earlier turns never begins (21 rows fewer read).
    for (const [index, read] of reads(0).entries()) {
      const [statement] = await statementsOf(read);
      const loaded = await read();
      expect('loaded' in loaded! ? loaded.loaded!.starts : loaded!.starts).toEqual([]);
      expect(await rowsRead(statement!.text, statement!.params)).toBeLessThanOrEqual(withStarts[index]! - 21);
    }
  });
});
