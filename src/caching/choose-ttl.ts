import type { CacheMode } from '../items/policies.js';
import type { CacheTtl } from './cache-types.js';

export interface TtlChoiceInput {
  /** Gaps between the thread's recent requests, start to start, the newest last: the one before this request. */
  gapsMs: number[];
  /** Recent gaps of the project's other threads (see GapHistory): what a thread with little history of its own is assumed to do. */
  projectGapsMs?: number[];
  /** The share of the project's new threads that came back (GapHistory); a first request's next one comes only that often. */
  continuation?: number | null;
  /** Tokens this request will write (those after what the previous request cached). */
  writeTokens: number;
  /** Tokens up to the tail breakpoint: what the next request reads, or writes again after a miss. */
  promptTokens: number;
  /** Tokens a miss still reads: the stable prefix under its own breakpoint (0 when it has none). */
  fallbackTokens: number;
  mode: CacheMode;
  /** TTLs the model offers. */
  ttls: CacheTtl[];
  /** Price multipliers of base input: writes at 5m and 1h, reads. */
  multipliers: { write5m: number; write1h: number; read: number };
  /**
   * Who reads what this request writes: the next request (`next-request`); only requests of this
   * turn, because the turn's thinking leaves the prompt at the next user message (`within-turn`);
   * or, for the request that starts such a turn, the first request of the next turn, after a
   * tool loop and a pause (`next-turn`). Default `next-request`.
   */
  horizon?: 'next-request' | 'within-turn' | 'next-turn';
}

/** A turn takes time to answer; the next request starts after it ends, so an entry must cover more than the gap. */
const USABLE_MS: Record<CacheTtl, number> = { '5m': 4.5 * 60_000, '1h': 55 * 60_000 };

/**
 * What a thread with no history of its own is assumed to do next: a follow-up within five minutes
 * about half the time (agent steps, chat replies), within the hour mostly. Worth as much as one
 * observed gap, so a thread's own rhythm takes over from its second request.
 */
const PRIOR: Prior = { weight: 1, within: { '5m': 0.55, '1h': 0.85 }, pauseWithinHour: 0.6 };
/** Weight of a gap one request older than the next: the thread's recent rhythm counts most. */
const RECENCY = 0.85;
/** Standard errors a learned rate is moved toward misses. */
const CAUTION = 1;
/** Weight of a gap that followed a gap of the other kind (short vs long) than the one before this request. */
const OTHER_KIND = 0.35;

/**
 * The TTL of what this request writes, or null to write nothing new, whichever costs least in
 * expectation over this request and the next: a write costs its multiplier on the new tokens; the
 * next request reads the prompt if the entry outlives the gap and writes it again if not (down to
 * the prefix, which keeps its own entry), at the TTL the thread settles on as its prompt grows. Skipping the write saves the write premium, but the next
 * request then pays the new tokens again and, past the older entry's 5 minutes, the whole prompt.
 * The chance that the next gap outlives each TTL is learned from the thread's own gaps: recent
 * ones weigh more, and so do those that followed a gap of the same kind as the one just before
 * this request (a tool loop's seconds are followed by seconds, a person's minutes by a tool loop).
 * As a miss costs the whole prompt, that chance is taken one standard error on the side of misses.
 */
export function chooseTtl(input: TtlChoiceInput): CacheTtl | null {
  const { multipliers: price } = input;
  if (input.mode === 'aggressive' && input.gapsMs.length === 0) return longest(input.ttls);
  const horizon = input.horizon ?? 'next-request';
  const prior = priorFrom(input.projectGapsMs ?? []);
  const within = horizon === 'next-turn' ? nextTurnWithin(input.gapsMs, prior) : nextGapWithin(input.gapsMs, prior, CAUTION);
  // A thread's first request is followed only as often as the project's new threads come back.
  if (input.gapsMs.length === 0 && input.continuation != null) for (const ttl of ['5m', '1h'] as const) within[ttl] *= input.continuation;
  const rest = Math.max(0, input.promptTokens - input.fallbackTokens);
  // Past a pause the next request is a new turn, which cannot read past this turn's thinking: 1 h buys nothing.
  const ttls = horizon === 'within-turn' ? input.ttls.filter((ttl) => ttl === '5m') : input.ttls;
  const x = input.writeTokens;
  // After a miss the next request writes the prompt again at the TTL it chooses, which is the one
  // the thread settles on as its prompt grows: found by looking a few requests ahead, each adding
  // as much as this one, from a 5 minute rewrite at the far end.
  let rewrite = price.write5m;
  if (horizon === 'next-request')
    for (let ahead = LOOKAHEAD; ahead > 0; ahead--) rewrite = writePrice(cheapest(expectedCosts(x, rest + ahead * x, within, ttls, price, rewrite)), price);
  const costs = expectedCosts(x, rest, within, ttls, price, rewrite);
  // The entry that starts a turn is read seconds later by its first tool step in any case: it is written.
  const candidates = input.mode === 'aggressive' || horizon === 'next-turn' ? costs.filter(([ttl]) => ttl !== null) : costs;
  return cheapest(candidates);
}

/** Requests looked ahead for the TTL a thread settles on. */
const LOOKAHEAD = 3;

const cheapest = (costs: Array<[CacheTtl | null, number]>) => costs.reduce((best, entry) => (entry[1] < best[1] ? entry : best))[0];
const writePrice = (ttl: CacheTtl | null, price: TtlChoiceInput['multipliers']) => (ttl === null ? 1 : ttl === '1h' ? price.write1h : price.write5m);

/**
 * Expected cost, over this request and the next, of writing `x` new tokens at each TTL or not at
 * all, with `rest` tokens past the prefix: the next request reads them if an entry outlives the
 * gap, and pays `next` per token it writes again if not (down to the prefix, which keeps its own entry).
 */
function expectedCosts(
  x: number,
  rest: number,
  within: Record<CacheTtl, number>,
  ttls: CacheTtl[],
  price: TtlChoiceInput['multipliers'],
  next: number,
): Array<[CacheTtl | null, number]> {
  const older = Math.max(0, rest - x);
  // The older entry (where the previous request wrote) is assumed to live 5 minutes: what the next
  // request pays for the prompt past the prefix when only it survives, and when nothing does.
  const oldHit = price.read * older + next * x;
  const allMissed = next * rest;
  const pOld = within['5m'];
  const costs: Array<[CacheTtl | null, number]> = [[null, x + pOld * oldHit + (1 - pOld) * allMissed]];
  for (const ttl of ttls) {
    const p = within[ttl];
    costs.push([ttl, writePrice(ttl, price) * x + p * price.read * rest + Math.max(0, pOld - p) * oldHit + (1 - Math.max(p, pOld)) * allMissed]);
  }
  return costs;
}

/** The chance that the next gap is shorter than what each TTL keeps usable, from the thread's gaps and the prior. */
export function nextGapWithin(gapsMs: number[], prior: Prior = PRIOR, caution = 0): Record<CacheTtl, number> {
  const short = (gap: number) => gap <= USABLE_MS['5m'];
  const kindNow = gapsMs.length > 0 ? short(gapsMs.at(-1)!) : null;
  let total = prior.weight;
  const within = { '5m': prior.weight * prior.within['5m'], '1h': prior.weight * prior.within['1h'] };
  let weight = 1;
  for (let index = gapsMs.length - 1; index >= 0 && weight > 0.01; index--, weight *= RECENCY) {
    const gap = gapsMs[index]!;
    const before = index > 0 ? short(gapsMs[index - 1]!) : null;
    const w = weight * (before === null || kindNow === null || before === kindNow ? 1 : OTHER_KIND);
    total += w;
    if (gap <= USABLE_MS['5m']) within['5m'] += w;
    if (gap <= USABLE_MS['1h']) within['1h'] += w;
  }
  // A miss costs the whole prompt and a write saves a share of the new tokens, so a rate learned
  // from a handful of gaps is taken one standard error on the side of misses.
  const cautious = (share: number) => (gapsMs.length === 0 ? share : Math.max(0, share - Math.sqrt((share * (1 - share)) / total) * caution));
  return { '5m': cautious(within['5m'] / total), '1h': cautious(within['1h'] / total) };
}

/**
 * For the request that starts a turn: the chance that the next turn starts within each TTL. A tool
 * loop and a pause lie between, so a 5 minute entry is taken as gone; the hour is judged from the
 * thread's long gaps (the pauses between turns).
 */
export function nextTurnWithin(gapsMs: number[], prior: Prior = PRIOR): Record<CacheTtl, number> {
  const pauses = gapsMs.filter((gap) => gap > USABLE_MS['5m']).slice(-20);
  const shorter = pauses.filter((gap) => gap <= USABLE_MS['1h']).length;
  return { '5m': 0, '1h': (prior.weight * prior.pauseWithinHour + shorter) / (prior.weight + pauses.length) };
}

interface Prior {
  weight: number;
  within: Record<CacheTtl, number>;
  pauseWithinHour: number;
}

/** Weight of the project's gaps against the thread's own: as much as this many of the thread's gaps. */
const PROJECT_WEIGHT = 3;

/** The project's recent gaps as the prior, worth PROJECT_WEIGHT of the thread's own; the fixed prior blended in while they are few. */
function priorFrom(projectGapsMs: number[]): Prior {
  const n = projectGapsMs.length;
  if (n === 0) return PRIOR;
  const share = (test: (gap: number) => boolean, of: number[], fallback: number) =>
    (PRIOR.weight * fallback + of.filter(test).length) / (PRIOR.weight + of.length);
  const pauses = projectGapsMs.filter((gap) => gap > USABLE_MS['5m']);
  return {
    weight: PROJECT_WEIGHT,
    within: {
      '5m': share((gap) => gap <= USABLE_MS['5m'], projectGapsMs, PRIOR.within['5m']),
      '1h': share((gap) => gap <= USABLE_MS['1h'], projectGapsMs, PRIOR.within['1h']),
    },
    pauseWithinHour: share((gap) => gap <= USABLE_MS['1h'], pauses, PRIOR.pauseWithinHour),
  };
}

function longest(ttls: CacheTtl[]): CacheTtl {
  return ttls.includes('1h') ? '1h' : '5m';
}
