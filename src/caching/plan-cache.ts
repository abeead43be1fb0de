import type { CacheCapabilities } from '../config/model-catalog.js';
import type { CacheMode } from '../items/policies.js';
import type { CacheBreakpoint, CacheThreadRef, CacheTtl, PromptBlock } from './cache-types.js';
import { chooseTtl } from './choose-ttl.js';
import { planBreakpoints } from './plan-breakpoints.js';

/** What a request carries for cache planning: the policy, the model's capabilities, the thread's rhythm. */
export interface CacheSettings {
  mode: CacheMode;
  capabilities: CacheCapabilities;
  /** Gaps between the thread's recent requests, start to start, the newest last (up to now). */
  gapsMs: number[];
  /** Characters per token for this model, calibrated from reported usage; the default when absent. */
  charsPerToken?: number;
  /** Whose explicit provider caches (Gemini) this request may create and read; none without. */
  thread?: CacheThreadRef;
  /** The shortest lifetime a breakpoint may have (the client's `prompt_cache_options.ttl: "30m"`): 1 h where 5 min would not do. */
  minTtl?: CacheTtl;
}

/** Whether breakpoints can be planned at all: caching is on and the model takes explicit breakpoints. */
export function plansBreakpoints(settings: CacheSettings): boolean {
  return settings.mode !== 'off' && settings.capabilities.kind === 'breakpoints' && settings.capabilities.maxBreakpoints > 0;
}

/**
 * Whether the thread's rhythm (the gaps between its recent requests) changes any decision for this
 * model: the TTL of Anthropic's breakpoints when 1 h is on offer, and whether a Gemini explicit
 * cache pays. For automatic prefix caching (OpenAI, OpenAI-compatible servers) it changes nothing,
 * so a turn need not read it.
 */
export function usesThreadRhythm(capabilities: CacheCapabilities): boolean {
  return capabilities.kind === 'gemini' || (capabilities.kind === 'breakpoints' && capabilities.maxBreakpoints > 0 && capabilities.ttls.includes('1h'));
}

export interface CachePlanInput extends CacheSettings {
  blocks: PromptBlock[];
  /** Index of the last tools/system block; -1 when there is none. */
  prefixEnd: number;
  /** Where the previous request of this thread put its tail breakpoint, when known. */
  previousTail: number | null;
}

/**
 * The breakpoint plan for a breakpoint-based cache (Anthropic): the TTL from the thread's gaps and
 * what this request adds, then the slots. The adapter and `bench:cache` both plan through here.
 */
export function planCache(input: CachePlanInput): CacheBreakpoint[] {
  const { blocks, capabilities } = input;
  if (!plansBreakpoints(input)) return [];
  const tokensTo = (end: number) => blocks.slice(0, end + 1).reduce((sum, block) => sum + block.tokens, 0);
  const promptTokens = tokensTo(blocks.length - 1);
  const longAvailable = capabilities.ttls.includes('1h');
  const forcedLong = longAvailable && input.minTtl === '1h';
  const ttl: CacheTtl = forcedLong
    ? '1h'
    : longAvailable
      ? chooseTtl({
          gapsMs: input.gapsMs,
          writeTokens: promptTokens - (input.previousTail === null ? 0 : tokensTo(input.previousTail)),
          promptTokens,
          mode: input.mode,
          multipliers: capabilities.multipliers,
        })
      : '5m';
  return planBreakpoints({
    blocks,
    prefixEnd: input.prefixEnd,
    previousTail: input.previousTail,
    minTokens: capabilities.minTokens,
    maxBreakpoints: capabilities.maxBreakpoints,
    lookback: capabilities.lookback,
    ttl,
    prefixTtl: (input.mode === 'aggressive' || forcedLong) && longAvailable ? '1h' : '5m',
  });
}
