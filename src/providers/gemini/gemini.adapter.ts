import {
  callProvider,
  iterateSseEvents,
  readBodyText,
  toProviderTransportError,
  type CallProvider,
  type RetryOptions,
} from '../call-provider.js';
import type { ModelAdapter, ModelRequest, ModelStreamPart } from '../model-adapter.js';
import { ProviderError } from '../provider-error.js';
import { convertGeminiResponseBody } from './gemini-response.js';
import { mapGeminiStream } from './gemini-stream.js';
import { toGeminiRequest } from './to-gemini-request.js';

export interface GeminiAdapterOptions {
  /** Provider name as configured (the `google` of `google/gemini-2.5-flash`). */
  provider: string;
  /** The origin, e.g. `https://generativelanguage.googleapis.com`; requests go to `{baseUrl}/v1beta/models/…`. */
  baseUrl: string;
  /** Sent as `x-goog-api-key`; null for a proxy that adds its own. */
  apiKey: string | null;
  retry?: Partial<RetryOptions>;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Replaces the HTTP call; tests serve fixtures through it. */
  callProvider?: CallProvider;
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

    try {
      const response = await this.callProvider({
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
      });

      // A proxy that drops `alt=sse` answers with JSON; read it as such.
      const contentType = String(response.headers['content-type'] ?? '');
      const parts = contentType.includes('application/json')
        ? convertGeminiResponseBody(await readBodyText(response.body, { signal }), provider)
        : mapGeminiStream(iterateSseEvents(response.body, signal), provider);

      for await (const part of parts) {
        signal.throwIfAborted();
        yield part;
      }
    } catch (error) {
      if (signal.aborted) {
        throw signal.reason;
      }
      // Body read failures (reset socket, body timeout) carry a code; our own bugs do not and stay as they are.
      if (!(error instanceof ProviderError) && hasErrorCode(error)) {
        throw toProviderTransportError(provider, error);
      }
      throw error;
    }
  }
}

function hasErrorCode(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
