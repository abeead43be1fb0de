// One conversation per provider wire driven for thousands of turns through a 32k-token window:
// does a turn stay as fast and as small on disk at turn 1,000 (or 10,000) as at turn 50, once the
// server manages the context window? By default every turn asks for compaction at 24,000 tokens
// (`context_management`; OpenAI compacts natively, the others with the server's own summary), with
// `truncation: "auto"` as the safety net; `--context truncation` measures truncation alone.
// Run: npm run bench:long [-- --turns N] [--providers openai,vllm,anthropic,gemini] [--db pglite|postgres] [--warmup N] [--context compaction|truncation]
// (default 1,000 turns, the four wires, embedded PGlite in memory; `--db postgres` uses DATABASE_URL, or
// creates bench_long_<random> on postgresql://postgres@127.0.0.1:5432/postgres and drops it at the end).
// Before measuring, each wire gets `--warmup` turns (default 20) in a conversation of its own, so the
// window ending at turn 50 is not JIT warm-up.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import pg from 'pg';
import { loadConfig } from '../src/config/env.schema.js';
import { createApp } from '../src/create-app.js';
import { PrismaClient } from '../src/persistence/database.js';
import { startMockUpstream } from '../test/mock-upstream/mock-upstream.js';

const { values: args } = parseArgs({
  options: {
    turns: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '20' },
    providers: { type: 'string', default: 'openai,vllm,anthropic,gemini' },
    db: { type: 'string', default: 'pglite' },
    context: { type: 'string', default: 'compaction' },
  },
});
if (args.context !== 'compaction' && args.context !== 'truncation') throw new Error('--context must be compaction or truncation');
const COMPACT_THRESHOLD = 24_000;
/** What every turn asks of the context window. */
const contextOptions = {
  truncation: 'auto' as const,
  ...(args.context === 'compaction' ? { context_management: [{ type: 'compaction' as const, compact_threshold: COMPACT_THRESHOLD }] } : {}),
};
const turns = Number(args.turns);
const warmupTurns = Number(args.warmup);
if (!Number.isInteger(turns) || turns < 50) throw new Error('--turns must be an integer of at least 50');
if (!Number.isInteger(warmupTurns) || warmupTurns < 0) throw new Error('--warmup must be a non-negative integer');
if (args.db !== 'pglite' && args.db !== 'postgres') throw new Error('--db must be pglite or postgres');

const WINDOW = 50; // the turns each checkpoint is measured over
const TOOL_EVERY = 10; // every 10th turn the model calls the tool; the next turn sends its output
const RATIO_AFTER = 200; // turns of the first provider after which responses vs items is printed
const checkpoints = [...new Set([50, 1_000, 10_000].filter((turn) => turn <= turns).concat(turns))].sort((a, b) => a - b);

const wires = {
  openai: { label: 'OpenAI Responses', model: 'openai/gpt-4o-mini-ctx32000' },
  vllm: { label: 'OpenAI-compatible chat (vLLM)', model: 'vllm/qwen-ctx32000' },
  anthropic: { label: 'Anthropic Messages', model: 'anthropic/claude-sonnet-4-5-ctx32000' },
  gemini: { label: 'Gemini', model: 'google/gemini-2.5-flash-ctx32000' },
} as const;
type WireName = keyof typeof wires;
const providers = args.providers.split(',').map((name) => name.trim()) as WireName[];
for (const name of providers) if (!(name in wires)) throw new Error(`unknown provider '${name}' (known: ${Object.keys(wires).join(', ')})`);

// The catalog entry that gives every bench model its 32k window (the mock enforces the same window from the name).
const catalogDir = mkdtempSync(join(tmpdir(), 'bench-long-'));
const modelsFile = join(catalogDir, 'models.json');
writeFileSync(modelsFile, JSON.stringify({ models: [{ match: '*-ctx32000', contextWindow: 32_000, defaultMaxOutputTokens: 1_024, maxOutputTokens: 4_096 }] }));

// The database: PGlite in memory, or PostgreSQL (DATABASE_URL, else a fresh database dropped at the end).
const adminUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';
let databaseUrl = '';
let createdDatabase: string | null = null;
if (args.db === 'postgres') {
  if (process.env.DATABASE_URL) {
    databaseUrl = process.env.DATABASE_URL;
  } else {
    createdDatabase = `bench_long_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${createdDatabase}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${createdDatabase}`;
    databaseUrl = url.toString();
  }
}

const upstream = await startMockUpstream();
const config = loadConfig({
  ...process.env,
  API_KEYS: 'sk-bench=bench',
  LOG_LEVEL: 'error',
  DATABASE_URL: databaseUrl,
  DATA_DIR: args.db === 'pglite' ? (process.env.DATA_DIR ?? 'memory://') : 'memory://',
  MODELS_FILE: modelsFile,
  OPENAI_BASE_URL: upstream.baseUrl,
  OPENAI_API_KEY: 'sk-mock',
  OPENAI_WIRE_API: 'responses',
  OPENAI_COMPATIBLE_PROVIDERS: 'vllm',
  VLLM_BASE_URL: upstream.baseUrl,
  VLLM_API_KEY: 'sk-mock',
  ANTHROPIC_BASE_URL: upstream.origin,
  ANTHROPIC_API_KEY: 'x',
  GEMINI_BASE_URL: upstream.origin,
  GEMINI_API_KEY: 'x',
});
const app = await createApp(config);
await app.listen(0, '127.0.0.1');
const client = new OpenAI({
  apiKey: 'sk-bench',
  baseURL: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/v1`,
  maxRetries: 0,
  timeout: 120_000,
});
const prisma = app.get(PrismaClient);

const tables = ['responses', 'items', 'threads', 'response_events'] as const;
type Sizes = Record<(typeof tables)[number], number>;
async function relationSizes(): Promise<Sizes> {
  const [row] = await prisma.$queryRawUnsafe<Array<Record<string, bigint | number>>>(
    `SELECT ${tables.map((table) => `pg_total_relation_size('${table}') AS ${table}`).join(', ')}`,
  );
  return Object.fromEntries(tables.map((table) => [table, Number(row![table])])) as Sizes;
}
const totalOf = (sizes: Sizes) => tables.reduce((sum, table) => sum + sizes[table], 0);

// ~2 KB of word salad per user message, unique per turn and not trivially compressible (TOAST would
// shrink a repeated filler to nothing and hide what a turn really stores).
const vocabulary = (
  'order invoice shipment customer refund warehouse delivery status parcel address account balance ' +
  'payment carrier tracking return policy discount coupon region schedule priority escalation ticket ' +
  'agent review product catalog inventory supplier contract renewal quote estimate budget forecast ' +
  'quarter report summary detail question answer please check whether because although meanwhile'
).split(' ');
let seed = 0x9e3779b9;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const prose = (label: string, chars: number) => {
  let text = label;
  while (text.length < chars) text += ` ${vocabulary[Math.floor(random() * vocabulary.length)]}${Math.floor(random() * 1000)}`;
  return text;
};
const tool = {
  type: 'function' as const,
  name: 'lookup_order',
  description: 'Looks up an order by its id and returns its status, items and shipping history.',
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'], additionalProperties: false },
  strict: false,
};

interface TurnRecord {
  ms: number;
  failed: boolean;
  inputTokens: number;
  cachedTokens: number;
  upstreamCalls: number;
  cut: 'budget' | 'upstream' | 'compaction' | null;
}
interface ProviderResult {
  name: WireName;
  turns: TurnRecord[];
  /** Total size of the four tables before turn 1 (index 0) and after each turn t (index t), where sampled. */
  sizes: Map<number, number>;
  errors: string[];
  seconds: number;
}

const sampleAt = new Set(checkpoints.flatMap((turn) => [turn - WINDOW, turn]));
/** responses vs items after RATIO_AFTER turns of the first provider (set by runProvider). */
const tableRatio: { value: number | null; line: string | null } = { value: null, line: null };
const isCreate = (path: string) => /\/(responses|chat\/completions|messages)$|:(stream)?[gG]enerateContent$/.test(path);

/** A few turns of each wire in a throwaway conversation (one of them a tool call), to warm up the JIT and the connections. */
async function warmUp(name: WireName): Promise<void> {
  const conversation = await client.conversations.create({ metadata: { bench: 'long-conversation warm-up', wire: name } });
  for (let turn = 1; turn <= warmupTurns; turn++) {
    if (turn === Math.ceil(warmupTurns / 2)) {
      upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'lookup_order', arguments: '{"order_id":"W-1"}' }] });
      const response = await client.responses.create({
        model: wires[name].model,
        conversation: conversation.id,
        input: prose('warm-up call', 2_000),
        ...contextOptions,
        tools: [tool],
      });
      const call = response.output.find((item) => item.type === 'function_call');
      if (call)
        await client.responses.create({
          model: wires[name].model,
          conversation: conversation.id,
          input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"status":"shipped"}' }],
          ...contextOptions,
          tools: [tool],
        });
    } else {
      await client.responses.create({
        model: wires[name].model,
        conversation: conversation.id,
        input: prose(`warm-up ${turn}`, 2_000),
        ...contextOptions,
        tools: [tool],
      });
    }
    upstream.requests.length = 0;
  }
  upstream.reset();
}

async function runProvider(name: WireName, first: boolean): Promise<ProviderResult> {
  const { model } = wires[name];
  upstream.reset();
  const result: ProviderResult = { name, turns: [], sizes: new Map(), errors: [], seconds: 0 };
  const conversation = await client.conversations.create({ metadata: { bench: 'long-conversation', wire: name } });
  const before = await relationSizes();
  result.sizes.set(0, totalOf(before));
  let pendingCall: string | null = null;
  const started = performance.now();
  for (let turn = 1; turn <= turns; turn++) {
    const toolTurn = turn % TOOL_EVERY === 0 && pendingCall === null;
    let input: OpenAI.Responses.ResponseInput;
    if (pendingCall !== null) {
      input = [
        {
          type: 'function_call_output',
          call_id: pendingCall,
          output: JSON.stringify({ order_id: `A-${turn}`, status: 'shipped', history: prose(`turn ${turn} result`, 1_000) }),
        },
      ];
    } else {
      const ask = toolTurn ? 'Please call lookup_order for my order. ' : '';
      input = [{ type: 'message', role: 'user', content: `${ask}${prose(`turn ${turn} (${name})`, 2_000)}` }];
    }
    if (toolTurn) upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'lookup_order', arguments: JSON.stringify({ order_id: `A-${turn}` }) }] });
    const record: TurnRecord = { ms: 0, failed: false, inputTokens: 0, cachedTokens: 0, upstreamCalls: 0, cut: null };
    const turnStarted = performance.now();
    try {
      const response = await client.responses.create({ model, conversation: conversation.id, input, ...contextOptions, tools: [tool] });
      record.ms = performance.now() - turnStarted;
      record.inputTokens = response.usage?.input_tokens ?? 0;
      record.cachedTokens = response.usage?.input_tokens_details?.cached_tokens ?? 0;
      if (response.status !== 'completed') {
        record.failed = true;
        result.errors.push(`turn ${turn}: status ${response.status} ${JSON.stringify(response.error ?? response.incomplete_details)}`);
      } else {
        const sentOutput = pendingCall !== null;
        const call = response.output.find((item) => item.type === 'function_call');
        if (call) pendingCall = call.call_id;
        else if (sentOutput) pendingCall = null;
        if (toolTurn && !call) result.errors.push(`turn ${turn}: expected a function call, got ${response.output.map((item) => item.type).join(', ')}`);
      }
      const stored = await prisma.response.findUnique({ where: { id: response.id }, select: { contextPlan: true } });
      const plan = stored?.contextPlan as { cut?: { reason: 'budget' | 'upstream' } | null; compaction?: { compacted?: boolean } } | null;
      // A move of the prompt's start: a truncation cut, or a compaction (the output holds its item).
      record.cut = plan?.cut?.reason ?? (plan?.compaction?.compacted ? 'compaction' : null);
    } catch (error) {
      record.ms = performance.now() - turnStarted;
      record.failed = true;
      result.errors.push(`turn ${turn}: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Read what is needed from the mock's log, then empty it (reset() would also drop the mock's prompt
    // caches, and with them the cached share this benchmark reports).
    record.upstreamCalls = upstream.requests.filter((request) => request.method === 'POST' && isCreate(request.path)).length;
    upstream.requests.length = 0;
    result.turns.push(record);
    if (sampleAt.has(turn)) result.sizes.set(turn, totalOf(await relationSizes()));
    if (first && turn === RATIO_AFTER) {
      const sizes = await relationSizes();
      const responses = sizes.responses - before.responses;
      const items = sizes.items - before.items;
      const ratio = responses / items;
      tableRatio.value = ratio;
      tableRatio.line =
        `after ${RATIO_AFTER} turns of ${wires[name].label}: the responses table grew by ${kb(responses)}, the items table by ${kb(items)}: ` +
        `responses/items ${ratio.toFixed(2)} (goal ≤ 2.00; whole tables, warm-up included: responses ${kb(sizes.responses)}, items ${kb(sizes.items)})`;
    }
    if (turn % 100 === 0) process.stderr.write(`  ${name}: ${turn}/${turns} turns, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
interface WindowStats {
  p50: number;
  p99: number;
  bytesPerTurn: number;
  inputTokens: number;
  cachedShare: number;
  failed: number;
  cuts: number;
  upstreamCalls: number;
}
function windowStats(result: ProviderResult, end: number): WindowStats {
  const slice = result.turns.slice(end - WINDOW, end);
  const ms = slice.map((turn) => turn.ms);
  const input = slice.reduce((sum, turn) => sum + turn.inputTokens, 0);
  const cached = slice.reduce((sum, turn) => sum + turn.cachedTokens, 0);
  return {
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    bytesPerTurn: (result.sizes.get(end)! - result.sizes.get(end - WINDOW)!) / WINDOW,
    inputTokens: input / slice.length,
    cachedShare: input === 0 ? 0 : cached / input,
    failed: slice.filter((turn) => turn.failed).length,
    cuts: slice.filter((turn) => turn.cut !== null).length,
    upstreamCalls: slice.reduce((sum, turn) => sum + turn.upstreamCalls, 0) / slice.length,
  };
}

process.stderr.write(
  `database: ${config.database.kind}${createdDatabase ? ` (${createdDatabase})` : ''}, ${turns} turns per provider, providers: ${providers.join(', ')}\n`,
);
const results: ProviderResult[] = [];
let failure: unknown = null;
try {
  for (const name of providers) await warmUp(name);
  for (const [index, name] of providers.entries()) results.push(await runProvider(name, index === 0));
} catch (error) {
  failure = error;
}

const number = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const lines: string[] = [];
// PGlite runs no autovacuum; a local PostgreSQL may have it off: then nothing analyzes the tables during the run.
const autovacuum =
  config.database.kind === 'postgres' ? `, autovacuum ${(await prisma.$queryRawUnsafe<Array<{ autovacuum: string }>>('SHOW autovacuum'))[0]?.autovacuum}` : '';
lines.push(
  `database: ${config.database.kind}${autovacuum}, ${number(turns)} turns per provider (after ${warmupTurns} warm-up turns each), window 32,000 tokens, ${args.context === 'compaction' ? `compaction at ${number(COMPACT_THRESHOLD)} tokens, truncation "auto" as the safety net` : 'truncation "auto" alone (no context_management)'}`,
);
lines.push('');
lines.push(
  `| provider | turn | p50 / p99 (ms) | bytes stored per turn | input tokens sent | cached share | failed turns | cuts / compactions | upstream calls per turn |`,
);
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const result of results) {
  for (const checkpoint of checkpoints) {
    const stats = windowStats(result, checkpoint);
    lines.push(
      `| ${wires[result.name].label} | ${number(checkpoint)} | ${stats.p50.toFixed(1)} / ${stats.p99.toFixed(1)} | ${number(stats.bytesPerTurn)} | ${number(stats.inputTokens)} | ${(100 * stats.cachedShare).toFixed(1)}% | ${stats.failed} | ${stats.cuts} | ${stats.upstreamCalls.toFixed(2)} |`,
    );
  }
}
lines.push('');
lines.push(
  `Each row covers the ${WINDOW} turns ending at that turn. Bytes: growth of pg_total_relation_size(${tables.join(' + ')}) over the window / ${WINDOW}.`,
);
lines.push(
  "Cuts / compactions: turns that moved the start of the prompt (a truncation cut, or a compaction item in the output). Upstream calls: requests the mock received per turn (more than 1: our own compaction's summary call, or a retry).",
);
lines.push('');
for (const result of results) {
  const p50s = Array.from({ length: 10 }, (_, index) => {
    const end = Math.round(((index + 1) * turns) / 10);
    return quantile(
      result.turns.slice(Math.max(0, end - WINDOW), end).map((turn) => turn.ms),
      0.5,
    ).toFixed(1);
  });
  const failedTotal = result.turns.filter((turn) => turn.failed).length;
  lines.push(
    `${wires[result.name].label}: ${result.seconds.toFixed(0)} s for ${number(result.turns.length)} turns, ${failedTotal} failed; p50 at each tenth of the run: ${p50s.join(', ')} ms`,
  );
}
if (tableRatio.line) lines.push(tableRatio.line);

// The goals.
lines.push('');
lines.push('Goals:');
const check = (ok: boolean, text: string) => lines.push(`- [${ok ? 'x' : ' '}] ${text}`);
const last = checkpoints.at(-1)!;
const failedAll = results.reduce((sum, result) => sum + result.turns.filter((turn) => turn.failed).length, 0);
check(failedAll === 0 && failure === null, `0 failed turns: ${failedAll} failed${failure ? `, run aborted: ${String(failure)}` : ''}`);
for (const result of results) {
  const early = windowStats(result, 50);
  const late = windowStats(result, last);
  check(
    late.p50 <= 1.2 * early.p50,
    `${wires[result.name].label}: p50 at turn ${number(last)} ≤ 1.2× p50 at turn 50: ${late.p50.toFixed(1)} vs ${early.p50.toFixed(1)} ms (${(late.p50 / early.p50).toFixed(2)}×)`,
  );
  check(
    late.bytesPerTurn <= 1.2 * early.bytesPerTurn,
    `${wires[result.name].label}: bytes/turn at turn ${number(last)} ≤ 1.2× at turn 50: ${number(late.bytesPerTurn)} vs ${number(early.bytesPerTurn)} (${(late.bytesPerTurn / early.bytesPerTurn).toFixed(2)}×)`,
  );
}
if (tableRatio.value !== null) check(tableRatio.value <= 2, `responses ≤ 2× items after ${RATIO_AFTER} turns: ${tableRatio.value.toFixed(2)}×`);
else check(false, `responses ≤ 2× items after ${RATIO_AFTER} turns: not measured (fewer than ${RATIO_AFTER} turns)`);
console.log(lines.join('\n'));

const errors = results.flatMap((result) => result.errors.map((error) => `${result.name} ${error}`));
if (errors.length > 0) {
  console.log(`\nFirst errors (${errors.length} in all):`);
  for (const error of errors.slice(0, 20)) console.log(`- ${error.slice(0, 500)}`);
}

await app.close();
await upstream.close();
rmSync(catalogDir, { recursive: true, force: true });
if (createdDatabase) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${createdDatabase} WITH (FORCE)`);
  await admin.end();
}
if (failure) throw failure;
