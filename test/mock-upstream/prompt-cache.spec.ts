import { AnthropicCacheEmulator, OpenAICacheEmulator, prefixHashes } from './prompt-cache.js';

const prompt = (count: number, tokens = 100) => ({
  hashes: prefixHashes(Array.from({ length: count }, (_, index) => `block ${index}`)),
  tokens: Array<number>(count).fill(tokens),
});

describe(AnthropicCacheEmulator.name, () => {
  it('writes at breakpoints and reads them back on the next request, with the usage split Anthropic reports', () => {
    const cache = new AnthropicCacheEmulator();
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 })).toEqual({ read: 0, write5m: 2000, write1h: 0, uncached: 0 });
    expect(cache.request({ ...prompt(25), breakpoints: [{ index: 23, ttl: '5m' }], minTokens: 1024, now: 1000 })).toEqual({ read: 2000, write5m: 400, write1h: 0, uncached: 100 });
  });

  it('looks back at most 20 positions from each breakpoint', () => {
    const cache = new AnthropicCacheEmulator();
    cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(cache.request({ ...prompt(40), breakpoints: [{ index: 39, ttl: '5m' }], minTokens: 1024, now: 1 }).read).toBe(0);
    const again = new AnthropicCacheEmulator();
    again.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(again.request({ ...prompt(39), breakpoints: [{ index: 38, ttl: '5m' }], minTokens: 1024, now: 1 }).read).toBe(2000);
  });

  it('caches nothing below the minimum, and forgets entries after their TTL unless read', () => {
    const cache = new AnthropicCacheEmulator();
    expect(cache.request({ ...prompt(5), breakpoints: [{ index: 4, ttl: '5m' }], minTokens: 1024, now: 0 })).toEqual({ read: 0, write5m: 0, write1h: 0, uncached: 500 });
    cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 4 * 60_000 }).read).toBe(2000);
    // The read at 4 min refreshed it: still there 8 min after the write.
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 8 * 60_000 }).read).toBe(2000);
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 14 * 60_000 }).read).toBe(0);
  });

  it('bills a 1h prefix and a 5m tail apart', () => {
    const cache = new AnthropicCacheEmulator();
    const usage = cache.request({ ...prompt(30), breakpoints: [{ index: 11, ttl: '1h' }, { index: 29, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(usage).toEqual({ read: 0, write1h: 1200, write5m: 1800, uncached: 0 });
  });
});

describe(OpenAICacheEmulator.name, () => {
  it('reads the longest retained prefix in 128-token steps from 1,024 tokens', () => {
    const cache = new OpenAICacheEmulator();
    cache.request({ ...prompt(15), retention: 'in_memory', now: 0 });
    expect(cache.request({ ...prompt(20), retention: 'in_memory', now: 1 })).toEqual({ cached: 1408, total: 2000 });
    expect(cache.request({ ...prompt(20), retention: 'in_memory', now: 10 * 60_000 }).cached).toBe(0);
    cache.request({ ...prompt(20), retention: '24h', now: 20 * 60_000 });
    expect(cache.request({ ...prompt(20), retention: '24h', now: 5 * 60 * 60_000 }).cached).toBe(1920);
  });
});
