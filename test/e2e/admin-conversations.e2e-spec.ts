import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
import { ResponsesService } from '../../src/responses/responses.service.js';
import { type Harness, rawRequest, startHarness } from './harness.js';

// The admin API's conversations (list with filters, one with its timeline and totals) and usage report.

const ADMIN_KEY = 'admin-conversations-e2e-key';
const model = 'vllm/qwen3-8b';
const otherModel = 'vllm/llama-3.1-8b';
let harness: Harness;
let prisma: PrismaClient;

beforeAll(async () => {
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY });
  prisma = harness.app.get(PrismaClient);
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

async function admin(path: string) {
  const response = await rawRequest(harness.origin, path, { method: 'GET', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return { status: response.status, json: response.json as any };
}

/** A value no other test's conversations carry, so each test sees only its own in a list across projects. */
const newTag = () => `t-${randomBytes(4).toString('hex')}`;

async function listIds(query: string): Promise<string[]> {
  const page = await admin(`/admin/v1/conversations?${query}`);
  expect(page.status).toBe(200);
  return page.json.data.map((conversation: { id: string }) => conversation.id);
}

/** Every page of a listing, following `last_id`; fails on a repeated id. */
async function walk(query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await admin(`/admin/v1/conversations?${query}&limit=${limit}${after ? `&after=${after}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.json.data.length).toBeLessThanOrEqual(limit);
    ids.push(...page.json.data.map((conversation: { id: string }) => conversation.id));
    if (!page.json.has_more) break;
    after = page.json.last_id;
  }
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

const unix = (iso: string) => Date.parse(iso) / 1000;

/** Moves a conversation in time; `touchedAt` is when its items last changed (its thread's updated_at). */
async function setConversationTimes(id: string, times: { createdAt: string; updatedAt?: string; touchedAt?: string }) {
  const createdAt = new Date(times.createdAt);
  const updatedAt = new Date(times.updatedAt ?? times.createdAt);
  const touchedAt = new Date(times.touchedAt ?? times.createdAt);
  await prisma.$executeRaw`UPDATE conversations SET created_at = ${createdAt}, updated_at = ${updatedAt} WHERE id = ${id}`;
  await prisma.$executeRaw`UPDATE threads SET updated_at = ${touchedAt} WHERE id = (SELECT thread_id FROM conversations WHERE id = ${id})`;
}

describe('GET /admin/v1/conversations', () => {
  it('lists conversations of every project with their fields, newest first', async () => {
    const tag = newTag();
    const a = await harness.client.conversations.create({ metadata: { suite: tag } });
    const b = await harness.clientB.conversations.create({ metadata: { suite: tag }, cache_policy: 'aggressive', reasoning_policy: 'preserve' } as any);
    await setConversationTimes(a.id, { createdAt: '2030-01-01T00:00:00Z' });
    await setConversationTimes(b.id, { createdAt: '2030-01-02T00:00:00Z', updatedAt: '2030-01-03T00:00:00Z' });

    const page = await admin(`/admin/v1/conversations?metadata[suite]=${tag}`);
    expect(page).toMatchObject({ status: 200, json: { object: 'list', first_id: b.id, last_id: a.id, has_more: false } });
    expect(page.json.data).toEqual([
      {
        id: b.id,
        object: 'admin.conversation',
        project_id: 'project-b',
        metadata: { suite: tag },
        cache_policy: 'aggressive',
        reasoning_policy: 'preserve',
        created_at: unix('2030-01-02T00:00:00Z'),
        updated_at: unix('2030-01-03T00:00:00Z'),
        deleted_at: null,
      },
      expect.objectContaining({ id: a.id, project_id: 'project-a', cache_policy: null, reasoning_policy: null, created_at: unix('2030-01-01T00:00:00Z') }),
    ]);
    expect(await listIds(`metadata[suite]=${tag}&order=asc`)).toEqual([a.id, b.id]);
  });

  it('filters by project, metadata, model and failed responses, combined with AND', async () => {
    const tag = newTag();
    const redA = await harness.client.conversations.create({ metadata: { suite: tag, team: 'red' } });
    const blueA = await harness.client.conversations.create({ metadata: { suite: tag, team: 'blue' } });
    const redB = await harness.clientB.conversations.create({ metadata: { suite: tag, team: 'red', note: 'a "quoted" value' } });
    const quiet = await harness.client.conversations.create({ metadata: { suite: tag, team: 'red' } });
    await harness.client.responses.create({ model, conversation: redA.id, input: 'hello' });
    await harness.client.responses.create({ model: otherModel, conversation: blueA.id, input: 'hello' });
    await harness.clientB.responses.create({ model, conversation: redB.id, input: 'fine' });
    harness.upstream.enqueue({ kind: 'error', status: 400, message: 'refused on purpose' });
    await expect(harness.clientB.responses.create({ model, conversation: redB.id, input: 'refused' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);

    const sorted = (ids: string[]) => [...ids].sort();
    const ids = async (query: string) => sorted(await listIds(`metadata[suite]=${tag}&${query}`));
    expect(await ids('')).toEqual(sorted([redA.id, blueA.id, redB.id, quiet.id]));
    expect(await ids('metadata[team]=red')).toEqual(sorted([redA.id, redB.id, quiet.id]));
    // URLSearchParams encodes the brackets.
    expect(await ids(new URLSearchParams({ 'metadata[team]': 'red' }).toString())).toEqual(sorted([redA.id, redB.id, quiet.id]));
    expect(await ids(`metadata[note]=${encodeURIComponent('a "quoted" value')}`)).toEqual([redB.id]);
    expect(await ids('metadata[team]=green')).toEqual([]);
    expect(await ids('metadata[nope]=red')).toEqual([]);
    expect(await ids('project_id=project-a')).toEqual(sorted([redA.id, blueA.id, quiet.id]));
    expect(await ids('project_id=project-b&metadata[team]=red')).toEqual([redB.id]);
    expect(await ids('project_id=nobody')).toEqual([]);
    expect(await ids(`model=${encodeURIComponent(model)}`)).toEqual(sorted([redA.id, redB.id]));
    expect(await ids(`model=${encodeURIComponent(otherModel)}`)).toEqual([blueA.id]);
    expect(await ids('has_failed_responses=true')).toEqual([redB.id]);
    expect(await ids('has_failed_responses=false')).toEqual(sorted([redA.id, blueA.id, quiet.id]));
    expect(await ids(`has_failed_responses=false&model=${encodeURIComponent(model)}&project_id=project-a`)).toEqual([redA.id]);
  });

  it('leaves deleted conversations out unless include_deleted=true', async () => {
    const tag = newTag();
    const kept = await harness.client.conversations.create({ metadata: { suite: tag } });
    const deleted = await harness.client.conversations.create({ metadata: { suite: tag } });
    await harness.client.conversations.delete(deleted.id);

    expect(await listIds(`metadata[suite]=${tag}`)).toEqual([kept.id]);
    expect(await listIds(`metadata[suite]=${tag}&include_deleted=false`)).toEqual([kept.id]);
    const all = await admin(`/admin/v1/conversations?metadata[suite]=${tag}&include_deleted=true&order=asc`);
    expect(all.json.data).toEqual([
      expect.objectContaining({ id: kept.id, deleted_at: null }),
      expect.objectContaining({ id: deleted.id, deleted_at: expect.any(Number) }),
    ]);
  });

  it('filters by created and updated time ranges, half-open, where updated counts items appended', async () => {
    const tag = newTag();
    const [january, february, march] = await Promise.all([1, 2, 3].map(() => harness.client.conversations.create({ metadata: { suite: tag } })));
    await setConversationTimes(january!.id, { createdAt: '2001-01-01T00:00:00Z', updatedAt: '2001-01-01T00:00:00Z', touchedAt: '2001-06-01T00:00:00Z' });
    await setConversationTimes(february!.id, { createdAt: '2001-02-01T00:00:00Z', updatedAt: '2001-04-01T00:00:00Z', touchedAt: '2001-02-01T00:00:00Z' });
    await setConversationTimes(march!.id, { createdAt: '2001-03-01T00:00:00Z' });
    const ids = (query: string) => listIds(`metadata[suite]=${tag}&order=asc&${query}`);

    expect(await ids(`created_after=${unix('2001-02-01T00:00:00Z')}`)).toEqual([february!.id, march!.id]);
    expect(await ids(`created_before=${unix('2001-02-01T00:00:00Z')}`)).toEqual([january!.id]);
    expect(await ids(`created_after=${unix('2001-01-15T00:00:00Z')}&created_before=${unix('2001-03-01T00:00:00Z')}`)).toEqual([february!.id]);
    // January's conversation row is old, but items went into it in June.
    expect(await ids(`updated_after=${unix('2001-05-01T00:00:00Z')}`)).toEqual([january!.id]);
    expect(await ids(`updated_after=${unix('2001-03-15T00:00:00Z')}&updated_before=${unix('2001-05-01T00:00:00Z')}`)).toEqual([february!.id]);
    expect(await ids(`updated_before=${unix('2001-03-15T00:00:00Z')}`)).toEqual([march!.id]);

    const listed = await admin(`/admin/v1/conversations?metadata[suite]=${tag}&order=asc`);
    expect(listed.json.data.map((conversation: { updated_at: number }) => conversation.updated_at)).toEqual([
      unix('2001-06-01T00:00:00Z'),
      unix('2001-04-01T00:00:00Z'),
      unix('2001-03-01T00:00:00Z'),
    ]);

    // A real append moves updated_at to now.
    const before = Math.floor(Date.now() / 1000);
    await harness.client.conversations.items.create(march!.id, { items: [{ type: 'message', role: 'user', content: 'later' }] });
    expect(await ids(`updated_after=${before}`)).toEqual([march!.id]);
  });

  it('walks every page in both orders without repeating or skipping, ties broken by id', async () => {
    const tag = newTag();
    const created = [];
    for (let index = 0; index < 7; index++) created.push(await harness.client.conversations.create({ metadata: { suite: tag } }));
    // Pairs share a timestamp, so the order within a pair comes from the id alone.
    const times = ['2031-01-01', '2031-01-01', '2031-01-02', '2031-01-02', '2031-01-03', '2031-01-04', '2031-01-04'];
    await Promise.all(created.map((conversation, index) => setConversationTimes(conversation.id, { createdAt: `${times[index]}T00:00:00Z` })));
    const ascending = created
      .map((conversation, index) => ({ id: conversation.id, at: times[index]! }))
      .sort((x, y) => (x.at === y.at ? (x.id < y.id ? -1 : 1) : x.at < y.at ? -1 : 1))
      .map((entry) => entry.id);

    for (const limit of [1, 2, 3, 7, 100]) {
      expect(await walk(`metadata[suite]=${tag}&order=asc`, limit)).toEqual(ascending);
      expect(await walk(`metadata[suite]=${tag}`, limit)).toEqual([...ascending].reverse());
    }
    const first = await admin(`/admin/v1/conversations?metadata[suite]=${tag}&limit=3&order=asc`);
    expect(first.json).toMatchObject({ first_id: ascending[0], last_id: ascending[2], has_more: true });
    const last = await admin(`/admin/v1/conversations?metadata[suite]=${tag}&limit=3&order=asc&after=${ascending[5]}`);
    expect(last.json).toMatchObject({ data: [expect.objectContaining({ id: ascending[6] })], has_more: false });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['order=newest', 'order'],
    ['after=conv_nope', 'after'],
    ['created_after=yesterday', 'created_after'],
    ['created_after=', 'created_after'],
    ['created_before=-5', 'created_before'],
    ['updated_after=1.5', 'updated_after'],
    ['updated_before=99999999999999', 'updated_before'],
    ['created_after=200&created_before=100', 'created_before'],
    ['updated_after=100&updated_before=100', 'updated_before'],
    ['has_failed_responses=yes', 'has_failed_responses'],
    ['include_deleted=1', 'include_deleted'],
    ['project_id=', 'project_id'],
    ['model=', 'model'],
    ['project_id=a&project_id=b', 'project_id'],
    ['metadata[team]=a&metadata[team]=b', 'metadata[team]'],
    ['projectid=project-a', 'projectid'],
    ['metadata=team', 'metadata'],
  ])('answers 400 naming the param for %s', async (query, param) => {
    const response = await admin(`/admin/v1/conversations?${query}`);
    expect(response).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', param } } });
    expect(response.json.error.message).toEqual(expect.any(String));
  });

  it('answers 400 for more metadata pairs than a conversation can hold', async () => {
    const query = Array.from({ length: 17 }, (_, index) => `metadata[k${index}]=v`).join('&');
    expect(await admin(`/admin/v1/conversations?${query}`)).toMatchObject({ status: 400, json: { error: { param: 'metadata' } } });
  });
});

describe('GET /admin/v1/conversations/{id}', () => {
  const user = (text: string) => ({ type: 'message' as const, role: 'user' as const, content: text });

  it('shows the timeline in order with deleted items marked, every response, and totals that add up', async () => {
    const conversation = await harness.clientB.conversations.create({ metadata: { topic: 'audit' }, items: [user('seed')] });
    const first = await harness.clientB.responses.create({ model, conversation: conversation.id, input: 'one' });
    harness.upstream.enqueue({ kind: 'error', status: 400, message: 'refused on purpose' });
    await expect(harness.clientB.responses.create({ model, conversation: conversation.id, input: 'refused' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const second = await harness.clientB.responses.create({ model: otherModel, conversation: conversation.id, input: 'two' });
    const [added] = (await harness.clientB.conversations.items.create(conversation.id, { items: [user('note')] })).data;
    const seedId = (await harness.clientB.conversations.items.list(conversation.id, { order: 'asc' })).data[0]!.id!;
    await harness.clientB.conversations.items.delete(seedId, { conversation_id: conversation.id });

    const { status, json } = await admin(`/admin/v1/conversations/${conversation.id}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      id: conversation.id,
      object: 'admin.conversation',
      project_id: 'project-b',
      metadata: { topic: 'audit' },
      cache_policy: null,
      reasoning_policy: null,
      created_at: conversation.created_at,
      updated_at: expect.any(Number),
      deleted_at: null,
      items_has_more: false,
    });

    // The refused turn added nothing; the seed is still shown, marked deleted.
    const timeline = json.items.map((item: any) => [
      item.seq,
      item.direction,
      item.response_id,
      item.type,
      item.role,
      item.deleted_at === null ? 'live' : 'deleted',
    ]);
    expect(timeline).toEqual([
      [0, 'input', null, 'message', 'user', 'deleted'],
      [1, 'input', first.id, 'message', 'user', 'live'],
      [2, 'output', first.id, 'message', 'assistant', 'live'],
      [3, 'input', second.id, 'message', 'user', 'live'],
      [4, 'output', second.id, 'message', 'assistant', 'live'],
      [5, 'input', null, 'message', 'user', 'live'],
    ]);
    expect(json.items[0]).toMatchObject({
      id: seedId,
      content: [{ type: 'input_text', text: 'seed' }],
      deleted_at: expect.any(Number),
      created_at: expect.any(Number),
    });
    expect(json.items[2]).toMatchObject({ id: first.output[0]!.id, content: [expect.objectContaining({ type: 'output_text', text: 'echo: one' })] });
    expect(json.items[5].id).toBe(added!.id);
    // What the Conversations API still lists is the timeline without the deleted item.
    const live = await harness.clientB.conversations.items.list(conversation.id, { order: 'asc' });
    expect(live.data.map((item) => item.id)).toEqual(json.items.slice(1).map((item: { id: string }) => item.id));

    expect(json.responses.map((response: any) => [response.model, response.status])).toEqual([
      [model, 'completed'],
      [model, 'failed'],
      [otherModel, 'completed'],
    ]);
    expect(json.responses[0]).toEqual({
      id: first.id,
      status: 'completed',
      model,
      created_at: first.created_at,
      completed_at: expect.any(Number),
      deleted_at: null,
      usage: first.usage,
      cost_usd: null,
      cache_saved_usd: null,
      error: null,
    });
    expect(json.responses[1]).toMatchObject({ status: 'failed', error: expect.anything() });
    expect(json.responses[2]).toMatchObject({ id: second.id, usage: second.usage });

    // The refused turn may carry an estimated usage (README: usage of a cut-short call); it counts too.
    const usages: OpenAI.Responses.ResponseUsage[] = json.responses.map((response: any) => response.usage).filter(Boolean);
    expect(usages.length).toBeGreaterThanOrEqual(2);
    const sum = (pick: (usage: OpenAI.Responses.ResponseUsage) => number) => usages.reduce((total, usage) => total + pick(usage), 0);
    expect(json.totals).toEqual({
      responses: 3,
      input_tokens: sum((usage) => usage.input_tokens),
      cached_tokens: sum((usage) => usage.input_tokens_details.cached_tokens),
      cache_write_tokens: sum((usage) => (usage.input_tokens_details as { cache_write_tokens?: number }).cache_write_tokens ?? 0),
      output_tokens: sum((usage) => usage.output_tokens),
      reasoning_tokens: sum((usage) => usage.output_tokens_details.reasoning_tokens),
      cost_usd: 0,
      cache_saved_usd: 0,
    });
    expect(json.totals.input_tokens).toBeGreaterThanOrEqual(first.usage!.input_tokens + second.usage!.input_tokens);
  });

  it('sums costs of priced models into the totals', async () => {
    const conversation = await harness.client.conversations.create();
    const priced = 'anthropic/claude-sonnet-4-5';
    const first = await harness.client.responses.create({ model: priced, conversation: conversation.id, input: 'one' });
    const second = await harness.client.responses.create({ model: priced, conversation: conversation.id, input: 'two' });
    const { json } = await admin(`/admin/v1/conversations/${conversation.id}`);
    const costs = json.responses.map((response: { cost_usd: number }) => response.cost_usd);
    expect(costs).toEqual([expect.any(Number), expect.any(Number)]);
    expect(json.totals.cost_usd).toBeCloseTo(costs[0] + costs[1], 12);
    expect(json.totals.input_tokens).toBe(first.usage!.input_tokens + second.usage!.input_tokens);
    expect(json.totals.cache_saved_usd).toBeCloseTo(
      json.responses.reduce((total: number, response: { cache_saved_usd: number }) => total + response.cache_saved_usd, 0),
      12,
    );
  });

  it('pages a long timeline by seq', async () => {
    const conversation = await harness.client.conversations.create({ items: Array.from({ length: 7 }, (_, index) => user(`item ${index}`)) });
    const whole = (await admin(`/admin/v1/conversations/${conversation.id}`)).json;
    expect(whole.items.map((item: { seq: number }) => item.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const seen: number[] = [];
    let after: number | null = null;
    for (;;) {
      const page: { items: Array<{ seq: number }>; items_has_more: boolean } = (
        await admin(`/admin/v1/conversations/${conversation.id}?items_limit=3${after === null ? '' : `&items_after=${after}`}`)
      ).json;
      seen.push(...page.items.map((item) => item.seq));
      if (!page.items_has_more) break;
      after = page.items.at(-1)!.seq;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await admin(`/admin/v1/conversations/${conversation.id}?items_limit=7`)).json.items_has_more).toBe(false);
    expect((await admin(`/admin/v1/conversations/${conversation.id}?items_limit=6`)).json.items_has_more).toBe(true);
    expect((await admin(`/admin/v1/conversations/${conversation.id}?items_after=6`)).json).toMatchObject({ items: [], items_has_more: false });
    // The timeline pages; the totals are the conversation's whatever the page.
    expect((await admin(`/admin/v1/conversations/${conversation.id}?items_limit=1`)).json.totals.responses).toBe(0);
  });

  it('shows a deleted conversation, marked', async () => {
    const conversation = await harness.client.conversations.create();
    await harness.client.conversations.delete(conversation.id);
    expect((await admin(`/admin/v1/conversations/${conversation.id}`)).json).toMatchObject({ id: conversation.id, deleted_at: expect.any(Number) });
  });

  it('answers 404 for an unknown id and 400 for bad item paging', async () => {
    expect(await admin('/admin/v1/conversations/conv_unknown')).toMatchObject({
      status: 404,
      json: { error: { type: 'invalid_request_error', code: 'not_found', param: 'conversation_id' } },
    });
    const conversation = await harness.client.conversations.create();
    for (const [query, param] of [
      ['items_limit=0', 'items_limit'],
      ['items_limit=1001', 'items_limit'],
      ['items_after=-1', 'items_after'],
      ['items_after=', 'items_after'],
      ['limit=5', 'limit'],
    ]) {
      expect({ query, ...(await admin(`/admin/v1/conversations/${conversation.id}?${query}`)) }).toMatchObject({
        query,
        status: 400,
        json: { error: { param } },
      });
    }
  });
});

describe('GET /admin/v1/usage', () => {
  // A window in the past that no other test writes to.
  const start = unix('2002-03-01T00:00:00Z');
  const end = start + 3600;
  let expected: Record<string, OpenAI.Responses.ResponseUsage[]>;

  beforeAll(async () => {
    const at = async (response: OpenAI.Responses.Response, secondsFromStart: number) => {
      await prisma.response.update({ where: { id: response.id }, data: { createdAt: new Date((start + secondsFromStart) * 1000) } });
      return response;
    };
    const a1 = await at(await harness.client.responses.create({ model, input: 'a at the start' }), 0);
    const a2 = await at(await harness.client.responses.create({ model, input: 'a again, a bit longer' }), 60);
    const a3 = await at(await harness.client.responses.create({ model: otherModel, input: 'a on the other model' }), 120);
    const b1 = await at(await harness.clientB.responses.create({ model, input: 'b' }), 3599);
    // At the end (excluded) and before the start.
    await at(await harness.client.responses.create({ model, input: 'a at the end' }), 3600);
    await at(await harness.clientB.responses.create({ model, input: 'b before' }), -1);
    expected = { [`project-a ${model}`]: [a1.usage!, a2.usage!], [`project-a ${otherModel}`]: [a3.usage!], [`project-b ${model}`]: [b1.usage!] };
  });

  function totalsOf(usages: OpenAI.Responses.ResponseUsage[]) {
    const sum = (pick: (usage: OpenAI.Responses.ResponseUsage) => number) => usages.reduce((total, usage) => total + pick(usage), 0);
    return {
      responses: usages.length,
      input_tokens: sum((usage) => usage.input_tokens),
      cached_tokens: sum((usage) => usage.input_tokens_details.cached_tokens),
      cache_write_tokens: sum((usage) => (usage.input_tokens_details as { cache_write_tokens?: number }).cache_write_tokens ?? 0),
      output_tokens: sum((usage) => usage.output_tokens),
      reasoning_tokens: sum((usage) => usage.output_tokens_details.reasoning_tokens),
      cost_usd: 0,
      cache_saved_usd: 0,
    };
  }

  it('sums per project and model over [start_time, end_time), ordered by project then model', async () => {
    const { status, json } = await admin(`/admin/v1/usage?start_time=${start}&end_time=${end}`);
    expect(status).toBe(200);
    expect(json).toEqual({
      object: 'list',
      start_time: start,
      end_time: end,
      data: [
        { project_id: 'project-a', model: otherModel, ...totalsOf(expected[`project-a ${otherModel}`]!) },
        { project_id: 'project-a', model, ...totalsOf(expected[`project-a ${model}`]!) },
        { project_id: 'project-b', model, ...totalsOf(expected[`project-b ${model}`]!) },
      ],
    });
    expect(json.data[1].input_tokens).toBeGreaterThan(0);
    expect((await admin(`/admin/v1/usage?start_time=${start}&end_time=${end}&group_by=project,model`)).json.data).toEqual(json.data);
  });

  it('counts store: false turns, which keep their usage and cost but no content, and cannot be read back', async () => {
    const window = unix('2002-04-01T00:00:00Z');
    const ephemeral = await harness.client.responses.create({ model, input: 'not kept', store: false, instructions: 'secret instructions' });
    const another = await harness.client.responses.create({ model, input: 'not kept either, and longer', store: false });
    // Written together, after the answers.
    await harness.app.get(ResponsesService).usageRecorded();
    await prisma.response.updateMany({ where: { id: { in: [ephemeral.id, another.id] } }, data: { createdAt: new Date(window * 1000) } });
    const { json } = await admin(`/admin/v1/usage?start_time=${window}&end_time=${window + 60}`);
    expect(json.data).toEqual([{ project_id: 'project-a', model, ...totalsOf([ephemeral.usage!, another.usage!]) }]);
    expect(json.data[0].input_tokens).toBeGreaterThan(0);
    const row = await prisma.response.findUniqueOrThrow({ where: { id: ephemeral.id } });
    expect(row).toMatchObject({ request: null, upstreamRequest: null, upstreamBody: null, deletedAt: expect.any(Date) });
    expect((row.settings as { instructions: unknown }).instructions).toBeNull();
    await expect(harness.client.responses.retrieve(ephemeral.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('groups by project or by model alone', async () => {
    const byProject = (await admin(`/admin/v1/usage?start_time=${start}&end_time=${end}&group_by=project`)).json.data;
    expect(byProject).toEqual([
      { project_id: 'project-a', model: null, ...totalsOf([...expected[`project-a ${model}`]!, ...expected[`project-a ${otherModel}`]!]) },
      { project_id: 'project-b', model: null, ...totalsOf(expected[`project-b ${model}`]!) },
    ]);
    const byModel = (await admin(`/admin/v1/usage?start_time=${start}&end_time=${end}&group_by=model`)).json.data;
    expect(byModel).toEqual([
      { project_id: null, model: otherModel, ...totalsOf(expected[`project-a ${otherModel}`]!) },
      { project_id: null, model, ...totalsOf([...expected[`project-a ${model}`]!, ...expected[`project-b ${model}`]!]) },
    ]);
  });

  it('narrows to one project and to a time range', async () => {
    const onlyB = (await admin(`/admin/v1/usage?start_time=${start}&end_time=${end}&project_id=project-b`)).json.data;
    expect(onlyB).toEqual([{ project_id: 'project-b', model, ...totalsOf(expected[`project-b ${model}`]!) }]);
    // The first minute holds a1 only; start_time is included, end_time is not.
    const firstMinute = (await admin(`/admin/v1/usage?start_time=${start}&end_time=${start + 60}`)).json.data;
    expect(firstMinute).toEqual([{ project_id: 'project-a', model, ...totalsOf([expected[`project-a ${model}`]![0]!]) }]);
    expect((await admin(`/admin/v1/usage?start_time=${end + 7200}&end_time=${end + 7300}`)).json.data).toEqual([]);
  });

  it('runs to now without end_time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { json } = await admin(`/admin/v1/usage?start_time=${start}&group_by=project`);
    expect(json.end_time).toBeGreaterThanOrEqual(before);
    expect(json.end_time).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    // Everything since the window opened: the response at its end and every other test's too.
    const projectA = json.data.find((row: { project_id: string }) => row.project_id === 'project-a');
    expect(projectA.responses).toBeGreaterThan(expected[`project-a ${model}`]!.length + expected[`project-a ${otherModel}`]!.length);
  });

  it.each([
    ['', 'start_time'],
    ['start_time=soon', 'start_time'],
    [`start_time=${start}&end_time=${start}`, 'end_time'],
    [`start_time=${start}&end_time=${start - 10}`, 'end_time'],
    [`start_time=${start}&group_by=team`, 'group_by'],
    [`start_time=${start}&group_by=project,team`, 'group_by'],
    [`start_time=${start}&project_id=`, 'project_id'],
    [`start_time=${start}&projects=a`, 'projects'],
  ])('answers 400 naming the param for "%s"', async (query, param) => {
    expect(await admin(`/admin/v1/usage?${query}`)).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', param } } });
  });
});
