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
  const opening: R[] = [];
  let next = await iterator.next();
  while (!next.done && OPENING_EVENTS.has(next.value.type)) {
    opening.push(next.value);
    next = await iterator.next();
  }
  const outcome = run.outcome;
  if (!next.done && next.value.type === 'response.failed' && outcome?.status === 'failed' && outcome.output.length === 0) {
    await iterator.return?.(undefined);
    throw toApiError(outcome.cause);
  }
  const first = next;
  return (async function* () {
    yield* opening;
    if (first.done) return;
    yield first.value;
    for (let more = await iterator.next(); !more.done; more = await iterator.next()) yield more.value;
  })();
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
