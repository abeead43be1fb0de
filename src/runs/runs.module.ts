import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { BackgroundRunner } from './background-runner.js';
import { CancelSignals, LocalCancelSignals, RedisCancelSignals } from './cancel-signals.js';
import { EventLog } from './event-log.js';
import { LiveEvents, MemoryLiveEvents, RedisLiveEvents } from './live-events.js';
import { RedisConnections } from './redis.js';
import { RunLiveness } from './run-liveness.js';
import { BullRunQueue, LocalRunQueue, RunQueue } from './run-queue.js';
import { RunsRepository } from './runs.repository.js';

/** The deployment's Redis connections, or null when embedded; other modules that count across instances share them. */
export const REDIS = Symbol('REDIS');

/** Production (REDIS_URL set) shares queue, live events and cancels through Redis; embedded keeps them in process. */
@Module({
  imports: [WebhooksModule],
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redis ? new RedisConnections(config.redis.url, config.redis.keyPrefix) : null),
    },
    { provide: LiveEvents, inject: [REDIS], useFactory: (redis: RedisConnections | null) => (redis ? new RedisLiveEvents(redis) : new MemoryLiveEvents()) },
    { provide: RunQueue, inject: [REDIS], useFactory: (redis: RedisConnections | null) => (redis ? new BullRunQueue(redis) : new LocalRunQueue()) },
    {
      provide: CancelSignals,
      inject: [REDIS],
      useFactory: (redis: RedisConnections | null) => (redis ? new RedisCancelSignals(redis) : new LocalCancelSignals()),
    },
    RunsRepository,
    EventLog,
    BackgroundRunner,
    RunLiveness,
  ],
  exports: [EventLog, BackgroundRunner, RunLiveness, REDIS],
})
export class RunsModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisConnections | null) {}

  // After BackgroundRunner stopped the queue (beforeApplicationShutdown), nothing uses Redis any more.
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
