// Where a request's time goes (issue #15): runs the production build against the bench mock on a
// fresh PostgreSQL database, and reports (1) every SQL statement one request of the mode sends,
// from PostgreSQL's own log (`log_statement = all` on that database), and (2) a CPU profile of the
// server over `--requests` more, by package and by function (self time).
// Run: npm run bench:profile [-- --mode stateless|stream|conversation|previous --requests 300 --items 100 --concurrency 1]
// (`stream` is the stateless request with `stream: true`, read to its end.)
// `--target floor` profiles the floor proxy (floor-proxy.ts) instead, for stateless and stream: the
// same units side by side, to see what the server does that the floor does not.
// The statement log needs read access to the server's log file (`--log`, default Debian's).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BENCH_API_KEY, BENCH_MODEL, createBenchDatabase, postgresCpuUs, serverEnv } from './setup.js';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'conversation' },
    requests: { type: 'string', default: '300' },
    items: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1' },
    target: { type: 'string', default: 'server' },
    log: { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
  },
});
const mode = args.mode;
if (!['stateless', 'stream', 'conversation', 'previous'].includes(mode)) throw new Error('--mode must be stateless, stream, conversation or previous');
const requests = Number(args.requests);
const floor = args.target === 'floor';
if (floor && mode !== 'stateless' && mode !== 'stream') throw new Error('--target floor profiles --mode stateless or stream');

const database = await createBenchDatabase('bench_profile');
const admin = database.admin;

execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
const mock = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'bench/overhead/mock.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const mockPort = await new Promise<number>((resolve) => mock.stdout.once('data', (data: Buffer) => resolve(JSON.parse(data.toString()).port)));
const profileDir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
const port = 18_000 + Math.floor(Math.random() * 2_000);
const server = floor
  ? spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--import', './scripts/register-ts.mjs', 'bench/overhead/floor-proxy.ts'], {
      env: { ...process.env, UPSTREAM: `http://127.0.0.1:${mockPort}`, PORT: String(port) },
      stdio: 'inherit',
    })
  : spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, 'dist/main.js'], {
      env: serverEnv(port, database.url, `http://127.0.0.1:${mockPort}`),
      stdio: 'inherit',
    });
const origin = `http://127.0.0.1:${port}`;
for (;;) {
  // The floor answers only POST /v1/responses: any answer means it is listening.
  if (
    await fetch(`${origin}/health`).then(
      (response) => floor || response.ok,
      () => false,
    )
  )
    break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const post = async (path: string, body: unknown): Promise<any> => {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return (body as { stream?: boolean }).stream ? text : JSON.parse(text);
};
const text = 'A question of about one kilobyte, as a chat turn would send. '.repeat(17);
const model = BENCH_MODEL;
// The history: `--items` messages of ~1 KB in a conversation, then one turn whose id chains.
const stateful = mode === 'conversation' || mode === 'previous';
const conversation = stateful ? await post('/v1/conversations', {}) : undefined;
for (let from = 0; stateful && from < Number(args.items); from += 20) {
  const items = Array.from({ length: Math.min(20, Number(args.items) - from) }, (_, n) =>
    (from + n) % 2 === 0 ? { type: 'message', role: 'user', content: text } : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] },
  );
  await post(`/v1/conversations/${conversation.id}/items`, { items });
}
const base = stateful ? await post('/v1/responses', { model, input: text, conversation: conversation.id }) : undefined;
const one = () =>
  mode === 'stateless' || mode === 'stream'
    ? post('/v1/responses', { model, input: text, store: false, ...(mode === 'stream' ? { stream: true } : {}) })
    : mode === 'conversation'
      ? post('/v1/responses', { model, input: text, conversation: conversation.id })
      : post('/v1/responses', { model, input: text, previous_response_id: base.id });
for (let n = 0; n < 20; n++) await one();

// (1) The statements of one request, from PostgreSQL's log.
if (floor) {
  // The floor has no database.
} else if (existsSync(args.log)) {
  await admin.query(`ALTER DATABASE ${database.name} SET log_statement = 'all'`);
  // The setting applies to new sessions: make the server's pool open new ones.
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database.name]);
  await one().catch(() => undefined); // a request on a dead pooled connection may fail once
  await one();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const from = statSync(args.log).size;
  await one();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const entries: string[] = [];
  for (const line of readFileSync(args.log, 'utf8').slice(from).split('\n')) {
    if (line.startsWith('\t') && entries.length) entries[entries.length - 1] += ` ${line.trim()}`;
    else entries.push(line);
  }
  // The webhook poller's statement runs on a timer, not for the request.
  const statements = entries
    .map((entry) => /(?:statement|execute [^:]*): (.*)$/.exec(entry)?.[1])
    .filter((statement): statement is string => statement !== undefined && !statement.includes('webhook_deliveries'));
  console.log(`${mode}: ${statements.length} SQL statements for one request${stateful ? ` (history of ${args.items} items)` : ''}`);
  for (const statement of statements) console.log(`  ${statement.replaceAll('"public".', '').slice(0, 160)}`);
  await admin.query(`ALTER DATABASE ${database.name} RESET log_statement`);
} else {
  console.log(`(no statement count: ${args.log} is not readable here)`);
}

// (2) A CPU profile over `requests` more.
const pgBefore = postgresCpuUs();
const started = performance.now();
// The profile's clock is the monotonic one (microseconds) this process reads too: samples before this are startup and setup.
const measuredFrom = Number(process.hrtime.bigint() / 1_000n);
const concurrency = Number(args.concurrency);
let sent = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent < requests) {
      sent++;
      await one();
    }
  }),
);
console.log(
  `\n${requests} × ${mode}: ${((performance.now() - started) / requests).toFixed(2)} ms each, ${concurrency} at a time; PostgreSQL CPU ${((postgresCpuUs() - pgBefore) / requests).toFixed(0)} µs each`,
);
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
mock.kill();

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(readFileSync(join(profileDir, readdirSync(profileDir).find((file) => file.endsWith('.cpuprofile'))!), 'utf8')) as {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
// Inclusive time of our own functions: each sample counts once for every function of ours on its stack.
const ours = new Map<string, number>();
const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
let clock = profile.startTime;
profile.samples.forEach((id, index) => {
  const { callFrame } = nodes.get(id)!;
  const us = profile.timeDeltas[index] ?? 0;
  clock += us;
  if (clock < measuredFrom || callFrame.functionName === '(idle)') return;
  busy += us;
  const url = callFrame.url;
  const area =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.includes('/dist/')
      ? `src/${url.split('/dist/')[1]!.split('/')[0]}`
      : url.startsWith('node:')
        ? 'node internals'
        : callFrame.functionName.startsWith('(')
          ? callFrame.functionName
          : 'native');
  byArea.set(area, (byArea.get(area) ?? 0) + us);
  const name = `${callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = nodes.get(at)!.callFrame;
    if (!frame.url.includes('/dist/') || frame.url.includes('node_modules')) continue;
    const own = `${frame.functionName || '(anonymous)'} ${frame.url.split('/dist/')[1]}:${frame.lineNumber + 1}`;
    if (seen.has(own)) continue;
    seen.add(own);
    ours.set(own, (ours.get(own) ?? 0) + us);
  }
});
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');
console.log(`CPU profile of the server over those requests: ${(busy / 1_000).toFixed(0)} ms busy, ${(busy / requests).toFixed(0)} µs per request`);
console.log(`by area (self time):\n${top(byArea, 15)}`);
console.log(`by function (self time):\n${top(byFunction, 45)}`);
console.log(`profile: ${profileDir}`);
console.log(`our functions (inclusive time):\n${top(ours, 30)}`);

await database.drop();
