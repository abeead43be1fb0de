import type { ServerResponse } from 'node:http';

/**
 * Server-sent events on a raw Node response: `event:` equals the JSON `type`, the JSON is one line,
 * and every event is one write() (some clients drop events whose lines arrive in two reads).
 */
export class SseWriter {
  private keepAliveTimer: NodeJS.Timeout | null = null;

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
    const flushed = this.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (!flushed) await new Promise<void>((resolve) => this.raw.once('drain', resolve).once('close', resolve));
  }

  /** Ends the stream with the `[DONE]` sentinel that Open Responses requires and the SDK tolerates. */
  end(): void {
    this.stopKeepAlive();
    if (this.raw.destroyed) return;
    this.raw.end('data: [DONE]\n\n');
  }

  stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }
}
