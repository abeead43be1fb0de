// Gemini's explicit caches (`cachedContents`, https://ai.google.dev/api/caching): the resource the
// REST routes create, read, extend and delete, and how generateContent resolves `cachedContent`.
// Pure apart from the clock it is given; the routes in gemini.ts only translate HTTP.
import { geminiPromptUnits, sumTokens } from './prompt-cache.js';

type Json = Record<string, unknown>;

/** One cache as the API holds it; times are RFC 3339, as the resource reports them. */
export interface GeminiCacheRecord {
  /** `cachedContents/<id>` */
  name: string;
  /** `models/<model>` */
  model: string;
  displayName?: string;
  systemInstruction?: Json;
  tools?: unknown[];
  toolConfig?: Json;
  contents: unknown[];
  /** What a generateContent call using it reports as `cachedContentTokenCount`. */
  tokens: number;
  createTime: string;
  updateTime: string;
  expireTime: string;
}

/** Google's error for a request, before the envelope: HTTP code and message (the status follows the code). */
export interface CacheError {
  code: number;
  message: string;
}

export type CacheResult = { cache: GeminiCacheRecord } | { error: CacheError };

// Gemini answers 403 PERMISSION_DENIED, not 404, for a cache that never existed, has expired or was
// deleted: for generateContent, get and delete alike (seen in clients that handle the expiry).
export const cacheNotFound: CacheError = { code: 403, message: 'CachedContent not found (or permission denied)' };

export const cachedContentConflictMessage =
  'CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.\n\n' +
  'Proposed fix: move those values to CachedContent from GenerateContent request.';

const defaultTtlMs = 60 * 60_000;

export class GeminiCacheStore {
  private readonly caches = new Map<string, GeminiCacheRecord & { expiresAt: number }>();
  private sequence = 0;
  /** Caches removed by DELETE, oldest first, with the time they went. */
  readonly deleted: Array<GeminiCacheRecord & { deleteTime: string }> = [];

  constructor(
    private readonly now: () => number,
    /** The smallest cache a model accepts, in tokens. */
    private readonly minTokens: (model: string) => number,
  ) {}

  /** The caches that are neither deleted nor expired, oldest first. */
  live(): GeminiCacheRecord[] {
    const now = this.now();
    return [...this.caches.values()].filter((cache) => cache.expiresAt > now).map(publicRecord);
  }

  get(name: string): GeminiCacheRecord | undefined {
    const cache = this.caches.get(name);
    return cache && cache.expiresAt > this.now() ? publicRecord(cache) : undefined;
  }

  create(body: Json): CacheResult {
    if (typeof body['model'] !== 'string' || body['model'] === '') return invalid('CachedContent.model is required.');
    const model = body['model'].startsWith('models/') ? body['model'] : `models/${body['model']}`;
    const now = this.now();
    const expiry = expiryOf(body, now);
    if ('error' in expiry) return expiry;
    const tokens = sumTokens(geminiPromptUnits(body));
    const min = this.minTokens(model.slice('models/'.length));
    if (tokens < min) return invalid(`Cached content is too small. total_token_count=${tokens}, min_total_token_count=${min}`);

    const time = new Date(now).toISOString();
    const expiresAt = expiry.expiresAt ?? now + defaultTtlMs;
    const cache = {
      name: `cachedContents/mockcache${String(++this.sequence).padStart(6, '0')}`,
      model,
      ...(typeof body['displayName'] === 'string' ? { displayName: body['displayName'] } : {}),
      ...(body['systemInstruction'] !== undefined ? { systemInstruction: body['systemInstruction'] as Json } : {}),
      ...(body['tools'] !== undefined ? { tools: body['tools'] as unknown[] } : {}),
      ...(body['toolConfig'] !== undefined ? { toolConfig: body['toolConfig'] as Json } : {}),
      contents: Array.isArray(body['contents']) ? body['contents'] : [],
      tokens,
      createTime: time,
      updateTime: time,
      expireTime: new Date(expiresAt).toISOString(),
      expiresAt,
    };
    this.caches.set(cache.name, cache);
    return { cache: publicRecord(cache) };
  }

  /** PATCH: only the expiration (`ttl` or `expireTime`) may change. */
  update(name: string, body: Json): CacheResult {
    const cache = this.caches.get(name);
    const now = this.now();
    if (!cache || cache.expiresAt <= now) return { error: cacheNotFound };
    const immutable = Object.keys(body).find((key) => key !== 'ttl' && key !== 'expireTime' && key !== 'name');
    if (immutable) return invalid(`Only the expiration (ttl or expire_time) of a CachedContent can be updated; got '${immutable}'.`);
    const expiry = expiryOf(body, now);
    if ('error' in expiry) return expiry;
    if (expiry.expiresAt === undefined) return invalid('Either ttl or expire_time must be set to update a CachedContent.');
    Object.assign(cache, { expiresAt: expiry.expiresAt, expireTime: new Date(expiry.expiresAt).toISOString(), updateTime: new Date(now).toISOString() });
    return { cache: publicRecord(cache) };
  }

  delete(name: string): boolean {
    const cache = this.caches.get(name);
    const now = this.now();
    if (!cache || cache.expiresAt <= now) return false;
    this.caches.delete(name);
    this.deleted.push({ ...publicRecord(cache), deleteTime: new Date(now).toISOString() });
    return true;
  }

  /**
   * The cache a generateContent body names in `cachedContent`, or the error Gemini answers: the
   * request may not set what the cache fixes, the cache must be live, and made for the same model.
   */
  resolve(body: Json, model: string): { cache?: GeminiCacheRecord; error?: CacheError } {
    const name = body['cachedContent'];
    if (name === undefined || name === null) return {};
    if (body['systemInstruction'] != null || body['tools'] != null || body['toolConfig'] != null)
      return { error: { code: 400, message: cachedContentConflictMessage } };
    const cache = this.get(String(name));
    if (!cache) return { error: cacheNotFound };
    if (cache.model !== `models/${model}`) {
      return {
        error: { code: 400, message: `Model used by GenerateContent request (models/${model}) and CachedContent (${cache.model}) has to be the same.` },
      };
    }
    return { cache };
  }
}

/** The CachedContent resource as the API answers it (the cached contents are never sent back). */
export function cachedContentResource(cache: GeminiCacheRecord): Json {
  return {
    name: cache.name,
    model: cache.model,
    ...(cache.displayName !== undefined ? { displayName: cache.displayName } : {}),
    usageMetadata: { totalTokenCount: cache.tokens },
    createTime: cache.createTime,
    updateTime: cache.updateTime,
    expireTime: cache.expireTime,
  };
}

/** A generateContent body with the cache in front: its system instruction, tools and contents. */
export function withCachedPrefix(body: Json, cache: GeminiCacheRecord): Json {
  const { cachedContent: _name, ...rest } = body;
  return {
    ...rest,
    ...(cache.systemInstruction !== undefined ? { systemInstruction: cache.systemInstruction } : {}),
    ...(cache.tools !== undefined ? { tools: cache.tools } : {}),
    ...(cache.toolConfig !== undefined ? { toolConfig: cache.toolConfig } : {}),
    contents: [...cache.contents, ...(Array.isArray(body['contents']) ? body['contents'] : [])],
  };
}

function publicRecord(cache: GeminiCacheRecord & { expiresAt?: number }): GeminiCacheRecord {
  const { expiresAt: _expiresAt, ...record } = cache;
  return structuredClone(record);
}

const invalid = (message: string): { error: CacheError } => ({ error: { code: 400, message } });

/** `ttl` (a Duration such as "600s") or `expireTime` (RFC 3339) as an instant; neither: undefined. */
function expiryOf(body: Json, now: number): { expiresAt?: number } | { error: CacheError } {
  const { ttl, expireTime } = body;
  if (ttl !== undefined && expireTime !== undefined) {
    return invalid("Invalid JSON payload received. Oneof field 'expiration' is already set. Cannot set 'expireTime'");
  }
  if (ttl !== undefined) {
    const seconds = typeof ttl === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(ttl)?.[1] : undefined;
    if (seconds === undefined) return invalid(`Invalid value at 'cached_content.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(ttl)}`);
    return { expiresAt: now + Number(seconds) * 1000 };
  }
  if (expireTime !== undefined) {
    const at = typeof expireTime === 'string' ? Date.parse(expireTime) : Number.NaN;
    if (Number.isNaN(at))
      return invalid(`Invalid value at 'cached_content.expire_time' (type.googleapis.com/google.protobuf.Timestamp), ${JSON.stringify(expireTime)}`);
    return { expiresAt: at };
  }
  return {};
}
