import { ImplicitCacheStats } from './implicit-cache-stats.js';

describe(ImplicitCacheStats.name, () => {
  it('learns the share of what a follow-up prompt repeats that the implicit cache read, the newest weighing a fifth', () => {
    const stats = new ImplicitCacheStats();
    expect(stats.share('gemini-2.5-flash')).toBeNull();
    stats.observe('gemini-2.5-flash', { cachedTokens: 9_000, repeatedTokens: 10_000, gapMs: 30_000 });
    expect(stats.share('gemini-2.5-flash')).toBeCloseTo(0.9, 12);
    stats.observe('gemini-2.5-flash', { cachedTokens: 0, repeatedTokens: 10_000, gapMs: 30_000 });
    // 0.9 x 0.8 + 0 x 0.2
    expect(stats.share('gemini-2.5-flash')).toBeCloseTo(0.72, 12);
    expect(stats.share('gemini-2.5-pro')).toBeNull();
  });

  it('ignores requests that could not have hit: long after the previous one, or below any caching minimum', () => {
    const stats = new ImplicitCacheStats();
    stats.observe('m', { cachedTokens: 0, repeatedTokens: 50_000, gapMs: 20 * 60_000 });
    stats.observe('m', { cachedTokens: 0, repeatedTokens: 500, gapMs: 1_000 });
    expect(stats.share('m')).toBeNull();
  });
});
