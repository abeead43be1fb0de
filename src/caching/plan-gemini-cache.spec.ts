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
    expect(plan()).toEqual({ action: 'create', covered: 2, replaces: null, ttlMs: 600_000 });
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
    // Ten follow-ups 25 s apart: each next one comes with p = 10 / 11 (one more gap counted as the
    // thread's end). Per cached token, at reads 0.25x and storage 3.5x an hour, a reuse saves
    // (1 - share) x 0.75 less 25 s of storage (0.024); creating costs share x 0.75 + 0.25.
    // share 0.5: 0.35 a reuse, about 8.5 expected reuses: 2.97 against 0.625, worth it, with the
    // shortest TTL that keeps 25 s follow-ups (3 minutes). share 0.95: 0.013 a reuse, not.
    const steady = { ...large, gapsMs: Array.from({ length: 10 }, () => 25_000) };
    expect(plan({ ...steady, implicitHitShare: 0.5 })).toEqual({ action: 'create', covered: 2, replaces: null, ttlMs: 180_000 });
    expect(plan({ ...steady, implicitHitShare: 0.95 })).toEqual({ action: 'implicit' });
    // aggressive takes the explicit cache whatever implicit caching does.
    expect(plan({ contentTokens: [40_000, 200, 300], implicitHitShare: 0.95 })).toMatchObject({ action: 'create' });
  });

  it('under auto, keeps a cache alive as long as the thread’s follow-ups need and no longer: storage is billed by the minute', () => {
    const large = { mode: 'auto' as const, implicitHitShare: 0, contentTokens: [40_000, 200, 300] };
    // Follow-ups 8 minutes apart: a cache slid when half gone has 3/4 of its TTL left on average, less a 30 s margin.
    expect(plan({ ...large, gapsMs: Array.from({ length: 10 }, () => 8 * 60_000) })).toMatchObject({ action: 'create', ttlMs: 20 * 60_000 });
    expect(plan({ ...large, gapsMs: Array.from({ length: 10 }, () => 3 * 60_000) })).toMatchObject({ action: 'create', ttlMs: 5 * 60_000 });
  });

  it('under auto, stops reading a cache once the history sent after it is worth more to implicit caching', () => {
    // A cache of 8,200 tokens with 30,000 sent since: implicit caching reading half of everything
    // saves more than the cache's half-read prefix (0.5 x 8,200 < 0.5 x 30,000).
    const grown = [3_000, 200, 30_000, 300];
    expect(plan({ mode: 'auto', implicitHitShare: 0.5, existing: entry(), contentTokens: grown })).toEqual({ action: 'implicit' });
    expect(plan({ mode: 'auto', implicitHitShare: 0.5, existing: entry(), contentTokens: [3_000, 200, 1_000, 300] })).toMatchObject({ action: 'use' });
  });

  it('does not create a cache the growing tail would outgrow before it pays', () => {
    // A 43,200-token cache, with 20,000 new tokens a request: the tail outgrows half of it after
    // about one reuse (1.08 x 0.75 = 0.81 saved against 0.583 + 0.25 to create and store).
    expect(plan({ mode: 'auto', implicitHitShare: 0, fixedTokens: 40_000, contentTokens: [3_000, 200, 20_000] })).toEqual({ action: 'implicit' });
    expect(plan({ mode: 'auto', implicitHitShare: 0, fixedTokens: 40_000, contentTokens: [3_000, 200, 300] })).toMatchObject({ action: 'create' });
  });

  it('reuses a live cache whose contents still start the history, sliding its expiry when half gone', () => {
    expect(plan({ existing: entry() })).toEqual({ action: 'use', entry: entry(), extend: false, ttlMs: 600_000 });
    expect(plan({ existing: entry({ expiresAt: now + 2 * 60_000 }) })).toMatchObject({ action: 'use', extend: true });
  });

  it('replaces a cache that no longer matches: other tools or model, edited history, about to expire', () => {
    for (const stale of [entry({ fingerprint: 'other' }), entry({ coveredHash: 'edited' }), entry({ expiresAt: now + 10_000 }), entry({ covered: 5 })]) {
      expect(plan({ existing: stale })).toEqual({ action: 'create', covered: 2, replaces: stale, ttlMs: 600_000 });
    }
  });

  it('rotates when the uncached tail outgrows half the cache', () => {
    const grown = [3_000, 200, 3_000, 3_000, 300];
    expect(plan({ existing: entry(), contentTokens: grown })).toEqual({ action: 'create', covered: 4, replaces: entry(), ttlMs: 600_000 });
    // A small tail keeps reading the old one.
    expect(plan({ existing: entry(), contentTokens: [3_000, 200, 1_000, 300] })).toMatchObject({ action: 'use' });
  });
});
