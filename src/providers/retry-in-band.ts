import { ProviderError } from '../common/provider-error.js';
import { failedBeforeStream, type RetryOptions, retryDelayMs, sleep } from './call-provider.js';
import type { ModelAdapter, ModelStreamPart } from './model-adapter.js';

/** Parts that show the client nothing: an attempt that failed after them can be made again unseen. */
const SILENT_PARTS = new Set<ModelStreamPart['type']>(['cache-plan', 'response-metadata']);

/**
 * Retries a model call that failed inside its 200 stream before any output, as `callProvider`
 * retries HTTP failures before the first byte: Anthropic's `overloaded_error` event, Gemini's 503
 * in the stream, OpenAI's `response.failed` with a server error. Only errors the adapter marked
 * retryable, with the same backoff and budget (`maxRetries` counts these attempts on their own);
 * an HTTP failure `callProvider` already retried is not tried again. The silent parts of a failed
 * attempt are dropped, so the caller sees one clean attempt.
 *
 * An iterator rather than an async generator: once output has started, `next()` is the model
 * call's own, with no generator of ours (and its promise per part) in between.
 */
export function streamWithInBandRetries(
  stream: (signal: AbortSignal) => AsyncIterable<ModelStreamPart>,
  retry: RetryOptions,
  signal: AbortSignal,
): AsyncIterableIterator<ModelStreamPart> {
  let inner = stream(signal)[Symbol.asyncIterator]();
  let held: ModelStreamPart[] = [];
  let started = false;

  const untilOutput = async (): Promise<IteratorResult<ModelStreamPart>> => {
    for (let attempt = 0; ; ) {
      let result: IteratorResult<ModelStreamPart>;
      try {
        result = await inner.next();
      } catch (error) {
        const retryable = !signal.aborted && error instanceof ProviderError && error.retryable && !failedBeforeStream(error);
        const delayMs = retryable && attempt < retry.maxRetries ? retryDelayMs(error, attempt, retry) : null;
        if (delayMs === null) throw error;
        await sleep(delayMs, signal);
        attempt++;
        held = [];
        inner = stream(signal)[Symbol.asyncIterator]();
        continue;
      }
      if (!result.done && SILENT_PARTS.has(result.value.type)) {
        held.push(result.value);
        continue;
      }
      started = true;
      if (!result.done) held.push(result.value);
      return held.length > 0 ? { done: false, value: held.shift()! } : result;
    }
  };

  return {
    next: () => {
      if (!started) return untilOutput();
      return held.length > 0 ? Promise.resolve({ done: false, value: held.shift()! }) : inner.next();
    },
    return: (value?: unknown) => inner.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The adapter, its model calls retried on in-band failures before output (see streamWithInBandRetries). */
export function withInBandRetries(adapter: ModelAdapter, retry: RetryOptions): ModelAdapter {
  const stream = adapter.stream.bind(adapter);
  return Object.assign(Object.create(adapter) as ModelAdapter, {
    stream: (request: Parameters<ModelAdapter['stream']>[0], signal: AbortSignal) => streamWithInBandRetries((inner) => stream(request, inner), retry, signal),
  });
}
