import { ProviderError } from '../common/provider-error.js';
import { failedBeforeStream, type RetryOptions, retryDelayMs, sleep } from './call-provider.js';
import type { ModelAdapter, ModelStreamPart } from './model-adapter.js';

/** Parts that show the client nothing: an attempt that failed after them can be made again unseen. */
const SILENT_PARTS = new Set<ModelStreamPart['type']>(['cache-plan', 'response-metadata']);

/**
 * Retries a model call that failed inside its 200 stream before any output, as `callProvider`
 * retries HTTP failures before the first byte: Anthropic's `overloaded_error` event, Gemini's 503
 * in the stream, OpenAI's `response.failed` with a server error. Only errors the adapter marked
 * retryable, with the same backoff and budget (`maxRetries` counts these attempts on their own).
 * The silent parts of a failed attempt are dropped, so the caller sees one clean attempt.
 */
export async function* streamWithInBandRetries(
  stream: (signal: AbortSignal) => AsyncIterable<ModelStreamPart>,
  retry: RetryOptions,
  signal: AbortSignal,
): AsyncGenerator<ModelStreamPart> {
  for (let attempt = 0; ; attempt++) {
    const held: ModelStreamPart[] = [];
    let started = false;
    try {
      for await (const part of stream(signal)) {
        if (started) {
          yield part;
          continue;
        }
        if (SILENT_PARTS.has(part.type)) {
          held.push(part);
          continue;
        }
        started = true;
        yield* held.splice(0);
        yield part;
      }
      yield* held;
      return;
    } catch (error) {
      const retryable = !started && !signal.aborted && error instanceof ProviderError && error.retryable && !failedBeforeStream(error);
      const delayMs = retryable && attempt < retry.maxRetries ? retryDelayMs(error, attempt, retry) : null;
      if (delayMs === null) throw error;
      await sleep(delayMs, signal);
    }
  }
}

/** The adapter, its model calls retried on in-band failures before output (see streamWithInBandRetries). */
export function withInBandRetries(adapter: ModelAdapter, retry: RetryOptions): ModelAdapter {
  const stream = adapter.stream.bind(adapter);
  return Object.assign(Object.create(adapter) as ModelAdapter, {
    stream: (request: Parameters<ModelAdapter['stream']>[0], signal: AbortSignal) => streamWithInBandRetries((inner) => stream(request, inner), retry, signal),
  });
}
