import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type { RedisConnections } from './redis.js';

export type RunHandler = (responseId: string) => Promise<void>;

/**
 * Where queued background responses wait for a worker: BullMQ on Redis in production (shared by
 * every instance), an in-process FIFO when embedded. Both take the same response twice without
 * harm: the worker claims a response in the database before running it, so a duplicate is a no-op.
 */
export abstract class RunQueue {
  /**
   * `attempt`: how many times a worker started it before. Each attempt is a job of its own, so the
   * job a dead worker still holds does not keep the next attempt from being queued.
   */
  abstract enqueue(responseId: string, attempt?: number): Promise<void>;
  /** Starts taking work, at most `concurrency` runs at a time. */
  abstract serve(handler: RunHandler, concurrency: number): Promise<void>;
  /** Stops taking new work and waits for the running handlers; queued work stays queued. */
  abstract stop(): Promise<void>;
}

export class LocalRunQueue extends RunQueue {
  private readonly logger = new Logger('RunQueue');
  private readonly waiting: string[] = [];
  private readonly known = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private handler: RunHandler | null = null;
  private concurrency = 1;
  private stopped = false;

  async enqueue(responseId: string): Promise<void> {
    // One process: the run that holds the id is gone or finished before its response is queued again.
    if (this.known.has(responseId)) return;
    this.known.add(responseId);
    this.waiting.push(responseId);
    this.pump();
  }

  async serve(handler: RunHandler, concurrency: number): Promise<void> {
    this.handler = handler;
    this.concurrency = concurrency;
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (this.handler && !this.stopped && this.running.size < this.concurrency && this.waiting.length > 0) {
      const responseId = this.waiting.shift()!;
      const run = this.handler(responseId)
        .catch((error: unknown) => this.logger.error(`run ${responseId} broke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
        .finally(() => {
          this.running.delete(run);
          this.known.delete(responseId);
          this.pump();
        });
      this.running.add(run);
    }
  }
}

const QUEUE_NAME = 'responses';

export class BullRunQueue extends RunQueue {
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(private readonly redis: RedisConnections) {
    super();
    this.queue = new Queue(QUEUE_NAME, { connection: redis.commands, prefix: redis.key('bull') });
  }

  async enqueue(responseId: string, attempt = 0): Promise<void> {
    // The job id is the response id (and attempt): adding one that is already waiting does nothing.
    const jobId = attempt === 0 ? responseId : `${responseId}-r${attempt}`;
    await this.queue.add('run', { responseId }, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });
  }

  async serve(handler: RunHandler, concurrency: number): Promise<void> {
    this.worker = new Worker<{ responseId: string }>(QUEUE_NAME, (job) => handler(job.data.responseId), {
      connection: this.redis.commands,
      prefix: this.redis.key('bull'),
      concurrency,
    });
    this.worker.on('error', (error) => new Logger('RunQueue').warn(`queue worker: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
