import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AdapterCachePlan, CacheThreadRef, ExplicitCacheUse } from '../../caching/cache-types.js';
import { DEFAULT_CHARS_PER_TOKEN } from '../../caching/cache-types.js';
import type { CacheSettings } from '../../caching/plan-cache.js';
import { type ExplicitCacheEntry, LONGEST_EXPLICIT_TTL_MS, planGeminiCache } from '../../caching/plan-gemini-cache.js';
import { ProviderError } from '../../common/provider-error.js';
import { type CallProvider, type UpstreamCallOptions } from '../call-provider.js';
import type { ProviderCacheStore } from '../provider-cache.store.js';
import { readBodyText, safeJsonParse } from '../read-body.js';
import { type GeminiCreateCachedContentBody, type GeminiRequestBody, geminiCachedContentSchema } from './gemini.api.js';

export interface GeminiExplicitCacheOptions extends Pick<UpstreamCallOptions, 'retry' | 'headersTimeoutMs'> {
  provider: string;
  baseUrl: string;
  apiKey: string | null;
  callProvider: CallProvider;
  store: ProviderCacheStore;
  now?: () => number;
}

export interface PreparedGeminiRequest {
  body: GeminiRequestBody;
  plan: AdapterCachePlan;
}

/** A duration as Gemini's API writes it. */
const ttlOf = (ms: number) => `${Math.round(ms / 1000)}s`;
const HOUR_MS = 3_600_000;

/**
 * Gemini's explicit context caches (`cachedContents`) for long threads: decides with
 * planGeminiCache, then creates, reuses, slides and replaces the thread's cache, and rewrites the
 * request to read it (the cache then holds system instruction, tools and leading contents, which
 * the request must not repeat). Caching never fails a turn: when the provider refuses a cache the
 * request goes out whole, and a cache it no longer knows is forgotten (see `isCachedContentError`).
 * @see https://ai.google.dev/gemini-api/docs/caching
 */
export class GeminiExplicitCache {
  private readonly logger = new Logger('GeminiExplicitCache');
  /** Minimums the provider taught us with "Cached content is too small … min_total_token_count=N". */
  private readonly learnedMinimums = new Map<string, number>();

  constructor(private readonly options: GeminiExplicitCacheOptions) {}

  async prepare(model: string, body: GeminiRequestBody, settings: CacheSettings, signal: AbortSignal): Promise<PreparedGeminiRequest> {
    const charsPerToken = settings.charsPerToken ?? DEFAULT_CHARS_PER_TOKEN;
    const fixedChars = JSON.stringify([body.systemInstruction ?? null, body.tools ?? null, body.toolConfig ?? null]).length;
    const contentChars = body.contents.map((content) => JSON.stringify(content).length);
    const promptChars = fixedChars + contentChars.reduce((sum, chars) => sum + chars, 0);
    const basePlan = { promptChars, estimatedTokens: Math.ceil(promptChars / charsPerToken), fixedTokens: 0 };
    const { thread } = settings;
    if (!thread || settings.mode === 'off' || settings.capabilities.kind !== 'gemini') return { body, plan: basePlan };

    const fingerprint = hash(JSON.stringify([model, body.systemInstruction ?? null, body.tools ?? null, body.toolConfig ?? null]));
    const contentHashes = prefixHashes(body.contents.map((content) => JSON.stringify(content)));
    const decision = planGeminiCache({
      mode: settings.mode,
      fingerprint,
      contentHashes,
      fixedTokens: Math.ceil(fixedChars / charsPerToken),
      contentTokens: contentChars.map((chars) => Math.ceil(chars / charsPerToken)),
      existing: await this.options.store.find(thread, this.options.provider),
      minTokens: Math.max(settings.capabilities.minTokens, this.learnedMinimums.get(model) ?? 0),
      gapsMs: settings.gapsMs,
      now: this.now(),
      multipliers: settings.capabilities.multipliers,
      implicitHitShare: settings.implicitHitShare ?? null,
    });

    let entry: ExplicitCacheEntry;
    let created = false;
    let storageTokenHours = 0;
    switch (decision.action) {
      case 'implicit': {
        // What the thread already sent: the instructions, tools and every content but the newest.
        const repeated = Math.ceil((fixedChars + contentChars.slice(0, -1).reduce((sum, chars) => sum + chars, 0)) / charsPerToken);
        return { body, plan: settings.gapsMs.length > 0 ? { ...basePlan, repeatedTokens: repeated } : basePlan };
      }
      case 'use': {
        entry = decision.entry;
        const expiredAt = entry.expiresAt;
        if (decision.extend) await this.extend(entry, decision.ttlMs, signal);
        storageTokenHours = (entry.tokens * Math.max(0, entry.expiresAt - expiredAt)) / HOUR_MS;
        break;
      }
      case 'create': {
        const made = await this.create(model, body, decision, contentHashes, fingerprint, signal);
        if (!made) return { body, plan: basePlan };
        entry = made;
        created = true;
        storageTokenHours = (entry.tokens * decision.ttlMs) / HOUR_MS;
        await this.options.store.save(thread, this.options.provider, entry);
        if (decision.replaces) {
          // Deleted before it expires: the time it had left is not billed.
          const left = Math.min(LONGEST_EXPLICIT_TTL_MS, Math.max(0, decision.replaces.expiresAt - this.now()));
          storageTokenHours -= (decision.replaces.tokens * left) / HOUR_MS;
          void this.remove(decision.replaces.name);
        }
        break;
      }
    }
    const use: ExplicitCacheUse = { name: entry.name, tokens: entry.tokens, created, storageTokenHours };
    const { systemInstruction: _system, tools: _tools, toolConfig: _toolConfig, contents, ...rest } = body;
    return { body: { ...rest, contents: contents.slice(entry.covered), cachedContent: entry.name }, plan: { ...basePlan, explicitCache: use } };
  }

  /** The provider no longer has it (expired, deleted): the next request plans without it. */
  async forget(name: string): Promise<void> {
    await this.options.store.forget(name);
  }

  /** Deletes a thread's caches at the provider (its conversation was deleted): storage is billed until they expire. */
  async release(thread: CacheThreadRef): Promise<void> {
    const caches = await this.options.store.list(thread);
    await Promise.all(caches.filter((cache) => cache.provider === this.options.provider).map((cache) => this.remove(cache.name)));
  }

  private async create(
    model: string,
    body: GeminiRequestBody,
    { covered, ttlMs }: { covered: number; ttlMs: number },
    contentHashes: string[],
    fingerprint: string,
    signal: AbortSignal,
  ): Promise<ExplicitCacheEntry | null> {
    const request: GeminiCreateCachedContentBody = { model: `models/${model}`, contents: body.contents.slice(0, covered), ttl: ttlOf(ttlMs) };
    if (body.systemInstruction) request.systemInstruction = body.systemInstruction;
    if (body.tools) request.tools = body.tools;
    if (body.toolConfig) request.toolConfig = body.toolConfig;
    try {
      const answer = await this.call('POST', 'v1beta/cachedContents', request, signal);
      const cache = geminiCachedContentSchema.parse(answer);
      return {
        name: cache.name,
        fingerprint,
        covered,
        coveredHash: covered === 0 ? '' : contentHashes[covered - 1]!,
        tokens: cache.usageMetadata?.totalTokenCount ?? 0,
        expiresAt: cache.expireTime ? Date.parse(cache.expireTime) : this.now() + ttlMs,
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const minimum = error instanceof ProviderError ? /min_total_token_count=(\d+)/.exec(error.message)?.[1] : undefined;
      if (minimum) this.learnedMinimums.set(model, Number(minimum));
      this.logger.warn(`creating a cache for ${model} failed, sending the request whole: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  private async extend(entry: ExplicitCacheEntry, ttlMs: number, signal: AbortSignal): Promise<void> {
    try {
      const answer = geminiCachedContentSchema.parse(await this.call('PATCH', `v1beta/${entry.name}?updateMask=ttl`, { ttl: ttlOf(ttlMs) }, signal));
      entry.expiresAt = answer.expireTime ? Date.parse(answer.expireTime) : this.now() + ttlMs;
      await this.options.store.extend(entry.name, entry.expiresAt);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // Still alive for a while (the planner keeps a margin); the next request tries again.
      this.logger.warn(`extending ${entry.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async remove(name: string): Promise<void> {
    await this.options.store.forget(name);
    try {
      await this.call('DELETE', `v1beta/${name}`, undefined, AbortSignal.timeout(10_000));
    } catch (error) {
      // It expires by itself within the TTL.
      this.logger.warn(`deleting ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async call(method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const response = await this.options.callProvider({
      provider: this.options.provider,
      method,
      url: `${this.options.baseUrl.replace(/\/+$/, '')}/${path}`,
      headers: this.options.apiKey ? { 'x-goog-api-key': this.options.apiKey } : {},
      body,
      signal,
      retry: this.options.retry,
      headersTimeoutMs: this.options.headersTimeoutMs,
    });
    const parsed = safeJsonParse(await readBodyText(response.body, { signal }));
    return parsed.ok ? parsed.value : {};
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/**
 * The errors Gemini answers when a request names a cache it no longer has (expired or deleted):
 * the request is sent again whole, once.
 */
export function isCachedContentError(error: unknown): boolean {
  return error instanceof ProviderError && (error.status === 400 || error.status === 403 || error.status === 404) && /cached ?content/i.test(error.message);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `hashes[i]` identifies contents 0..i exactly. */
function prefixHashes(serialized: string[]): string[] {
  let previous = '';
  return serialized.map((text) => (previous = createHash('sha256').update(previous).update('\u0000').update(text).digest('hex')));
}
