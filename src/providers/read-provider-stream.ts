import { ProviderError } from '../common/provider-error.js';
import { type ProviderResponse } from './call-provider.js';
import type { ModelStreamPart } from './model-adapter.js';
import { iterateSseEvents, readBodyText, type SseEvent } from './read-body.js';
import { servedTier } from './served-tier.js';
import { toProviderTransportError } from './upstream-errors.js';

type Parts = AsyncIterable<ModelStreamPart> | Iterable<ModelStreamPart>;

export interface ReadProviderStreamOptions {
  provider: string;
  signal: AbortSignal;
  /** Makes the upstream call (callProvider, with the adapter's URL, headers and body). */
  send: () => Promise<ProviderResponse>;
  /** Maps the SSE events of a streamed answer. */
  fromEvents: (events: AsyncIterable<SseEvent>) => Parts;
  /** Maps a whole JSON answer: a non-streamed request, or a proxy that ignored the stream flag. */
  fromJson: (text: string) => Parts;
  /** False when the request itself asked for JSON. */
  streamed?: boolean;
  /** A response header naming the service tier that served the call (Gemini's `x-gemini-service-tier`): set on the finish part. */
  tierHeader?: string;
}

/**
 * The part every adapter's `stream()` shares: send, read the body as SSE or JSON by its
 * content type, stop when the signal aborts (with its reason), and turn socket failures while the
 * body is read (reset, body timeout) into a ProviderError. Errors of our own code stay as they are.
 */
export async function* readProviderStream(options: ReadProviderStreamOptions): AsyncGenerator<ModelStreamPart, void, undefined> {
  const { provider, signal } = options;
  try {
    const response = await options.send();
    const isJson = String(response.headers['content-type'] ?? '').includes('application/json');
    const parts =
      options.streamed !== false && !isJson
        ? options.fromEvents(iterateSseEvents(response.body, signal))
        : options.fromJson(await readBodyText(response.body, { signal }));
    const tierHeader = options.tierHeader ? response.headers[options.tierHeader] : undefined;
    const tier = tierHeader === undefined ? null : servedTier(Array.isArray(tierHeader) ? tierHeader[0] : tierHeader);
    for await (const part of parts) {
      signal.throwIfAborted();
      yield tier !== null && part.type === 'finish' ? { ...part, serviceTier: tier } : part;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (!(error instanceof ProviderError) && hasErrorCode(error)) throw toProviderTransportError(provider, error);
    throw error;
  }
}

function hasErrorCode(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
