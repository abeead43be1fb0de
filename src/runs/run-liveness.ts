import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { BackgroundRunner } from './background-runner.js';
import { RunsRepository } from './runs.repository.js';

/** What a response whose process died says, in its `error`. */
const ABANDONED_ERROR = {
  code: 'server_error',
  message: 'The server running this response stopped before it finished. Send the request again to retry it.',
};

/**
 * Crash safety without a coordinator: every process refreshes the heartbeat of the responses it
 * is running, and marks failed any running response whose heartbeat is older than
 * `RUN_STALE_AFTER_MS`. That covers its own restart, another instance that died, sync turns as well
 * as background runs. The rule is "failed, not retried": a retry would bill the upstream again and
 * could repeat a tool call's side effects the client already saw; the client decides to retry.
 *
 * A queued response has cost nothing yet, so one left queued that long is queued again instead
 * (its queue may be gone: an embedded process that stopped, a Redis that lost its data); queueing
 * a response that is still waiting does nothing, and a worker claims each response once.
 */
@Injectable()
export class RunLiveness implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RunLiveness');
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RunsRepository,
    private readonly webhooks: WebhooksService,
    private readonly runner: BackgroundRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.config.runStaleAfterMs / 3)));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  register(responseId: string): void {
    this.running.add(responseId);
  }

  unregister(responseId: string): void {
    this.running.delete(responseId);
  }

  private async tick(): Promise<void> {
    try {
      const now = new Date();
      if (this.running.size > 0) await this.repository.beat([...this.running], now);
      const staleBefore = new Date(now.getTime() - this.config.runStaleAfterMs);
      const abandoned = await this.repository.failAbandoned(ABANDONED_ERROR, now, staleBefore, [...this.running]);
      if (abandoned.length > 0) this.logger.warn(`marked ${abandoned.length} abandoned response(s) failed`);
      // Their runner is gone, so nobody else will announce the end of these background runs.
      for (const { id, background } of abandoned) if (background) await this.webhooks.responseEnded(id);
      for (const id of await this.repository.claimStaleQueued(now, staleBefore)) await this.runner.enqueue(id);
    } catch (error) {
      // A database hiccup must not kill the timer; the next tick tries again.
      this.logger.warn(`liveness check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
