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
  | { action: 'use'; entry: ExplicitCacheEntry; extend: boolean }
  | { action: 'create'; covered: number; replaces: ExplicitCacheEntry | null };

/** Short, and slid forward on use: storage is billed per token-hour, so an idle cache should die soon. */
export const EXPLICIT_CACHE_TTL_MS = 10 * 60_000;
/** `auto` creates explicit caches only for prefixes this large; below, implicit caching is left to do its best. */
const AUTO_EXPLICIT_MIN_TOKENS = 32_768;
/** A cache about to expire is not worth a request that could fail on it. */
const EXPIRY_MARGIN_MS = 30_000;
const ROTATE_MIN_TAIL_TOKENS = 4_096;

/**
 * Whether a Gemini request reads an explicit cache, creates one, or relies on implicit caching.
 * A cache holds the system instruction, tools and the history up to (not including) the newest
 * content, and cannot grow: when the uncached tail outgrows half of it, a new one replaces it.
 * A cache is created only when the reuses the thread's rhythm predicts within its TTL save more
 * than storing it costs; `auto` also asks for a large prefix, `aggressive` only the model minimum.
 */
export function planGeminiCache(input: GeminiCachePlanInput): GeminiCacheDecision {
  if (input.mode === 'off') return { action: 'implicit' };
  const coverable = input.contentTokens.length - 1;
  const candidateTokens = input.fixedTokens + sum(input.contentTokens.slice(0, Math.max(0, coverable)));
  const totalTokens = input.fixedTokens + sum(input.contentTokens);
  const threshold = input.mode === 'aggressive' ? input.minTokens : Math.max(input.minTokens, AUTO_EXPLICIT_MIN_TOKENS);
  // A cache cannot grow: it serves until the tail outgrows it, at about this request's growth per request.
  const rotation = Math.max(ROTATE_MIN_TAIL_TOKENS, candidateTokens / 2) / Math.max(1, input.contentTokens.at(-1) ?? 0);
  const reuses = Math.min(expectedReuses(input.gapsMs, input.mode), rotation);
  // Per cached token, in base input prices: each reuse within the TTL saves what implicit caching
  // would not have (a miss's full price, less the read); creating costs the token once more, read
  // at once, where implicit caching might have read it; storing costs the TTL's share of an hour.
  // `aggressive` takes explicit caches whatever implicit caching does.
  const implicit = input.mode === 'aggressive' ? 0 : Math.min(1, Math.max(0, input.implicitHitShare ?? 1));
  const { read, storagePerHour } = input.multipliers;
  const creation = implicit * (1 - read) + read;
  const worthCreating =
    coverable >= 0 &&
    candidateTokens >= threshold &&
    reuses * (1 - implicit) * (1 - read) > storagePerHour * (EXPLICIT_CACHE_TTL_MS / 3_600_000) + (input.mode === 'aggressive' ? 0 : creation);

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
    if (outgrown && worthCreating) return { action: 'create', covered: coverable, replaces: existing };
    return { action: 'use', entry: existing, extend: existing.expiresAt - input.now < EXPLICIT_CACHE_TTL_MS / 2 };
  }
  return worthCreating ? { action: 'create', covered: coverable, replaces: existing } : { action: 'implicit' };
}

/**
 * Requests expected within one TTL after this one: the share of recent gaps shorter than the TTL,
 * times how many such gaps fit in it. Without history, `aggressive` bets on one reuse and `auto` on none.
 */
function expectedReuses(gapsMs: number[], mode: CacheMode): number {
  const recent = gapsMs.slice(-20);
  if (recent.length === 0) return mode === 'aggressive' ? 1 : 0;
  const short = recent.filter((gap) => gap < EXPLICIT_CACHE_TTL_MS).sort((a, b) => a - b);
  if (short.length === 0) return 0;
  const median = Math.max(1_000, short[Math.floor(short.length / 2)]!);
  return (short.length / recent.length) * Math.min(20, EXPLICIT_CACHE_TTL_MS / median);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
