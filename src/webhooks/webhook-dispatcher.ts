import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { request } from 'undici';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { webhookSignatureHeader } from './sign-webhook-payload.js';
import { type AttemptResult, type ClaimedDelivery, WebhooksRepository } from './webhooks.repository.js';

const BATCH = 10;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
const USER_AGENT = 'stateful-responses-server/1.0 (webhooks)';

/** Delay before attempt `attempt + 1`: doubling from `baseMs`, capped, with jitter in its upper half. */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(attempt - 1, 40));
  // Jitter spreads the retries of many deliveries that failed together (a receiver that was down).
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Sends queued webhook deliveries from this process. Runs never wait for it: they only insert rows.
 * Everything it does is caught, so a bad receiver or a database hiccup only delays deliveries.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: WebhooksRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Before the database closes: in-flight sends are aborted and their lease simply runs out.
    this.stopping.abort(new Error('shutting down'));
    clearTimeout(this.timer);
    await this.tick;
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.tick = this.runOnce().finally(() => this.schedule());
    }, this.config.webhooks.pollMs);
  }

  /** One poll: claim what is due and send it all in parallel. Never rejects. */
  async runOnce(): Promise<void> {
    try {
      // The lease outlasts one send, so nobody else claims a delivery that is still being sent.
      const claimed = await this.repository.claimDue(BATCH, this.config.webhooks.timeoutMs + 30_000);
      await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    } catch (error) {
      if (!this.stopping.signal.aborted) this.logger.error(`webhook poll failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const result = await this.send(delivery);
    if (result === null) return;
    const attempt = delivery.attempts + 1;
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const next = ok
      ? ({ status: 'delivered' } as const)
      : attempt >= this.config.webhooks.maxAttempts
        ? ({ status: 'failed' } as const)
        : ({ status: 'pending', nextAttemptAt: new Date(Date.now() + retryDelayMs(attempt, this.config.webhooks.retryBaseMs)) } as const);
    try {
      await this.repository.recordAttempt(delivery, result, next);
    } catch (error) {
      this.logger.error(`recording webhook attempt ${attempt} of ${delivery.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** One POST; null when it was cut off by shutdown (not the receiver's fault, so not an attempt). */
  private async send(delivery: ClaimedDelivery): Promise<AttemptResult | null> {
    // Re-stamped on every attempt: receivers reject timestamps older than a few minutes.
    const timestamp = Math.floor(Date.now() / 1000);
    const secrets = delivery.previousSecret ? [delivery.secret, delivery.previousSecret] : [delivery.secret];
    const signature = webhookSignatureHeader({ id: delivery.id, timestamp, body: delivery.body, secrets });
    const timeoutMs = this.config.webhooks.timeoutMs;
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: delivery.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Read (a little of) the body so the connection is reused; a rejection's text helps the admin.
      let text = '';
      if (ok) await response.body.dump();
      else text = (await response.body.text()).slice(0, 500);
      return { statusCode: response.statusCode, latencyMs: latency(), error: ok ? null : `HTTP ${response.statusCode}${text ? `: ${text}` : ''}` };
    } catch (error) {
      if (this.stopping.signal.aborted) return null;
      const message = error instanceof Error ? (error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : error.message) : String(error);
      return { statusCode: null, latencyMs: latency(), error: message };
    }
  }
}
