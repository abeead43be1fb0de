import type { PromptBlock } from './cache-types.js';
import { type BreakpointPlanInput, planBreakpoints } from './plan-breakpoints.js';

const blocks = (...tokens: number[]): PromptBlock[] => tokens.map((count) => ({ tokens: count, cacheable: true }));

function plan(overrides: Partial<BreakpointPlanInput> & { blocks: PromptBlock[] }) {
  return planBreakpoints({ prefixEnd: -1, previousTail: null, minTokens: 1024, maxBreakpoints: 4, lookback: 20, ttl: '5m', prefixTtl: '5m', ...overrides });
}

const summary = (breakpoints: ReturnType<typeof planBreakpoints>) => breakpoints.map(({ index, ttl, reason }) => `${index}:${reason}:${ttl}`);

describe(planBreakpoints.name, () => {
  it('puts nothing on a prompt below the model minimum, and a tail just above it', () => {
    expect(plan({ blocks: blocks(500, 523) })).toEqual([]);
    expect(summary(plan({ blocks: blocks(500, 524) }))).toEqual(['1:tail:5m']);
  });

  it('marks the stable prefix (last tools/system block) and the newest block', () => {
    expect(summary(plan({ blocks: blocks(800, 1200, 300, 200), prefixEnd: 1 }))).toEqual(['1:prefix:5m', '3:tail:5m']);
  });

  it('skips a prefix below the minimum even when the whole prompt is above it', () => {
    expect(summary(plan({ blocks: blocks(300, 200, 900), prefixEnd: 1 }))).toEqual(['2:tail:5m']);
  });

  it('never marks thinking blocks or empty text: the tail moves back to the newest cacheable block', () => {
    const prompt = [...blocks(2000, 100), { tokens: 400, cacheable: false }];
    expect(summary(plan({ blocks: prompt }))).toEqual(['1:tail:5m']);
  });

  it('adds the previous request’s tail when a fan-out put it beyond the 20-block lookback', () => {
    // 30 tool results after the previous tail at 5: the lookback from 35 reaches only 16.
    const prompt = blocks(2000, 10, 10, 10, 10, 10, ...Array<number>(30).fill(100));
    expect(summary(plan({ blocks: prompt, prefixEnd: 0, previousTail: 5 }))).toEqual(['0:prefix:5m', '5:previous-tail:5m', '35:tail:5m']);
  });

  it('leaves the previous tail out when the lookback from the new tail reaches it', () => {
    // The lookback from 21 covers 21 down to 2 (20 positions, counting itself).
    const prompt = blocks(2000, ...Array<number>(21).fill(100));
    expect(summary(plan({ blocks: prompt, prefixEnd: 0, previousTail: 1 }))).toEqual(['0:prefix:5m', '1:previous-tail:5m', '21:tail:5m']);
    expect(summary(plan({ blocks: prompt, prefixEnd: 0, previousTail: 2 }))).toEqual(['0:prefix:5m', '21:tail:5m']);
  });

  it('keeps the client’s newest breakpoints, leaving a slot for the newest block', () => {
    const prompt = blocks(2000, 100, 100, 100, 100, 100);
    prompt[2]!.client = true;
    expect(summary(plan({ blocks: prompt, prefixEnd: 0 }))).toEqual(['0:prefix:5m', '2:client:5m', '5:tail:5m']);
    for (const index of [1, 2, 3, 4]) prompt[index]!.client = true;
    // Old client breakpoints pile up in the history: the newest three count, the tail gets the fourth.
    expect(summary(plan({ blocks: prompt, prefixEnd: 0 }))).toEqual(['2:client:5m', '3:client:5m', '4:client:5m', '5:tail:5m']);
  });

  it('skips a client breakpoint below the model minimum', () => {
    const prompt = blocks(100, 100, 2000, 100);
    prompt[0]!.client = true;
    expect(summary(plan({ blocks: prompt }))).toEqual(['3:tail:5m']);
  });

  it('orders TTLs: a 1h breakpoint never follows a 5m one', () => {
    expect(summary(plan({ blocks: blocks(2000, 100, 100), prefixEnd: 0, ttl: '1h', prefixTtl: '5m' }))).toEqual(['0:prefix:1h', '2:tail:1h']);
    expect(summary(plan({ blocks: blocks(2000, 100, 100), prefixEnd: 0, ttl: '5m', prefixTtl: '1h' }))).toEqual(['0:prefix:1h', '2:tail:5m']);
    // A client breakpoint takes the thread's TTL and follows the same order.
    const prompt = blocks(2000, 100, 100);
    prompt[1]!.client = true;
    expect(summary(plan({ blocks: prompt, prefixEnd: 0, ttl: '1h', prefixTtl: '5m' }))).toEqual(['0:prefix:1h', '1:client:1h', '2:tail:1h']);
  });

  it('uses at most the provider’s number of breakpoints', () => {
    const prompt = blocks(2000, ...Array<number>(40).fill(100));
    expect(plan({ blocks: prompt, prefixEnd: 0, previousTail: 3, maxBreakpoints: 2 })).toHaveLength(2);
  });
});
