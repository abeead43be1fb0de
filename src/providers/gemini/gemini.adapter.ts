import { callProvider, type CallProvider, type UpstreamCallOptions } from '../call-provider.js';
import type { ModelAdapter, ModelRequest, ModelStreamPart } from '../model-adapter.js';
import { readProviderStream } from '../read-provider-stream.js';
import { convertGeminiResponseBody } from './gemini-response.js';
import { mapGeminiStream } from './gemini-stream.js';
import { toGeminiRequest } from './to-gemini-request.js';

export interface GeminiAdapterOptions extends UpstreamCallOptions {
  /** Provider name as configured (the `google` of `google/gemini-2.5-flash`). */
  provider: string;
  /** The origin, e.g. `https://generativelanguage.googleapis.com`; requests go to `{baseUrl}/v1beta/models/…`. */
  baseUrl: string;
  /** Sent as `x-goog-api-key`; null for a proxy that adds its own. */
  apiKey: string | null;
}

/**
 * Gemini API (`POST {baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse`), always streamed
 * upstream. The key goes in a header rather than `?key=`, so it never lands in proxy access logs.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export class GeminiAdapter implements ModelAdapter {
  readonly provider: string;
  private readonly callProvider: CallProvider;

  constructor(private readonly options: GeminiAdapterOptions) {
    this.provider = options.provider;
    this.callProvider = options.callProvider ?? callProvider;
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart, void, undefined> {
    const { provider } = this.options;
    const body = toGeminiRequest(request, { provider });

    yield* readProviderStream({
      provider,
      signal,
      send: () => this.callProvider({
        provider,
        url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1beta/models/${encodeURIComponent(request.model)}:streamGenerateContent?alt=sse`,
        headers: {
          accept: 'text/event-stream',
          ...(this.options.apiKey ? { 'x-goog-api-key': this.options.apiKey } : {}),
        },
        body,
        signal,
        retry: this.options.retry,
        headersTimeoutMs: this.options.headersTimeoutMs,
        bodyTimeoutMs: this.options.bodyTimeoutMs,
      }),
      fromEvents: (events) => mapGeminiStream(events, provider),
      fromJson: (text) => convertGeminiResponseBody(text, provider),
    });
  }
}

