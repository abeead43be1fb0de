import OpenAI from 'openai';
import { eventually, type Harness, type Instance, rawRequest, startHarness, startInstance, startWebhookCollector, type WebhookCollector } from './harness.js';

// Rate limits, concurrent runs and spend budgets (#20), on the real app: counted in Redis in the
// e2e-postgres project (as production), in process in e2e-pglite (embedded). Each test makes a
// project of its own through the admin API, so no test's counts reach another's.

const ADMIN_KEY = 'limits-e2e-admin-key';
let harness: Harness;
let receiver: WebhookCollector;

beforeAll(async () => {
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY, WEBHOOK_POLL_MS: '20' });
  receiver = await startWebhookCollector();
});
afterAll(async () => {
  await receiver?.close();
  await harness?.close();
});
beforeEach(() => harness.upstream.reset());

async function admin(method: string, path: string, body?: unknown) {
  const response = await rawRequest(harness.origin, `/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return response as Answer;
}

let projects = 0;
/** A new project with one key, and the limits given. */
async function project(limits: Record<string, unknown> = {}) {
  const id = `limits-${++projects}-${Date.now()}`;
  expect((await admin('POST', '/projects', { id })).status).toBe(200);
  const key = (await admin('POST', `/projects/${id}/api_keys`, {})).json;
  if (Object.keys(limits).length > 0) expect((await admin('POST', `/projects/${id}/limits`, limits)).status).toBe(200);
  return { id, keyId: key.id as string, key: key.value as string };
}

type Answer = { status: number; json: any; headers: Headers; text: string };
const get = async (origin: string, key: string, path = '/v1/models') =>
  (await rawRequest(origin, path, { method: 'GET', headers: { authorization: `Bearer ${key}` } })) as Answer;
const create = async (key: string, body: Record<string, unknown>) =>
  (await rawRequest(harness.origin, '/v1/responses', { headers: { authorization: `Bearer ${key}` }, body: JSON.stringify(body) })) as Answer;

describe('requests per minute', () => {
  it("counts every request against the project's limit, says so in OpenAI's headers, and answers 429 past it", async () => {
    const { id, key } = await project({ requests_per_minute: 3 });
    const remaining = [];
    const startedAt = Date.now();
    for (let request = 0; request < 3; request++) {
      const answer = await get(harness.origin, key);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit-requests')).toBe('3');
      remaining.push(answer.headers.get('x-ratelimit-remaining-requests'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await get(harness.origin, key);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      error: {
        message: expect.stringMatching(
          new RegExp(`^Rate limit reached for project ${id} on requests per min \\(RPM\\): Limit 3, Used 3, Requested 1\\. Please try again in (19|20)s\\.$`),
        ),
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    // One request comes back every 20 s, less what refilled since the first was taken.
    const retryMs = Number(refused.headers.get('retry-after-ms'));
    expect(retryMs).toBeGreaterThanOrEqual(20_000 - (Date.now() - startedAt) - 1);
    expect(retryMs).toBeLessThanOrEqual(20_000);
    expect(refused.headers.get('retry-after')).toBe(String(Math.ceil(retryMs / 1_000)));
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
    // The official SDK surfaces it as its RateLimitError.
    const sdk = new OpenAI({ apiKey: key, baseURL: `${harness.origin}/v1`, maxRetries: 0 });
    await expect(sdk.models.list()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("limits a key within its project, and leaves the project's other keys alone", async () => {
    const { id, keyId, key } = await project();
    const other = (await admin('POST', `/projects/${id}/api_keys`, {})).json.value as string;
    const set = await admin('POST', `/projects/${id}/api_keys/${keyId}/limits`, { requests_per_minute: 1 });
    expect(set.json).toEqual({
      object: 'api_key.limits',
      project_id: id,
      key_id: keyId,
      requests_per_minute: 1,
      tokens_per_minute: null,
      concurrent_runs: null,
    });
    expect((await get(harness.origin, key)).status).toBe(200);
    const refused = await get(harness.origin, key);
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toMatch(/^Rate limit reached for this API key on requests per min/);
    expect((await get(harness.origin, other)).status).toBe(200);
    expect((await get(harness.origin, other)).headers.get('x-ratelimit-limit-requests')).toBeNull();
    // Removing the key's limit lifts it at once.
    await admin('POST', `/projects/${id}/api_keys/${keyId}/limits`, { requests_per_minute: null });
    expect((await get(harness.origin, key)).status).toBe(200);
  });

  it('puts the headers on a streamed answer too', async () => {
    const { key } = await project({ requests_per_minute: 50, tokens_per_minute: 100_000 });
    const response = await fetch(`${harness.origin}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-test', input: 'hi', stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('49');
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
    expect(await response.text()).toContain('response.completed');
  });

  it('refuses bad limits with a 400 naming the field, and an unknown project or key with a 404', async () => {
    const { id, keyId } = await project();
    const bad = await admin('POST', `/projects/${id}/limits`, { requests_per_minute: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('requests_per_minute');
    expect((await admin('POST', `/projects/${id}/api_keys/${keyId}/limits`, { budget: null })).status).toBe(400);
    expect((await admin('POST', `/projects/${id}/limits`, { budget: { period: 'week', limit_usd: 1 } })).json.error.param).toBe('budget.period');
    expect((await admin('GET', '/projects/no-such-project/limits')).status).toBe(404);
    expect((await admin('GET', `/projects/${id}/api_keys/key_nope/limits`)).status).toBe(404);
  });
});

describe('request limits per project', () => {
  it("override the deployment's for that project only", async () => {
    const { id, key } = await project({ max_tools: 1, max_input_items: 2 });
    const limits = (await admin('GET', `/projects/${id}/limits`)).json;
    expect(limits).toMatchObject({ max_tools: 1, max_input_items: 2, max_input_files: null });
    expect(limits.effective).toMatchObject({ max_tools: 1, max_input_items: 2, max_input_files: 500 });
    const tool = (name: string) => ({ type: 'function', name, parameters: { type: 'object', properties: {} } });
    const refused = await create(key, { model: 'openai/gpt-test', input: 'hi', tools: [tool('a'), tool('b')] });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toEqual({
      message: "Invalid 'tools': array too long. Expected an array with maximum length 1, but got an array with length 2 instead.",
      type: 'invalid_request_error',
      param: 'tools',
      code: 'array_above_max_length',
    });
    const items = [1, 2, 3].map((n) => ({ role: 'user', content: `m${n}` }));
    expect((await create(key, { model: 'openai/gpt-test', input: items })).json.error.param).toBe('input');
    // Another project keeps the deployment's.
    const other = await project();
    expect((await create(other.key, { model: 'openai/gpt-test', input: items, tools: [tool('a'), tool('b')] })).status).toBe(200);
  });
});

describe('tokens per minute', () => {
  it('counts the input and output tokens the provider reports, and refuses the next call once they are spent', async () => {
    // 6,000 a minute: 100 come back each second.
    const { key } = await project({ tokens_per_minute: 6_000 });
    harness.upstream.enqueue({ kind: 'text', text: 'ok', usage: { prompt_tokens: 1_000, completion_tokens: 500 } });
    const first = await create(key, { model: 'openai/gpt-test', input: 'hi' });
    expect(first.status).toBe(200);
    expect(first.json.usage).toMatchObject({ input_tokens: 1_000, output_tokens: 500 });
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('6000');
    const startedAt = Date.now();
    const second = await get(harness.origin, key, `/v1/responses/${first.json.id}`);
    expect(second.status).toBe(200);
    harness.upstream.enqueue({ kind: 'text', text: 'ok', usage: { prompt_tokens: 4_000, completion_tokens: 1_000 } });
    const third = await create(key, { model: 'openai/gpt-test', input: 'hi' });
    const elapsed = Date.now() - startedAt;
    // 6,000 less the 1,500 the provider reported, plus what refilled since (0.1 a ms).
    const remaining = Number(third.headers.get('x-ratelimit-remaining-tokens'));
    expect(remaining).toBeGreaterThanOrEqual(4_500);
    expect(remaining).toBeLessThanOrEqual(4_500 + Math.ceil(elapsed / 10) + 60);
    // 4,500 + a little, less 5,000: below zero, so the next call waits.
    const refused = await create(key, { model: 'openai/gpt-test', input: 'hi' });
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded', param: null });
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(6);
    // Nothing of the refused call reached the provider or was stored.
    expect(harness.upstream.requests).toHaveLength(2);
  });
});

describe('concurrent runs', () => {
  it('holds a place per running response, frees it when the run ends, and refuses past the limit', async () => {
    const { key } = await project({ concurrent_runs: 1 });
    harness.upstream.enqueue({ kind: 'hang', afterChunks: 1 });
    const running = await create(key, { model: 'openai/gpt-test', input: 'wait', background: true });
    expect(running.status).toBe(200);
    // Running, not queued: the hanging answer is taken by this run, not by a later call.
    await harness.upstream.waitForRequests(1, 10_000);
    const refused = await create(key, { model: 'openai/gpt-test', input: 'me too' });
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toMatch(/^Concurrency limit reached for project limits-\d+-\d+: 1 response\(s\) already running/);
    const cancelled: Answer = await rawRequest(harness.origin, `/v1/responses/${running.json.id}/cancel`, {
      headers: { authorization: `Bearer ${key}` },
      body: '{}',
    });
    expect(cancelled.json.status).toBe('cancelled');
    const after = await eventually(async () => {
      const answer = await create(key, { model: 'openai/gpt-test', input: 'now' });
      return answer.status === 200 ? answer : null;
    });
    expect(after.json.status).toBe('completed');
  });
});

describe('spend budgets', () => {
  it('stops a project past its budget with insufficient_quota, warns and tells by webhook, and the admin API lifts it', async () => {
    const { id, key } = await project({ budget: { period: 'day', limit_usd: 0.002, warn_at: 0.75 } });
    const endpoint = await admin('POST', `/projects/${id}/webhooks`, { url: receiver.url, event_types: ['project.budget.warning', 'project.budget.exceeded'] });
    expect(endpoint.status).toBe(201);
    // gpt-5-mini: $0.25 per million input tokens, $2 per million output (config/models.json):
    // 1,000 in and 500 out cost 0.00025 + 0.001 = $0.00125.
    const call = async () => {
      harness.upstream.enqueue({ kind: 'text', text: 'ok', usage: { prompt_tokens: 1_000, completion_tokens: 500 } });
      return create(key, { model: 'openai/gpt-5-mini', input: 'hi' });
    };
    expect((await call()).status).toBe(200);
    const limits = (await admin('GET', `/projects/${id}/limits`)).json;
    expect(limits).toMatchObject({ object: 'project.limits', project_id: id, budget: { period: 'day', limit_usd: 0.002, warn_at: 0.75 } });
    expect(limits.spend.spent_usd).toBeCloseTo(0.00125, 12);
    expect(limits.spend.period_end - limits.spend.period_start).toBe(86_400);
    // $0.00125 is under the warning ($0.0015): still allowed, and this one takes it to $0.0025.
    expect((await call()).status).toBe(200);
    const stopped = await call();
    expect(stopped.status).toBe(429);
    expect(stopped.json.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota', param: null });
    expect(stopped.json.error.message).toContain(`project ${id} spent $0.0025 of its daily budget of $0.002`);
    expect(harness.upstream.requests).toHaveLength(2);
    const events = await eventually(async () => {
      const mine = receiver.events.filter((event) => event.data['project_id'] === id);
      return mine.length >= 2 ? mine : null;
    });
    expect(events.map((event) => event.type).sort()).toEqual(['project.budget.exceeded', 'project.budget.warning']);
    const exceeded = events.find((event) => event.type === 'project.budget.exceeded')!;
    expect(exceeded.data).toMatchObject({ project_id: id, period: 'day', limit_usd: 0.002 });
    expect(exceeded.data['spent_usd']).toBeCloseTo(0.0025, 12);
    // Raising the budget lifts the stop at once.
    const raised = await admin('POST', `/projects/${id}/limits`, { budget: { period: 'day', limit_usd: 1 } });
    expect(raised.json.budget).toEqual({ period: 'day', limit_usd: 1, warn_at: 0.8 });
    expect((await call()).status).toBe(200);
    expect((await admin('GET', `/projects/${id}/limits`)).json.spend.spent_usd).toBeCloseTo(0.00375, 12);
    // And removing it too.
    expect((await admin('POST', `/projects/${id}/limits`, { budget: null })).json).toMatchObject({ budget: null, spend: null });
  });
});

// Two instances share one count only through Redis: the e2e-postgres project runs with it.
const describeWithRedis = process.env.TEST_DB_MODE === 'postgres' ? describe : describe.skip;

describeWithRedis('two instances on one PostgreSQL and Redis', () => {
  let second: Instance;
  beforeAll(async () => {
    second = await startInstance(harness.env);
  });
  afterAll(() => second?.close());

  it("share a project's requests per minute: together they admit no more than the limit", async () => {
    const { key } = await project({ requests_per_minute: 10 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, index) => get(index % 2 === 0 ? harness.origin : second.origin, key)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    // Counted per instance, 20 would have passed.
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  });
});
