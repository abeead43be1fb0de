import { type SseEvent, safeJsonParse } from './read-body.js';
import { malformedUpstreamResponseError } from './upstream-errors.js';

/** An event with nothing in it (a keep-alive): read the next one. */
export const SKIP_EVENT: unique symbol = Symbol('skip-event');
/** `data: [DONE]`, the OpenAI wires' end mark: the stream is over. */
export const DONE_EVENT: unique symbol = Symbol('done-event');

/**
 * One event of a vendor's SSE stream read as the JSON payload every wire sends: empty data is a
 * keep-alive, `[DONE]` ends the stream, an `event: error` is the vendor's in-band error (thrown as
 * `onErrorEvent` maps it, `payload` undefined when its text is not JSON: proxies put plain text
 * there), and data that is not JSON is a malformed answer. Synchronous on purpose: it runs for
 * every delta, inside each adapter's own `for await` loop, and adds no promise to it.
 */
export function readJsonEvent(
  event: SseEvent,
  provider: string,
  onErrorEvent?: (payload: unknown, text: string) => Error,
): unknown | typeof SKIP_EVENT | typeof DONE_EVENT {
  const data = event.data.trim();
  if (data === '') return SKIP_EVENT;
  if (data === '[DONE]') return DONE_EVENT;
  const parsed = safeJsonParse(data);
  if (onErrorEvent && event.event === 'error') throw onErrorEvent(parsed.ok ? parsed.value : undefined, data);
  if (!parsed.ok) throw malformedUpstreamResponseError(provider, parsed.error);
  return parsed.value;
}
