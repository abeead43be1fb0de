import type { SseWriter } from '../common/sse.js';
import { toApiError } from '../common/to-api-error.js';
import type { TurnRun } from './turn-runner.js';

/** The sync sink: drains the run to its final Response; a failed run becomes an HTTP error. */
export async function drainTurn<R>(run: TurnRun<R>, signal: AbortSignal): Promise<R> {
  await run.complete(signal);
  if (run.outcome?.status === 'failed' || run.final === null) throw toApiError(run.outcome?.cause ?? null);
  return run.final;
}

/** The events that open every stream, before the model has shown anything. */
const OPENING_EVENTS = new Set(['response.created', 'response.queued', 'response.in_progress']);

/**
 * The run's events, once the model has shown something: the opening events are held until the
 * first output (or the end). A run that failed before any output throws its error instead, as the
 * HTTP status and error body a non-streamed request gets (429 with `retry-after`, 502, 503, 400),
 * so an SDK's retry with backoff works for `stream: true` too. Once output has started, a failure
 * arrives as `response.failed`. The failed response is stored either way.
 */
export async function openStream<R extends { type: string }>(run: TurnRun<unknown>, events: AsyncIterable<R>): Promise<AsyncIterable<R>> {
  const iterator = events[Symbol.asyncIterator]();
  const held: IteratorResult<R>[] = [];
  let next = await iterator.next();
  while (!next.done && OPENING_EVENTS.has(next.value.type)) {
    held.push(next);
    next = await iterator.next();
  }
  const outcome = run.outcome;
  if (!next.done && next.value.type === 'response.failed' && outcome?.status === 'failed' && outcome.output.length === 0) {
    await iterator.return?.(undefined);
    throw toApiError(outcome.cause);
  }
  held.push(next);
  // The held events, then the run's own iterator: no generator of ours in between for the rest.
  const rest: AsyncIterableIterator<R> = {
    next: () => (held.length > 0 ? Promise.resolve(held.shift()!) : iterator.next()),
    return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return rest;
}

/** Writes events as SSE until they end, then `[DONE]`; also used to replay a background run's log. */
export async function writeEvents(events: AsyncIterable<{ type: string }>, writer: SseWriter, headers: Record<string, string> = {}): Promise<void> {
  writer.open(headers);
  try {
    for await (const event of events) {
      const taken = writer.write(event);
      if (taken) await taken;
    }
  } finally {
    writer.end();
  }
}
