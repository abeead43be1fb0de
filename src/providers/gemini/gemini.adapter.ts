import type { CacheThreadRef } from '../../caching/cache-types.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, callProvider, callSettings, type UpstreamCallOptions } from '../call-provider.js';
import type { FetchInputFile } from '../fetch-input-file.js';
import { fromGeminiModelList, geminiModelListSchema, type UpstreamModel } from '../list-models.js';
import type { InputTokenCount, ModelAdapter, ModelStreamPart } from '../model-adapter.js';
import type { ProviderCacheStore } from '../provider-cache.store.js';
import { readProviderStream } from '../read-provider-stream.js';
import { requestProviderJson } from '../request-provider-json.js';
import { hasUnfetchedFiles, resolveInputFiles } from '../resolve-input-files.js';
import type { GeminiRequestBody } from './gemini.api.js';
import { geminiTokenCountSchema, toGeminiCountTokensBody } from './gemini-count-tokens.js';
import { GeminiExplicitCache, isCachedContentError } from './gemini-explicit-cache.js';
import { convertGeminiResponseBody } from './gemini-response.js';
import { mapGeminiStream } from './gemini-stream.js';
import { geminiFileReader } from './to-gemini-media-part.js';
import { toGeminiRequest } from './to-gemini-request.js';

export interface GeminiAdapterOptions extends UpstreamCallOptions {
  /** Provider name as configured (the `google` of `google/gemini-2.5-flash`). */
  provider: string;
  /** The origin, e.g. `https://generativelanguage.googleapis.com`; requests go to `{baseUrl}/v1beta/models/…`. */
  baseUrl: string;
  /** Sent as `x-goog-api-key`; null for a proxy that adds its own. */
  apiKey: string | null;
  /** Where explicit caches are remembered; without it, caching stays implicit. */
  caches?: ProviderCacheStore;
  /** Fetches the `file_url`s Gemini is not given (see resolve-input-files.ts); without it those are a 400. */
  fetchFile?: FetchInputFile;
}

/**
 * Gemini API (`POST {baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse`), streamed
 * upstream unless the client waits for the whole answer (`:generateContent`). The key goes in a
 * header rather than `?key=`, so it never lands in proxy access logs.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export class GeminiAdapter implements ModelAdapter {
  readonly provider: string;
  private readonly callProvider: CallProvider;
  private readonly explicitCache: GeminiExplicitCache | null;

  constructor(private readonly options: GeminiAdapterOptions) {
    this.provider = options.provider;
    this.callProvider = options.callProvider ?? callProvider;
    this.explicitCache = options.caches ? new GeminiExplicitCache({ ...options, callProvider: this.callProvider, store: options.caches }) : null;
  }

  check(request: ModelRequest): void {
    if (!hasUnfetchedFiles(request)) toGeminiRequest(request, { provider: this.options.provider });
  }

  async *stream(original: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart, void, undefined> {
    const request = await this.resolveFiles(original, signal);
    const body = toGeminiRequest(request, { provider: this.options.provider });
    if (!this.explicitCache || !request.cache) {
      yield* this.send(request, body, signal);
      return;
    }
    const prepared = await this.explicitCache.prepare(request.model, body, request.cache, signal);
    yield { type: 'cache-plan', plan: prepared.plan };
    let started = false;
    try {
      for await (const part of this.send(request, prepared.body, signal)) {
        started = true;
        yield part;
      }
    } catch (error) {
      const cache = prepared.plan.explicitCache;
      if (started || !cache || !isCachedContentError(error)) throw error;
      // The cache is gone (expired early, deleted elsewhere): forget it and send the request whole, once.
      await this.explicitCache.forget(cache.name);
      yield* this.send(request, body, signal);
    }
  }

  /**
   * Counts the prompt `stream(request)` sends (`POST {baseUrl}/v1beta/models/{model}:countTokens`):
   * system instruction, tools, tool config and contents as built for the call. An explicit cache is
   * not used: the whole prompt is counted, which is what `promptTokenCount` reports with or without one.
   * @see https://ai.google.dev/api/tokens#method:-models.counttokens
   */
  async countInputTokens(original: ModelRequest, signal: AbortSignal): Promise<InputTokenCount> {
    const { provider } = this.options;
    const request = await this.resolveFiles(original, signal);
    const body = toGeminiRequest(request, { provider });
    const answer = await requestProviderJson({
      callProvider: this.callProvider,
      call: {
        provider,
        url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1beta/models/${encodeURIComponent(request.model)}:countTokens`,
        headers: this.options.apiKey ? { 'x-goog-api-key': this.options.apiKey } : {},
        body: toGeminiCountTokensBody(request.model, body),
        signal,
        ...callSettings(this.options, { wholeAnswer: false }),
      },
      schema: geminiTokenCountSchema,
    });
    return { inputTokens: answer.totalTokens, source: 'provider' };
  }

  /** The models Gemini serves that generate content (`GET {baseUrl}/v1beta/models`, one page of up to 1,000). */
  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    const { provider } = this.options;
    const list = await requestProviderJson({
      callProvider: this.callProvider,
      call: {
        provider,
        url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1beta/models?pageSize=1000`,
        method: 'GET',
        headers: this.options.apiKey ? { 'x-goog-api-key': this.options.apiKey } : {},
        body: undefined,
        signal,
        ...callSettings(this.options, { wholeAnswer: false }),
      },
      schema: geminiModelListSchema,
    });
    return fromGeminiModelList(list);
  }

  async releaseCaches(thread: CacheThreadRef): Promise<void> {
    await this.explicitCache?.release(thread);
  }

  /** The request with the files Gemini is not given by URL fetched (see resolve-input-files.ts). */
  private resolveFiles(request: ModelRequest, signal: AbortSignal): Promise<ModelRequest> {
    const reader = geminiFileReader(this.options.provider, request.inputFiles?.pdf ?? true);
    return resolveInputFiles(request, reader, this.options.fetchFile, signal);
  }

  /** Streams (`:streamGenerateContent?alt=sse`) unless the client waits for the whole answer (`:generateContent`). */
  private send(request: ModelRequest, body: GeminiRequestBody, signal: AbortSignal): AsyncGenerator<ModelStreamPart, void, undefined> {
    const { provider } = this.options;
    const streamed = request.stream !== false;
    const method = streamed ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return readProviderStream({
      provider,
      signal,
      send: () =>
        this.callProvider({
          provider,
          url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1beta/models/${encodeURIComponent(request.model)}:${method}`,
          headers: {
            accept: streamed ? 'text/event-stream' : 'application/json',
            ...(this.options.apiKey ? { 'x-goog-api-key': this.options.apiKey } : {}),
          },
          body,
          signal,
          ...callSettings(this.options, { wholeAnswer: !streamed, trace: request.trace }),
        }),
      fromEvents: (events) => mapGeminiStream(events, provider),
      fromJson: (text) => convertGeminiResponseBody(text, provider),
      streamed,
      tierHeader: 'x-gemini-service-tier',
    });
  }
}
