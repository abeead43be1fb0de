import OpenAI from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
import { ResponsesService } from '../../src/responses/responses.service.js';
import { type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

// Prompt-cache planning as the upstream sees it: policy resolution, OpenAI routing keys and
// retention, Anthropic markers, the thread's rhythm feeding the TTL, and what operators can read back.

const ADMIN_KEY = 'admin-test-key';
let harness: Harness;
let client: OpenAI;
/** The mock's cache clock: advanced to expire provider caches without waiting. */
let upstreamClock = Date.now();

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses', ADMIN_API_KEY: ADMIN_KEY }, { now: () => upstreamClock });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const lastBody = () => harness.upstream.requests.at(-1)!.body;
const modelCalls = () => harness.upstream.requests.filter((request) => !request.path.includes('cachedContents'));
const marks = (body: unknown) => JSON.stringify(body).match(/"cache_control":\{[^}]*\}/g) ?? [];
const instructions = `You are a careful assistant. ${'Follow the house rules closely. '.repeat(200)}`;
/** Our extension fields are not in the SDK's types; the SDK sends them as given. */
const withPolicy = <T extends object>(body: T, policy: string) => ({ ...body, cache_policy: policy }) as T;

async function admin(path: string) {
  const response = await rawRequest(harness.origin, path, { method: 'GET', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return response.json as any;
}

describe('OpenAI routing key and retention', () => {
  it('gives every turn of a conversation the same hashed prompt_cache_key, another conversation another, and asks for 24h retention', async () => {
    const [first, second] = [await client.conversations.create(), await client.conversations.create()];
    await client.responses.create({ model: 'openai/gpt-5', conversation: first.id, input: 'one' });
    const key = lastBody().prompt_cache_key;
    expect(key).toMatch(/^rs-[0-9a-f]{32}$/);
    expect(key).not.toContain(first.id);
    expect(lastBody().prompt_cache_retention).toBe('24h');

    await client.responses.create({ model: 'openai/gpt-5', conversation: first.id, input: 'two' });
    expect(lastBody().prompt_cache_key).toBe(key);
    await client.responses.create({ model: 'openai/gpt-5', conversation: second.id, input: 'one' });
    expect(lastBody().prompt_cache_key).not.toBe(key);
  });

  it('keeps the key of a previous_response_id chain from its first response on', async () => {
    const first = await client.responses.create({ model: 'openai/gpt-5', input: 'one' });
    const key = lastBody().prompt_cache_key;
    const second = await client.responses.create({ model: 'openai/gpt-5', input: 'two', previous_response_id: first.id });
    expect(lastBody().prompt_cache_key).toBe(key);
    await client.responses.create({ model: 'openai/gpt-5', input: 'three', previous_response_id: second.id });
    expect(lastBody().prompt_cache_key).toBe(key);
    // The response shows the client's fields, not ours.
    expect(second.prompt_cache_key).toBeNull();
  });

  it('sends the client’s own key and retention unchanged, and nothing of ours with cache_policy off', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-5', input: 'x', prompt_cache_key: 'tenant-42', prompt_cache_retention: 'in_memory' });
    expect(lastBody()).toMatchObject({ prompt_cache_key: 'tenant-42', prompt_cache_retention: 'in_memory' });
    expect(response).toMatchObject({ prompt_cache_key: 'tenant-42', prompt_cache_retention: 'in_memory' });

    await client.responses.create(withPolicy({ model: 'openai/gpt-5', input: 'x' }, 'off'));
    expect(lastBody()).not.toHaveProperty('prompt_cache_key');
    expect(lastBody()).not.toHaveProperty('prompt_cache_retention');
  });

  it('derives no key for a bare store: false turn, which no later request continues', async () => {
    await client.responses.create({ model: 'openai/gpt-5', input: 'x', store: false });
    expect(lastBody()).not.toHaveProperty('prompt_cache_key');
    expect(lastBody().prompt_cache_retention).toBe('24h');
    const conversation = await client.conversations.create();
    await client.responses.create({ model: 'openai/gpt-5', input: 'x', store: false, conversation: conversation.id });
    expect(lastBody().prompt_cache_key).toMatch(/^rs-[0-9a-f]{32}$/);
  });

  it('asks for no retention on a model without the choice', async () => {
    await client.responses.create({ model: 'openai/gpt-4o', input: 'x' });
    expect(lastBody().prompt_cache_key).toMatch(/^rs-/);
    expect(lastBody()).not.toHaveProperty('prompt_cache_retention');
  });
});

describe('cache policy', () => {
  it('follows the conversation’s policy unless the request sets its own, and shows it on the conversation', async () => {
    const conversation = await client.conversations.create(withPolicy({}, 'off'));
    expect(conversation).toMatchObject({ cache_policy: 'off' });
    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', conversation: conversation.id, instructions, input: 'hello' });
    expect(marks(lastBody())).toEqual([]);

    await client.responses.create(withPolicy({ model: 'anthropic/claude-sonnet-4-5', conversation: conversation.id, instructions, input: 'again' }, 'auto'));
    expect(marks(lastBody()).length).toBeGreaterThan(0);

    // Updating the policy alone keeps the metadata; null goes back to the server default (and the field away).
    const tagged = await client.conversations.update(conversation.id, { metadata: { team: 'a' } });
    const updated = await client.conversations.update(conversation.id, withPolicy({} as { metadata: null }, 'aggressive'));
    expect(updated).toMatchObject({ metadata: tagged.metadata, cache_policy: 'aggressive' });
    const reset = await client.conversations.update(conversation.id, { cache_policy: null } as unknown as { metadata: null });
    expect(reset.metadata).toEqual({ team: 'a' });
    expect(reset).not.toHaveProperty('cache_policy');
  });

  it('answers an unknown policy with a 400 naming the field, and stores nothing', async () => {
    // Earlier tests' store: false turns record their usage in batches, off the request path.
    await harness.app.get(ResponsesService).usageRecorded();
    const before = await harness.app.get(PrismaClient).response.count();
    const error = await client.responses.create(withPolicy({ model: 'openai/gpt-5', input: 'x' }, 'always')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('cache_policy');
    expect(await harness.app.get(PrismaClient).response.count()).toBe(before);
    const update = await rawRequest(harness.origin, `/v1/conversations/${(await client.conversations.create()).id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROJECT_A_KEY}` },
      body: JSON.stringify({}),
    });
    expect(update.status).toBe(400);
  });
});

describe('Anthropic breakpoints from the thread and the client', () => {
  it('moves to the 1h TTL once the thread’s turns are half an hour apart', async () => {
    // A long first message: what the next turn would write again after a miss is worth an hour's premium on what it adds.
    const report = `Quarterly report. ${'Revenue grew in every region. '.repeat(300)}`;
    const first = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', instructions, input: report });
    // A new thread: its newest block for 5 minutes; the instructions, which every thread of the app shares, for an hour.
    expect(lastBody().system.at(-1).cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    expect(lastBody().messages.at(-1).content.at(-1).cache_control).toEqual({ type: 'ephemeral' });
    // Pretend the first turn started 30 minutes ago: the gap to the next turn is now 30 minutes.
    await harness.app.get(PrismaClient).response.update({ where: { id: first.id }, data: { createdAt: new Date(Date.now() - 30 * 60_000) } });
    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', instructions, input: 'after lunch', previous_response_id: first.id });
    expect(marks(lastBody()).length).toBeGreaterThan(0);
    expect(marks(lastBody()).every((mark) => mark.includes('"ttl":"1h"'))).toBe(true);
  });

  it('turns the client’s prompt_cache_breakpoint into a marker on that block', async () => {
    const document = `Contract text. ${'Clause after clause. '.repeat(400)}`;
    await client.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: document, prompt_cache_breakpoint: { mode: 'explicit' } } as OpenAI.Responses.ResponseInputText,
            { type: 'input_text', text: 'Summarize.' },
          ],
        },
      ],
    });
    const [documentBlock, question] = lastBody().messages[0].content;
    // Both carry the thread's TTL (the project's earlier threads came back after half an hour, so it may be 1 h).
    expect(question.cache_control).toMatchObject({ type: 'ephemeral' });
    expect(documentBlock).toEqual({ type: 'text', text: document, cache_control: question.cache_control });
  });
});

describe('Gemini explicit caches', () => {
  const model = 'google/gemini-2.5-flash';
  const big = `You are a code reviewer. ${'Check every function for off-by-one errors and document them. '.repeat(400)}`;

  it('under aggressive, moves instructions into a cachedContents cache, reads it on the next turn, and deletes it with the conversation', async () => {
    const conversation = await client.conversations.create(withPolicy({}, 'aggressive'));
    const first = await client.responses.create({ model, conversation: conversation.id, instructions: big, input: 'review part one' });
    const [cache] = harness.upstream.geminiCaches.live();
    expect(cache).toMatchObject({ model: 'models/gemini-2.5-flash', systemInstruction: { parts: [{ text: big }] }, contents: [] });
    const turn1 = modelCalls().at(-1)!.body;
    expect(turn1.cachedContent).toBe(cache!.name);
    expect(turn1).not.toHaveProperty('systemInstruction');
    expect(turn1.contents).toHaveLength(1);

    const second = await client.responses.create({ model, conversation: conversation.id, instructions: big, input: 'review part two' });
    expect(modelCalls().at(-1)!.body.cachedContent).toBe(cache!.name);
    expect(harness.upstream.geminiCaches.live()).toHaveLength(1);
    expect(second.usage!.input_tokens_details.cached_tokens).toBe(cache!.tokens);

    const inspected = await Promise.all([first, second].map(async (response) => (await admin(`/admin/v1/responses/${response.id}`)) as any));
    const tokens = cache!.tokens;
    // The first turn bought the cache's 10 minutes of storage; the second, sent at once, extended nothing.
    expect(inspected.map((response) => response.cache.plan.explicit_cache)).toEqual([
      { name: cache!.name, tokens, created: true, storageTokenHours: tokens / 6 },
      { name: cache!.name, tokens, created: false, storageTokenHours: 0 },
    ]);
    // gemini-2.5-flash: $0.30 input, $0.03 cache reads, $2.50 output; the cache's creation bills its
    // tokens at $0.30, its storage $1.00 per million tokens per hour (ai.google.dev pricing).
    const calls = (usage: OpenAI.Responses.ResponseUsage) => {
      const cached = usage.input_tokens_details.cached_tokens;
      return { cost: (usage.input_tokens - cached) * 0.3 + cached * 0.03 + usage.output_tokens * 2.5, saved: cached * 0.27 };
    };
    const cacheCost = tokens * 0.3 + (tokens / 6) * 1;
    expect(inspected[0].cost_usd).toBeCloseTo((calls(first.usage!).cost + cacheCost) / 1e6, 12);
    expect(inspected[0].cache.saved_usd).toBeCloseTo((calls(first.usage!).saved - cacheCost) / 1e6, 12);
    expect(inspected[1].cost_usd).toBeCloseTo(calls(second.usage!).cost / 1e6, 12);
    expect(inspected[1].cache.saved_usd).toBeCloseTo(calls(second.usage!).saved / 1e6, 12);
    expect(second.usage!.input_tokens_details.cached_tokens).toBeGreaterThan(2_048);

    await client.conversations.delete(conversation.id);
    await harness.upstream.waitFor(() => harness.upstream.geminiCaches.deleted.some((deleted) => deleted.name === cache!.name));
    expect(harness.upstream.geminiCaches.live()).toEqual([]);
  });

  it('sends the request whole once when the provider no longer has the cache, and carries on with a new one', async () => {
    const conversation = await client.conversations.create(withPolicy({}, 'aggressive'));
    await client.responses.create({ model, conversation: conversation.id, instructions: big, input: 'one' });
    const [first] = harness.upstream.geminiCaches.live();
    upstreamClock += 11 * 60_000; // expired at the provider, still live by our clock

    const response = await client.responses.create({ model, conversation: conversation.id, instructions: big, input: 'two' });
    expect(response.status).toBe('completed');
    const [refused, whole] = modelCalls().slice(-2);
    expect(refused!.body.cachedContent).toBe(first!.name);
    expect(whole!.body).not.toHaveProperty('cachedContent');
    expect(whole!.body.systemInstruction.parts[0].text).toBe(big);

    await client.responses.create({ model, conversation: conversation.id, instructions: big, input: 'three' });
    expect(modelCalls().at(-1)!.body.cachedContent).toMatch(/^cachedContents\//);
    expect(modelCalls().at(-1)!.body.cachedContent).not.toBe(first!.name);
  });

  it('leaves a small prompt to implicit caching, even under aggressive', async () => {
    await client.responses.create(withPolicy({ model, instructions: 'Be brief.', input: 'hi' }, 'aggressive'));
    expect(harness.upstream.requests.map((request) => request.path)).toEqual([expect.stringContaining(':generateContent')]);
  });
});

describe('what operators see', () => {
  it('stores each response’s plan and shows it with the savings; totals per conversation', async () => {
    const conversation = await client.conversations.create();
    const first = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', conversation: conversation.id, instructions, input: 'one' });
    const second = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', conversation: conversation.id, instructions, input: 'two' });
    // The mock's cache: turn 1 wrote the prefix, turn 2 read it.
    expect(first.usage!.input_tokens_details).toMatchObject({ cached_tokens: 0, cache_write_tokens: expect.any(Number) });
    expect(second.usage!.input_tokens_details.cached_tokens).toBeGreaterThan(1024);

    const inspected = await admin(`/admin/v1/responses/${first.id}`);
    expect(inspected).toMatchObject({ id: first.id, project_id: 'project-a', conversation_id: conversation.id, request: { input: 'one' } });
    expect(inspected.cache.plan).toMatchObject({ policy: 'auto', prompt_cache_key: null, explicit_cache: null });
    expect(inspected.cache.plan.breakpoints.map((breakpoint: { reason: string }) => breakpoint.reason)).toEqual(['prefix', 'tail']);
    expect(inspected.cache.plan.estimated_tokens).toBeGreaterThan(1024);
    // Writing costs more than plain input; reading it back saves.
    expect(inspected.cache.saved_usd).toBeLessThan(0);
    expect((await admin(`/admin/v1/responses/${second.id}`)).cache.saved_usd).toBeGreaterThan(0);

    const totals = (await admin(`/admin/v1/conversations/${conversation.id}`)).totals;
    expect(totals).toMatchObject({ responses: 2, cached_tokens: second.usage!.input_tokens_details.cached_tokens });
    expect(totals.input_tokens).toBe(first.usage!.input_tokens + second.usage!.input_tokens);
  });

  it('refuses a project key on the admin routes', async () => {
    const response = await rawRequest(harness.origin, '/admin/v1/responses/resp_x', { method: 'GET', headers: { authorization: `Bearer ${PROJECT_A_KEY}` } });
    expect(response.status).toBe(401);
  });
});
