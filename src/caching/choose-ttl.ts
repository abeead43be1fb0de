import type { CacheMode } from '../items/policies.js';
import type { CacheTtl } from './cache-types.js';

export interface TtlChoiceInput {
  /** Gaps between the thread's recent requests, start to start (an entry lives from the start of the request that wrote or last read it). */
  gapsMs: number[];
  /** Tokens this request will write (those after what the previous request cached). */
  writeTokens: number;
  /** Tokens up to the tail breakpoint: what the next request reads, or writes again after a miss. */
  promptTokens: number;
  mode: CacheMode;
  /** Price multipliers of base input: writes at 5m and 1h, reads. */
  multipliers: { write5m: number; write1h: number; read: number };
}

/** A turn takes time to answer; the next request starts after it ends, so a 5m entry must cover more than the gap. */
const FIVE_MINUTES_USABLE = 4.5 * 60_000;
const ONE_HOUR_USABLE = 55 * 60_000;

/**
 * Picks the TTL with the lower expected input cost for the next request. A 1h write costs more
 * (2x against 1.25x) but only on the tokens this request adds; a miss after the entry expired costs
 * writing the whole prompt again instead of reading it. The chance that the next gap outlives an
 * entry is estimated from the thread's recent gaps, smoothed so that a short history neither
 * promises nor rules out a long pause.
 */
export function chooseTtl(input: TtlChoiceInput): CacheTtl {
  const { multipliers: price } = input;
  if (input.mode === 'aggressive' && input.gapsMs.length === 0) return '1h';
  const recent = input.gapsMs.slice(-20);
  const chanceLonger = (limitMs: number) => (recent.filter((gap) => gap > limitMs).length + 0.5) / (recent.length + 1);
  const missCost = input.promptTokens * (price.write5m - price.read);
  const cost5m = input.writeTokens * price.write5m + chanceLonger(FIVE_MINUTES_USABLE) * missCost;
  const cost1h = input.writeTokens * price.write1h + chanceLonger(ONE_HOUR_USABLE) * missCost;
  return cost1h < cost5m ? '1h' : '5m';
}
