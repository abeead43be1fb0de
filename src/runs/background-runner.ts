import { Injectable, Logger } from '@nestjs/common';
import type { TurnRun } from '../turns/turn-runner.js';
import { InFlightWork } from '../persistence/in-flight-work.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { EventLog, type LoggedEvent } from './event-log.js';

interface ActiveRun {
  controller: AbortController;
  finished: Promise<void>;
}

/**
 * Runs background responses in this process: the run does not depend on any HTTP connection, every
 * event goes to the event log, and cancel aborts the upstream call. (With several instances a run is
 * cancelled by the instance that runs it; a shared queue and cross-instance cancel come with Redis.)
 */
@Injectable()
export class BackgroundRunner {
  private readonly logger = new Logger('BackgroundRunner');
  private readonly active = new Map<string, ActiveRun>();

  constructor(
    private readonly log: EventLog,
    private readonly inFlight: InFlightWork,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Starts the run at once; `onStart` marks it in progress before its first event. */
  start<R>(responseId: string, run: TurnRun<R>, onStart: () => Promise<void>): void {
    const controller = new AbortController();
    this.log.open(responseId);
    // Tracked so that shutdown lets the run store its outcome before the database closes.
    const finished = this.inFlight.track(this.execute(responseId, run, controller.signal, onStart).finally(() => this.active.delete(responseId)));
    this.active.set(responseId, { controller, finished });
  }

  /** Aborts a run of this process and waits until its outcome is stored; false when it is not running here. */
  async cancel(responseId: string): Promise<boolean> {
    const run = this.active.get(responseId);
    if (!run) return false;
    run.controller.abort(new Error('cancelled'));
    await run.finished;
    return true;
  }

  private async execute<R>(responseId: string, run: TurnRun<R>, signal: AbortSignal, onStart: () => Promise<void>): Promise<void> {
    let last: LoggedEvent | null = null;
    try {
      await onStart();
      for await (const event of run.events(signal)) {
        last = event as LoggedEvent;
        this.log.append(responseId, last);
      }
    } catch (error) {
      this.logger.error(`background run ${responseId} broke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    if (!last || !['response.completed', 'response.failed', 'response.incomplete'].includes(last.type)) {
      // Readers of the log wait for a terminal event; never leave them hanging.
      this.log.append(responseId, { type: 'response.failed', sequence_number: (last?.sequence_number ?? -1) + 1 });
    }
    await this.log.close(responseId).catch((error: unknown) => this.logger.error(`storing the event log of ${responseId} failed: ${String(error)}`));
    // Only queues rows (the dispatcher sends them), and a failure here must not touch the run's outcome.
    await this.webhooks.responseEnded(responseId).catch((error: unknown) => this.logger.error(`queueing webhooks for ${responseId} failed: ${String(error)}`));
  }
}
