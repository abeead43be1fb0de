import OpenAI from 'openai';
import { createTestDatabase, eventually, type Harness, type Instance, PROJECT_A_KEY, startHarness, startInstance } from './harness.js';

// Production topology: API-only instances and a worker process sharing PostgreSQL and Redis.
// Needs Redis, so it runs in the e2e-postgres project only; embedded mode has one process by design.
const describeWithRedis = process.env.TEST_DB_MODE === 'postgres' ? describe : describe.skip;

const model = 'openai/gpt-test';
const terminal = new Set(['completed', 'failed', 'incomplete', 'cancelled']);

describeWithRedis('several instances on one queue', () => {
  let api: Harness;
  let secondApi: Instance;
  let worker: Instance;

  beforeAll(async () => {
    api = await startHarness({ SERVER_ROLE: 'api' });
    secondApi = await startInstance({ ...api.env, SERVER_ROLE: 'api' });
    worker = await startInstance({ ...api.env, SERVER_ROLE: 'worker', WORKER_CONCURRENCY: '1', SHUTDOWN_GRACE_MS: '300' });
  });
  afterAll(async () => {
    await worker?.close();
    await secondApi?.close();
    await api?.close();
  });
  beforeEach(() => api.upstream.reset());

  const settle = (client: OpenAI, id: string) =>
    eventually(async () => {
      const response = await client.responses.retrieve(id);
      return terminal.has(response.status!) ? response : null;
    });

  it('runs on the worker what an API-only instance queued', async () => {
    api.upstream.enqueue({ kind: 'text', text: 'from the worker' });
    const queued = await api.client.responses.create({ model, input: 'hi', background: true });
    expect(queued.status).toBe('queued');
    expect(await settle(api.client, queued.id)).toMatchObject({ status: 'completed', output_text: 'from the worker' });
  });

  it('resumes on a second API instance exactly where the first stream was cut', async () => {
    api.upstream.enqueue({ kind: 'text', text: 'alpha beta gamma delta epsilon', chunkSize: 3, delayMs: 15 });
    const stream = await api.client.responses.create({ model, input: 'long', background: true, stream: true });
    const seen: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (seen.length === 4) break;
    }
    const id = (seen[0] as OpenAI.Responses.ResponseCreatedEvent).response.id;
    const cursor = seen.at(-1)!.sequence_number;

    const resumed: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of await secondApi.client.responses.retrieve(id, { stream: true, starting_after: cursor })) resumed.push(event);
    expect(resumed.at(-1)!.type).toBe('response.completed');

    // The two halves are exactly the whole log: nothing missing, nothing twice.
    const whole: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of await api.client.responses.retrieve(id, { stream: true })) whole.push(event);
    expect([...seen, ...resumed]).toEqual(whole);
    const text = whole
      .filter((event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === 'response.output_text.delta')
      .map((event) => event.delta)
      .join('');
    expect(text).toBe('alpha beta gamma delta epsilon');
  });

  it('cancels from an API instance a run on the worker: the upstream call is aborted', async () => {
    api.upstream.enqueue({ kind: 'hang', afterChunks: 2 });
    const queued = await api.client.responses.create({ model, input: 'slow', background: true });
    await api.upstream.waitForRequests(1, 5_000);
    const cancelled = await secondApi.client.responses.cancel(queued.id);
    expect(cancelled).toMatchObject({ id: queued.id, status: 'cancelled' });
    await api.upstream.waitFor(() => api.upstream.requests[0]!.aborted, 5_000);
    expect(await api.client.responses.cancel(queued.id)).toMatchObject({ status: 'cancelled' });
  });

  it('cancels a response still waiting in the queue without ever calling the upstream', async () => {
    api.upstream.enqueue({ kind: 'hang', afterChunks: 1 }, { kind: 'text', text: 'never' });
    const busy = await api.client.responses.create({ model, input: 'occupies the only slot', background: true });
    await api.upstream.waitForRequests(1, 5_000);
    const waiting = await api.client.responses.create({ model, input: 'waits', background: true });
    expect(await api.client.responses.cancel(waiting.id)).toMatchObject({ status: 'cancelled' });

    // A stream reader of the cancelled response is not left waiting for events that never come.
    const events: string[] = [];
    for await (const event of await api.client.responses.retrieve(waiting.id, { stream: true })) events.push(event.type);
    expect(events).toEqual(['response.failed']);

    await api.client.responses.cancel(busy.id);
    expect(await settle(api.client, waiting.id)).toMatchObject({ status: 'cancelled' });
    expect(api.upstream.requests).toHaveLength(1);
  });

  // Last: it stops the worker.
  it('on SIGTERM, stops the runs past the grace period and leaves queued ones for another worker', async () => {
    api.upstream.enqueue({ kind: 'hang', afterChunks: 1 }, { kind: 'text', text: 'picked up after the restart' });
    const running = await api.client.responses.create({ model, input: 'too long for the grace period', background: true });
    await api.upstream.waitForRequests(1, 5_000);
    const waiting = await api.client.responses.create({ model, input: 'still queued', background: true });

    await worker.close();
    expect(await api.client.responses.retrieve(running.id)).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: expect.stringContaining('shut down') },
    });
    expect((await api.client.responses.retrieve(waiting.id)).status).toBe('queued');

    worker = await startInstance({ ...api.env, SERVER_ROLE: 'worker' });
    expect(await settle(api.client, waiting.id)).toMatchObject({ status: 'completed', output_text: 'picked up after the restart' });
  });
});

describeWithRedis('instances started at the same moment (#20)', () => {
  // A rolling deploy or an autoscaler starts several instances together, on a fresh database or with
  // a new key in API_KEYS: migrations and the configured keys must not race.
  it('two instances starting together on a fresh database both come up, ten times over', async () => {
    for (let round = 0; round < 10; round++) {
      const database = await createTestDatabase();
      const env = { ...database.env, LOG_LEVEL: 'error', API_KEYS: `sk-start-${round}=project-start-${round},${PROJECT_A_KEY}=project-a` };
      const started = await Promise.allSettled([startInstance(env), startInstance(env)]);
      try {
        expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up'))).toEqual(['up', 'up']);
        for (const result of started) {
          const instance = (result as PromiseFulfilledResult<Instance>).value;
          expect((await instance.sdk(`sk-start-${round}`).conversations.create({})).object).toBe('conversation');
        }
      } finally {
        for (const result of started) if (result.status === 'fulfilled') await result.value.close();
        await database.drop();
      }
    }
  });
});
