import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { StoppedByServer, type TurnRun } from '../turns/turn-runner.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { CancelSignals } from './cancel-signals.js';
import { EventLog, type LoggedEvent } from './event-log.js';
import { isTerminalEvent } from './live-events.js';
import { RunQueue } from './run-queue.js';

/**
 * What the worker gets for a queued response: a run to execute; `ended` when the response was
 * claimed but could not start (stored as failed, its log written, its end announced); or null
 * when it is not ours to run (cancelled while queued, or claimed by another worker).
 */
export type QueuedStart = { run: TurnRun<unknown> } | 'ended' | null;

interface ActiveRun {
  controller: AbortController;
  finished: Promise<void>;
}

/**
 * Runs background responses: takes them from the queue, writes every event to the event log,
 * stores the log and announces the end (webhooks). Cancel aborts the upstream call on whichever
 * instance runs the response. The run itself never depends on an HTTP connection.
 */
@Injectable()
export class BackgroundRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BackgroundRunner');
  private readonly active = new Map<string, ActiveRun>();
  private serving = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: RunQueue,
    private readonly log: EventLog,
    private readonly cancels: CancelSignals,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Starts taking queued responses (unless this process serves HTTP only). */
  async serve(start: (responseId: string) => Promise<QueuedStart>): Promise<void> {
    if (this.config.role === 'api' || this.serving) return;
    this.serving = true;
    await this.cancels.listen((responseId) => this.active.get(responseId)?.controller.abort(new Error('cancelled')));
    await this.queue.serve((responseId) => this.process(responseId, start), this.config.workerConcurrency);
  }

  enqueue(responseId: string, attempt = 0): Promise<void> {
    return this.queue.enqueue(responseId, attempt);
  }

  /**
   * Aborts the run wherever it is. `local`: it ran here and its outcome is stored. `told`: other
   * instances were told over the cancel channel (the caller waits for the outcome to appear).
   */
  async cancel(responseId: string): Promise<{ local: boolean; told: boolean }> {
    const run = this.active.get(responseId);
    if (run) {
      run.controller.abort(new Error('cancelled'));
      await run.finished;
      return { local: true, told: false };
    }
    return { local: false, told: await this.cancels.publish(responseId) };
  }

  /**
   * SIGTERM: take no new runs (queued ones stay queued for another worker, or for this one after
   * a restart), give the running ones the grace period to finish, then stop them; they are stored
   * as failed with a message saying why, and their clients get a terminal event.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const stopped = this.queue.stop();
    const running = [...this.active.values()];
    if (running.length > 0) {
      this.logger.log(`waiting up to ${this.config.shutdownGraceMs} ms for ${running.length} background run(s)`);
      await waitAtMost(Promise.allSettled(running.map((run) => run.finished)), this.config.shutdownGraceMs);
      for (const run of this.active.values()) run.controller.abort(new StoppedByServer());
    }
    await stopped;
  }

  private async process(responseId: string, start: (responseId: string) => Promise<QueuedStart>): Promise<void> {
    const started = await start(responseId);
    if (started === null) return;
    if (started === 'ended') return;
    const controller = new AbortController();
    const finished = this.execute(responseId, started.run, controller.signal);
    this.active.set(responseId, { controller, finished });
    try {
      await finished;
    } finally {
      this.active.delete(responseId);
    }
  }

  private async execute(responseId: string, run: TurnRun<unknown>, signal: AbortSignal): Promise<void> {
    const events: LoggedEvent[] = [];
    try {
      for await (const event of run.events(signal)) {
        events.push(event as LoggedEvent);
        await this.log.append(responseId, event as LoggedEvent);
      }
    } catch (error) {
      this.logger.error(`background run ${responseId} broke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    if (!isTerminalEvent(events.at(-1))) {
      // Readers of the log wait for a terminal event; never leave them hanging.
      const last: LoggedEvent = { type: 'response.failed', sequence_number: (events.at(-1)?.sequence_number ?? -1) + 1 };
      events.push(last);
      await this.log.append(responseId, last).catch(() => undefined);
    }
    await this.log.close(responseId, events).catch((error: unknown) => this.logger.error(`storing the event log of ${responseId} failed: ${String(error)}`));
    await this.announceEnd(responseId);
  }

  async announceEnd(responseId: string): Promise<void> {
    // Only queues rows (the dispatcher sends them), and a failure here must not touch the run's outcome.
    await this.webhooks.responseEnded(responseId).catch((error: unknown) => this.logger.error(`queueing webhooks for ${responseId} failed: ${String(error)}`));
  }
}

async function waitAtMost(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
