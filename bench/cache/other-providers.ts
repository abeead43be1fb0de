// OpenAI's automatic prefix cache and Gemini's implicit and explicit caches, per strategy.

import { ImplicitCacheStats } from '../../src/caching/implicit-cache-stats.js';
import { type ExplicitCacheEntry, planGeminiCache } from '../../src/caching/plan-gemini-cache.js';
import { chooseRetention } from '../../src/caching/thread-cache.js';
import type { ModelInfo } from '../../src/config/model-catalog.js';
import type { CacheMode } from '../../src/items/policies.js';
import { GeminiImplicitCacheEmulator, OpenAICacheEmulator, prefixHashes } from '../../test/mock-upstream/prompt-cache.js';
import { asProviderSees, type Request, type Workload } from './workloads.js';

export interface Row {
  name: string;
  /** Input tokens read from a cache. */
  cached: number;
  /** USD of the input side: uncached, cached, cache creation and storage. */
  usd: number;
  kind: 'none' | 'fixed' | 'planner' | 'reference' | 'hindsight';
}

const total = (request: Request) => request.blocks.reduce((sum, block) => sum + block.tokens, 0);

/** How many leading blocks of `request` `before` (the thread's previous request) sent too. */
function repeatedBlocks(request: Request, before: Request | undefined): number {
  let index = 0;
  while (before && index < before.blocks.length && request.blocks[index]?.text === before.blocks[index]!.text) index++;
  return index;
}

function merge(blocks: Array<{ text: string; tokens: number }>): { text: string; tokens: number } {
  return { text: blocks.map((block) => block.text).join('|'), tokens: blocks.reduce((sum, block) => sum + block.tokens, 0) };
}

/** OpenAI: caching is automatic; the only choice is retention (and a key routing a thread to the same machines). */
export function openaiRows(workload: Workload, info: ModelInfo): Row[] {
  const requests = workload.requests.map((request) => asProviderSees(request, 'strip-completed-turns'));
  const price = info.pricing!;
  const usdOf = (all: number, cached: number) => ((all - cached) * price.input + cached * (price.cachedInput ?? price.input)) / 1_000_000;
  const all = requests.reduce((sum, request) => sum + total(request), 0);
  const run = (retention: 'in_memory' | '24h') => {
    const emulator = new OpenAICacheEmulator();
    let cached = 0;
    for (const request of requests) {
      cached += emulator.request({
        hashes: prefixHashes(request.blocks.map((block) => block.text)),
        tokens: request.blocks.map((block) => block.tokens),
        retention,
        now: request.startMs,
      }).cached;
    }
    return cached;
  };
  const rows: Row[] = [{ name: 'no caching', cached: 0, usd: usdOf(all, 0), kind: 'none' }];
  const inMemory = run('in_memory');
  rows.push({ name: 'in-memory retention', cached: inMemory, usd: usdOf(all, inMemory), kind: 'fixed' });
  const offers24h = info.cache.retention.includes('24h');
  const extended = offers24h ? run('24h') : inMemory;
  if (offers24h) rows.push({ name: '24h retention', cached: extended, usd: usdOf(all, extended), kind: 'fixed' });
  const planned = chooseRetention('auto', info.cache) === '24h' ? extended : inMemory;
  rows.push({ name: 'our planner', cached: planned, usd: usdOf(all, planned), kind: 'planner' });
  // Every token some earlier request sent as the same prefix is read (in 128-token steps from 1,024), however long ago.
  const seen = new OpenAICacheEmulator(Number.MAX_SAFE_INTEGER);
  let bound = 0;
  for (const request of requests)
    bound += seen.request({
      hashes: prefixHashes(request.blocks.map((block) => block.text)),
      tokens: request.blocks.map((block) => block.tokens),
      retention: 'in_memory',
      now: request.startMs,
    }).cached;
  rows.push({ name: 'hindsight optimum (every repeated prefix read)', cached: bound, usd: usdOf(all, bound), kind: 'hindsight' });
  return rows;
}

/** One Gemini request as every strategy sees it: its contents grouped as the adapter sends them, and what implicit caching gives it. */
interface GeminiStep {
  request: Request;
  sum: number;
  gapsMs: number[];
  /** Tokens of the system instruction and tools. */
  fixed: number;
  contentHashes: string[];
  contentTokens: number[];
  /** What the request repeats of its thread's previous one (what the server estimates from the history it sends again). */
  repeated: number;
  /** Input tokens implicit caching reads for it. */
  implicitHit: number;
}

/**
 * Prepares the requests; the implicit cache sees every request, whichever way it is sent (the
 * provider serves the same prompt), so what it would read is the same for every strategy and the
 * hindsight search knows it.
 */
function geminiSteps(requests: Request[], info: ModelInfo, implicitHitRate: number): GeminiStep[] {
  const implicit = new GeminiImplicitCacheEmulator();
  const starts = new Map<string, number[]>();
  const previous = new Map<string, Request>();
  return requests.map((request) => {
    const tokens = request.blocks.map((block) => block.tokens);
    const thread = starts.get(request.thread) ?? [];
    const before = previous.get(request.thread);
    previous.set(request.thread, request);
    const gapsMs = [...thread, request.startMs].slice(1).map((start, index) => start - [...thread, request.startMs][index]!);
    starts.set(request.thread, [...thread, request.startMs].slice(-21));
    const contents = request.blocks.slice(request.prefixEnd + 1);
    // Gemini's contents are messages: what this request adds since the thread's previous one is its newest content.
    const repeatedCount = repeatedBlocks(request, before);
    const kept = Math.min(contents.length - 1, Math.max(0, repeatedCount - (request.prefixEnd + 1)));
    const grouped = [...contents.slice(0, kept).map((block) => ({ text: block.text, tokens: block.tokens })), merge(contents.slice(kept))];
    const seen = implicit.request({
      hashes: prefixHashes(request.blocks.map((block) => block.text)),
      tokens,
      minTokens: info.cache.minTokens,
      now: request.startMs,
    }).cached;
    return {
      request,
      sum: tokens.reduce((a, b) => a + b, 0),
      gapsMs,
      fixed: tokens.slice(0, request.prefixEnd + 1).reduce((a, b) => a + b, 0),
      contentHashes: prefixHashes(grouped.map((content) => content.text)),
      contentTokens: grouped.map((content) => content.tokens),
      repeated: tokens.slice(0, repeatedCount).reduce((a, b) => a + b, 0),
      // Implicit caching promises nothing: a hit the emulator would give lands only `implicitHitRate` of the time (in expectation).
      implicitHit: seen * implicitHitRate,
    };
  });
}

/** Tokens an explicit cache created by this step holds: the instruction, the tools, and every content but the newest. */
const cacheTokensOf = (step: GeminiStep) => step.fixed + step.contentTokens.slice(0, -1).reduce((a, b) => a + b, 0);

/** Whether the cache `creator` made still starts `step`'s contents (the planner's own test). */
function cacheFits(creator: GeminiStep, step: GeminiStep): boolean {
  const covered = creator.contentTokens.length - 1;
  return covered <= step.contentTokens.length - 1 && (covered === 0 || step.contentHashes[covered - 1] === creator.contentHashes[covered - 1]);
}

/**
 * Gemini: implicit caching is free when it hits (the emulator hits on every prefix seen in the last
 * 5 minutes: an upper bound of what it gives); explicit caches are guaranteed but billed: creation
 * at the input price, reads at the cache rate, storage per token-hour while they live.
 */
export function geminiRows(workload: Workload, info: ModelInfo, implicitHitRate = 1): Row[] {
  const requests = workload.requests.map((request) => asProviderSees(request, 'drop-all'));
  const steps = geminiSteps(requests, info, implicitHitRate);
  const price = info.pricing!;
  const read = info.cache.multipliers.read;
  const storage = info.cache.multipliers.storagePerHour;
  const toUsd = (units: number) => (units * price.input) / 1_000_000;
  const all = steps.reduce((sum, step) => sum + step.sum, 0);
  // Units (tokens at the input price) of a request by each route.
  const viaImplicit = (step: GeminiStep) => step.sum - step.implicitHit * (1 - read);
  const viaExplicit = (step: GeminiStep, cacheTokens: number) => step.sum - cacheTokens * (1 - read);

  const run = (strategy: 'implicit' | CacheMode): Row => {
    // What the server learns from the usage of its implicit requests (ImplicitCacheStats).
    const learned = new ImplicitCacheStats();
    const entries = new Map<string, { entry: ExplicitCacheEntry; created: number }>();
    let units = 0;
    let cached = 0;
    const close = (held: { entry: ExplicitCacheEntry; created: number } | undefined, until: number) => {
      if (held) units += held.entry.tokens * storage * ((Math.min(until, held.entry.expiresAt) - held.created) / 3_600_000);
    };
    for (const step of steps) {
      const { request } = step;
      const held = entries.get(request.thread);
      const decision =
        strategy === 'implicit'
          ? ({ action: 'implicit' } as const)
          : planGeminiCache({
              mode: strategy,
              fingerprint: 'prefix',
              contentHashes: step.contentHashes,
              fixedTokens: step.fixed,
              contentTokens: step.contentTokens,
              existing: held?.entry ?? null,
              minTokens: info.cache.minTokens,
              gapsMs: step.gapsMs,
              now: request.startMs,
              multipliers: info.cache.multipliers,
              implicitHitShare: learned.share('model'),
            });
      if (decision.action === 'implicit') {
        if (step.gapsMs.length > 0) learned.observe('model', { cachedTokens: step.implicitHit, repeatedTokens: step.repeated, gapMs: step.gapsMs.at(-1)! });
        cached += step.implicitHit;
        units += viaImplicit(step);
        continue;
      }
      let entry: ExplicitCacheEntry;
      if (decision.action === 'create') {
        close(held, request.startMs);
        const covered = decision.covered;
        entry = {
          name: request.thread,
          fingerprint: 'prefix',
          covered,
          coveredHash: covered === 0 ? '' : step.contentHashes[covered - 1]!,
          tokens: step.fixed + step.contentTokens.slice(0, covered).reduce((a, b) => a + b, 0),
          expiresAt: request.startMs + decision.ttlMs,
        };
        entries.set(request.thread, { entry, created: request.startMs });
        units += entry.tokens; // creation, at the input price
      } else {
        entry = decision.entry;
        if (decision.extend) entry.expiresAt = request.startMs + decision.ttlMs;
      }
      cached += entry.tokens;
      units += viaExplicit(step, entry.tokens);
    }
    for (const held of entries.values()) close(held, Number.POSITIVE_INFINITY);
    const name = strategy === 'implicit' ? 'implicit only' : strategy === 'auto' ? 'our planner' : 'always explicit (aggressive)';
    return { name, cached, usd: toUsd(units), kind: strategy === 'auto' ? 'planner' : 'fixed' };
  };

  const rows = [{ name: 'no caching', cached: 0, usd: toUsd(all), kind: 'none' } as Row, run('implicit'), run('aggressive'), run('auto')];
  const optimum = geminiHindsight(steps, info.cache.minTokens, storage, viaImplicit, viaExplicit);
  const cheapest = rows.reduce((low, row) => (row.usd < low.usd ? row : low));
  rows.push({
    name: 'hindsight optimum',
    ...(cheapest.usd < toUsd(optimum.units) ? { cached: cheapest.cached, usd: cheapest.usd } : { cached: optimum.cached, usd: toUsd(optimum.units) }),
    kind: 'hindsight',
  });
  return rows;
}

/**
 * The cheapest plan knowing everything (every gap, every later prompt, which requests implicit
 * caching will read), over the planner's own actions: per request, implicit caching, the thread's
 * explicit cache, or a new one covering all but the newest content (replacing the old), each cache
 * stored exactly until its last use. Exact: a dynamic program per thread whose state is which
 * request created the live cache (none, or one of the thread's earlier requests).
 */
function geminiHindsight(
  steps: GeminiStep[],
  minTokens: number,
  storagePerHour: number,
  viaImplicit: (step: GeminiStep) => number,
  viaExplicit: (step: GeminiStep, cacheTokens: number) => number,
): { units: number; cached: number } {
  const threads = new Map<string, GeminiStep[]>();
  for (const step of steps) threads.set(step.request.thread, [...(threads.get(step.request.thread) ?? []), step]);
  let units = 0;
  let cached = 0;
  for (const thread of threads.values()) {
    // Per state (-1: no live cache; i: the cache step i created), the cheapest cost so far and the tokens it read.
    let states = new Map<number, { units: number; cached: number }>([[-1, { units: 0, cached: 0 }]]);
    thread.forEach((step, index) => {
      const hours = index === 0 ? 0 : (step.request.startMs - thread[index - 1]!.request.startMs) / 3_600_000;
      const next = new Map<number, { units: number; cached: number }>();
      const offer = (state: number, value: { units: number; cached: number }) => {
        const known = next.get(state);
        if (!known || value.units < known.units) next.set(state, value);
      };
      for (const [creator, value] of states) {
        const live = creator >= 0 ? thread[creator]! : null;
        // A live cache is stored through the gap to this request.
        const stored = live ? value.units + cacheTokensOf(live) * storagePerHour * hours : value.units;
        offer(creator, { units: stored + viaImplicit(step), cached: value.cached + step.implicitHit });
        if (live && cacheFits(live, step))
          offer(creator, { units: stored + viaExplicit(step, cacheTokensOf(live)), cached: value.cached + cacheTokensOf(live) });
      }
      const none = states.get(-1)!;
      const size = cacheTokensOf(step);
      if (step.contentTokens.length > 1 && size >= minTokens) offer(index, { units: none.units + size + viaExplicit(step, size), cached: none.cached + size });
      // Any cache may be let go after a request (its TTL ends at its last use).
      const best = [...next.values()].reduce((low, value) => (value.units < low.units ? value : low));
      offer(-1, best);
      states = next;
    });
    const best = [...states.values()].reduce((low, value) => (value.units < low.units ? value : low));
    units += best.units;
    cached += best.cached;
  }
  return { units, cached };
}
