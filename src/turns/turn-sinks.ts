import type { SseWriter } from '../common/sse.js';
import { toApiError } from '../common/to-api-error.js';
import type { TurnRun } from './turn-runner.js';

/** The sync sink: drains the run to its final Response; a failed run becomes an HTTP error. */
export async function drainTurn<R>(run: TurnRun<R>, signal: AbortSignal): Promise<R> {
  await run.complete(signal);
  if (run.outcome?.status === 'failed' || run.final === null) throw toApiError(run.outcome?.cause ?? null);
  return run.final;
}

/** The stream sink: every event as SSE, then `[DONE]`. Upstream failures arrive as `response.failed`. */
export function streamTurn<R>(run: TurnRun<R>, writer: SseWriter, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  return writeEvents(
    run.events(signal),
    writer.holdWhile(() => run.yielding),
    headers,
  );
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
