import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { ResponsesModule } from '../responses/responses.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { BatchRunner } from './batch-runner.js';
import { BatchesController } from './batches.controller.js';
import { BatchesRepository } from './batches.repository.js';
import { BatchesService } from './batches.service.js';

@Module({
  imports: [FilesModule, ResponsesModule, WebhooksModule],
  controllers: [BatchesController],
  providers: [BatchesService, BatchesRepository, BatchRunner],
})
export class BatchesModule {}
