// Per-turn cost of a long previous_response_id chain: the server loads the whole history (one
// recursive query), calls the model (the mock upstream, ~0 ms) and commits the turn (one
// transaction). Run: npm run bench:chain [-- turns]  (DATABASE_URL unset → embedded PGlite).
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { loadConfig } from '../src/config/env.schema.js';
import { createApp } from '../src/create-app.js';
import { startMockUpstream } from '../test/mock-upstream/mock-upstream.js';

const turns = Number(process.argv[2] ?? 200);
const upstream = await startMockUpstream();
const config = loadConfig({
  ...process.env,
  API_KEYS: 'sk-bench',
  OPENAI_BASE_URL: upstream.baseUrl,
  OPENAI_API_KEY: 'sk-mock',
  LOG_LEVEL: 'error',
  DATA_DIR: process.env.DATA_DIR ?? 'memory://',
});
const app = await createApp(config);
await app.listen(0, '127.0.0.1');
const address = app.getHttpServer().address() as { port: number };
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${address.port}/v1`, maxRetries: 0 });

const latencies: number[] = [];
let previous: string | undefined;
const filler = 'x'.repeat(400); // ~100 tokens per user message, so the history has some weight
for (let turn = 0; turn < turns; turn++) {
  const started = performance.now();
  const response = await client.responses.create({
    model: 'openai/bench',
    input: `turn ${turn} ${filler}`,
    ...(previous ? { previous_response_id: previous } : {}),
  });
  latencies.push(performance.now() - started);
  previous = response.id;
  upstream.reset();
}

const window = (from: number, to: number) => {
  const slice = latencies.slice(from, to).sort((a, b) => a - b);
  const at = (q: number) => slice[Math.min(slice.length - 1, Math.floor(q * slice.length))]!.toFixed(1);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`;
};
console.log(`database: ${config.database.kind}, turns: ${turns}`);
console.log(`turns   1-20  (history  0-40 items):  ${window(0, 20)}`);
console.log(`turns ${turns - 19}-${turns} (history ~${2 * turns} items): ${window(turns - 20, turns)}`);
await app.close();
await upstream.close();
