import OpenAI from 'openai';
import { diffBody } from '../../src/history/upstream-body-store.js';
import { PrismaClient } from '../../src/persistence/database.js';
import { type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

// The admin API (/admin/v1), authenticated with ADMIN_API_KEY only.

const ADMIN_KEY = 'admin-e2e-key';
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY });
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

async function admin(method: string, path: string, body?: unknown) {
  const response = await rawRequest(harness.origin, path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  });
  return { status: response.status, json: response.json as any };
}

const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: `${harness.origin}/v1`, maxRetries: 0 });

describe('projects and keys', () => {
  it('creates a project and a key shown once; the key works until it is revoked', async () => {
    const project = await admin('POST', '/admin/v1/projects', { name: 'Checkout bot' });
    expect(project).toMatchObject({ status: 200, json: { id: expect.stringMatching(/^proj_/), object: 'project', name: 'Checkout bot', disabled_at: null } });
    const created = await admin('POST', `/admin/v1/projects/${project.json.id}/api_keys`, { name: 'ci' });
    expect(created.json).toMatchObject({
      object: 'api_key',
      project_id: project.json.id,
      name: 'ci',
      source: 'admin',
      value: expect.stringMatching(/^sk-proj-/),
    });
    const { value } = created.json;

    const response = await sdk(value).responses.create({ model: 'vllm/qwen3-8b', input: 'hi' });
    expect(response.status).toBe('completed');
    // Stored hashed: the list shows only the last four characters.
    const keys = await admin('GET', `/admin/v1/projects/${project.json.id}/api_keys`);
    expect(keys.json.data).toEqual([expect.objectContaining({ id: created.json.id, redacted_value: `sk-…${value.slice(-4)}`, revoked_at: null })]);
    expect(JSON.stringify(keys.json)).not.toContain(value);

    const revoked = await admin('DELETE', `/admin/v1/projects/${project.json.id}/api_keys/${created.json.id}`);
    expect(revoked.json.revoked_at).toEqual(expect.any(Number));
    await expect(sdk(value).responses.create({ model: 'vllm/qwen3-8b', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('disabling a project stops its keys, enabling brings them back, and its data stays', async () => {
    const project = (await admin('POST', '/admin/v1/projects', { id: 'team-blue' })).json;
    const { value } = (await admin('POST', `/admin/v1/projects/${project.id}/api_keys`, {})).json;
    const stored = await sdk(value).responses.create({ model: 'vllm/qwen3-8b', input: 'keep me' });
    expect((await admin('POST', `/admin/v1/projects/${project.id}/disable`)).json.disabled_at).toEqual(expect.any(Number));
    await expect(sdk(value).responses.retrieve(stored.id)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await admin('POST', `/admin/v1/projects/${project.id}/enable`);
    expect((await sdk(value).responses.retrieve(stored.id)).id).toBe(stored.id);
  });

  it('lists projects with cursor pagination, refuses a taken id, and answers 404 for an unknown one', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) await admin('POST', '/admin/v1/projects', { id });
    const first = await admin('GET', '/admin/v1/projects?limit=2');
    expect(first.json).toMatchObject({ object: 'list', has_more: true });
    expect(first.json.data).toHaveLength(2);
    const seen = [...first.json.data];
    let page = first;
    while (page.json.has_more) {
      page = await admin('GET', `/admin/v1/projects?limit=2&after=${page.json.last_id}`);
      seen.push(...page.json.data);
    }
    const ids = seen.map((project: { id: string }) => project.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['project-a', 'project-b', 'page-a', 'page-b', 'page-c']));

    expect(await admin('POST', '/admin/v1/projects', { id: 'page-a' })).toMatchObject({ status: 400, json: { error: { param: 'id' } } });
    expect(await admin('GET', '/admin/v1/projects/nope')).toMatchObject({ status: 404, json: { error: { type: 'invalid_request_error' } } });
    expect((await admin('POST', '/admin/v1/projects', { id: 'bad id!' })).status).toBe(400);
  });
});

describe('authentication', () => {
  /** Every admin route the server has, read from its own route tree (one segment per line, 4 columns per level). */
  function adminRoutes(): Array<{ method: string; url: string }> {
    const routes: Array<{ method: string; url: string }> = [];
    const tree: string = harness.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const segments: string[] = [];
    for (const line of tree.split('\n')) {
      const match = /^(.*?)(\/\S*) \(([A-Z, ]+)\)/.exec(line);
      if (!match) continue;
      const depth = Math.floor(match[1]!.length / 4);
      segments.length = depth;
      segments.push(match[2]!);
      const url = segments.join('');
      if (!url.startsWith('/admin/')) continue;
      for (const method of match[3]!.split(', ')) if (method !== 'HEAD') routes.push({ method, url });
    }
    return routes;
  }

  it('refuses a project key, a wrong key and no key on every admin route', async () => {
    const routes = adminRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const { method, url } of routes) {
      const path = url.replace(/:[A-Za-z]+/g, 'x');
      for (const authorization of [`Bearer ${PROJECT_A_KEY}`, 'Bearer wrong', undefined]) {
        const response = await rawRequest(harness.origin, path, {
          method,
          headers: authorization ? { authorization } : {},
          ...(method === 'GET' ? {} : { body: '{}' }),
        });
        expect({ route: `${method} ${url}`, status: response.status }).toEqual({ route: `${method} ${url}`, status: 401 });
      }
    }
  });
});

describe('one response, as the upstream saw it', () => {
  it('shows the upstream request byte for byte as the mock received it, credentials redacted, with timings and retries', async () => {
    const response = await harness.client.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      instructions: 'Be brief. «ü»',
      input: [{ role: 'user', content: 'Hi {"2":1,"1":2}' }],
    });
    const received = harness.upstream.requests.at(-1)!;
    const inspected = (await admin('GET', `/admin/v1/responses/${response.id}`)).json;
    expect(inspected.upstream_request.body).toBe(received.rawBody);
    expect(inspected.upstream_request).toMatchObject({ method: 'POST', url: `${harness.upstream.origin}/v1/messages` });
    expect(inspected.upstream_request.headers['x-api-key']).toBe('[redacted]');
    expect(JSON.stringify(inspected)).not.toContain('sk-ant-upstream-test');
    expect(inspected.request).toMatchObject({ model: 'anthropic/claude-sonnet-4-5', instructions: 'Be brief. «ü»' });
    expect(inspected.timings).toEqual({ queue_wait_ms: expect.any(Number), time_to_first_token_ms: expect.any(Number), total_ms: expect.any(Number) });
    expect(inspected.timings.time_to_first_token_ms).toBeLessThanOrEqual(inspected.timings.total_ms);
    expect(inspected).toMatchObject({ upstream_retries: 0, upstream_resends: 0, usage: response.usage, cost_usd: expect.any(Number) });
  });

  it('keeps a foreground request without its input, which it shows again from the stored input items', async () => {
    const prisma = harness.app.get(PrismaClient);
    const text = await harness.client.responses.create({ model: 'vllm/qwen3-8b', input: 'A string «ü» 😀', metadata: { k: 'v' } });
    const items = await harness.client.responses.create({
      model: 'vllm/qwen3-8b',
      input: [
        { role: 'user', content: 'one' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] },
      ],
    });
    const stored = await prisma.response.findUniqueOrThrow({ where: { id: text.id } });
    expect(stored.request).toEqual({ model: 'vllm/qwen3-8b', input: { $input_as_items: 'string' }, metadata: { k: 'v' } });
    const shownText = (await admin('GET', `/admin/v1/responses/${text.id}`)).json.request;
    expect(shownText).toEqual({ model: 'vllm/qwen3-8b', input: 'A string «ü» 😀', metadata: { k: 'v' } });
    expect(Object.keys(shownText)).toEqual(['model', 'input', 'metadata']);
    const inputItems = await harness.client.responses.inputItems.list(items.id, { order: 'asc' });
    expect((await admin('GET', `/admin/v1/responses/${items.id}`)).json.request).toEqual({
      model: 'vllm/qwen3-8b',
      input: JSON.parse(JSON.stringify(inputItems.data)),
    });
  });

  it('counts the retries an upstream failure caused', async () => {
    harness.upstream.enqueue({ kind: 'error', status: 503 });
    const response = await harness.client.responses.create({ model: 'vllm/qwen3-8b', input: 'again' });
    const inspected = (await admin('GET', `/admin/v1/responses/${response.id}`)).json;
    expect(inspected.upstream_retries).toBe(1);
    expect(inspected.upstream_request.body).toBe(harness.upstream.requests.at(-1)!.rawBody);
  });
});

describe('upstream bodies, stored as what is new in them', () => {
  // A long shared head, as real system prompts and tool lists are: what each turn sends again.
  const instructions = `Answer briefly «ü» 😀. ${'Keep every answer short, exact and polite. '.repeat(50)}`;

  /** Sends five turns and returns each response id with the body the mock received for it. */
  async function fiveTurns(send: (turn: number, previousId: string | null) => Promise<{ id: string }>) {
    const turns: Array<{ id: string; received: string }> = [];
    for (let turn = 0; turn < 5; turn++) {
      const response = await send(turn, turns.at(-1)?.id ?? null);
      const received = harness.upstream.requests.filter((request) => request.path === '/v1/chat/completions').at(-1)!.rawBody;
      turns.push({ id: response.id, received });
    }
    return turns;
  }

  /** Every body reads back exactly; the first is stored whole, each later one as a delta of the one before. */
  async function expectStoredAsDeltas(turns: Array<{ id: string; received: string }>) {
    const prisma = harness.app.get(PrismaClient);
    for (const [turn, { id, received }] of turns.entries()) {
      expect((await admin('GET', `/admin/v1/responses/${id}`)).json.upstream_request.body).toBe(received);
      const row = await prisma.response.findUniqueOrThrow({ where: { id } });
      expect(row.upstreamRequest).toMatchObject({ method: 'POST', body: null });
      const stored = {
        body: row.upstreamBody,
        base: row.upstreamBodyBase,
        prefix: row.upstreamBodyPrefix,
        suffix: row.upstreamBodySuffix,
        copies: row.upstreamBodyCopies,
      };
      if (turn === 0) {
        expect(stored).toEqual({ body: received, base: null, prefix: null, suffix: null, copies: null });
        continue;
      }
      const delta = diffBody(turns[turn - 1]!.received, received);
      expect(stored).toEqual({ body: delta.middle, base: turns[turn - 1]!.id, prefix: delta.prefix, suffix: delta.suffix, copies: delta.copies ?? null });
      // What is new: the previous answer and this question, not the instructions and history again.
      expect(stored.body!.length).toBeLessThan(received.length / 10);
      expect(stored.body).toContain(`Question ${turn}`);
    }
  }

  it('rebuilds every body of a five-turn conversation exactly from deltas of the one before', async () => {
    const conversation = await harness.client.conversations.create();
    const turns = await fiveTurns((turn) =>
      harness.client.responses.create({ model: 'vllm/qwen3-8b', instructions, conversation: conversation.id, input: `Question ${turn}: «ü» 😀?` }),
    );
    await expectStoredAsDeltas(turns);
  });

  it('rebuilds every body of a five-turn previous_response_id chain exactly from deltas of the one before', async () => {
    const turns = await fiveTurns((turn, previousId) =>
      harness.client.responses.create({
        model: 'vllm/qwen3-8b',
        instructions,
        input: `Question ${turn}: 😀`,
        ...(previousId ? { previous_response_id: previousId } : {}),
      }),
    );
    await expectStoredAsDeltas(turns);
  });

  it('still reads a response stored before deltas, with its whole body inside upstream_request', async () => {
    const response = await harness.client.responses.create({ model: 'vllm/qwen3-8b', input: 'stored the old way' });
    const received = harness.upstream.requests.at(-1)!.rawBody;
    const prisma = harness.app.get(PrismaClient);
    const row = await prisma.response.findUniqueOrThrow({ where: { id: response.id } });
    await prisma.response.update({
      where: { id: response.id },
      data: { upstreamRequest: { ...(row.upstreamRequest as object), body: received }, upstreamBody: null },
    });
    expect((await admin('GET', `/admin/v1/responses/${response.id}`)).json.upstream_request).toMatchObject({ method: 'POST', body: received });
  });
});
