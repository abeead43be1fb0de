/** Prompt-cache lifetimes a provider offers for explicit breakpoints (Anthropic: 5 minutes or 1 hour). */
export type CacheTtl = '5m' | '1h';

export const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/**
 * `off` sends no cache hints; `auto` plans breakpoints and keys; `aggressive` also keeps the
 * stable prefix for an hour and prefers the long TTL when gaps are uncertain.
 */
export type CacheMode = 'off' | 'auto' | 'aggressive';

/** One position of a flattened prompt, in the provider's processing order (tools, system, messages). */
export interface PromptBlock {
  /** Estimated tokens of this block. */
  tokens: number;
  /** Can carry a breakpoint (Anthropic: not a thinking block, not empty text). */
  cacheable: boolean;
  /** A breakpoint the client set on this block, kept as it is. */
  clientTtl?: CacheTtl;
}

export interface CacheBreakpoint {
  index: number;
  ttl: CacheTtl;
  /** Why it is there: the stable tools+instructions prefix, the newest block, where the previous request wrote, or the client's own. */
  reason: 'prefix' | 'tail' | 'previous-tail' | 'client';
}
