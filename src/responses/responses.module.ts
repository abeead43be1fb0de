import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { GapHistory } from '../caching/gap-history.js';
import { ImplicitCacheStats } from '../caching/implicit-cache-stats.js';
import { TokenCalibration } from '../caching/token-calibration.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { HistoryModule } from '../history/history.module.js';
import { ReasoningModule } from '../history/reasoning.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { BackgroundRunner } from '../runs/background-runner.js';
import { RunsModule } from '../runs/runs.module.js';
import { ResponsesController } from './responses.controller.js';
import { ResponsesRepository } from './responses.repository.js';
import { ResponsesService } from './responses.service.js';
import { TurnPreparation } from './turn-preparation.js';

@Module({
  imports: [ConversationsModule, HistoryModule, ProvidersModule, RunsModule, ReasoningModule],
  controllers: [ResponsesController],
  providers: [ResponsesService, TurnPreparation, ResponsesRepository, TokenCalibration, GapHistory, ImplicitCacheStats],
  // For the admin runs API (cancel and retry in a run's own project).
  exports: [ResponsesService],
})
export class ResponsesModule implements OnApplicationBootstrap {
  constructor(
    private readonly runner: BackgroundRunner,
    private readonly responses: ResponsesService,
  ) {}

  // The runner knows queues and logs, not responses: this is where queued responses become runs.
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.serve((responseId) => this.responses.startQueued(responseId));
  }
}
