import type { CacheBreakpoint, CacheTtl, PromptBlock } from './cache-types.js';

export interface BreakpointPlanInput {
  blocks: PromptBlock[];
  /** Index of the last tools/system block (the prefix every turn shares); -1 when there is none. */
  prefixEnd: number;
  /**
   * Where the previous request of this thread put its tail breakpoint, if its prefix is unchanged.
   * Its cache entry is read only from a breakpoint within `lookback` positions, so after a long tool
   * fan-out a breakpoint must sit exactly there.
   */
  previousTail: number | null;
  /** Below this many prefix tokens the provider silently caches nothing; a breakpoint there wastes a slot. */
  minTokens: number;
  maxBreakpoints: number;
  /** Positions a breakpoint looks back for an earlier entry, counting itself (Anthropic: 20). */
  lookback: number;
  /**
   * TTL of the conversation's breakpoints (tail, previous tail); null writes nothing new: the
   * previous tail is marked so that its entry is read, and the newest blocks stay uncached.
   */
  ttl: CacheTtl | null;
  /** TTL of the stable prefix; raised to `ttl` when that is longer (a longer TTL may not follow a shorter one). */
  prefixTtl: CacheTtl;
}

/**
 * Chooses up to `maxBreakpoints` cache breakpoints for a breakpoint-based prompt cache (Anthropic).
 * Slots in priority order: the client's own (the newest ones, leaving one slot free), the newest
 * cacheable block (writes the whole prompt for the next turn), the stable prefix (tools +
 * instructions, shared by every turn and branch), and the previous request's tail when the lookback
 * from the new tail cannot reach it. A slot whose prefix is below the model's minimum is skipped.
 * TTLs never increase along the prompt.
 */
export function planBreakpoints(input: BreakpointPlanInput): CacheBreakpoint[] {
  const { blocks } = input;
  const cumulative: number[] = [];
  let sum = 0;
  for (const block of blocks) {
    sum += block.tokens;
    cumulative.push(sum);
  }
  const usable = (index: number | null): index is number =>
    index !== null && index >= 0 && index < blocks.length && blocks[index]!.cacheable && cumulative[index]! >= input.minTokens;

  const chosen = new Map<number, CacheBreakpoint>();
  // Client breakpoints stay in the stored history, so old ones pile up turn after turn; like
  // OpenAI, the newest ones count. One slot stays free so the newest block is always written.
  const clientSlots = Math.max(0, input.maxBreakpoints - 1);
  const clientMarked = blocks.flatMap((block, index) => (block.client && usable(index) ? [index] : []));
  const ttl = input.ttl ?? '5m';
  for (const index of clientMarked.slice(Math.max(0, clientMarked.length - clientSlots))) chosen.set(index, { index, ttl, reason: 'client' });
  const add = (index: number | null, ttl: CacheTtl, reason: CacheBreakpoint['reason']) => {
    if (chosen.size < input.maxBreakpoints && usable(index) && !chosen.has(index)) chosen.set(index, { index, ttl, reason });
  };

  const tail = input.ttl === null ? null : lastCacheable(blocks, input.prefixEnd + 1);
  add(tail, ttl, 'tail');
  add(input.prefixEnd, longer(input.prefixTtl, ttl), 'prefix');
  const previous = input.previousTail;
  const reachable = tail !== null && previous !== null && tail - previous < input.lookback;
  if (previous !== null && previous > input.prefixEnd && (tail === null || previous < tail) && !reachable) add(previous, ttl, 'previous-tail');

  return orderTtls([...chosen.values()].sort((a, b) => a.index - b.index));
}

/** A 1h breakpoint may not follow a 5m one (the provider answers 400): each is raised to the longest TTL after it. */
function orderTtls(breakpoints: CacheBreakpoint[]): CacheBreakpoint[] {
  let longestAfter: CacheTtl = '5m';
  for (let i = breakpoints.length - 1; i >= 0; i--) {
    const breakpoint = breakpoints[i]!;
    breakpoint.ttl = longer(breakpoint.ttl, longestAfter);
    longestAfter = breakpoint.ttl;
  }
  return breakpoints;
}

function lastCacheable(blocks: PromptBlock[], from: number): number | null {
  for (let index = blocks.length - 1; index >= from; index--) if (blocks[index]!.cacheable) return index;
  return null;
}

function longer(a: CacheTtl, b: CacheTtl): CacheTtl {
  return a === '1h' || b === '1h' ? '1h' : '5m';
}
