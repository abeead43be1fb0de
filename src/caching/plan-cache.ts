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
  /** Recent gaps of the project's threads on this model (GapHistory): the prior of a thread with little history. */
  projectGapsMs?: number[];
  /** The share of the project's new threads that came back (GapHistory); null while unknown. */
  continuation?: number | null;
  /** Characters per token for this model, calibrated from reported usage; the default when absent. */
  charsPerToken?: number;
  /** The share of a repeated prompt the provider's implicit cache has been reading for this model (ImplicitCacheStats). */
  implicitHitShare?: number | null;
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
 * model: whether and with which TTL Anthropic's breakpoints write the newest blocks, and whether a Gemini explicit
 * cache pays. For automatic prefix caching (OpenAI, OpenAI-compatible servers) it changes nothing,
 * so a turn need not read it.
 */
export function usesThreadRhythm(capabilities: CacheCapabilities): boolean {
  return capabilities.kind === 'gemini' || (capabilities.kind === 'breakpoints' && capabilities.maxBreakpoints > 0);
}

export interface CachePlanInput extends CacheSettings {
  blocks: PromptBlock[];
  /** Index of the last tools/system block; -1 when there is none. */
  prefixEnd: number;
  /** Where the previous request of this thread put its tail breakpoint, when known. */
  previousTail: number | null;
  /** This request's new input is a user message, not only tool results. */
  turnStart?: boolean;
  /**
   * The newest block of the user message that started the thread's previous turn. When thinking
   * ends with the turn, it is where that turn's entry ends, and the previous tail (past the
   * dropped thinking) is not in the prompt any more.
   */
  turnAnchor?: number | null;
  /**
   * The model thinks in this turn and its thinking leaves the prompt at the next user message (the
   * provider strips completed turns' thinking, or the reasoning policy does not send it back): what
   * is written past the turn's first thinking block is read only within the turn.
   */
  thinkingEndsWithTurn?: boolean;
}

/**
 * The breakpoint plan for a breakpoint-based cache (Anthropic): whether to write the newest blocks
 * and with which TTL, from the thread's gaps and what this request adds, then the slots. The adapter and `bench:cache` both plan through here.
 */
export function planCache(input: CachePlanInput): CacheBreakpoint[] {
  const { blocks, capabilities } = input;
  if (!plansBreakpoints(input)) return [];
  const tokensTo = (end: number) => blocks.slice(0, end + 1).reduce((sum, block) => sum + block.tokens, 0);
  const promptTokens = tokensTo(blocks.length - 1);
  const previousTail = input.thinkingEndsWithTurn && input.turnStart ? (input.turnAnchor ?? null) : input.previousTail;
  const prefixTokens = tokensTo(input.prefixEnd);
  const fallbackTokens = prefixTokens >= capabilities.minTokens ? prefixTokens : 0;
  const longAvailable = capabilities.ttls.includes('1h');
  const forcedLong = longAvailable && input.minTtl === '1h';
  const ttl: CacheTtl | null = forcedLong
    ? '1h'
    : chooseTtl({
        gapsMs: input.gapsMs,
        ...(input.projectGapsMs ? { projectGapsMs: input.projectGapsMs } : {}),
        ...(input.continuation != null ? { continuation: input.continuation } : {}),
        writeTokens: promptTokens - (previousTail === null ? fallbackTokens : tokensTo(previousTail)),
        promptTokens,
        fallbackTokens,
        mode: input.mode,
        ttls: capabilities.ttls.length > 0 ? capabilities.ttls : ['5m'],
        multipliers: capabilities.multipliers,
        horizon: input.thinkingEndsWithTurn ? (input.turnStart ? 'next-turn' : 'within-turn') : 'next-request',
      });
  return planBreakpoints({
    blocks,
    prefixEnd: input.prefixEnd,
    previousTail,
    minTokens: capabilities.minTokens,
    maxBreakpoints: capabilities.maxBreakpoints,
    lookback: capabilities.lookback,
    ttl,
    prefixTtl: longAvailable ? '1h' : '5m',
  });
}
