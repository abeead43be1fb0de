import { chooseTtl, type TtlChoiceInput } from './choose-ttl.js';

const multipliers = { write5m: 1.25, write1h: 2, read: 0.1 };
const choose = (input: Partial<TtlChoiceInput>) => chooseTtl({ gapsMs: [], writeTokens: 1_000, promptTokens: 50_000, mode: 'auto', multipliers, ...input });
const seconds = (value: number) => value * 1_000;
const minutes = (value: number) => value * 60_000;

describe(chooseTtl.name, () => {
  it('keeps 5m for a fast agent loop', () => {
    expect(choose({ gapsMs: Array.from({ length: 12 }, () => seconds(8)) })).toBe('5m');
  });

  it('takes 1h when people answer after several minutes and the prompt is large', () => {
    expect(choose({ gapsMs: [minutes(7), minutes(9), minutes(6), minutes(8)] })).toBe('1h');
  });

  it('takes 1h for a mostly fast thread with occasional long pauses once the prompt is worth keeping', () => {
    const gaps = [...Array.from({ length: 9 }, () => seconds(5)), minutes(8)];
    expect(choose({ gapsMs: gaps, promptTokens: 200_000, writeTokens: 2_000 })).toBe('1h');
    expect(choose({ gapsMs: gaps, promptTokens: 3_000, writeTokens: 2_000 })).toBe('5m');
  });

  it('does not pay for 1h when turns come more than an hour apart', () => {
    expect(choose({ gapsMs: [minutes(90), minutes(120), minutes(75), minutes(200)] })).toBe('5m');
  });

  it('starts with 1h only in aggressive mode', () => {
    expect(choose({ promptTokens: 2_000, writeTokens: 2_000 })).toBe('5m');
    expect(choose({ promptTokens: 2_000, writeTokens: 2_000, mode: 'aggressive' })).toBe('1h');
  });
});
