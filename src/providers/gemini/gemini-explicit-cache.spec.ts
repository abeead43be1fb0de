import type { CacheThreadRef } from '../../caching/cache-types.js';
import type { CacheSettings } from '../../caching/plan-cache.js';
import type { ExplicitCacheEntry } from '../../caching/plan-gemini-cache.js';
import { ModelCatalog } from '../../config/model-catalog.js';
import type { CallProviderOptions, ProviderResponse } from '../call-provider.js';
import type { ProviderCacheStore } from '../provider-cache.store.js';
import type { GeminiRequestBody } from './gemini.api.js';
import { GeminiExplicitCache } from './gemini-explicit-cache.js';

const MINUTE = 60_000;
const capabilities = ModelCatalog.load(null).lookup('google/gemini-2.5-flash').cache;
const thread: CacheThreadRef = { projectId: 'proj_a', id: 'conv_1' };

/** Gemini's cachedContents API as it answers (create, PATCH of the ttl, DELETE), on a clock the test moves. */
function fakeGemini(clock: { now: number }) {
  let serial = 0;
  const calls: Array<{ method: string; url: string }> = [];
  const answer = (body: unknown): ProviderResponse => ({
    statusCode: 200,
    headers: {},
    body: (async function* () {
      yield JSON.stringify(body);
    })(),
  });
  const call = async (options: CallProviderOptions): Promise<ProviderResponse> => {
    calls.push({ method: options.method ?? 'POST', url: options.url });
    const ttlMs = (body: unknown) => Number.parseInt(String((body as { ttl: string }).ttl), 10) * 1_000;
    if (options.method === 'DELETE') return answer({});
    if (options.method === 'PATCH') return answer({ name: 'cachedContents/x', expireTime: new Date(clock.now + ttlMs(options.body)).toISOString() });
    return answer({
      name: `cachedContents/c${++serial}`,
      expireTime: new Date(clock.now + ttlMs(options.body)).toISOString(),
      usageMetadata: { totalTokenCount: 12_000 },
    });
  };
  return { call, calls };
}

function memoryStore(): ProviderCacheStore {
  const entries = new Map<string, ExplicitCacheEntry>();
  return {
    find: async () => [...entries.values()][0] ?? null,
    save: async (_thread, _provider, entry) => {
      entries.clear();
      entries.set(entry.name, entry);
    },
    extend: async (name, expiresAt) => {
      const entry = entries.get(name);
      if (entry) entry.expiresAt = expiresAt;
    },
    forget: async (name) => {
      entries.delete(name);
    },
    list: async () => [...entries.keys()].map((name) => ({ provider: 'google', name })),
  };
}

/** A thread's request: 48k characters of instructions (about 12k tokens) and `turns` user messages. */
const request = (turns: number, each = 40): GeminiRequestBody => ({
  systemInstruction: { parts: [{ text: 'x'.repeat(48_000) }] },
  contents: Array.from({ length: turns }, (_, index) => ({ role: 'user', parts: [{ text: `turn ${index} ${'y'.repeat(each)}` }] })),
});

describe(GeminiExplicitCache.name, () => {
  const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
  const settings: CacheSettings = { mode: 'aggressive', capabilities, gapsMs: [], thread };

  it('reports the storage each request paid for: the TTL on creation, what an extension added, nothing on a plain read', async () => {
    const gemini = fakeGemini(clock);
    const cache = new GeminiExplicitCache({
      provider: 'google',
      baseUrl: 'http://gemini.test',
      apiKey: null,
      callProvider: gemini.call,
      store: memoryStore(),
      now: () => clock.now,
    });
    const signal = new AbortController().signal;

    const created = await cache.prepare('gemini-2.5-flash', request(1), settings, signal);
    // 12,000 tokens for 10 minutes: 2,000 token-hours.
    expect(created.plan.explicitCache).toEqual({ name: 'cachedContents/c1', tokens: 12_000, created: true, storageTokenHours: 2_000 });

    clock.now += MINUTE;
    const read = await cache.prepare('gemini-2.5-flash', request(2), { ...settings, gapsMs: [MINUTE] }, signal);
    expect(read.plan.explicitCache).toMatchObject({ created: false, storageTokenHours: 0 });

    // Six minutes later only 3 are left: the TTL slides to 10 from now, 7 minutes more than it had.
    clock.now += 6 * MINUTE;
    const extended = await cache.prepare('gemini-2.5-flash', request(3), { ...settings, gapsMs: [MINUTE, 6 * MINUTE] }, signal);
    expect(gemini.calls.at(-1)).toMatchObject({ method: 'PATCH' });
    expect(extended.plan.explicitCache).toMatchObject({ created: false });
    expect(extended.plan.explicitCache!.storageTokenHours).toBeCloseTo((12_000 * 7) / 60, 9);
  });

  it('gives back what a replaced cache had left: it is deleted before it expires', async () => {
    const gemini = fakeGemini(clock);
    const store = memoryStore();
    const cache = new GeminiExplicitCache({
      provider: 'google',
      baseUrl: 'http://gemini.test',
      apiKey: null,
      callProvider: gemini.call,
      store,
      now: () => clock.now,
    });
    const signal = new AbortController().signal;
    await cache.prepare('gemini-2.5-flash', request(1), settings, signal);

    // Two minutes on, the history outgrew the cache: a new one replaces it with 8 minutes left.
    clock.now += 2 * MINUTE;
    const replaced = await cache.prepare('gemini-2.5-flash', request(40, 2_000), { ...settings, gapsMs: [2 * MINUTE] }, signal);
    expect(replaced.plan.explicitCache).toMatchObject({ name: 'cachedContents/c2', created: true });
    // 2,000 token-hours bought, 12,000 x 8/60 = 1,600 given back.
    expect(replaced.plan.explicitCache!.storageTokenHours).toBeCloseTo(2_000 - 1_600, 9);
    expect(gemini.calls.some((call) => call.method === 'DELETE' && call.url.endsWith('cachedContents/c1'))).toBe(true);
  });
});
