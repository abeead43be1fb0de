import { chooseTtl, nextGapWithin, nextTurnWithin, type TtlChoiceInput } from './choose-ttl.js';

const multipliers = { write5m: 1.25, write1h: 2, read: 0.1 };
const choose = (input: Partial<TtlChoiceInput>) =>
  chooseTtl({ gapsMs: [], writeTokens: 1_000, promptTokens: 50_000, fallbackTokens: 0, mode: 'auto', ttls: ['5m', '1h'], multipliers, ...input });
const seconds = (value: number) => value * 1_000;
const minutes = (value: number) => value * 60_000;

describe(chooseTtl.name, () => {
  it('keeps 5m for a fast agent loop whose steps add much to the prompt', () => {
    expect(choose({ gapsMs: Array.from({ length: 12 }, () => seconds(8)), writeTokens: 5_000, promptTokens: 20_000 })).toBe('5m');
  });

  it('takes 1h in a fast loop over a large prompt: a loop ends, and the pause after it would cost the whole prompt', () => {
    expect(choose({ gapsMs: Array.from({ length: 12 }, () => seconds(8)), writeTokens: 1_000, promptTokens: 50_000 })).toBe('1h');
  });

  it('takes 1h when people answer after several minutes and the prompt is large', () => {
    expect(choose({ gapsMs: [minutes(7), minutes(9), minutes(6), minutes(8)] })).toBe('1h');
  });

  it('takes 1h for a mostly fast thread with occasional long pauses once the prompt is worth keeping', () => {
    const gaps = [...Array.from({ length: 9 }, () => seconds(5)), minutes(8)];
    expect(choose({ gapsMs: gaps, promptTokens: 200_000, writeTokens: 2_000 })).toBe('1h');
    // A prompt all new this request: a miss would cost no more than the 1 h premium.
    expect(choose({ gapsMs: gaps, promptTokens: 2_000, writeTokens: 2_000 })).toBe('5m');
  });

  it('judges a miss by the TTL the thread settles on: a growing prompt is written again at 1 h after it', () => {
    // RAG: every question adds 15k tokens; the project's follow-ups come within 5 minutes 70% of
    // the time, within the hour always. Priced with a 5 minute rewrite after a miss, 5m would win
    // on a 20k prompt (1.25 x 15k + 0.3 x 1.25 x 20k against 2 x 15k, reads aside); but a few
    // questions on, 1h is the thread's choice, so a miss costs 2 a token and 1h wins now.
    const projectGapsMs = [...Array.from({ length: 70 }, () => seconds(90)), ...Array.from({ length: 30 }, () => minutes(12))];
    expect(choose({ projectGapsMs, gapsMs: [seconds(90)], writeTokens: 15_000, promptTokens: 20_000 })).toBe('1h');
    expect(choose({ projectGapsMs, gapsMs: [seconds(90)], writeTokens: 15_000, promptTokens: 15_000 })).toBe('1h');
  });

  it('takes a rate learned from a few gaps one standard error toward misses: a miss costs the whole prompt', () => {
    // One short gap and the prior (weight 1, 0.55): 1.55 / 2 = 0.775, less sqrt(0.775 x 0.225 / 2) = 0.295.
    expect(nextGapWithin([seconds(60)], undefined, 1)['5m']).toBeCloseTo(0.775 - Math.sqrt((0.775 * 0.225) / 2), 12);
    expect(nextGapWithin([seconds(60)])['5m']).toBeCloseTo(0.775, 12);
    // Without gaps of its own, the prior stands as it is.
    expect(nextGapWithin([], undefined, 1)).toEqual(nextGapWithin([]));
  });

  it('writes nothing new when turns come more than an hour apart: no entry would live to be read', () => {
    const hoursApart = Array.from({ length: 10 }, (_, index) => minutes(75 + 20 * index));
    expect(choose({ gapsMs: hoursApart, writeTokens: 2_000, promptTokens: 10_000 })).toBeNull();
  });

  it('starts with 1h only in aggressive mode, and aggressive never skips the write', () => {
    expect(choose({ promptTokens: 2_000, writeTokens: 2_000 })).toBe('5m');
    expect(choose({ promptTokens: 2_000, writeTokens: 2_000, mode: 'aggressive' })).toBe('1h');
    expect(choose({ gapsMs: [minutes(90), minutes(120), minutes(75)], mode: 'aggressive' })).not.toBeNull();
  });

  it('within a turn whose thinking will be dropped, never pays for 1h', () => {
    const pauses = [minutes(7), minutes(9), minutes(6), minutes(8)];
    expect(choose({ gapsMs: pauses })).toBe('1h');
    expect(choose({ gapsMs: pauses, horizon: 'within-turn' })).not.toBe('1h');
  });

  it('at the start of such a turn, keeps the entry for the next turn when the thread’s pauses stay under the hour', () => {
    const rhythm = [minutes(12), seconds(5), seconds(8), seconds(6), minutes(20), seconds(4), seconds(9)];
    expect(choose({ gapsMs: rhythm, horizon: 'next-turn', writeTokens: 30_000, promptTokens: 60_000 })).toBe('1h');
    const overnight = [minutes(600), seconds(5), seconds(8), minutes(900), seconds(4)];
    expect(choose({ gapsMs: overnight, horizon: 'next-turn', writeTokens: 30_000, promptTokens: 60_000 })).toBe('5m');
  });

  it('writes nothing new on the first request of a thread in a project whose threads never come back (one-off jobs)', () => {
    expect(choose({ writeTokens: 2_000, promptTokens: 10_000, fallbackTokens: 8_000 })).toBe('5m');
    expect(choose({ writeTokens: 2_000, promptTokens: 10_000, fallbackTokens: 8_000, continuation: 0.02 })).toBeNull();
    // Threads that do come back, and a thread past its first request, are planned as before.
    expect(choose({ writeTokens: 2_000, promptTokens: 10_000, fallbackTokens: 8_000, continuation: 0.9 })).toBe('5m');
    expect(choose({ gapsMs: [seconds(20)], writeTokens: 2_000, promptTokens: 10_000, fallbackTokens: 8_000, continuation: 0.02 })).toBe('5m');
  });

  it('plans a new thread by the project’s other threads', () => {
    const slowProject = Array.from({ length: 30 }, (_, index) => minutes(8 + (index % 10)));
    const fastProject = Array.from({ length: 30 }, (_, index) => seconds(10 + index));
    expect(choose({ projectGapsMs: slowProject, writeTokens: 5_000, promptTokens: 40_000 })).toBe('1h');
    expect(choose({ projectGapsMs: fastProject, writeTokens: 5_000, promptTokens: 40_000 })).toBe('5m');
  });
});

describe(nextGapWithin.name, () => {
  it('is the prior without gaps: a follow-up within 5 minutes 55% of the time, within the hour 85%', () => {
    expect(nextGapWithin([])).toEqual({ '5m': 0.55, '1h': 0.85 });
  });

  it('weighs one observed gap as much as the prior', () => {
    // (0.55 + 1) / 2 and (0.85 + 1) / 2
    expect(nextGapWithin([seconds(10)])).toEqual({ '5m': 0.775, '1h': 0.925 });
    // (0.55 + 0) / 2 and (0.85 + 0) / 2
    expect(nextGapWithin([minutes(70)])).toEqual({ '5m': 0.275, '1h': 0.425 });
  });

  it('weighs gaps that followed a gap of the same kind as the newest one more', () => {
    // Newest gap short. Gaps oldest first: short, long (after short: same kind as now, weight 0.85),
    // short (after long: other kind, 1 x 0.35). First gap: weight 0.85^2, no gap before it.
    const within = nextGapWithin([seconds(5), minutes(10), seconds(5)]);
    const weights = { newest: 0.35, middle: 0.85, oldest: 0.85 ** 2 };
    const total = 1 + weights.newest + weights.middle + weights.oldest;
    expect(within['5m']).toBeCloseTo((0.55 + weights.newest + weights.oldest) / total, 12);
    expect(within['1h']).toBeCloseTo((0.85 + weights.newest + weights.middle + weights.oldest) / total, 12);
  });
});

describe(nextTurnWithin.name, () => {
  it('takes a 5 minute entry as gone by the next turn, and judges the hour by the pauses', () => {
    // Pauses: 10 min and 2 h; one of two under 55 min, with the prior 0.6 at weight 1: (0.6 + 1) / 3.
    expect(nextTurnWithin([seconds(5), minutes(10), seconds(3), minutes(120)])).toEqual({ '5m': 0, '1h': 1.6 / 3 });
  });
});
