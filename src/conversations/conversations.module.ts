import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.js';
import { ReasoningModule } from '../history/reasoning.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';

@Module({
  imports: [HistoryModule, ProvidersModule, ReasoningModule],
  controllers: [ConversationsController],
  providers: [ConversationsService, ConversationsRepository],
  exports: [ConversationsRepository],
})
export class ConversationsModule {}
