// One conversation driven to 1,000 items: what appending and loading cost at 50 items and at 1,000.
// Run: npm run bench:conversation  (DATABASE_URL unset → embedded PGlite; set it to a database of its own).
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { loadConfig } from '../src/config/env.schema.js';
import { createApp } from '../src/create-app.js';
import { ThreadStore } from '../src/history/thread-store.js';
import { PrismaClient } from '../src/persistence/database.js';
import { startMockUpstream } from '../test/mock-upstream/mock-upstream.js';

const upstream = await startMockUpstream();
// The model is unknown to the catalog: a window large enough that the whole 1,000-item history is sent, as this measures.
const config = loadConfig({
  ...process.env,
  API_KEYS: 'sk-bench=bench',
  OPENAI_BASE_URL: upstream.baseUrl,
  OPENAI_API_KEY: 'sk-mock',
  LOG_LEVEL: 'error',
  DATA_DIR: process.env.DATA_DIR ?? 'memory://',
  DEFAULT_CONTEXT_WINDOW: '1000000',
});
const app = await createApp(config);
await app.listen(0, '127.0.0.1');
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/v1`, maxRetries: 0 });
const threads = app.get(ThreadStore);

const filler = 'x'.repeat(400);
const message = (index: number) => ({
  type: 'message' as const,
  role: (index % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant',
  content: `item ${index} ${filler}`,
});
const conversation = await client.conversations.create();
const { threadId } = await app.get(PrismaClient).conversation.findUniqueOrThrow({ where: { id: conversation.id } });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function measureAt(size: number) {
  const loads: number[] = [];
  for (let run = 0; run < 30; run++) {
    const started = performance.now();
    const items = await threads.loadHistory('bench', { threadId, endSeq: null });
    loads.push(performance.now() - started);
    if (items.length !== size) throw new Error(`expected ${size} items, loaded ${items.length}`);
  }
  const appends: number[] = [];
  const turns: number[] = [];
  for (let run = 0; run < 10; run++) {
    let started = performance.now();
    await client.conversations.items.create(conversation.id, { items: [message(size + run)] });
    appends.push(performance.now() - started);
    started = performance.now();
    await client.responses.create({ model: 'openai/bench', input: 'next', conversation: conversation.id });
    turns.push(performance.now() - started);
  }
  console.log(
    `${String(size).padStart(5)} items | load (1 query) p50 ${median(loads).toFixed(2)} ms | append 1 item (HTTP) p50 ${median(appends).toFixed(2)} ms | whole turn (HTTP) p50 ${median(turns).toFixed(2)} ms`,
  );
  return size + 10 * 3; // each run appended one item and a turn of two
}

let size = 0;
async function fillTo(target: number) {
  while (size < target) {
    const count = Math.min(20, target - size);
    await client.conversations.items.create(conversation.id, { items: Array.from({ length: count }, (_, offset) => message(size + offset)) });
    size += count;
  }
}
console.log(`database: ${config.database.kind}`);
await fillTo(50);
size = await measureAt(50);
await fillTo(1000);
await measureAt(1000);
await app.close();
await upstream.close();
