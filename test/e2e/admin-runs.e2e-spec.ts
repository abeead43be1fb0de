import OpenAI from 'openai';
import { eventually, type Harness, rawRequest, startHarness } from './harness.js';

// The admin runs API (/admin/v1/runs): background responses of every project, cancel and retry.

const ADMIN_KEY = 'admin-runs-key';
const model = 'vllm/qwen3-8b';
const terminal = new Set(['completed', 'failed', 'incomplete', 'cancelled']);

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY });
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

interface Run {
  id: string;
  object: 'admin.run';
  project_id: string;
  status: string;
  model: string;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  conversation_id: string | null;
  previous_response_id: string | null;
}

interface RunPage {
  object: 'list';
  data: Run[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

async function admin(method: string, path: string) {
  const response = await rawRequest(harness.origin, `/admin/v1/runs${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    ...(method === 'GET' ? {} : { body: '{}' }),
  });
  return { status: response.status, json: response.json as any };
}

async function untilEnded(client: OpenAI, id: string) {
  return eventually(async () => {
    const response = await client.responses.retrieve(id);
    return terminal.has(response.status!) ? response : null;
  }, 10_000);
}

/** A background run that the upstream refuses (400 is not retried), so it ends failed. */
async function failedRun(client: OpenAI, params: Partial<OpenAI.Responses.ResponseCreateParamsNonStreaming> = {}) {
  harness.upstream.enqueue({ kind: 'error', status: 400, message: 'upstream refused this one' });
  const queued = await client.responses.create({ model, input: 'will fail', background: true, ...params });
  expect((await untilEnded(client, queued.id)).status).toBe('failed');
  return queued.id;
}

/** Every page of a listing, following `after`. */
async function allPages(query: string): Promise<Run[]> {
  const runs: Run[] = [];
  let after = '';
  for (;;) {
    const page = await admin('GET', `?${query}${after ? `&after=${after}` : ''}`);
    expect(page.status).toBe(200);
    const body = page.json as RunPage;
    runs.push(...body.data);
    if (!body.has_more) return runs;
    after = body.last_id!;
  }
}

describe('admin runs', () => {
  it('lists background runs of every project, filtered by status and project, with cursor pagination', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'done' });
    const completed = await harness.client.responses.create({ model, input: 'finish', background: true });
    await untilEnded(harness.client, completed.id);
    const failed = await failedRun(harness.client);
    const otherProject = await harness.clientB.responses.create({ model, input: 'b', background: true });
    await untilEnded(harness.clientB, otherProject.id);
    const sync = await harness.client.responses.create({ model, input: 'not a run' });

    // Default: what needs attention (queued, in_progress, failed).
    const defaults = (await admin('GET', '')).json as RunPage;
    expect(defaults.object).toBe('list');
    expect(defaults.data.map((run) => run.id)).toContain(failed);
    expect(defaults.data.every((run) => ['queued', 'in_progress', 'failed'].includes(run.status))).toBe(true);
    const failedRow = defaults.data.find((run) => run.id === failed);
    expect(failedRow?.started_at === null || typeof failedRow?.started_at === 'number').toBe(true);
    expect(failedRow).toEqual({
      id: failed,
      object: 'admin.run',
      project_id: 'project-a',
      status: 'failed',
      model,
      created_at: expect.any(Number),
      started_at: failedRow?.started_at ?? null,
      completed_at: expect.any(Number),
      error: expect.objectContaining({ message: expect.stringContaining('upstream refused this one') }),
      conversation_id: null,
      previous_response_id: null,
    });

    const ended = await allPages('status=completed,failed&limit=100');
    const endedIds = ended.map((run) => run.id);
    expect(endedIds).toEqual(expect.arrayContaining([completed.id, failed, otherProject.id]));
    expect(endedIds).not.toContain(sync.id);
    // Repeated `status` works as the comma list does.
    expect(((await admin('GET', '?status=completed&status=failed&limit=100')).json as RunPage).data.map((run) => run.id)).toEqual(endedIds);

    const projectB = ((await admin('GET', '?status=completed&project_id=project-b')).json as RunPage).data;
    expect(projectB.map((run) => run.id)).toEqual([otherProject.id]);
    expect(projectB[0]).toMatchObject({ project_id: 'project-b', status: 'completed', error: null });

    // Newest first by default; page by page gives the same runs as one page; `order=asc` reverses them.
    const paged = await allPages('status=completed,failed&limit=1');
    expect(paged.map((run) => run.id)).toEqual(endedIds);
    const createdAt = ended.map((run) => run.created_at);
    expect(createdAt).toEqual([...createdAt].sort((a, b) => b - a));
    expect((await allPages('status=completed,failed&limit=2&order=asc')).map((run) => run.id)).toEqual([...endedIds].reverse());
    const firstPage = (await admin('GET', '?status=completed,failed&limit=1')).json as RunPage;
    expect(firstPage).toMatchObject({ has_more: true, first_id: endedIds[0], last_id: endedIds[0] });

    expect(await admin('GET', '?status=running')).toMatchObject({ status: 400, json: { error: { param: 'status' } } });
    expect(await admin('GET', '?after=resp_nope')).toMatchObject({ status: 400, json: { error: { param: 'after' } } });
    expect(await admin('GET', '?limit=101')).toMatchObject({ status: 400, json: { error: { param: 'limit' } } });
  });

  it('cancels a running run of any project: the upstream request is aborted and the run ends cancelled', async () => {
    harness.upstream.enqueue({ kind: 'hang', afterChunks: 2 });
    const queued = await harness.clientB.responses.create({ model, input: 'slow', background: true });
    await harness.upstream.waitForRequests(1, 5_000);
    const running = ((await admin('GET', '?project_id=project-b')).json as RunPage).data;
    expect(running).toEqual([expect.objectContaining({ id: queued.id, status: 'in_progress', project_id: 'project-b' })]);

    const cancelled = await admin('POST', `/${queued.id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, json: { id: queued.id, object: 'admin.run', status: 'cancelled', completed_at: expect.any(Number) } });
    await harness.upstream.waitFor(() => harness.upstream.requests[0]!.aborted, 5_000);
    expect((await harness.clientB.responses.retrieve(queued.id)).status).toBe('cancelled');
    // Idempotent, as the public cancel is.
    expect(await admin('POST', `/${queued.id}/cancel`)).toMatchObject({ status: 200, json: { status: 'cancelled' } });
    expect((await admin('GET', `/${queued.id}`)).json).toMatchObject({ id: queued.id, status: 'cancelled' });
  });

  it('retries a failed run as a new queued run from its stored request, which completes on the same history', async () => {
    const first = await harness.client.responses.create({ model, input: 'remember the number 7' });
    const failed = await failedRun(harness.client, { input: 'which number?', previous_response_id: first.id, metadata: { ticket: '42' } });
    harness.upstream.reset();

    const retried = await admin('POST', `/${failed}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json).toEqual({
      object: 'admin.run_retry',
      retried_from: failed,
      run: expect.objectContaining({ object: 'admin.run', project_id: 'project-a', model, previous_response_id: first.id, conversation_id: null }),
    });
    const run = retried.json.run as Run;
    expect(run.id).not.toBe(failed);
    expect(['queued', 'in_progress', 'completed']).toContain(run.status);

    const done = await untilEnded(harness.client, run.id);
    expect(done).toMatchObject({ status: 'completed', background: true, previous_response_id: first.id, metadata: { ticket: '42' } });
    expect(done.output_text).toBe('echo: which number?');
    // The upstream got the chain's history, then the retried input.
    const messages = harness.upstream.requests[0]!.body.messages as Array<{ role: string; content: unknown }>;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    // The original stays as it ended.
    expect((await harness.client.responses.retrieve(failed)).status).toBe('failed');
  });

  it('retries a cancelled run in a conversation: the retry lands in the conversation, the cancelled turn never did', async () => {
    const conversation = await harness.client.conversations.create({});
    harness.upstream.enqueue({ kind: 'hang' });
    const hanging = await harness.client.responses.create({ model, input: 'try again later', background: true, conversation: conversation.id });
    await harness.upstream.waitForRequests(1, 5_000);
    expect((await admin('POST', `/${hanging.id}/cancel`)).json.status).toBe('cancelled');

    const retried = await admin('POST', `/${hanging.id}/retry`);
    expect(retried).toMatchObject({ status: 200, json: { retried_from: hanging.id, run: { conversation_id: conversation.id } } });
    const done = await untilEnded(harness.client, retried.json.run.id);
    expect(done.status).toBe('completed');
    const items = await harness.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((item) => (item.type === 'message' ? item.role : item.type))).toEqual(['user', 'assistant']);
  });

  it('refuses to retry a run that did not fail or get cancelled (400 naming its status), and answers 404 for unknown ids', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'fine' });
    const completed = await harness.client.responses.create({ model, input: 'ok', background: true });
    await untilEnded(harness.client, completed.id);
    const refused = await admin('POST', `/${completed.id}/retry`);
    expect(refused).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', param: 'run_id' } } });
    expect(refused.json.error.message).toContain('completed');

    harness.upstream.enqueue({ kind: 'hang' });
    const running = await harness.client.responses.create({ model, input: 'busy', background: true });
    await harness.upstream.waitForRequests(2, 5_000);
    const refusedRunning = await admin('POST', `/${running.id}/retry`);
    expect(refusedRunning.status).toBe(400);
    expect(refusedRunning.json.error.message).toContain('in_progress');
    await admin('POST', `/${running.id}/cancel`);

    const sync = await harness.client.responses.create({ model, input: 'foreground' });
    expect(await admin('POST', `/${sync.id}/retry`)).toMatchObject({ status: 400, json: { error: { param: 'run_id' } } });
    expect(await admin('POST', `/${sync.id}/cancel`)).toMatchObject({ status: 400, json: { error: { param: 'run_id' } } });

    for (const path of ['/resp_unknown/retry', '/resp_unknown/cancel', '/resp_unknown']) {
      const response = await admin(path.endsWith('unknown') ? 'GET' : 'POST', path);
      expect(response).toMatchObject({ status: 404, json: { error: { code: 'not_found', param: 'run_id' } } });
    }
    // A deleted response is gone for the admin API too.
    await harness.client.responses.delete(completed.id);
    expect((await admin('POST', `/${completed.id}/retry`)).status).toBe(404);
  });
});
