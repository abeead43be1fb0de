import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';

// Reading what a provider answered: a whole body as text, a body as server-sent events, JSON that
// may not parse. Every adapter reads through these (see read-provider-stream.ts).

export type SafeJsonResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** `JSON.parse` that reports failure instead of throwing; provider output is never trusted to parse. */
export function safeJsonParse(text: string): SafeJsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Reads a whole body as UTF-8. Past `limitBytes` the rest is discarded (the body is destroyed) and
 * the text read so far is returned. The bytes are decoded once, at the end: a JSON answer usually
 * arrives in one or two chunks, and a decoder per chunk cost more than the copy.
 */
export async function readBodyText(body: AsyncIterable<Uint8Array | string>, options: { signal?: AbortSignal; limitBytes?: number } = {}): Promise<string> {
  const limit = options.limitBytes ?? Number.POSITIVE_INFINITY;
  if (limit === Number.POSITIVE_INFINITY && hasText(body)) {
    // undici's own reader: no stream iterator, no promise per chunk. It destroys the body when
    // the request's signal aborts; the reason is the signal's, as for every other read here.
    options.signal?.throwIfAborted();
    try {
      return await body.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw error;
    }
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of abortable(body, options.signal)) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(data);
    bytes += data.byteLength;
    if (bytes >= limit) {
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hasText(body: AsyncIterable<Uint8Array | string>): body is AsyncIterable<Uint8Array | string> & { text(): Promise<string> } {
  return typeof (body as { text?: unknown }).text === 'function';
}

/** A server-sent event as eventsource-parser reports it (`event` is undefined when not named). */
export interface SseEvent {
  event: string | undefined;
  id: string | undefined;
  data: string;
}

/** How much of a read the SSE parser takes at a time (any cut is fine: the parser keeps partial lines). */
const SSE_FEED_CHARS = 4_096;

/**
 * Iterates the server-sent events of a response body. Bytes are decoded as a UTF-8 stream, so a
 * character or an event split across network chunks is reassembled; a final event without the
 * closing blank line is still delivered. When the signal aborts, the body is destroyed and the
 * iteration rejects with `signal.reason`. Leaving the loop early also releases the body.
 */
export async function* iterateSseEvents(body: AsyncIterable<Uint8Array | string>, signal?: AbortSignal): AsyncGenerator<SseEvent, void, undefined> {
  const pending: SseEvent[] = [];
  const parser = createParser({
    onEvent: (message) => pending.push({ event: message.event, id: message.id, data: message.data }),
  });
  // Node's StringDecoder keeps a character split across chunks as TextDecoder does, and decodes
  // with V8's own UTF-8 reader: TextDecoder went through ICU, ~4% of a streamed answer's instructions.
  const decoder = new StringDecoder('utf8');

  let first = true;
  for await (const chunk of abortable(body, signal)) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    // A byte order mark before the first event is not part of it (the SSE spec; TextDecoder dropped it).
    if (first && text !== '') {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A socket read can hold a whole answer (64 KB, ~250 events): fed in slices, its first events
    // are handed on before the rest is even split into events.
    for (let from = 0; from < text.length; from += SSE_FEED_CHARS) {
      parser.feed(text.length <= SSE_FEED_CHARS ? text : text.slice(from, from + SSE_FEED_CHARS));
      for (const event of pending.splice(0)) {
        yield event;
        signal?.throwIfAborted();
      }
    }
  }
  // Blank lines end a last event the server did not terminate; after a terminated one they are no-ops.
  parser.feed(`${decoder.end()}\n\n`);
  yield* pending.splice(0);
}

/**
 * Iterates a body and stops at once when the signal aborts: undici destroys its own bodies on
 * abort, but any other stream (a test double, a transformed body) is destroyed here too.
 */
async function* abortable<T>(body: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  if (!signal) {
    yield* body;
    return;
  }
  signal.throwIfAborted();
  const destroyable = body as { destroy?: (error?: Error) => void };
  const onAbort = () => destroyable.destroy?.(signal.reason instanceof Error ? signal.reason : undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      signal.throwIfAborted();
      yield chunk;
    }
    signal.throwIfAborted();
  } catch (error) {
    if (signal.aborted) {
      throw signal.reason;
    }
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
