import { Module } from '@nestjs/common';
import { ResponsesModule } from '../responses/responses.module.js';
import { AdminRunsController } from './admin-runs.controller.js';
import { AdminRunsRepository } from './admin-runs.repository.js';
import { AdminRunsService } from './admin-runs.service.js';

/** Admin: background runs (queued, in progress, failed), with cancel and retry. */
@Module({
  // ResponsesService does the cancelling and queueing, so a run is cancelled or retried exactly as its project's API would.
  imports: [ResponsesModule],
  controllers: [AdminRunsController],
  providers: [AdminRunsRepository, AdminRunsService],
})
export class AdminRunsModule {}
