// Background runs against a mock upstream with a fixed latency: how fast `background: true` answers
// (time to the queued Response) and how many runs per second finish.
// Run: npm run bench:background [-- runs concurrency]  (DATABASE_URL unset → embedded PGlite; set it to a database of its own).
// With REDIS_URL set and BENCH_WORKERS=N, this process serves HTTP only (SERVER_ROLE=api) and N
// worker processes (src/main.ts, SERVER_ROLE=worker) run the responses, as in production.
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { loadConfig } from '../src/config/env.schema.js';
import { createApp } from '../src/create-app.js';
import { PrismaClient } from '../src/persistence/database.js';
import { startMockUpstream } from '../test/mock-upstream/mock-upstream.js';

const runs = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 20);
const workers = Number(process.env.BENCH_WORKERS ?? 0);
const upstream = await startMockUpstream();
const env = {
  ...process.env,
  API_KEYS: 'sk-bench',
  OPENAI_BASE_URL: upstream.baseUrl,
  OPENAI_API_KEY: 'sk-mock',
  OPENAI_WIRE_API: 'chat',
  LOG_LEVEL: 'error',
  DATA_DIR: process.env.DATA_DIR ?? 'memory://',
  REDIS_KEY_PREFIX: `bench${process.pid}`,
};
const config = loadConfig({ ...env, SERVER_ROLE: workers > 0 ? 'api' : 'all' });
const children: ChildProcess[] = await Promise.all(Array.from({ length: workers }, () => startWorker()));
const app = await createApp(config);
await app.listen(0, '127.0.0.1');
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/v1`, maxRetries: 0 });
const prisma = app.get(PrismaClient);

// Each upstream call streams 4 chunks 50 ms apart: about 200 ms of model time per run.
upstream.enqueue(...Array.from({ length: runs }, () => ({ kind: 'text' as const, text: 'a fixed latency answer', chunkSize: 6, delayMs: 50 })));

const createLatencies: number[] = [];
const ids: string[] = [];
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < runs) {
      next++;
      const begin = performance.now();
      const queued = await client.responses.create({ model: 'openai/bench', input: 'go', background: true });
      createLatencies.push(performance.now() - begin);
      ids.push(queued.id);
    }
  }),
);
for (;;) {
  const finished = await prisma.response.count({ where: { id: { in: ids }, status: 'completed' } });
  if (finished === runs) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const elapsed = (performance.now() - started) / 1000;
const sorted = [...createLatencies].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
const topology = workers > 0 ? `API process + ${workers} worker process(es) on Redis` : config.redis ? 'one process on Redis' : 'one process, in-process queue';
console.log(`database: ${config.database.kind}, ${topology}, runs: ${runs}, concurrency: ${concurrency}, upstream ~200 ms per run`);
console.log(`create (time to queued): p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`);
console.log(`throughput: ${(runs / elapsed).toFixed(1)} runs/s (${elapsed.toFixed(2)} s for all to complete)`);
await app.close();
for (const child of children) child.kill('SIGTERM');
await upstream.close();

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main.ts'], {
    env: { ...env, SERVER_ROLE: 'worker', LOG_LEVEL: 'log' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
  });
}
