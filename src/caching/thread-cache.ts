import { createHash } from 'node:crypto';
import type { CacheCapabilities } from '../config/model-catalog.js';
import type { CacheMode } from '../items/policies.js';

/**
 * The `prompt_cache_key` of a thread: requests of one conversation or chain go to the same cache
 * machines. A hash, so no id or user data reaches the provider; 35 characters (OpenAI takes 64).
 */
export function promptCacheKeyFor(projectId: string, cacheThread: string): string {
  return `rs-${createHash('sha256').update(projectId).update('\u0000').update(cacheThread).digest('hex').slice(0, 32)}`;
}

/**
 * Gaps between a thread's request starts, oldest first, ending with the gap from the newest one to
 * `now` (the request being planned). Start to start, because a cache entry lives from the start of
 * the request that wrote or read it.
 */
export function gapsBetween(starts: Date[], now: Date): number[] {
  const times = [...starts.map((start) => start.getTime()), now.getTime()].sort((a, b) => a - b);
  return times.slice(1).map((time, index) => time - times[index]!);
}

/**
 * OpenAI retention when the client sets none: `24h` where the model offers a choice (it keeps the
 * prefix through a lunch break at no extra price on the models that take it); nothing where 24h is
 * the only value, or caching is off. A deployment whose organization cannot use extended retention
 * (zero data retention) removes `retention` from the catalog with MODELS_FILE.
 */
export function chooseRetention(mode: CacheMode, capabilities: CacheCapabilities): '24h' | null {
  return mode !== 'off' && capabilities.retention.includes('24h') && capabilities.retention.includes('in_memory') ? '24h' : null;
}
