import type { ServerResponse } from 'node:http';

/**
 * Server-sent events on a raw Node response: `event:` equals the JSON `type`, the JSON is one line,
 * and an event is never split across writes (some clients drop events whose lines arrive in two
 * reads).
 *
 * The events of one burst (what one upstream chunk maps to) go out in one socket write: the
 * response is corked at the burst's first event and uncorked once the event loop turns
 * (`setImmediate`), instead of a syscall per event, which cost more CPU than building the events.
 * The first text delta is flushed at once, since the time to it is what a client feels.
 */
export class SseWriter {
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private corked = false;
  private deltaSent = false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly keepAliveMs = 15_000,
  ) {}

  open(headers: Record<string, string> = {}): void {
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    this.raw.flushHeaders();
    // Comment lines keep proxies from closing an idle stream while a slow model thinks.
    this.keepAliveTimer = setInterval(() => this.raw.write(': keepalive\n\n'), this.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  /** Resolves once the event is handed to the socket, waiting for drain when the client reads slowly. */
  async write(event: { type: string }): Promise<void> {
    if (this.raw.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.raw.cork();
      setImmediate(() => this.flush());
    }
    const flushed = this.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (!this.deltaSent && event.type.endsWith('.delta')) {
      this.deltaSent = true;
      this.flush();
    }
    if (!flushed) {
      // A slow reader: what is held goes out now, and the burst waits for the socket.
      this.flush();
      await new Promise<void>((resolve) => this.raw.once('drain', resolve).once('close', resolve));
    }
  }

  /** Ends the stream with the `[DONE]` sentinel that Open Responses requires and the SDK tolerates. */
  end(): void {
    this.stopKeepAlive();
    if (this.raw.destroyed) return;
    this.flush();
    this.raw.end('data: [DONE]\n\n');
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.raw.uncork();
  }

  stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }
}
