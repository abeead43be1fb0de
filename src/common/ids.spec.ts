import { newId } from './ids.js';

describe(newId.name, () => {
  it('is the prefix, 12 hex digits of the clock, then 20 random hex digits', () => {
    const before = Date.now();
    const id = newId('resp');
    expect(id).toMatch(/^resp_[0-9a-f]{32}$/);
    const time = parseInt(id.slice(5, 17), 16);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('never repeats its random part, across many refills of the random pool', () => {
    // 10,000 ids draw 100 KB: the 4 KB pool is refilled about 25 times.
    const random = new Set(Array.from({ length: 10_000 }, () => newId('msg').slice(-20)));
    expect(random.size).toBe(10_000);
  });
});
