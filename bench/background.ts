// Background runs against a mock upstream with a fixed latency: how fast `background: true` answers
// (time to the queued Response) and how many runs per second finish.
// Run: npm run bench:background [-- runs concurrency]  (DATABASE_URL unset → embedded PGlite; set it to a database of its own).
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { loadConfig } from '../src/config/env.schema.js';
import { createApp } from '../src/create-app.js';
import { PrismaClient } from '../src/persistence/database.js';
import { startMockUpstream } from '../test/mock-upstream/mock-upstream.js';

const runs = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 20);
const upstream = await startMockUpstream();
const config = loadConfig({ ...process.env, API_KEYS: 'sk-bench', OPENAI_BASE_URL: upstream.baseUrl, OPENAI_API_KEY: 'sk-mock', OPENAI_WIRE_API: 'chat', LOG_LEVEL: 'error', DATA_DIR: process.env.DATA_DIR ?? 'memory://' });
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
console.log(`database: ${config.database.kind}, runs: ${runs}, concurrency: ${concurrency}, upstream ~200 ms per run`);
console.log(`create (time to queued): p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`);
console.log(`throughput: ${(runs / elapsed).toFixed(1)} runs/s (${elapsed.toFixed(2)} s for all to complete)`);
await app.close();
await upstream.close();
