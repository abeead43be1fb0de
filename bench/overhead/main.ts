// bench:overhead (issue #15): what the server adds to a model call, side by side with the floor
// (floor-proxy.ts: Fastify + undici, parse, forward, re-emit) and the model called directly, in
// interleaved rounds, against a model that answers at once (mock.ts).
// Run: npm run bench:overhead [-- --rounds 5 --sizes 10,100,1000 --seconds 4 --only stateless,stream,stateful,chains --chain-items 100]
// The soak (not in the default --only): npm run bench:overhead -- --only soak [--soak-seconds 600 --soak-rate 200]
//
// Pinning (on 2+ cores): the server and the floor on CPU 1, this harness and the mock on CPU 0;
// PostgreSQL is not pinned (its CPU is read per process from /proc and reported on its own).
// Added latency = p50 of a target − p50 of the direct call in the same round; the median over
// rounds is reported, and the ratio of the server's added latency to the floor's.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { BENCH_API_KEY, BENCH_MODEL, cpuUs, createBenchDatabase, postgresCpuUs, serverEnv } from './setup.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10,100,1000' },
    seconds: { type: 'string', default: '4' },
    only: { type: 'string', default: 'stateless,stream,stateful,chains' },
    'chain-items': { type: 'string', default: '100' },
    'soak-seconds': { type: 'string', default: '600' },
    'soak-rate': { type: 'string', default: '200' },
  },
});
const ROUNDS = Number(args.rounds);
const SIZES = args.sizes.split(',').map(Number);
const SATURATION_SECONDS = Number(args.seconds);
const CHAIN_ITEMS = Number(args['chain-items']);
const STATELESS_WARM_UP = 3_000;
/** Turns per mode run on a throwaway conversation before the stateful rounds (the same JIT warm-up). */
const STATEFUL_WARM_UP = Number(process.env['STATEFUL_WARM_UP'] ?? 500);
const ONLY = new Set(args.only.split(','));
const pinned = availableParallelism() >= 2;
const HARNESS_CPU = '0';
const TARGET_CPU = '1';
if (pinned) execFileSync('taskset', ['-cp', HARNESS_CPU, String(process.pid)], { stdio: 'ignore' });

// ---------- processes ----------

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a TypeScript entry point (pinned to `cpu`) and waits for the JSON line it prints when ready. */
async function startChild(script: string, env: Record<string, string>, cpu: string): Promise<{ child: ChildProcess; ready: any }> {
  const command = pinned ? 'taskset' : process.execPath;
  const argv = [...(pinned ? ['-c', cpu, process.execPath] : []), '--import', './scripts/register-ts.mjs', script];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const ready = await new Promise<any>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * V8's heap after the server's latest full collection (`--trace-gc`, soak only), in MB: what is
 * live, as opposed to the RSS, which also holds the heap's free space, code and native memory.
 */
const liveHeap = { afterFullGcMb: Number.NaN, fullGcs: 0 };

/**
 * The server process: the production build (`npm run build`, dist/main.js), production settings, its
 * own database. `BENCH_SERVER_FLAGS` adds node flags (e.g. `--max-semi-space-size=64`) to it alone.
 */
async function startServer(mockOrigin: string, databaseUrl: string): Promise<{ child: ChildProcess; origin: string }> {
  const port = await freePort();
  const command = pinned ? 'taskset' : process.execPath;
  const traceGc = ONLY.has('soak');
  const flags = [...(process.env['BENCH_SERVER_FLAGS']?.split(' ').filter(Boolean) ?? []), ...(traceGc ? ['--trace-gc'] : [])];
  const argv = [...(pinned ? ['-c', TARGET_CPU, process.execPath] : []), ...flags, 'dist/main.js'];
  const child = spawn(command, argv, {
    env: serverEnv(port, databaseUrl, mockOrigin),
    stdio: ['ignore', traceGc ? 'pipe' : 'inherit', 'inherit'],
  });
  children.push(child);
  if (traceGc) {
    // "[pid:0x…]  176543 ms: Mark-Compact 64.8 (103.2) -> 56.0 (100.3) MB, …": live before (committed) -> live after (committed).
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const fullGc = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
        if (fullGc) {
          liveHeap.afterFullGcMb = Number(fullGc[1]);
          liveHeap.fullGcs++;
        } else if (!/ ms: (Scavenge|Mark-Compact|Mark-sweep)/.test(line)) process.stdout.write(`${line}\n`);
      }
    });
  }
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const healthy = await fetch(`${origin}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (attempt > 600) throw new Error('the server did not become healthy in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, origin };
}

// ---------- /proc ----------

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

// ---------- requests ----------

interface Target {
  name: string;
  pool: Pool;
  headers: Record<string, string>;
  /** The process whose CPU is this target's cost. */
  pid: number;
  /** Also count PostgreSQL's CPU (the server's database). */
  database: boolean;
}

interface Timing {
  ms: number;
  /** Time to the first `response.output_text.delta` of a stream. */
  firstDeltaMs?: number;
  text: string;
}

async function send(target: Target, body: string, stream = false): Promise<Timing> {
  const started = performance.now();
  const response = await target.pool.request({ method: 'POST', path: '/v1/responses', headers: target.headers, body });
  let text = '';
  let firstDeltaMs: number | undefined;
  for await (const chunk of response.body) {
    text += chunk.toString();
    if (stream && firstDeltaMs === undefined && text.includes('response.output_text.delta')) firstDeltaMs = performance.now() - started;
  }
  const ms = performance.now() - started;
  if (response.statusCode !== 200) throw new Error(`${target.name}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
  if (stream && firstDeltaMs === undefined) throw new Error(`${target.name}: a stream without a text delta: ${text.slice(0, 300)}`);
  return { ms, firstDeltaMs, text };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const median = (values: number[]) => percentile(values, 50);
const shuffle = <T>(items: T[]) =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
const fmt = (value: number, digits = 2) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Interleaved rounds at c=1: per round, each target (in a fresh random order) gets `perRound`
 * sequential requests. Returns per target the p50 of each round, the pooled samples, and CPU.
 */
async function latencyRounds(
  targets: Target[],
  bodyFor: (target: Target, round: number, n: number) => string,
  perRound: number,
  measure: (timing: Timing) => number,
  stream = false,
  beforeRound: (round: number) => Promise<void> = async () => {},
) {
  const result = new Map(targets.map((target) => [target.name, { roundP50: [] as number[], samples: [] as number[], cpuUs: 0, dbUs: 0, requests: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    await beforeRound(round);
    for (const target of shuffle(targets)) {
      const entry = result.get(target.name)!;
      const samples: number[] = [];
      const cpuBefore = cpuUs(target.pid);
      const dbBefore = target.database ? postgresCpuUs() : 0;
      for (let n = 0; n < perRound; n++) samples.push(measure(await send(target, bodyFor(target, round, n), stream)));
      entry.cpuUs += cpuUs(target.pid) - cpuBefore;
      if (target.database) entry.dbUs += postgresCpuUs() - dbBefore;
      entry.requests += perRound;
      entry.roundP50.push(median(samples));
      entry.samples.push(...samples);
    }
  }
  return result;
}

type Rounds = Awaited<ReturnType<typeof latencyRounds>>;

/** Median over rounds of (target p50 − direct p50 in the same round). */
function added(rounds: Rounds, name: string, direct = 'direct'): number {
  const target = rounds.get(name)!.roundP50;
  const base = rounds.get(direct)!.roundP50;
  return median(target.map((value, round) => value - base[round]!));
}

/** What one client of a closed loop sends next, and hears back. */
interface LoopClient {
  body(): string;
  answered?(text: string): void;
  failed?(): void;
}

/** `concurrency` clients, each sending requests back to back until `seconds` pass. */
async function closedLoop(target: Target, concurrency: number, seconds: number, client: (index: number) => LoopClient) {
  const deadline = performance.now() + seconds * 1_000;
  let completed = 0;
  let errors = 0;
  const cpuBefore = cpuUs(target.pid);
  const dbBefore = target.database ? postgresCpuUs() : 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, index) => {
      const sender = client(index);
      while (performance.now() < deadline) {
        try {
          const timing = await send(target, sender.body());
          completed++;
          sender.answered?.(timing.text);
        } catch {
          errors++;
          sender.failed?.();
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  return {
    rps: completed / elapsed,
    cpuPerRequestUs: (cpuUs(target.pid) - cpuBefore) / completed,
    dbPerRequestUs: target.database ? (postgresCpuUs() - dbBefore) / completed : 0,
    errors,
  };
}

/** The same body from every client. */
const saturate = (target: Target, body: string, concurrency: number, seconds: number) => closedLoop(target, concurrency, seconds, () => ({ body: () => body }));

/** `streams` concurrent clients, each opening `each` streams one after another: first-delta times. */
async function concurrentStreams(target: Target, body: string, streams: number, each: number): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: streams }, async () => {
      for (let n = 0; n < each; n++) samples.push((await send(target, body, true)).firstDeltaMs!);
    }),
  );
  return samples;
}

// ---------- setup ----------

const database = await createBenchDatabase('bench_overhead');

execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
const mock = await startChild('bench/overhead/mock.ts', {}, HARNESS_CPU);
const mockOrigin = `http://127.0.0.1:${mock.ready.port}`;
const floor = await startChild('bench/overhead/floor-proxy.ts', { UPSTREAM: mockOrigin }, TARGET_CPU);
const server = await startServer(mockOrigin, database.url);
const idleRssMb = rssMb(server.child.pid!);

const json = { 'content-type': 'application/json' };
const pool = (origin: string) => new Pool(origin, { connections: 128 });
const direct: Target = { name: 'direct', pool: pool(mockOrigin), headers: json, pid: mock.child.pid!, database: false };
const floorTarget: Target = { name: 'floor', pool: pool(`http://127.0.0.1:${floor.ready.port}`), headers: json, pid: floor.child.pid!, database: false };
const serverHeaders = { ...json, authorization: `Bearer ${BENCH_API_KEY}` };
const serverTarget: Target = { name: 'server', pool: pool(server.origin), headers: serverHeaders, pid: server.child.pid!, database: true };

const KB_TEXT = 'A question of about one kilobyte, as a chat turn would send. '.repeat(17);
const statelessBody = (target: Target, stream = false) =>
  JSON.stringify({ model: target === serverTarget ? BENCH_MODEL : 'gpt-4o-mini', input: KB_TEXT, store: false, stream });

const lines: string[] = [];
const print = (line = '') => {
  lines.push(line);
  console.log(line);
};
const cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
print(
  `bench:overhead, ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpuModel}, ${pinned ? 'server and floor pinned to CPU 1, harness and mock to CPU 0' : 'not pinned'}; ${ROUNDS} rounds`,
);
print(`mock answer: ${mock.ready.jsonBytes} bytes of JSON, ${mock.ready.sseBytes} bytes of SSE; server idle RSS ${fmt(idleRssMb, 0)} MB`);
print();

// Warm-up: JIT, connections, the auth cache. The server's path is long: its p50 at c=1 kept
// falling for ~2,500 requests (1.36 ms over the first 200, 0.6 ms from the 2,600th on), the
// floor's for ~1,600; the rounds measure both warm, as a long-running process is.
for (const target of [direct, floorTarget, serverTarget]) {
  for (let n = 0; n < STATELESS_WARM_UP; n++) await send(target, statelessBody(target));
  for (let n = 0; n < 300; n++) await send(target, statelessBody(target, true), true);
}

const statelessTargets = [direct, floorTarget, serverTarget];
const summary: string[] = [];

if (ONLY.has('stateless')) {
  const rounds = await latencyRounds(
    statelessTargets,
    (target) => statelessBody(target),
    200,
    (timing) => timing.ms,
  );
  const floorAdded = added(rounds, 'floor');
  const serverAdded = added(rounds, 'server');
  const cpu = (name: string) => rounds.get(name)!.cpuUs / rounds.get(name)!.requests;
  const saturation = new Map<string, Awaited<ReturnType<typeof saturate>>[]>();
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    for (const target of shuffle(statelessTargets)) {
      const entry = saturation.get(target.name) ?? [];
      entry.push(await saturate(target, statelessBody(target), 64, SATURATION_SECONDS));
      saturation.set(target.name, entry);
    }
  }
  const sat = (name: string, key: 'rps' | 'cpuPerRequestUs' | 'dbPerRequestUs') => median(saturation.get(name)!.map((run) => run[key]));
  const errors = (name: string) => saturation.get(name)!.reduce((sum, run) => sum + run.errors, 0);
  print('### Stateless `store: false`, 1 KB in and out, not streamed');
  print();
  print('| measure | direct | floor | server | server ÷ floor |');
  print('|---|---|---|---|---|');
  print(
    `| p50 at c=1 (ms) | ${fmt(median(rounds.get('direct')!.roundP50))} | ${fmt(median(rounds.get('floor')!.roundP50))} | ${fmt(median(rounds.get('server')!.roundP50))} | |`,
  );
  print(`| added p50 at c=1 (ms) | | +${fmt(floorAdded)} | +${fmt(serverAdded)} | ${fmt(serverAdded / floorAdded, 1)}× |`);
  print(
    `| CPU per request at c=1 (µs) | ${fmt(cpu('direct'), 0)} | ${fmt(cpu('floor'), 0)} | ${fmt(cpu('server'), 0)} (+ PostgreSQL ${fmt(rounds.get('server')!.dbUs / rounds.get('server')!.requests, 0)}) | ${fmt(cpu('server') / cpu('floor'), 1)}× |`,
  );
  print(
    `| requests/s at c=64, ${SATURATION_SECONDS} s | ${fmt(sat('direct', 'rps'), 0)} | ${fmt(sat('floor', 'rps'), 0)} | ${fmt(sat('server', 'rps'), 0)} | ${fmt(sat('server', 'rps') / sat('floor', 'rps'), 2)}× |`,
  );
  print(
    `| CPU per request at c=64 (µs) | ${fmt(sat('direct', 'cpuPerRequestUs'), 0)} | ${fmt(sat('floor', 'cpuPerRequestUs'), 0)} | ${fmt(sat('server', 'cpuPerRequestUs'), 0)} (+ PostgreSQL ${fmt(sat('server', 'dbPerRequestUs'), 0)}) | ${fmt(sat('server', 'cpuPerRequestUs') / sat('floor', 'cpuPerRequestUs'), 1)}× |`,
  );
  print(`| errors at c=64 | ${errors('direct')} | ${errors('floor')} | ${errors('server')} | |`);
  print();
  summary.push(
    `stateless: added p50 ${fmt(serverAdded / floorAdded, 1)}× (goal ≤ 1.5×), CPU/request at c=64 ${fmt(sat('server', 'cpuPerRequestUs') / sat('floor', 'cpuPerRequestUs'), 1)}× (goal ≤ 2×), RPS ${fmt(sat('server', 'rps') / sat('floor', 'rps'), 2)}× (goal ≥ 0.5×)`,
  );
  if (sat('direct', 'rps') < 2 * sat('floor', 'rps'))
    print(`(rig-bound: the direct call at c=64 does less than twice the floor's requests/s, so the floor's requests/s is a lower bound)\n`);
}

if (ONLY.has('stream')) {
  const rounds = await latencyRounds(
    statelessTargets,
    (target) => statelessBody(target, true),
    100,
    (timing) => timing.firstDeltaMs!,
    true,
  );
  const floorAdded = added(rounds, 'floor');
  const serverAdded = added(rounds, 'server');
  const concurrent = new Map<string, { p50: number[]; p99: number[] }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of shuffle(statelessTargets)) {
      const samples = await concurrentStreams(target, statelessBody(target, true), 50, 4);
      const entry = concurrent.get(target.name) ?? { p50: [], p99: [] };
      entry.p50.push(percentile(samples, 50));
      entry.p99.push(percentile(samples, 99));
      concurrent.set(target.name, entry);
    }
  }
  const addedAt = (name: string, key: 'p50' | 'p99') =>
    median(concurrent.get(name)![key].map((value, round) => value - concurrent.get('direct')![key][round]!));
  print('### Streaming: time to the first text delta');
  print();
  print('| measure | direct | floor | server | server ÷ floor |');
  print('|---|---|---|---|---|');
  print(
    `| first delta p50 at c=1 (ms) | ${fmt(median(rounds.get('direct')!.roundP50))} | ${fmt(median(rounds.get('floor')!.roundP50))} | ${fmt(median(rounds.get('server')!.roundP50))} | |`,
  );
  print(`| added first delta p50 at c=1 (ms) | | +${fmt(floorAdded)} | +${fmt(serverAdded)} | ${fmt(serverAdded / floorAdded, 1)}× |`);
  print(`| added first delta p50, 50 concurrent streams (ms) | | +${fmt(addedAt('floor', 'p50'))} | +${fmt(addedAt('server', 'p50'))} | |`);
  print(`| added first delta p99, 50 concurrent streams (ms) | | +${fmt(addedAt('floor', 'p99'))} | +${fmt(addedAt('server', 'p99'))} | |`);
  print();
  summary.push(
    `streaming: added first delta p50 ${fmt(serverAdded / floorAdded, 1)}× (goal ≤ 1.5×); at 50 concurrent streams added p99 +${fmt(addedAt('server', 'p99'))} ms (goal ≤ 10 ms)`,
  );
}

/** `size` user and assistant messages of ~1 KB, as a history to continue. */
const historyOf = (size: number) =>
  Array.from({ length: size }, (_, n) =>
    n % 2 === 0
      ? { type: 'message', role: 'user', content: `${n}: ${KB_TEXT}` }
      : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `${n}: ${KB_TEXT}` }] },
  );
/** A conversation holding `history`, added 20 items at a time as the API allows. */
async function seedConversation(history: unknown[]): Promise<string> {
  const created = await serverTarget.pool.request({
    method: 'POST',
    path: '/v1/conversations',
    headers: serverHeaders,
    body: JSON.stringify({ items: history.slice(0, 20) }),
  });
  const { id } = (await created.body.json()) as { id: string };
  for (let from = 20; from < history.length; from += 20) {
    const added = await serverTarget.pool.request({
      method: 'POST',
      path: `/v1/conversations/${id}/items`,
      headers: serverHeaders,
      body: JSON.stringify({ items: history.slice(from, from + 20) }),
    });
    if (added.statusCode !== 200) throw new Error(`seeding: HTTP ${added.statusCode}: ${await added.body.text()}`);
    await added.body.dump();
  }
  return id;
}
const answerText = (response: string) => JSON.parse(response).output.find((item: any) => item.type === 'message').content[0].text as string;
const userMessage = (text: string) => ({ type: 'message', role: 'user', content: text });
const assistantMessage = (text: string) => ({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
const turnText = (n: number) => `turn ${n}: ${KB_TEXT}`;

if (ONLY.has('stateful')) {
  print('### A stateful turn, by history size (items before the turn)');
  print();
  print('The floor and the direct call send the same items statelessly (`store: false`, the whole history as `input`).');
  print('By `previous_response_id`, every measured turn forks from the same response, so each sees exactly the same items.');
  print('By `conversation`, every round has a conversation of its own and every measured turn appends two items to it; the floor');
  print('and the direct call of that column send what the conversation held at the same turn, so both sides grow alike.');
  print();
  print(
    "| items | direct p50 | floor added | by `previous_response_id` added | ratio | floor added (conversation's items) | by `conversation` added | ratio | server + PostgreSQL CPU per turn (prev / conv) | floor CPU per request (prev / conv) | CPU ratio (prev / conv) |",
  );
  print('|---|---|---|---|---|---|---|---|---|---|---|');
  {
    // Warm-up of the stateful paths on throwaway threads, so the measured ones keep their sizes.
    const post = async (path: string, body: unknown) => {
      const response = await serverTarget.pool.request({ method: 'POST', path, headers: serverHeaders, body: JSON.stringify(body) });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`warm-up: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };
    const items = Array.from({ length: 10 }, (_, n) => ({
      type: 'message',
      role: n % 2 === 0 ? 'user' : 'assistant',
      content: n % 2 === 0 ? KB_TEXT : [{ type: 'output_text', text: KB_TEXT }],
    }));
    const { id: conversation } = await post('/v1/conversations', { items });
    const { id: previous } = await post('/v1/responses', { model: BENCH_MODEL, conversation, input: KB_TEXT });
    const { id: appended } = await post('/v1/conversations', { items });
    for (let n = 0; n < STATEFUL_WARM_UP; n++) {
      await post('/v1/responses', { model: BENCH_MODEL, previous_response_id: previous, input: KB_TEXT });
      await post('/v1/responses', { model: BENCH_MODEL, conversation: appended, input: KB_TEXT });
    }
  }
  for (const size of SIZES) {
    const history = historyOf(size);
    // By previous_response_id: every measured turn forks from the same response, so each sees exactly size + 2 items.
    const forkConversation = await seedConversation(history);
    const base = await send(serverTarget, JSON.stringify({ model: BENCH_MODEL, conversation: forkConversation, input: KB_TEXT }));
    const baseId = JSON.parse(base.text).id as string;
    const answer = answerText(base.text);
    // By conversation: each round has a conversation of its own, seeded alike, and each measured
    // turn appends 2 items to it; so a row's conversations hold `size` + 2 to `size` + 2 × perRound items.
    const conversations: string[] = [];
    const newConversation = async () => {
      const id = await seedConversation(history);
      await send(serverTarget, JSON.stringify({ model: BENCH_MODEL, conversation: id, input: KB_TEXT }));
      conversations.push(id);
    };
    const statelessInput = [...history, userMessage(KB_TEXT), assistantMessage(answer)];
    const byPrevious: Target = { ...serverTarget, name: 'previous_response_id' };
    const byConversation: Target = { ...serverTarget, name: 'conversation' };
    const directConversation: Target = { ...direct, name: 'direct (conversation)' };
    const floorConversation: Target = { ...floorTarget, name: 'floor (conversation)' };
    const perRound = size >= 1_000 ? 10 : 20;
    const turnOf = (round: number, n: number) => round * perRound + n;
    // What the round's conversation holds before its n-th measured turn: the seeded turn, then every earlier turn of the round and its answer.
    const conversationBefore = (round: number, n: number) => [
      ...statelessInput,
      ...Array.from({ length: n }, (_, j) => [userMessage(turnText(turnOf(round, j))), assistantMessage(answer)]).flat(),
    ];
    const bodyFor = (target: Target, round: number, n: number) => {
      const input = turnText(turnOf(round, n));
      if (target === byPrevious) return JSON.stringify({ model: BENCH_MODEL, previous_response_id: baseId, input });
      if (target === byConversation) return JSON.stringify({ model: BENCH_MODEL, conversation: conversations[round], input });
      const items = target === directConversation || target === floorConversation ? conversationBefore(round, n) : statelessInput;
      return JSON.stringify({ model: 'gpt-4o-mini', store: false, input: [...items, userMessage(input)] });
    };
    const rounds = await latencyRounds(
      [direct, floorTarget, byPrevious, directConversation, floorConversation, byConversation],
      bodyFor,
      perRound,
      (timing) => timing.ms,
      false,
      newConversation,
    );
    const floorAdded = added(rounds, 'floor');
    const floorConversationAdded = added(rounds, 'floor (conversation)', 'direct (conversation)');
    const previousAdded = added(rounds, 'previous_response_id');
    const conversationAdded = added(rounds, 'conversation', 'direct (conversation)');
    const cpuPerTurn = (name: string) => (rounds.get(name)!.cpuUs + rounds.get(name)!.dbUs) / rounds.get(name)!.requests / 1_000;
    const cpuRatio = (server: string, floor: string) => cpuPerTurn(server) / cpuPerTurn(floor);
    const row = [
      size,
      `${fmt(median(rounds.get('direct')!.roundP50))} ms`,
      `+${fmt(floorAdded)} ms`,
      `+${fmt(previousAdded)} ms`,
      `${fmt(previousAdded / floorAdded, 1)}×`,
      `+${fmt(floorConversationAdded)} ms`,
      `+${fmt(conversationAdded)} ms`,
      `${fmt(conversationAdded / floorConversationAdded, 1)}×`,
      `${fmt(cpuPerTurn('previous_response_id'))} / ${fmt(cpuPerTurn('conversation'))} ms`,
      `${fmt(cpuPerTurn('floor'))} / ${fmt(cpuPerTurn('floor (conversation)'))} ms`,
      `${fmt(cpuRatio('previous_response_id', 'floor'), 1)}× / ${fmt(cpuRatio('conversation', 'floor (conversation)'), 1)}×`,
    ];
    print(`| ${row.join(' | ')} |`);
    summary.push(
      `stateful at ${size} items: added p50 ${row[4]} (previous_response_id), ${row[7]} (conversation) the floor's (goal ≤ 3×); server + PostgreSQL CPU ${row[10]} the floor's (goal ≤ 3×)`,
    );
  }
  print();
}

if (ONLY.has('chains')) {
  // 32 chains advance at once, each turn continuing its own chain's newest response; the floor's 32
  // clients send each chain's items statelessly. A chain starts again from the same response after
  // CHAIN_TURNS turns, so both sides see histories of the same sizes however fast they go.
  const CHAINS = 32;
  const CHAIN_TURNS = 10;
  const size = CHAIN_ITEMS;
  const conversation = await seedConversation(historyOf(size));
  const base = await send(serverTarget, JSON.stringify({ model: BENCH_MODEL, conversation, input: KB_TEXT }));
  const baseId = JSON.parse(base.text).id as string;
  const answer = answerText(base.text);
  const baseInput = [...historyOf(size), userMessage(KB_TEXT), assistantMessage(answer)];
  const advance = async (target: Target) => {
    const run = await closedLoop(target, CHAINS, SATURATION_SECONDS, (chain) => {
      let previous = baseId;
      let items = baseInput;
      let turn = 0;
      let input = '';
      const restart = () => ([previous, items] = [baseId, baseInput]);
      return {
        body: () => {
          if (turn % CHAIN_TURNS === 0) restart();
          input = turnText(chain * 1_000 + turn++);
          return target === serverTarget
            ? JSON.stringify({ model: BENCH_MODEL, previous_response_id: previous, input })
            : JSON.stringify({ model: 'gpt-4o-mini', store: false, input: [...items, userMessage(input)] });
        },
        answered: (text) => {
          if (target === serverTarget) previous = JSON.parse(text).id;
          else items = [...items, userMessage(input), assistantMessage(answer)];
        },
        failed: restart,
      };
    });
    return { turnsPerSecond: run.rps, cpuMs: (run.cpuPerRequestUs + run.dbPerRequestUs) / 1_000, errors: run.errors };
  };
  const results = new Map<string, Awaited<ReturnType<typeof advance>>[]>();
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    for (const target of shuffle([floorTarget, serverTarget])) results.set(target.name, [...(results.get(target.name) ?? []), await advance(target)]);
  }
  const at = (name: string, key: 'turnsPerSecond' | 'cpuMs') => median(results.get(name)!.map((run) => run[key]));
  const errors = (name: string) => results.get(name)!.reduce((sum, run) => sum + run.errors, 0);
  print(`### ${CHAINS} chains advancing at once (${size + 2} to ${size + 2 * CHAIN_TURNS} items, ${SATURATION_SECONDS} s × ${Math.min(ROUNDS, 3)} rounds)`);
  print();
  print('| measure | floor | server (`previous_response_id`) | server ÷ floor |');
  print('|---|---|---|---|');
  print(
    `| turns/s | ${fmt(at('floor', 'turnsPerSecond'), 0)} | ${fmt(at('server', 'turnsPerSecond'), 0)} | ${fmt(at('server', 'turnsPerSecond') / at('floor', 'turnsPerSecond'), 2)}× |`,
  );
  print(
    `| CPU per turn (server + PostgreSQL) (ms) | ${fmt(at('floor', 'cpuMs'))} | ${fmt(at('server', 'cpuMs'))} | ${fmt(at('server', 'cpuMs') / at('floor', 'cpuMs'), 1)}× |`,
  );
  print(`| failed turns | ${errors('floor')} | ${errors('server')} | |`);
  print();
  summary.push(
    `${CHAINS} chains at once: ${fmt(at('server', 'turnsPerSecond') / at('floor', 'turnsPerSecond'), 2)}× the floor's turns/s (goal ≥ 0.3×), ${errors('server')} failed turns (goal 0)`,
  );
}

if (ONLY.has('soak')) {
  // Open loop at a fixed rate, whatever the answers take: a quarter each of stateless `store: false`
  // (streamed and not), stored first turns, and turns forking from one stored response. Every
  // window reports the server's RSS, so growth shows as a trend, not a single number.
  const seconds = Number(args['soak-seconds']);
  const rate = Number(args['soak-rate']);
  const base = JSON.parse((await send(serverTarget, JSON.stringify({ model: BENCH_MODEL, input: KB_TEXT }))).text).id as string;
  const bodies = [
    statelessBody(serverTarget),
    statelessBody(serverTarget, true),
    JSON.stringify({ model: BENCH_MODEL, input: KB_TEXT }),
    JSON.stringify({ model: BENCH_MODEL, previous_response_id: base, input: KB_TEXT }),
  ];
  const windowSeconds = Math.min(60, Math.max(5, seconds / 10));
  print(`### Soak: ${rate} requests/s for ${seconds} s (open loop; a quarter each stateless, streamed, stored, chained)`);
  print();
  print(
    '| from (s) | requests | errors | p50 (ms) | p99 (ms) | server RSS at the end (MB) | live heap after the last full GC (MB) | full GCs | server CPU (% of a core) |',
  );
  print('|---|---|---|---|---|---|---|---|---|');
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let window = { from: 0, samples: [] as number[], errors: 0, cpu: cpuUs(server.child.pid!), fullGcs: liveHeap.fullGcs };
  const liveSeries: number[] = [];
  const rssSeries: number[] = [];
  const closeWindow = (now: number) => {
    const from = window.from;
    const rss = rssMb(server.child.pid!);
    rssSeries.push(rss);
    const cpu = cpuUs(server.child.pid!);
    const sorted = [...window.samples].sort((a, b) => a - b);
    const at = (p: number) => (sorted.length ? fmt(percentile(sorted, p)) : '–');
    liveSeries.push(liveHeap.afterFullGcMb);
    print(
      `| ${fmt(from, 0)} | ${fmt(sorted.length + window.errors, 0)} | ${window.errors} | ${at(50)} | ${at(99)} | ${fmt(rss, 0)} | ${fmt(liveHeap.afterFullGcMb, 1)} | ${liveHeap.fullGcs - window.fullGcs} | ${fmt((100 * (cpu - window.cpu)) / ((now - from) * 1e6), 0)} |`,
    );
    window = { from: now, samples: [], errors: 0, cpu, fullGcs: liveHeap.fullGcs };
  };
  for (let n = 0; ; n++) {
    const due = started + (n * 1_000) / rate;
    const now = performance.now();
    if (now - started >= seconds * 1_000) break;
    if ((now - started) / 1_000 - window.from >= windowSeconds) closeWindow((now - started) / 1_000);
    if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));
    const body = bodies[n % bodies.length]!;
    const request = send(serverTarget, body, body === bodies[1]).then(
      (timing) => void window.samples.push(timing.ms),
      () => void window.errors++,
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);
  closeWindow((performance.now() - started) / 1_000);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const idleAfter = rssMb(server.child.pid!);
  print();
  print(
    `server RSS: ${fmt(idleRssMb, 0)} MB idle before, ${fmt(Math.min(...rssSeries), 0)}–${fmt(Math.max(...rssSeries), 0)} MB during, ${fmt(idleAfter, 0)} MB idle 5 s after`,
  );
  print();
  summary.push(
    `soak: RSS ${fmt(Math.min(...rssSeries), 0)}–${fmt(Math.max(...rssSeries), 0)} MB over ${seconds} s at ${rate} requests/s (first window ${fmt(rssSeries[0]!, 0)}, last ${fmt(rssSeries.at(-1)!, 0)} MB), live heap after full GCs ${fmt(liveSeries[0]!, 1)} → ${fmt(liveSeries.at(-1)!, 1)} MB; idle ${fmt(idleRssMb, 0)} MB before, ${fmt(idleAfter, 0)} MB after (goal: idle ≤ 200 MB, flat)`,
  );
}

print(`server RSS: ${fmt(idleRssMb, 0)} MB idle, ${fmt(rssMb(server.child.pid!), 0)} MB at the end`);
print();
print('Summary:');
for (const line of summary) print(`- ${line}`);

for (const child of children) child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 500));
await database.drop();
process.exit(0);
