import type { ServerResponse } from 'node:http';

/** What a burst may hold before it is written anyway (characters, about bytes for JSON), and for how long. */
const MAX_HELD_CHARS = 16_384;
const MAX_HOLD_MS = 10;

/**
 * Server-sent events on a raw Node response: `event:` equals the JSON `type`, the JSON is one line,
 * and an event is never split across writes (some clients drop events whose lines arrive in two
 * reads).
 *
 * The events of one burst (what one upstream chunk maps to) are held as one string and written
 * once the event loop turns (`setImmediate`): one write per burst instead of one per event, each
 * of which cost a chunk of HTTP framing and a place in the socket's buffer. While the producer only
 * paused to let other requests run (`holdWhile`), the burst is held on, up to 16 KB or 10 ms: a
 * whole answer mapped in slices leaves in a few writes. The first text delta is written at once,
 * since the time to it is what a client feels.
 */
export class SseWriter {
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private held = '';
  private burstStartedAt = 0;
  private deltaSent = false;
  /** Resolves when a full socket drained (or closed); null while the socket takes more. */
  private drained: Promise<void> | null = null;
  private holding: () => boolean = () => false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly keepAliveMs = 15_000,
  ) {}

  /** While `paused()` says the producer is between two parts of one burst, a turn of the event loop does not write it. */
  holdWhile(paused: () => boolean): this {
    this.holding = paused;
    return this;
  }

  open(headers: Record<string, string> = {}): void {
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    // The headers go out with the first burst (at most one turn of the event loop later), not in
    // a socket write of their own before the model is even called.
    // Comment lines keep proxies from closing an idle stream while a slow model thinks.
    this.keepAliveTimer = setInterval(() => this.raw.write(': keepalive\n\n'), this.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  /**
   * Takes the event; returns a promise only when the client reads slowly (resolved on drain), so
   * the usual event costs no promise and no turn of the microtask queue.
   */
  write(event: { type: string }): Promise<void> | undefined {
    if (this.raw.destroyed) return undefined;
    if (this.held === '') {
      this.burstStartedAt = performance.now();
      setImmediate(() => this.afterTurn());
    }
    this.held += `event: ${event.type}\ndata: ${eventJson(event)}\n\n`;
    if (!this.deltaSent && event.type.endsWith('.delta')) {
      this.deltaSent = true;
      this.flush();
    } else if (this.held.length >= MAX_HELD_CHARS || this.drained) {
      // A slow reader: what is held goes out now, and the producer waits for the socket.
      this.flush();
    }
    return this.drained ?? undefined;
  }

  /** Ends the stream with the `[DONE]` sentinel that Open Responses requires and the SDK tolerates. */
  end(): void {
    this.stopKeepAlive();
    if (this.raw.destroyed) return;
    this.raw.end(`${this.held}data: [DONE]\n\n`);
    this.held = '';
  }

  private afterTurn(): void {
    if (this.held !== '' && this.holding() && performance.now() - this.burstStartedAt < MAX_HOLD_MS) {
      setImmediate(() => this.afterTurn());
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (this.held === '' || this.raw.destroyed) return;
    const text = this.held;
    this.held = '';
    if (!this.raw.write(text) && !this.drained) {
      this.drained = new Promise<void>((resolve) => this.raw.once('drain', resolve).once('close', resolve)).then(() => {
        this.drained = null;
      });
    }
  }

  stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }
}

/** The keys of a text delta as the turn makes it, in its order: what the fast path below writes. */
const TEXT_DELTA_KEYS = ['type', 'item_id', 'output_index', 'content_index', 'delta', 'logprobs', 'sequence_number'];

/**
 * `JSON.stringify(event)`, character for character. Text deltas are most of a stream's events:
 * one with exactly the keys, order and types a turn gives it is written from a template, which
 * took ~3% off the stream path's instructions (`npm run bench:stream-path` under callgrind; the
 * objects' JSON.stringify had been 13% of its self time). Anything else, or a delta from
 * elsewhere (a replayed log), is stringified.
 */
export function eventJson(event: { type: string }): string {
  if (event.type !== 'response.output_text.delta') return JSON.stringify(event);
  const delta = event as { item_id?: unknown; output_index?: unknown; content_index?: unknown; delta?: unknown; logprobs?: unknown; sequence_number?: unknown };
  const keys = Object.keys(delta);
  if (
    keys.length !== TEXT_DELTA_KEYS.length ||
    !keys.every((key, index) => key === TEXT_DELTA_KEYS[index]) ||
    typeof delta.item_id !== 'string' ||
    typeof delta.delta !== 'string' ||
    !Number.isSafeInteger(delta.output_index) ||
    !Number.isSafeInteger(delta.content_index) ||
    !Number.isSafeInteger(delta.sequence_number) ||
    !Array.isArray(delta.logprobs) ||
    delta.logprobs.length !== 0
  ) {
    return JSON.stringify(event);
  }
  return `{"type":"response.output_text.delta","item_id":${JSON.stringify(delta.item_id)},"output_index":${delta.output_index as number},"content_index":${delta.content_index as number},"delta":${JSON.stringify(delta.delta)},"logprobs":[],"sequence_number":${delta.sequence_number as number}}`;
}
