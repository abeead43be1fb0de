import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.js';
import { AdminInspectController } from './admin-inspect.controller.js';
import { AdminInspectRepository } from './admin-inspect.repository.js';
import { AdminProjectsController } from './admin-projects.controller.js';
import { AdminProjectsRepository } from './admin-projects.repository.js';
import { AdminProjectsService } from './admin-projects.service.js';

@Module({
  imports: [HistoryModule],
  controllers: [AdminInspectController, AdminProjectsController],
  providers: [AdminInspectRepository, AdminProjectsRepository, AdminProjectsService],
})
export class AdminModule {}
