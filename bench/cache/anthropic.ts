// Anthropic's breakpoints: every strategy of the comparison, and the hindsight optimum, replayed
// against the mock upstream's cache emulator (true token counts, the provider's billing split).

import type { CacheBreakpoint, CacheTtl, PromptBlock } from '../../src/caching/cache-types.js';
import { GapHistory } from '../../src/caching/gap-history.js';
import { planBreakpoints } from '../../src/caching/plan-breakpoints.js';
import { type CacheSettings, planCache } from '../../src/caching/plan-cache.js';
import { TokenCalibration } from '../../src/caching/token-calibration.js';
import type { ModelInfo } from '../../src/config/model-catalog.js';
import { AnthropicCacheEmulator, type CacheUsage, prefixHashes } from '../../test/mock-upstream/prompt-cache.js';
import { asProviderSees, type Block, type Request, type Workload } from './workloads.js';

/** JSON around a content block's text (`{"type":"text","text":…}`): in the characters the adapter measures. */
const BLOCK_WRAPPER_CHARS = 28;

interface Prepared {
  request: Request;
  hashes: string[];
  trueTokens: number[];
  /** Per thread: the gaps before this request (start to start), as the server reads them. */
  gapsMs: number[];
  /** The newest gaps of every thread, as the server's GapHistory holds them when this request comes. */
  projectGapsMs: number[];
  /** The share of the project's new threads that came back, as GapHistory knows it then. */
  continuation: number | null;
  /** Every gap of the workload: the rhythm's true distribution, for the reference planner that is told it. */
  workloadGapsMs: number[];
  /** The previous request's newest block (of this thread): its breakpoint is read from there if the prompt still holds it. */
  previousTailText: string | null;
  /** The newest block of the thread's previous turn start (its user message): where that turn's writes begin. */
  turnAnchorText: string | null;
}

export interface StrategyResult {
  usage: CacheUsage;
  usd: number;
}

type Plan = (
  prepared: Prepared,
  index: number,
  estimate: (block: Block) => number,
  previousTail: number | null,
  turnAnchor: number | null,
) => CacheBreakpoint[];

/** The planner's slots (prefix, newest block, previous tail) with fixed TTLs; a null `ttl` writes nothing new. */
function slots(cache: ModelInfo['cache'], blocks: PromptBlock[], request: Request, previousTail: number | null, ttl: CacheTtl | null, prefixTtl: CacheTtl) {
  return planBreakpoints({
    blocks,
    prefixEnd: request.prefixEnd,
    previousTail,
    minTokens: cache.minTokens,
    maxBreakpoints: cache.maxBreakpoints,
    lookback: cache.lookback,
    ttl,
    prefixTtl,
  });
}

export function anthropicStrategies(info: ModelInfo, dropsThinking: boolean): Record<string, Plan> {
  const cache = info.cache;
  const estimated = (request: Request, estimate: (block: Block) => number): PromptBlock[] =>
    request.blocks.map((block) => ({ tokens: estimate(block), cacheable: block.cacheable }));
  const planned = (
    request: Request,
    estimate: (block: Block) => number,
    previousTail: number | null,
    turnAnchor: number | null,
    rhythm: Pick<CacheSettings, 'gapsMs' | 'projectGapsMs' | 'continuation'>,
  ) =>
    planCache({
      blocks: estimated(request, estimate),
      prefixEnd: request.prefixEnd,
      previousTail,
      turnAnchor,
      mode: 'auto',
      capabilities: cache,
      ...rhythm,
      turnStart: request.turnStart,
      thinkingEndsWithTurn: request.thinking && dropsThinking,
    });
  return {
    'no caching': () => [],
    'last message only (5m)': ({ request }) => {
      const last = request.blocks.findLastIndex((block) => block.cacheable);
      return last < 0 ? [] : [{ index: last, ttl: '5m', reason: 'tail' }];
    },
    'always 5m': ({ request }, _index, estimate, previousTail) => slots(cache, estimated(request, estimate), request, previousTail, '5m', '5m'),
    'always 1h': ({ request }, _index, estimate, previousTail) => slots(cache, estimated(request, estimate), request, previousTail, '1h', '1h'),
    'our planner': ({ request, gapsMs, projectGapsMs, continuation }, _index, estimate, previousTail, turnAnchor) =>
      planned(request, estimate, previousTail, turnAnchor, { gapsMs, projectGapsMs, continuation }),
    // A reference, not a strategy: the planner told the true distribution of the workload's gaps
    // in advance (as the prior, with no thread history to move it), but not when each gap comes.
    [TOLD]: ({ request, workloadGapsMs }, _index, estimate, previousTail, turnAnchor) =>
      planned(request, estimate, previousTail, turnAnchor, { gapsMs: [], projectGapsMs: workloadGapsMs }),
  };
}

/** The reference row: the planner told the workload's gap distribution, without foresight of any one gap. */
export const TOLD = 'planner told the gap distribution (no foresight)';

export function prepare(workload: Workload, rule: 'strip-completed-turns' | 'keep'): Prepared[] {
  const threadStarts = new Map<string, number[]>();
  for (const request of workload.requests) threadStarts.set(request.thread, [...(threadStarts.get(request.thread) ?? []), request.startMs]);
  const workloadGapsMs = [...threadStarts.values()].flatMap((starts) => starts.slice(1).map((start, index) => start - starts[index]!));
  const lastStart = new Map<string, number[]>();
  const lastTail = new Map<string, string>();
  const lastAnchor = new Map<string, string>();
  const project = new GapHistory();
  return workload.requests.map((original) => {
    const request = asProviderSees(original, rule);
    const starts = lastStart.get(request.thread) ?? [];
    const gapsMs = [...starts, request.startMs].slice(1).map((start, index) => start - [...starts, request.startMs][index]!);
    lastStart.set(request.thread, [...starts, request.startMs].slice(-21));
    const previousTailText = lastTail.get(request.thread) ?? null;
    // As the server does (turn-preparation): read the project's rhythm, then add this request to it.
    const projectGapsMs = project.recent('project');
    const continuation = project.continuation('project');
    if (gapsMs.length > 0) project.observe('project', gapsMs.at(-1)!);
    if (gapsMs.length === 0) project.observeStart('project');
    if (gapsMs.length === 1) project.observeContinued('project');
    const tail = request.blocks.findLast((block) => block.cacheable);
    const turnAnchorText = lastAnchor.get(request.thread) ?? null;
    if (tail) lastTail.set(request.thread, tail.text);
    if (tail && request.turnStart) lastAnchor.set(request.thread, tail.text);
    return {
      request,
      hashes: prefixHashes(request.blocks.map((block) => block.text)),
      trueTokens: request.blocks.map((block) => block.tokens),
      gapsMs,
      projectGapsMs,
      continuation,
      workloadGapsMs,
      previousTailText,
      turnAnchorText,
    };
  });
}

const indexOfText = (request: Request, text: string | null) => {
  if (text === null) return null;
  const index = request.blocks.findIndex((block) => block.text === text);
  return index < 0 ? null : index;
};

export function usdOf(info: ModelInfo, usage: CacheUsage): number {
  const price = info.pricing!;
  return (
    (usage.uncached * price.input +
      usage.read * (price.cachedInput ?? price.input) +
      usage.write5m * (price.cacheWrite ?? price.input) +
      usage.write1h * (price.cacheWrite1h ?? price.cacheWrite ?? price.input)) /
    1_000_000
  );
}

/**
 * Replays a strategy; the planner sees token estimates from the calibrated characters per token, as
 * in the server. The breakpoints it placed, request by request, go to `record` when given.
 */
export function replay(info: ModelInfo, prepared: Prepared[], plan: Plan, record?: CacheBreakpoint[][]): StrategyResult {
  const emulator = new AnthropicCacheEmulator({ lookback: info.cache.lookback });
  const calibration = new TokenCalibration();
  const totals: CacheUsage = { read: 0, write5m: 0, write1h: 0, uncached: 0 };
  prepared.forEach((entry, index) => {
    const perToken = calibration.charsPerToken('model');
    const estimate = (block: Block) => Math.ceil((block.chars + BLOCK_WRAPPER_CHARS) / perToken);
    const breakpoints = plan(entry, index, estimate, indexOfText(entry.request, entry.previousTailText), indexOfText(entry.request, entry.turnAnchorText));
    record?.push(breakpoints);
    const usage = emulator.request({
      hashes: entry.hashes,
      tokens: entry.trueTokens,
      breakpoints,
      minTokens: info.cache.minTokens,
      now: entry.request.startMs,
    });
    for (const key of Object.keys(totals) as Array<keyof CacheUsage>) totals[key] += usage[key];
    const chars = entry.request.blocks.reduce((sum, block) => sum + block.chars + BLOCK_WRAPPER_CHARS, 0);
    calibration.observe(
      'model',
      chars,
      entry.trueTokens.reduce((sum, tokens) => sum + tokens, 0),
    );
  });
  return { usage: totals, usd: usdOf(info, totals) };
}

// ---- the hindsight optimum -----------------------------------------------------------------------

interface BeamState {
  emulator: AnthropicCacheEmulator;
  usd: number;
  usage: CacheUsage;
}

type Entries = Map<string, { expiresAt: number; ttl: CacheTtl }>;
// The emulator keeps its entries private; the search copies them to branch.
const entriesOf = (emulator: AnthropicCacheEmulator) => (emulator as unknown as { entries: Entries }).entries;

function branch(state: BeamState, now: number, lookback: number): BeamState {
  const emulator = new AnthropicCacheEmulator({ lookback });
  const target = entriesOf(emulator);
  for (const [hash, entry] of entriesOf(state.emulator)) if (entry.expiresAt > now) target.set(hash, { ...entry });
  return { emulator, usd: state.usd, usage: { ...state.usage } };
}

function signature(state: BeamState, now: number): string {
  const alive: string[] = [];
  for (const [hash, entry] of entriesOf(state.emulator))
    if (entry.expiresAt > now) alive.push(`${hash.slice(0, 12)}${entry.ttl}${Math.floor(entry.expiresAt / 30_000)}`);
  return alive.sort().join();
}

const ACTIONS: Array<[CacheTtl | null, CacheTtl]> = [
  [null, '5m'],
  [null, '1h'],
  ['5m', '5m'],
  ['5m', '1h'],
  ['1h', '1h'],
];

/**
 * The cheapest plan found knowing everything: every gap, every later prompt, the true token
 * counts. A beam search over the planner's own slots with each TTL (or no new write) per request,
 * read from the previous tail or the previous turn's start, keeping the `width` cheapest distinct
 * cache states after each request. A beam ranks states by what they cost so far, so it drops
 * those that paid for a write which pays back later; the `guides` (the strategies' breakpoints,
 * request by request) are followed alongside and their states kept in the beam, so the search
 * branches from each of them and ends at or below every one.
 */
export function hindsight(info: ModelInfo, prepared: Prepared[], guides: CacheBreakpoint[][][] = [], width = 64): StrategyResult {
  const { cache } = info;
  let beam: BeamState[] = [
    { emulator: new AnthropicCacheEmulator({ lookback: cache.lookback }), usd: 0, usage: { read: 0, write5m: 0, write1h: 0, uncached: 0 } },
  ];
  let guided = guides.map(() => beam[0]!);
  for (const [step, entry] of prepared.entries()) {
    const { request } = entry;
    const blocks: PromptBlock[] = request.blocks.map((block) => ({ tokens: block.tokens, cacheable: block.cacheable }));
    const next = new Map<string, BeamState>();
    const advance = (state: BeamState, breakpoints: CacheBreakpoint[]): [string, BeamState] => {
      const child = branch(state, request.startMs, cache.lookback);
      const usage = child.emulator.request({ hashes: entry.hashes, tokens: entry.trueTokens, breakpoints, minTokens: cache.minTokens, now: request.startMs });
      for (const key of Object.keys(usage) as Array<keyof CacheUsage>) child.usage[key] += usage[key];
      child.usd += usdOf(info, usage);
      return [signature(child, request.startMs), child];
    };
    const offer = ([key, child]: [string, BeamState]) => {
      const known = next.get(key);
      if (!known || child.usd < known.usd) next.set(key, child);
    };
    guided = guided.map((state, index) => {
      const moved = advance(state, guides[index]![step]!);
      offer(moved);
      return moved[1];
    });
    // Where to read from: the previous request's tail, or (its thinking dropped) where the previous turn started.
    const anchors = [...new Set([indexOfText(request, entry.previousTailText), indexOfText(request, entry.turnAnchorText)])];
    for (const state of beam) {
      for (const [[ttl, prefixTtl], previousTail] of ACTIONS.flatMap((action) => anchors.map((anchor) => [action, anchor] as const)))
        offer(advance(state, slots(cache, blocks, request, previousTail, ttl, prefixTtl)));
    }
    const ranked = [...next.values()].sort((a, b) => a.usd - b.usd);
    // Each guide's own state stays (or one with its cache and a lower cost): the search goes on from it.
    const kept = new Set(ranked.slice(0, width));
    for (const state of guided) kept.add(next.get(signature(state, request.startMs))!);
    beam = [...kept];
  }
  const best = beam.reduce((low, state) => (state.usd < low.usd ? state : low));
  return { usage: best.usage, usd: best.usd };
}
