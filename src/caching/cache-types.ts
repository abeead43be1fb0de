/** Prompt-cache lifetimes a provider offers for explicit breakpoints (Anthropic: 5 minutes or 1 hour). */
export type CacheTtl = '5m' | '1h';

/** One position of a flattened prompt, in the provider's processing order (tools, system, messages). */
export interface PromptBlock {
  /** Estimated tokens of this block. */
  tokens: number;
  /** Can carry a breakpoint (Anthropic: not a thinking block, not empty text). */
  cacheable: boolean;
  /** The client marked the end of a reusable prefix here (`prompt_cache_breakpoint` on an input part). */
  client?: boolean;
}

export interface CacheBreakpoint {
  index: number;
  ttl: CacheTtl;
  /** Why it is there: the stable tools+instructions prefix, the newest block, where the previous request wrote, or the client's own. */
  reason: 'prefix' | 'tail' | 'previous-tail' | 'client';
}

/** An explicit provider-side cache a request used (Gemini `cachedContents`). */
export interface ExplicitCacheUse {
  name: string;
  /** Tokens the cache holds, as the provider counted them at creation. */
  tokens: number;
  /** True when this request created it (and paid for writing it: its tokens at the input price). */
  created: boolean;
  /**
   * Storage this request paid for, in token-hours (billed per token-hour): a new cache's TTL, or
   * what an extension added, less what a cache it replaced had left when it was deleted.
   */
  storageTokenHours: number;
}

/** What an adapter planned for one call; reported on the stream, stored with the response. */
export interface AdapterCachePlan {
  /** Characters of the prompt as measured for planning; with the reported input tokens, this calibrates the estimate. */
  promptChars: number;
  /** The planner's token estimate of the whole prompt. */
  estimatedTokens: number;
  /** Part of the estimate counted flat rather than from characters (images, documents). */
  fixedTokens: number;
  breakpoints?: CacheBreakpoint[];
  explicitCache?: ExplicitCacheUse | null;
  /**
   * Left to an implicit cache (Gemini): the estimated tokens of the prompt the thread's previous
   * request sent too (all but the newest content), against which what the cache read is measured.
   */
  repeatedTokens?: number;
}

/** Characters per token before a model's usage has calibrated it: English text and JSON run at about 4. */
export const DEFAULT_CHARS_PER_TOKEN = 4;

/** Whose explicit caches these are: a project's conversation or chain (see responses.cache_thread). */
export interface CacheThreadRef {
  projectId: string;
  id: string;
}
