// What bench:overhead and bench:profile set up alike: a fresh database, and the server's settings.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

export const BENCH_API_KEY = 'sk-bench';
/** `openai/bench-model` is in no catalog: the server's settings give it a window for 10,000 items of history, whole. */
export const BENCH_MODEL = 'openai/bench-model';

/** Creates `<prefix>_<random>` on the local server (or BENCH_POSTGRES_URL); `drop()` removes it. */
export async function createBenchDatabase(prefix: string): Promise<{ url: string; name: string; admin: pg.Client; drop(): Promise<void> }> {
  const adminUrl = process.env['BENCH_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    admin,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The production settings the server runs the benchmarks with: its own database, the mock as OpenAI (Responses wire). */
export function serverEnv(port: number, databaseUrl: string, mockOrigin: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: '',
    API_KEYS: `${BENCH_API_KEY}=bench`,
    OPENAI_API_KEY: 'sk-mock',
    OPENAI_BASE_URL: `${mockOrigin}/v1`,
    OPENAI_WIRE_API: 'responses',
    DEFAULT_CONTEXT_WINDOW: '100000000',
    SHUTDOWN_GRACE_MS: '0',
    // More settings for the server under test, `NAME=value NAME=value` (e.g. rate limits: bench/README.md).
    ...Object.fromEntries(
      (process.env['BENCH_SERVER_ENV'] ?? '')
        .split(' ')
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
}

/**
 * CPU time of a process in µs, all its threads (Node's main thread, libuv's pool, V8's GC helpers):
 * the scheduler's own nanosecond count (/proc/<pid>/task/<tid>/schedstat), not the 10 ms ticks of
 * /proc/<pid>/stat, which made a round of 20 one-millisecond requests read as 10 or 30 ms.
 */
export function cpuUs(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended
      }
    }
  } catch {
    return 0; // the process ended
  }
  return ns / 1_000;
}

/** CPU of every PostgreSQL process (the server's backends among them). */
export function postgresCpuUs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuUs(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return total;
}
