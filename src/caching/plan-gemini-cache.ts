import type { CacheMode } from '../items/policies.js';

/** One explicit provider cache of a thread (Gemini `cachedContents`), as the server remembers it. */
export interface ExplicitCacheEntry {
  name: string;
  /** Hash of what the cache binds besides contents: model, system instruction, tools, tool config. */
  fingerprint: string;
  /** How many leading contents it holds. */
  covered: number;
  /** Prefix hash of those contents; the cache is usable only while the history still starts with them. */
  coveredHash: string;
  /** Tokens it holds, as the provider counted them. */
  tokens: number;
  expiresAt: number;
}

export interface GeminiCachePlanInput {
  mode: CacheMode;
  fingerprint: string;
  /** `prefixHashes` of the request's contents: entry i identifies contents 0..i. */
  contentHashes: string[];
  /** Estimated tokens of the system instruction and tools (they live in the cache too). */
  fixedTokens: number;
  contentTokens: number[];
  existing: ExplicitCacheEntry | null;
  /** The model's minimum for an explicit cache (catalog, or learned from the provider's 400). */
  minTokens: number;
  /** The thread's gaps between request starts, newest last. */
  gapsMs: number[];
  now: number;
  /** Of base input price: reading cached tokens, and storing them for an hour. */
  multipliers: { read: number; storagePerHour: number };
  /**
   * The share of a follow-up prompt the provider's implicit cache has been reading for this model
   * (ImplicitCacheStats); null or absent while unknown. An explicit cache is worth only what
   * implicit caching would not have saved anyway; under `auto`, while nothing is known, requests
   * are left to implicit caching, so that their usage teaches the share.
   */
  implicitHitShare?: number | null;
}

export type GeminiCacheDecision =
  | { action: 'implicit' }
  | { action: 'use'; entry: ExplicitCacheEntry; extend: boolean; ttlMs: number }
  | { action: 'create'; covered: number; replaces: ExplicitCacheEntry | null; ttlMs: number };

/** Short, and slid forward on use: storage is billed per token-hour, so an idle cache should die soon. `aggressive` always takes it. */
export const EXPLICIT_CACHE_TTL_MS = 10 * 60_000;
/** The TTLs `auto` chooses among, from the thread's rhythm: the shortest that keeps its follow-ups, as storage bills every minute. */
const TTL_CHOICES_MS = [3, 5, 10, 20, 30].map((minutes) => minutes * 60_000);
/** The longest TTL a cache of ours has: what a replaced cache can have left. */
export const LONGEST_EXPLICIT_TTL_MS = Math.max(EXPLICIT_CACHE_TTL_MS, ...TTL_CHOICES_MS);
/**
 * What a new cache must be expected to save, per cached token in base input prices, before `auto`
 * makes it: the estimate rests on a thread's few gaps, and a cache that was not needed is billed in
 * full (about a third of a token's price; below it, RAG threads at half the implicit hits lost).
 */
const CREATE_MARGIN = 0.35;
/** `auto` creates explicit caches only for prefixes this large; below, implicit caching is left to do its best. */
const AUTO_EXPLICIT_MIN_TOKENS = 32_768;
/** A cache about to expire is not worth a request that could fail on it. */
const EXPIRY_MARGIN_MS = 30_000;
const ROTATE_MIN_TAIL_TOKENS = 4_096;

/**
 * Whether a Gemini request reads an explicit cache, creates one, or relies on implicit caching.
 * A cache holds the system instruction, tools and the history up to (not including) the newest
 * content, and cannot grow: when the uncached tail outgrows half of it, a new one replaces it.
 * `aggressive` creates a cache when the reuses the thread's rhythm predicts within its TTL pay for
 * storing it; `auto` asks for a large prefix and weighs the cache against what implicit caching
 * would have read anyway (`explicitCacheValue`).
 */
export function planGeminiCache(input: GeminiCachePlanInput): GeminiCacheDecision {
  if (input.mode === 'off') return { action: 'implicit' };
  const coverable = input.contentTokens.length - 1;
  const candidateTokens = input.fixedTokens + sum(input.contentTokens.slice(0, Math.max(0, coverable)));
  const totalTokens = input.fixedTokens + sum(input.contentTokens);
  const aggressive = input.mode === 'aggressive';
  const threshold = aggressive ? input.minTokens : Math.max(input.minTokens, AUTO_EXPLICIT_MIN_TOKENS);
  const growth = Math.max(1, input.contentTokens.at(-1) ?? 0);
  // A cache cannot grow: it serves until the tail outgrows it, at about this request's growth per request.
  const rotation = Math.max(ROTATE_MIN_TAIL_TOKENS, candidateTokens / 2) / growth;
  const { read, storagePerHour } = input.multipliers;
  // While unknown, implicit caching is taken to read everything: `auto` then leaves the thread to it, so that its usage teaches the share.
  const implicit = aggressive ? 0 : Math.min(1, Math.max(0, input.implicitHitShare ?? 1));
  let ttlMs = EXPLICIT_CACHE_TTL_MS;
  let worthCreating: boolean;
  if (aggressive) worthCreating = Math.min(expectedReuses(input.gapsMs), rotation) * (1 - read) > storagePerHour * (EXPLICIT_CACHE_TTL_MS / 3_600_000);
  else {
    const values = TTL_CHOICES_MS.map((ttl) => ({
      ttl,
      value: explicitCacheValue({ gapsMs: input.gapsMs, ttlMs: ttl, cacheTokens: candidateTokens, growth, rotation, implicit, read, storagePerHour }),
    }));
    const best = values.reduce((high, entry) => (entry.value > high.value ? entry : high));
    if (Number.isFinite(best.value)) ttlMs = best.ttl;
    worthCreating = best.value > CREATE_MARGIN;
  }
  worthCreating &&= coverable >= 0 && candidateTokens >= threshold;

  const { existing } = input;
  const usable =
    existing !== null &&
    existing.fingerprint === input.fingerprint &&
    existing.expiresAt - input.now > EXPIRY_MARGIN_MS &&
    existing.covered <= coverable &&
    (existing.covered === 0 || input.contentHashes[existing.covered - 1] === existing.coveredHash);
  if (usable) {
    const tail = totalTokens - existing.tokens;
    const outgrown = tail > Math.max(ROTATE_MIN_TAIL_TOKENS, existing.tokens / 2) && coverable > existing.covered;
    if (outgrown && worthCreating) return { action: 'create', covered: coverable, replaces: existing, ttlMs };
    // Reading the cache gives up implicit reads of what was sent after it was made: past some tail, implicit caching alone saves more.
    if ((1 - implicit) * existing.tokens < implicit * (candidateTokens - existing.tokens)) return { action: 'implicit' };
    return { action: 'use', entry: existing, extend: existing.expiresAt - input.now < ttlMs / 2, ttlMs };
  }
  return worthCreating ? { action: 'create', covered: coverable, replaces: existing, ttlMs } : { action: 'implicit' };
}

/** Reuses of one cache looked ahead, at most. */
const HORIZON = 20;

/**
 * What a new cache is expected to save per cached token, in base input prices, over leaving the
 * thread to implicit caching that reads `implicit` of a repeated prompt; positive when it pays.
 * Creating it bills the tokens once more and reads them at once, where implicit caching might have
 * read them. The k-th reuse comes if the thread's next k gaps are all within the TTL (the share of
 * its recent gaps that are, one more counted as the thread's end, to the k-th power); it saves
 * what implicit caching would have missed, gives up implicit reads of the k requests' growth since
 * the cache was made (a request reads either the cache or the implicit prefix), and pays storage
 * for a gap. Past the last reuse the cache idles out its TTL, unless the tail outgrew it and a new
 * one replaced it first.
 */
export function explicitCacheValue(input: {
  gapsMs: number[];
  ttlMs: number;
  cacheTokens: number;
  /** Tokens a request adds (this one's newest content). */
  growth: number;
  /** Reuses before the tail outgrows the cache and a new one replaces it. */
  rotation: number;
  implicit: number;
  read: number;
  storagePerHour: number;
}): number {
  const recent = input.gapsMs.slice(-20);
  if (recent.length === 0) return Number.NEGATIVE_INFINITY; // no evidence that the thread comes back
  // Slid only when half gone, a cache has between half its TTL and all of it left when a follow-up comes.
  const within = recent.filter((gap) => gap < REACH * input.ttlMs - EXPIRY_MARGIN_MS);
  // One more gap counted as never ending: any request may be the thread's last.
  const p = within.length / (recent.length + 1);
  const gapHours = within.length === 0 ? 0 : sum(within) / within.length / 3_600_000;
  const { implicit, read, storagePerHour } = input;
  const last = Math.min(HORIZON, Math.max(1, Math.floor(input.rotation)));
  let value = -(implicit * (1 - read) + read);
  for (let k = 1; k <= last; k++) {
    const gain = (1 - implicit) * (1 - read) - implicit * (1 - read) * ((k * input.growth) / input.cacheTokens) - storagePerHour * gapHours;
    if (gain <= 0) break;
    value += p ** k * gain;
  }
  const replaced = input.rotation <= HORIZON ? p ** last : 0;
  return value - (1 - replaced) * storagePerHour * REACH * (input.ttlMs / 3_600_000);
}

/** What is left of a cache's TTL, on average, when a follow-up comes or after its last use: it is slid forward when half gone. */
const REACH = 0.75;

/**
 * Requests expected within one TTL after this one: the share of recent gaps shorter than the TTL,
 * times how many such gaps fit in it; one without history.
 */
function expectedReuses(gapsMs: number[]): number {
  const recent = gapsMs.slice(-20);
  if (recent.length === 0) return 1;
  const short = recent.filter((gap) => gap < EXPLICIT_CACHE_TTL_MS).sort((a, b) => a - b);
  if (short.length === 0) return 0;
  const median = Math.max(1_000, short[Math.floor(short.length / 2)]!);
  return (short.length / recent.length) * Math.min(20, EXPLICIT_CACHE_TTL_MS / median);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
