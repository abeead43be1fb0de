import { type ExplicitCacheEntry, type GeminiCachePlanInput, planGeminiCache } from './plan-gemini-cache.js';

const now = 1_000_000_000;
const hashes = (count: number) => Array.from({ length: count }, (_, index) => `h${index}`);

function plan(overrides: Partial<GeminiCachePlanInput> = {}) {
  const contentTokens = overrides.contentTokens ?? [3_000, 200, 300];
  return planGeminiCache({
    mode: 'aggressive',
    fingerprint: 'fp',
    contentHashes: hashes(contentTokens.length),
    fixedTokens: 5_000,
    contentTokens,
    existing: null,
    minTokens: 4_096,
    gapsMs: [20_000, 30_000, 25_000],
    now,
    multipliers: { read: 0.25, storagePerHour: 3.5 },
    ...overrides,
  });
}

const entry = (overrides: Partial<ExplicitCacheEntry> = {}): ExplicitCacheEntry => ({
  name: 'cachedContents/a',
  fingerprint: 'fp',
  covered: 2,
  coveredHash: 'h1',
  tokens: 8_200,
  expiresAt: now + 8 * 60_000,
  ...overrides,
});

describe(planGeminiCache.name, () => {
  it('creates a cache of everything before the newest content when the thread comes back often', () => {
    expect(plan()).toEqual({ action: 'create', covered: 2, replaces: null });
  });

  it('leaves caching implicit when off, below the minimum, or when the rhythm does not pay for storage', () => {
    expect(plan({ mode: 'off' })).toEqual({ action: 'implicit' });
    expect(plan({ fixedTokens: 100, contentTokens: [1_000, 200, 300] })).toEqual({ action: 'implicit' });
    // Turns half an hour apart: the cache would sit idle, billed per hour, and expire unread.
    expect(plan({ gapsMs: [30 * 60_000, 40 * 60_000] })).toEqual({ action: 'implicit' });
    // auto wants a large prefix, evidence of reuse, and implicit caching known to read too little.
    const poorImplicit = { mode: 'auto' as const, implicitHitShare: 0.1 };
    expect(plan(poorImplicit)).toEqual({ action: 'implicit' });
    expect(plan({ ...poorImplicit, contentTokens: [40_000, 200, 300] })).toMatchObject({ action: 'create' });
    expect(plan({ ...poorImplicit, contentTokens: [40_000, 200, 300], gapsMs: [] })).toEqual({ action: 'implicit' });
  });

  it('under auto, leaves a thread to implicit caching while what it reads is unknown (its usage will tell) or nearly all', () => {
    const large = { mode: 'auto' as const, contentTokens: [40_000, 200, 300] };
    expect(plan({ ...large, implicitHitShare: null })).toEqual({ action: 'implicit' });
    expect(plan({ ...large })).toEqual({ action: 'implicit' });
    expect(plan({ ...large, implicitHitShare: 0.95 })).toEqual({ action: 'implicit' });
    // Per cached token, at reads 0.25x and storage 3.5x per hour (10 minutes: 0.583): 20 reuses at
    // most in the TTL save 20 x 0.75 x (1 - share); creating costs share x 0.75 + 0.25.
    // share 0.8: 3.0 against 0.583 + 0.85 = 1.43, worth it; 0.95: 0.75 against 1.55, not.
    expect(plan({ ...large, implicitHitShare: 0.8 })).toMatchObject({ action: 'create' });
    // aggressive takes the explicit cache whatever implicit caching does.
    expect(plan({ contentTokens: [40_000, 200, 300], implicitHitShare: 0.95 })).toMatchObject({ action: 'create' });
  });

  it('does not create a cache the growing tail would outgrow before it pays', () => {
    // A 43,200-token cache, with 20,000 new tokens a request: the tail outgrows half of it after
    // about one reuse (1.08 x 0.75 = 0.81 saved against 0.583 + 0.25 to create and store).
    expect(plan({ mode: 'auto', implicitHitShare: 0, fixedTokens: 40_000, contentTokens: [3_000, 200, 20_000] })).toEqual({ action: 'implicit' });
    expect(plan({ mode: 'auto', implicitHitShare: 0, fixedTokens: 40_000, contentTokens: [3_000, 200, 300] })).toMatchObject({ action: 'create' });
  });

  it('reuses a live cache whose contents still start the history, sliding its expiry when half gone', () => {
    expect(plan({ existing: entry() })).toEqual({ action: 'use', entry: entry(), extend: false });
    expect(plan({ existing: entry({ expiresAt: now + 2 * 60_000 }) })).toMatchObject({ action: 'use', extend: true });
  });

  it('replaces a cache that no longer matches: other tools or model, edited history, about to expire', () => {
    for (const stale of [entry({ fingerprint: 'other' }), entry({ coveredHash: 'edited' }), entry({ expiresAt: now + 10_000 }), entry({ covered: 5 })]) {
      expect(plan({ existing: stale })).toEqual({ action: 'create', covered: 2, replaces: stale });
    }
  });

  it('rotates when the uncached tail outgrows half the cache', () => {
    const grown = [3_000, 200, 3_000, 3_000, 300];
    expect(plan({ existing: entry(), contentTokens: grown })).toEqual({ action: 'create', covered: 4, replaces: entry() });
    // A small tail keeps reading the old one.
    expect(plan({ existing: entry(), contentTokens: [3_000, 200, 1_000, 300] })).toMatchObject({ action: 'use' });
  });
});
