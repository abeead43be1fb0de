import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { HistoryModule } from '../history/history.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { RunsModule } from '../runs/runs.module.js';
import { ResponsesController } from './responses.controller.js';
import { ResponsesRepository } from './responses.repository.js';
import { ResponsesService } from './responses.service.js';

@Module({
  imports: [ConversationsModule, HistoryModule, ProvidersModule, RunsModule],
  controllers: [ResponsesController],
  providers: [ResponsesService, ResponsesRepository],
})
export class ResponsesModule {}
