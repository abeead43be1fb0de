import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import OpenAI from 'openai';
import pg from 'pg';
import { type MockUpstream, startMockUpstream } from '../mock-upstream/mock-upstream.js';
import { createTestDatabase, eventually, type Instance, startInstance } from './harness.js';

// A real server process killed with SIGKILL mid-run, then started again on the same database.
// PostgreSQL only: embedded PGlite is one process by design, and its files are not meant to
// survive a SIGKILL.
const describeOnPostgres = process.env.TEST_DB_MODE === 'postgres' ? describe : describe.skip;

const ABANDONED_AFTER_OUTPUT =
  'The server running this response stopped after the response had started to stream output, so it was not run again. Send the request again to retry it.';

describeOnPostgres('crash safety', () => {
  let upstream: MockUpstream;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    upstream = await startMockUpstream();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await upstream?.close();
    await database?.drop();
  });

  const serverEnv = () => ({
    ...database.env,
    API_KEYS: 'sk-crash',
    OPENAI_BASE_URL: upstream.baseUrl,
    OPENAI_API_KEY: 'sk-mock',
    OPENAI_WIRE_API: 'chat',
  });

  /** Starts `src/main.ts` in its own process and resolves with an SDK client once it listens. */
  async function startServer(env: Record<string, string> = {}): Promise<{ child: ChildProcess; client: OpenAI }> {
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main.ts'], {
      env: { ...process.env, ...serverEnv(), NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'log', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
    });
    return { child, client: new OpenAI({ apiKey: 'sk-crash', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }) };
  }

  /** Resolves once the background run has streamed its first text delta. */
  async function outputShown(client: OpenAI, id: string): Promise<void> {
    for await (const event of await client.responses.retrieve(id, { stream: true })) if (event.type === 'response.output_text.delta') return;
  }

  it('ends every run of a killed server in a terminal state after restart', async () => {
    const first = await startServer({ RUN_STALE_AFTER_MS: '1500' });
    upstream.enqueue(...Array.from({ length: 10 }, () => ({ kind: 'hang' as const, afterChunks: 2 })));
    const queued = await Promise.all(
      Array.from({ length: 10 }, (_, index) => first.client.responses.create({ model: 'openai/gpt-test', input: `run ${index}`, background: true })),
    );
    await upstream.waitForRequests(10, 10_000);
    // Each has shown output: a run that had not would be queued again rather than failed (the next test).
    await Promise.all(queued.map((response) => outputShown(first.client, response.id)));

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await startServer({ RUN_STALE_AFTER_MS: '1500' });
    const ended = await eventually(async () => {
      const responses = await Promise.all(queued.map((response) => second.client.responses.retrieve(response.id)));
      return responses.every((response) => response.status === 'failed') ? responses : null;
    }, 15_000);
    expect(ended).toHaveLength(10);
    for (const response of ended) expect(response.error).toEqual({ code: 'server_error', message: ABANDONED_AFTER_OUTPUT });

    // The restarted server works as usual.
    expect((await second.client.responses.create({ model: 'openai/gpt-test', input: 'alive' })).output_text).toBe('echo: alive');
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  }, 60_000);

  it("runs on a live instance, within 30 s, a killed instance's runs that had shown no output, and fails those that had", async () => {
    upstream.reset();
    // Default liveness settings (RUN_STALE_AFTER_MS 15 s), as a deployment runs them.
    const doomed = await startServer();
    const quiet: string[] = [];
    const streamed: string[] = [];
    // One at a time, so each upstream call takes the scenario meant for it: three calls whose model
    // has not answered yet (headers only), three that streamed some text.
    for (let index = 0; index < 6; index++) {
      upstream.enqueue({ kind: 'hang', afterChunks: index < 3 ? 0 : 2 });
      const response = await doomed.client.responses.create({ model: 'openai/gpt-test', input: `run ${index}`, background: true });
      await upstream.waitForRequests(index + 1, 10_000);
      (index < 3 ? quiet : streamed).push(response.id);
    }
    await Promise.all(streamed.map((id) => outputShown(doomed.client, id)));
    const survivor: Instance = await startInstance({ ...serverEnv(), LOG_LEVEL: 'error' });
    try {
      const killedAt = Date.now();
      doomed.child.kill('SIGKILL');
      await once(doomed.child, 'exit');
      const client = survivor.sdk('sk-crash');
      const ids = [...quiet, ...streamed];
      const ended = await eventually(async () => {
        const responses = await Promise.all(ids.map((id) => client.responses.retrieve(id)));
        return responses.every((response) => response.status === 'completed' || response.status === 'failed') ? responses : null;
      }, 30_000);
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      // Nothing was left queued for the upstream: the runs queued again got the mock's echo.
      expect(ended.map((response) => [response.status, response.status === 'completed' ? response.output_text : response.error?.message])).toEqual([
        ['completed', 'echo: run 0'],
        ['completed', 'echo: run 1'],
        ['completed', 'echo: run 2'],
        ['failed', ABANDONED_AFTER_OUTPUT],
        ['failed', ABANDONED_AFTER_OUTPUT],
        ['failed', ABANDONED_AFTER_OUTPUT],
      ]);
      // Each start of a run counts: twice for those queued again.
      const db = new pg.Client({ connectionString: database.env.DATABASE_URL });
      await db.connect();
      try {
        const { rows } = await db.query<{ id: string; run_attempts: number }>('SELECT id, run_attempts FROM responses WHERE id = ANY($1::text[])', [ids]);
        expect(Object.fromEntries(rows.map((row) => [row.id, row.run_attempts]))).toEqual(Object.fromEntries(ids.map((id, index) => [id, index < 3 ? 2 : 1])));
      } finally {
        await db.end();
      }
    } finally {
      await survivor.close();
    }
  }, 90_000);
});
