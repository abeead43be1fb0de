import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import OpenAI from 'openai';
import { type MockUpstream, startMockUpstream } from '../mock-upstream/mock-upstream.js';
import { createTestDatabase, eventually } from './harness.js';

// A real server process killed with SIGKILL mid-run, then started again on the same database.
// PostgreSQL only: embedded PGlite is one process by design, and its files are not meant to
// survive a SIGKILL.
const describeOnPostgres = process.env.TEST_DB_MODE === 'postgres' ? describe : describe.skip;

const ABANDONED = 'The server running this response stopped before it finished. Send the request again to retry it.';

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

  /** Starts `src/main.ts` in its own process and resolves with an SDK client once it listens. */
  async function startServer(): Promise<{ child: ChildProcess; client: OpenAI }> {
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main.ts'], {
      env: {
        ...process.env,
        ...database.env,
        NODE_OPTIONS: '',
        PORT: '0',
        HOST: '127.0.0.1',
        API_KEYS: 'sk-crash',
        OPENAI_BASE_URL: upstream.baseUrl,
        OPENAI_API_KEY: 'sk-mock',
        OPENAI_WIRE_API: 'chat',
        RUN_STALE_AFTER_MS: '1500',
        LOG_LEVEL: 'log',
      },
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

  it('ends every run of a killed server in a terminal state after restart', async () => {
    const first = await startServer();
    upstream.enqueue(...Array.from({ length: 10 }, () => ({ kind: 'hang' as const, afterChunks: 2 })));
    const queued = await Promise.all(
      Array.from({ length: 10 }, (_, index) => first.client.responses.create({ model: 'openai/gpt-test', input: `run ${index}`, background: true })),
    );
    await upstream.waitForRequests(10, 10_000);

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await startServer();
    const ended = await eventually(async () => {
      const responses = await Promise.all(queued.map((response) => second.client.responses.retrieve(response.id)));
      return responses.every((response) => response.status === 'failed') ? responses : null;
    }, 15_000);
    expect(ended).toHaveLength(10);
    for (const response of ended) expect(response.error).toEqual({ code: 'server_error', message: ABANDONED });

    // The restarted server works as usual.
    expect((await second.client.responses.create({ model: 'openai/gpt-test', input: 'alive' })).output_text).toBe('echo: alive');
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  }, 60_000);
});
