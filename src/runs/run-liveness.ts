import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { BackgroundRunner } from './background-runner.js';
import { LiveEvents } from './live-events.js';
import { RunsRepository } from './runs.repository.js';

/** What a response whose process died says, in its `error`: a foreground turn (its client was connected to that process). */
const ABANDONED_ERROR = {
  code: 'server_error',
  message: 'The server running this response stopped before it finished. Send the request again to retry it.',
};

/** The same for a background run that had already shown output: running it again could repeat what a client saw. */
const ABANDONED_AFTER_OUTPUT_ERROR = {
  code: 'server_error',
  message:
    'The server running this response stopped after the response had started to stream output, so it was not run again. Send the request again to retry it.',
};

/** A background run whose worker dies this many times before it shows output fails instead (it may be what kills them). */
const MAX_RUN_ATTEMPTS = 3;

const ABANDONED_REPEATEDLY_ERROR = {
  code: 'server_error',
  message: `The server running this response stopped ${MAX_RUN_ATTEMPTS} times before the response showed any output, so it was not run again. Send the request again to retry it.`,
};

/**
 * Crash safety without a coordinator: every process refreshes the heartbeat of the responses it
 * is running (every third of `RUN_STALE_AFTER_MS`, 15 s by default), and looks for running
 * responses whose heartbeat is older than that: their process died (its own restart, another
 * instance, sync turns as well as background runs).
 *
 * - A background run that had shown no output yet (its live log holds only the opening events) is
 *   queued again, on whichever worker takes it: nothing of it reached anyone, so running it again
 *   repeats nothing. Each start counts as an attempt (`run_attempts`); after MAX_RUN_ATTEMPTS it fails.
 * - Every other one is marked failed, not retried: a retry would repeat output, and maybe a tool
 *   call's side effects, that a client already saw; the client decides to retry.
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
    private readonly live: LiveEvents,
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
      const stale = await this.repository.stale(staleBefore, [...this.running]);
      const failed: Array<{ id: string; background: boolean }> = [];
      // Foreground turns, and background runs whose live log is gone with their process (embedded), fail as they are.
      const unknown = stale.filter((run) => !run.background).map((run) => run.id);
      const afterOutput: string[] = [];
      const repeatedly: string[] = [];
      for (const run of stale.filter((candidate) => candidate.background)) {
        const showed = await this.live.showedOutput(run.id);
        if (showed === null) unknown.push(run.id);
        else if (showed) afterOutput.push(run.id);
        else if (run.attempts >= MAX_RUN_ATTEMPTS) repeatedly.push(run.id);
        else if (await this.repository.requeueStale(run.id, now, staleBefore)) {
          // The next attempt writes its log from sequence number 0 again.
          await this.live.reset(run.id);
          await this.runner.enqueue(run.id, run.attempts);
          this.logger.warn(`queued ${run.id} again: its worker stopped before it showed output (attempt ${run.attempts + 1} next)`);
        }
      }
      for (const [ids, error] of [
        [unknown, ABANDONED_ERROR],
        [afterOutput, ABANDONED_AFTER_OUTPUT_ERROR],
        [repeatedly, ABANDONED_REPEATEDLY_ERROR],
      ] as const)
        if (ids.length > 0) failed.push(...(await this.repository.failStale(ids, error, now, staleBefore)));
      if (failed.length > 0) this.logger.warn(`marked ${failed.length} abandoned response(s) failed`);
      // Their runner is gone, so nobody else will announce the end of these background runs.
      for (const { id, background } of failed) if (background) await this.webhooks.responseEnded(id);
      for (const { id, attempts } of await this.repository.claimStaleQueued(now, staleBefore)) await this.runner.enqueue(id, attempts);
    } catch (error) {
      // A database hiccup must not kill the timer; the next tick tries again.
      this.logger.warn(`liveness check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
