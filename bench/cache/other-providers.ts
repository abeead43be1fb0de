// OpenAI's automatic prefix cache and Gemini's implicit and explicit caches, per strategy.

import { createHash } from 'node:crypto';
import { ImplicitCacheStats } from '../../src/caching/implicit-cache-stats.js';
import { EXPLICIT_CACHE_TTL_MS, type ExplicitCacheEntry, planGeminiCache } from '../../src/caching/plan-gemini-cache.js';
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
  kind: 'none' | 'fixed' | 'planner' | 'hindsight';
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

/** A deterministic number in [0, 1) per key. */
function chance(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
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

/**
 * Gemini: implicit caching is free when it hits (the emulator hits on every prefix seen in the last
 * 5 minutes: an upper bound of what it gives); explicit caches are guaranteed but billed: creation
 * at the input price, reads at the cache rate, storage per token-hour while they live.
 */
export function geminiRows(workload: Workload, info: ModelInfo, implicitHitRate = 1): Row[] {
  const requests = workload.requests.map((request) => asProviderSees(request, 'drop-all'));
  const price = info.pricing!;
  const read = info.cache.multipliers.read;
  const storage = info.cache.multipliers.storagePerHour;
  const toUsd = (units: number) => (units * price.input) / 1_000_000;
  const all = requests.reduce((sum, request) => sum + total(request), 0);

  const run = (strategy: 'implicit' | CacheMode): Row => {
    const implicit = new GeminiImplicitCacheEmulator();
    // What the server learns from the usage of its implicit requests (ImplicitCacheStats).
    const learned = new ImplicitCacheStats();
    const entries = new Map<string, { entry: ExplicitCacheEntry; created: number }>();
    const starts = new Map<string, number[]>();
    const previous = new Map<string, Request>();
    let units = 0;
    let cached = 0;
    const close = (held: { entry: ExplicitCacheEntry; created: number } | undefined, until: number) => {
      if (held) units += held.entry.tokens * storage * ((Math.min(until, held.entry.expiresAt) - held.created) / 3_600_000);
    };
    for (const request of requests) {
      const tokens = request.blocks.map((block) => block.tokens);
      const sum = tokens.reduce((a, b) => a + b, 0);
      const thread = starts.get(request.thread) ?? [];
      const before = previous.get(request.thread);
      previous.set(request.thread, request);
      const gapsMs = [...thread, request.startMs].slice(1).map((start, index) => start - [...thread, request.startMs][index]!);
      starts.set(request.thread, [...thread, request.startMs].slice(-21));
      const fixed = tokens.slice(0, request.prefixEnd + 1).reduce((a, b) => a + b, 0);
      const contents = request.blocks.slice(request.prefixEnd + 1);
      // Gemini's contents are messages: what this request adds since the thread's previous one is its newest content.
      const repeatedCount = repeatedBlocks(request, before);
      const kept = Math.min(contents.length - 1, Math.max(0, repeatedCount - (request.prefixEnd + 1)));
      const grouped = [...contents.slice(0, kept).map((block) => ({ text: block.text, tokens: block.tokens })), merge(contents.slice(kept))];
      const contentHashes = prefixHashes(grouped.map((content) => content.text));
      const held = entries.get(request.thread);
      const decision =
        strategy === 'implicit'
          ? ({ action: 'implicit' } as const)
          : planGeminiCache({
              mode: strategy,
              fingerprint: 'prefix',
              contentHashes,
              fixedTokens: fixed,
              contentTokens: grouped.map((content) => content.tokens),
              existing: held?.entry ?? null,
              minTokens: info.cache.minTokens,
              gapsMs,
              now: request.startMs,
              multipliers: info.cache.multipliers,
              implicitHitShare: learned.share('model'),
            });
      if (decision.action === 'implicit') {
        const seen = implicit.request({
          hashes: prefixHashes(request.blocks.map((block) => block.text)),
          tokens,
          minTokens: info.cache.minTokens,
          now: request.startMs,
        }).cached;
        // Implicit caching promises nothing: a hit the emulator would give lands only `implicitHitRate` of the time.
        const hit = chance(`${request.thread}@${request.startMs}`) < implicitHitRate ? seen : 0;
        // What this request repeats of the thread's previous one (the server estimates it from the history it sends again).
        const repeated = tokens.slice(0, repeatedCount).reduce((a, b) => a + b, 0);
        if (gapsMs.length > 0) learned.observe('model', { cachedTokens: hit, repeatedTokens: repeated, gapMs: gapsMs.at(-1)! });
        cached += hit;
        units += sum - hit * (1 - read);
        continue;
      }
      let entry: ExplicitCacheEntry;
      if (decision.action === 'create') {
        close(held, request.startMs);
        const covered = decision.covered;
        const cacheTokens = fixed + contents.slice(0, covered).reduce((a, block) => a + block.tokens, 0);
        entry = {
          name: request.thread,
          fingerprint: 'prefix',
          covered,
          coveredHash: covered === 0 ? '' : contentHashes[covered - 1]!,
          tokens: cacheTokens,
          expiresAt: request.startMs + EXPLICIT_CACHE_TTL_MS,
        };
        entries.set(request.thread, { entry, created: request.startMs });
        units += cacheTokens; // creation, at the input price
      } else {
        entry = decision.entry;
        if (decision.extend) entry.expiresAt = request.startMs + EXPLICIT_CACHE_TTL_MS;
      }
      cached += entry.tokens;
      units += sum - entry.tokens * (1 - read);
    }
    for (const held of entries.values()) close(held, Number.POSITIVE_INFINITY);
    const name = strategy === 'implicit' ? 'implicit only' : strategy === 'auto' ? 'our planner' : 'always explicit (aggressive)';
    return { name, cached, usd: toUsd(units), kind: strategy === 'auto' ? 'planner' : 'fixed' };
  };

  // A bound no plan reaches: everything an earlier request sent as the same prefix is read at the cache rate, nothing is stored.
  const seen = new GeminiImplicitCacheEmulator(Number.MAX_SAFE_INTEGER);
  let bound = 0;
  let boundUnits = 0;
  for (const request of requests) {
    const tokens = request.blocks.map((block) => block.tokens);
    const hit = seen.request({ hashes: prefixHashes(request.blocks.map((block) => block.text)), tokens, minTokens: 0, now: request.startMs }).cached;
    bound += hit;
    boundUnits += tokens.reduce((a, b) => a + b, 0) - hit * (1 - read);
  }
  return [
    { name: 'no caching', cached: 0, usd: toUsd(all), kind: 'none' },
    run('implicit'),
    run('aggressive'),
    run('auto'),
    { name: 'hindsight bound (every repeated prefix read, no storage)', cached: bound, usd: toUsd(boundUnits), kind: 'hindsight' },
  ];
}
