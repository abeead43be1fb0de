import type { GeminiCacheRecord } from './gemini-caches.js';
import { cachedContentConflictMessage, cachedContentResource, cacheNotFound, GeminiCacheStore, withCachedPrefix } from './gemini-caches.js';

const start = Date.parse('2026-03-01T12:00:00.000Z');
let clock = start;
const store = () =>
  new GeminiCacheStore(
    () => clock,
    () => 10,
  );

const body = {
  model: 'models/gemini-2.5-flash',
  systemInstruction: { parts: [{ text: 'You answer from the manual.' }] },
  contents: [{ role: 'user', parts: [{ text: 'The manual: ...' }] }],
};

function created(caches: GeminiCacheStore, extra: Record<string, unknown> = {}): GeminiCacheRecord {
  const result = caches.create({ ...body, ...extra });
  if ('error' in result) throw new Error(result.error.message);
  return result.cache;
}

beforeEach(() => {
  clock = start;
});

describe(GeminiCacheStore.name, () => {
  it('creates a cache with a deterministic name, its token count and a one-hour default TTL', () => {
    const caches = store();
    const cache = created(caches, { displayName: 'manual' });
    expect(cache).toMatchObject({
      name: 'cachedContents/mockcache000001',
      model: 'models/gemini-2.5-flash',
      displayName: 'manual',
      createTime: '2026-03-01T12:00:00.000Z',
      updateTime: '2026-03-01T12:00:00.000Z',
      expireTime: '2026-03-01T13:00:00.000Z',
    });
    expect(cache.tokens).toBeGreaterThan(10);
    expect(cachedContentResource(cache)).toEqual({
      name: 'cachedContents/mockcache000001',
      model: 'models/gemini-2.5-flash',
      displayName: 'manual',
      usageMetadata: { totalTokenCount: cache.tokens },
      createTime: '2026-03-01T12:00:00.000Z',
      updateTime: '2026-03-01T12:00:00.000Z',
      expireTime: '2026-03-01T13:00:00.000Z',
    });
    expect(caches.live()).toEqual([cache]);
  });

  it('takes ttl or expireTime, adds models/ to a bare model name, and refuses both at once', () => {
    const caches = store();
    expect(created(caches, { ttl: '600s' }).expireTime).toBe('2026-03-01T12:10:00.000Z');
    expect(created(caches, { model: 'gemini-2.5-flash', expireTime: '2026-03-02T00:00:00Z' })).toMatchObject({
      model: 'models/gemini-2.5-flash',
      expireTime: '2026-03-02T00:00:00.000Z',
    });
    expect(caches.create({ ...body, ttl: '600s', expireTime: '2026-03-02T00:00:00Z' })).toEqual({
      error: { code: 400, message: expect.stringContaining("Oneof field 'expiration' is already set") },
    });
    expect(caches.create({ ...body, ttl: '10 minutes' })).toEqual({ error: { code: 400, message: expect.stringContaining("'cached_content.ttl'") } });
  });

  it('refuses a cache below the model minimum with the numbers Gemini reports', () => {
    const caches = new GeminiCacheStore(
      () => clock,
      (model) => (model === 'gemini-2.5-flash' ? 1024 : 4096),
    );
    const result = caches.create(body);
    expect(result).toEqual({
      error: { code: 400, message: expect.stringMatching(/^Cached content is too small\. total_token_count=\d+, min_total_token_count=1024$/) },
    });
    expect(caches.live()).toEqual([]);
  });

  it('expires, extends only the expiration, and records deletions', () => {
    const caches = store();
    const cache = created(caches, { ttl: '60s' });
    clock += 30_000;
    expect(caches.update(cache.name, { ttl: '300s' })).toEqual({
      cache: { ...cache, updateTime: '2026-03-01T12:00:30.000Z', expireTime: '2026-03-01T12:05:30.000Z' },
    });
    expect(caches.update(cache.name, { contents: [] })).toEqual({ error: { code: 400, message: expect.stringContaining("'contents'") } });
    clock += 4 * 60_000;
    expect(caches.get(cache.name)).toBeDefined();
    expect(caches.delete(cache.name)).toBe(true);
    expect(caches.deleted).toEqual([{ ...caches.deleted[0], name: cache.name, deleteTime: '2026-03-01T12:04:30.000Z' }]);
    expect(caches.get(cache.name)).toBeUndefined();
    expect(caches.delete(cache.name)).toBe(false);

    const short = created(caches, { ttl: '60s' });
    clock += 60_000;
    expect(caches.get(short.name)).toBeUndefined();
    expect(caches.update(short.name, { ttl: '60s' })).toEqual({ error: cacheNotFound });
    expect(caches.live()).toEqual([]);
  });

  it('resolves cachedContent for generateContent: live, same model, nothing the cache fixes set again', () => {
    const caches = store();
    const cache = created(caches);
    const request = { cachedContent: cache.name, contents: [{ role: 'user', parts: [{ text: 'Q' }] }] };
    expect(caches.resolve({ contents: [] }, 'gemini-2.5-flash')).toEqual({});
    expect(caches.resolve(request, 'gemini-2.5-flash')).toEqual({ cache });
    expect(caches.resolve({ ...request, systemInstruction: { parts: [] } }, 'gemini-2.5-flash')).toEqual({
      error: { code: 400, message: cachedContentConflictMessage },
    });
    expect(caches.resolve({ ...request, tools: [] }, 'gemini-2.5-flash').error?.code).toBe(400);
    expect(caches.resolve(request, 'gemini-2.5-pro')).toEqual({
      error: {
        code: 400,
        message: `Model used by GenerateContent request (models/gemini-2.5-pro) and CachedContent (models/gemini-2.5-flash) has to be the same.`,
      },
    });
    expect(caches.resolve({ ...request, cachedContent: 'cachedContents/unknown' }, 'gemini-2.5-flash')).toEqual({ error: cacheNotFound });

    expect(withCachedPrefix(request, cache)).toEqual({
      systemInstruction: body.systemInstruction,
      contents: [...body.contents, ...request.contents],
    });
  });
});
