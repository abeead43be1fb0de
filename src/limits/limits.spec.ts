import { budgetPeriod, effectiveRateLimits, effectiveRequestLimits, formatResetDuration, mergeLimits, rateLimitHeaders, readStoredLimits } from './limits.js';
import { keepMs, lacks, refill, stateOf, waitMs } from './token-bucket.js';

describe('formatResetDuration', () => {
  it("writes durations as OpenAI's x-ratelimit-reset-* do", () => {
    expect(formatResetDuration(0)).toBe('0s');
    expect(formatResetDuration(17.2)).toBe('18ms');
    expect(formatResetDuration(999)).toBe('999ms');
    expect(formatResetDuration(1_000)).toBe('1s');
    expect(formatResetDuration(1_001)).toBe('2s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(3_723_000)).toBe('1h2m3s');
  });
});

describe('budgetPeriod', () => {
  it('is the UTC day or month, with a label per period', () => {
    const now = new Date('2026-12-31T23:59:59.999Z');
    expect(budgetPeriod('day', now)).toEqual({ start: new Date('2026-12-31T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z'), label: '2026-12-31' });
    expect(budgetPeriod('month', now)).toEqual({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z'), label: '2026-12' });
    expect(budgetPeriod('month', new Date('2027-02-10T05:00:00Z')).end).toEqual(new Date('2027-03-01T00:00:00Z'));
  });
});

describe('limits as stored and updated', () => {
  it('replaces what an update gives, removes what it sets to null, keeps the rest', () => {
    const stored = { requests_per_minute: 60, tokens_per_minute: 1_000, budget: { period: 'day' as const, limit_usd: 5, warn_at: 0.8 } };
    expect(mergeLimits<Record<string, unknown>>(stored, { requests_per_minute: 10, tokens_per_minute: null })).toEqual({
      requests_per_minute: 10,
      budget: { period: 'day', limit_usd: 5, warn_at: 0.8 },
    });
  });

  it("falls back to the deployment's defaults, and reads a column it cannot parse as unset", () => {
    const defaults = { requestsPerMinute: 100, tokensPerMinute: null, concurrentRuns: 4 };
    expect(effectiveRateLimits({ requests_per_minute: 5 }, defaults)).toEqual({ requestsPerMinute: 5, tokensPerMinute: null, concurrentRuns: 4 });
    expect(effectiveRequestLimits({ max_tools: 8 }, { maxInputItems: 10_000, maxTools: 512, maxInputFiles: 500 })).toEqual({
      maxInputItems: 10_000,
      maxTools: 8,
      maxInputFiles: 500,
    });
    expect(readStoredLimits({ requests_per_minute: 'lots' })).toEqual({});
    expect(readStoredLimits(null)).toEqual({});
    expect(readStoredLimits({ budget: { period: 'day', limit_usd: 3 } })).toEqual({ budget: { period: 'day', limit_usd: 3, warn_at: 0.8 } });
  });
});

describe('rateLimitHeaders', () => {
  it('reports, per kind, the limit with the least remaining', () => {
    const headers = rateLimitHeaders(
      [
        { limit: 100, remaining: 40, resetMs: 36_000 },
        { limit: 10, remaining: 9, resetMs: 6_000 },
      ],
      [{ limit: 10_000, remaining: 9_000, resetMs: 6_000 }],
    );
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '9',
      'x-ratelimit-reset-requests': '6s',
      'x-ratelimit-limit-tokens': '10000',
      'x-ratelimit-remaining-tokens': '9000',
      'x-ratelimit-reset-tokens': '6s',
    });
    expect(rateLimitHeaders([], [])).toEqual({});
  });
});

describe('token bucket arithmetic', () => {
  it('refills at the limit per minute, up to the limit', () => {
    // 600 a minute is 10 a second: 2.5 s after being at 100, it holds 125.
    expect(refill({ level: 100, atMs: 10_000 }, 600, 12_500)).toBe(125);
    expect(refill({ level: 590, atMs: 0 }, 600, 60_000)).toBe(600);
    expect(refill(undefined, 600, 0)).toBe(600);
    // A clock that went back never drains.
    expect(refill({ level: 5, atMs: 1_000 }, 600, 0)).toBe(5);
  });

  it('needs the whole cost for a request, and anything above zero for a tokens check', () => {
    expect(lacks(0.99, 1)).toBe(true);
    expect(lacks(1, 1)).toBe(false);
    expect(lacks(0, 0)).toBe(true);
    expect(lacks(0.01, 0)).toBe(false);
  });

  it('waits for what is missing, and reports remaining and reset from the level', () => {
    // 60 a minute is one a second: from -2.5, a request waits 3.5 s.
    expect(waitMs(-2.5, 1, 60)).toBe(3_500);
    expect(stateOf(-2.5, 60)).toEqual({ limit: 60, remaining: 0, resetMs: 62_500 });
    expect(stateOf(59.5, 60)).toEqual({ limit: 60, remaining: 59, resetMs: 500 });
    expect(keepMs(59.5, 60)).toBe(1_500);
  });
});
