import { Global, Module } from '@nestjs/common';
import type { RedisConnections } from '../runs/redis.js';
import { REDIS, RunsModule } from '../runs/runs.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { LimitStore, MemoryLimitStore, RedisLimitStore } from './limit-store.js';
import { LimitsRepository } from './limits.repository.js';
import { Limits } from './limits.service.js';

/** Rate limits, concurrent runs and budgets: counted in Redis when the deployment has one, in process when embedded. */
@Global()
@Module({
  imports: [RunsModule, WebhooksModule],
  providers: [
    { provide: LimitStore, inject: [REDIS], useFactory: (redis: RedisConnections | null) => (redis ? new RedisLimitStore(redis) : new MemoryLimitStore()) },
    LimitsRepository,
    Limits,
  ],
  exports: [Limits],
})
export class LimitsModule {}
