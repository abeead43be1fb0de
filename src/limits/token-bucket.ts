import type { BucketState } from './limits.js';

/**
 * Per-minute limits as token buckets, the way OpenAI describes its own: a bucket holds up to
 * `limit`, refills continuously at `limit` per minute, and starts full. A request takes one from
 * its requests buckets; a model call is admitted while its tokens buckets are above zero, and the
 * tokens the provider reports are taken afterwards (the count is not known before), so a bucket may
 * go below zero and the next calls wait until it has refilled.
 *
 * This is the arithmetic of MemoryLimitStore; RedisLimitStore's scripts do the same in Lua.
 */
export interface BucketLevel {
  level: number;
  atMs: number;
}

export const MINUTE_MS = 60_000;

export function refill(stored: BucketLevel | undefined, limit: number, nowMs: number): number {
  if (!stored) return limit;
  return Math.min(limit, stored.level + (Math.max(0, nowMs - stored.atMs) * limit) / MINUTE_MS);
}

/** A bucket needs `cost` (a request) or, with cost 0, anything above zero (a tokens check). */
export function lacks(level: number, cost: number): boolean {
  return cost > 0 ? level < cost : level <= 0;
}

/** How long until the bucket has what it lacks (a tokens check: until it is back at zero, above it a moment later). */
export function waitMs(level: number, cost: number, limit: number): number {
  return Math.max(0, Math.ceil(((cost - level) * MINUTE_MS) / limit));
}

export function stateOf(level: number, limit: number): BucketState {
  return { limit, remaining: Math.max(0, Math.floor(level)), resetMs: Math.ceil(((limit - level) * MINUTE_MS) / limit) };
}

/** How long a bucket's state is worth keeping: after this it is full again, as a missing one is. */
export function keepMs(level: number, limit: number): number {
  return Math.ceil(((limit - level) * MINUTE_MS) / limit) + 1_000;
}
