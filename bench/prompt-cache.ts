// Replays four realistic workloads (a coding agent, a support chat, RAG, a batch; see
// bench/cache/workloads.ts) against the caching emulators of the mock upstream, per provider, and
// compares the input-token cost of every caching strategy with the hindsight optimum.
// Run: npm run bench:cache [-- --seeds 3] (10 seeds by default)

import type { CacheBreakpoint } from '../src/caching/cache-types.js';
import { ModelCatalog } from '../src/config/model-catalog.js';
import { anthropicStrategies, hindsight, prepare, replay, TOLD } from './cache/anthropic.js';
import { geminiRows, openaiRows, type Row } from './cache/other-providers.js';
import { workloads } from './cache/workloads.js';

const seedsArg = process.argv.indexOf('--seeds');
const seeds = Array.from({ length: seedsArg > 0 ? Number(process.argv[seedsArg + 1]) : 10 }, (_, index) => index + 1);
const catalog = ModelCatalog.load(null);

const usd = (value: number) => `$${value.toFixed(2)}`;
const pct = (value: number) => `${(100 * value).toFixed(1)}%`;

interface Summary {
  workload: string;
  provider: string;
  planner: number;
  bestFixed: number;
  bestFixedName: string;
  /** The planner told the gap distribution, where run: how much of the rest is foresight. */
  reference: number | null;
}
const summaries: Summary[] = [];

/** Sums rows of the same strategy over seeds, then prints cost and share of the optimum's saving. */
function report(workload: string, provider: string, perSeed: Row[][], short = provider.split(';')[0]!.replace(' (', ', ')): void {
  const names = perSeed[0]!.map((row) => row.name);
  const rows = names.map((name) => {
    const same = perSeed.map((rows) => rows.find((row) => row.name === name)!);
    return { name, kind: same[0]!.kind, usd: same.reduce((sum, row) => sum + row.usd, 0) };
  });
  const none = rows.find((row) => row.kind === 'none')!.usd;
  const optimum = rows.find((row) => row.kind === 'hindsight')!.usd;
  const share = (cost: number) => (none - cost) / (none - optimum);
  console.log(`\n${provider}`);
  console.log("| strategy | input cost | share of the optimum's saving |");
  console.log('|---|---|---|');
  for (const row of rows) console.log(`| ${row.name} | ${usd(row.usd)} | ${pct(share(row.usd))} |`);
  const fixed = rows.filter((row) => row.kind === 'fixed' || row.kind === 'none');
  const best = fixed.reduce((low, row) => (row.usd < low.usd ? row : low));
  const planner = rows.find((row) => row.kind === 'planner')!;
  const reference = rows.find((row) => row.kind === 'reference');
  summaries.push({
    workload,
    provider: short,
    planner: share(planner.usd),
    bestFixed: share(best.usd),
    bestFixedName: best.name,
    reference: reference ? share(reference.usd) : null,
  });
  const beaten = rows.filter((row) => row.kind !== 'hindsight' && row.usd < optimum - 1e-9);
  if (beaten.length > 0) console.log(`(the search missed the optimum: ${beaten.map((row) => row.name).join(', ')} cost less)`);
}

for (const build of workloads) {
  const sessions = seeds.map((seed) => build(seed));
  const first = sessions[0]!;
  const inputTokens = sessions.reduce(
    (sum, session) => sum + session.requests.reduce((all, request) => all + request.blocks.reduce((s, b) => s + b.tokens, 0), 0),
    0,
  );
  const requests = sessions.reduce((sum, session) => sum + session.requests.length, 0);
  console.log(`\n## ${first.name}: ${first.description}`);
  console.log(
    `seeds ${seeds.join(', ')}: ${requests.toLocaleString('en')} requests, ${inputTokens.toLocaleString('en')} input tokens (before the provider drops thinking)`,
  );

  const anthropicRun = (model: string, rule: 'strip-completed-turns' | 'keep') => {
    const info = catalog.lookup(model);
    return sessions.map((session) => {
      const prepared = prepare(session, rule);
      const guides: CacheBreakpoint[][][] = [];
      const rows: Row[] = Object.entries(anthropicStrategies(info, rule === 'strip-completed-turns')).map(([name, plan]) => {
        const record: CacheBreakpoint[][] = [];
        const result = replay(info, prepared, plan, record);
        guides.push(record);
        const kind = name === 'no caching' ? 'none' : name === 'our planner' ? 'planner' : name === TOLD ? 'reference' : 'fixed';
        return { name, cached: result.usage.read, usd: result.usd, kind };
      });
      // Guided by every strategy's plan, the search ends at or below each of them.
      const best = hindsight(info, prepared, guides);
      rows.push({ name: 'hindsight optimum (best found)', cached: best.usage.read, usd: best.usd, kind: 'hindsight' });
      return rows;
    });
  };
  report(
    first.name,
    `Anthropic (${first.models.anthropic}; thinking of completed turns stripped)`,
    anthropicRun(first.models.anthropic, 'strip-completed-turns'),
  );
  if (first.models.anthropicKeepingThinking)
    report(
      first.name,
      `Anthropic (${first.models.anthropicKeepingThinking}; thinking kept across turns)`,
      anthropicRun(first.models.anthropicKeepingThinking, 'keep'),
    );
  report(
    first.name,
    `OpenAI (${first.models.openai}; automatic prefix cache)`,
    sessions.map((session) => openaiRows(session, catalog.lookup(session.models.openai))),
  );
  // Implicit hits as the emulator gives them (every prefix seen in 5 minutes: an upper bound), and half of them.
  for (const rate of [1, 0.5])
    report(
      first.name,
      `Gemini (${first.models.gemini}; implicit caching hits ${rate * 100}% of the prefixes seen in 5 min)`,
      sessions.map((session) => geminiRows(session, catalog.lookup(session.models.gemini), rate)),
      `Gemini, ${first.models.gemini}, implicit hits ${rate * 100}%`,
    );
}

console.log("\n## Summary: share of the hindsight optimum's saving");
console.log('| workload | provider | best fixed strategy | our planner | planner ≥ best fixed | told the gap distribution |');
console.log('|---|---|---|---|---|---|');
for (const row of summaries)
  console.log(
    `| ${row.workload} | ${row.provider} | ${pct(row.bestFixed)} (${row.bestFixedName}) | ${pct(row.planner)} | ${row.planner >= row.bestFixed - 1e-9 ? 'yes' : 'no'} | ${row.reference === null ? '' : pct(row.reference)} |`,
  );
const mean = summaries.reduce((sum, row) => sum + row.planner, 0) / summaries.length;
console.log(`\nour planner: ${pct(mean)} of the optimum's saving on average over ${summaries.length} rows`);
