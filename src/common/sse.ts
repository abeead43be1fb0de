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
    this.held += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
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
