import { Module } from '@nestjs/common';
import { AdminInspectController } from './admin-inspect.controller.js';
import { AdminInspectRepository } from './admin-inspect.repository.js';
import { AdminProjectsController } from './admin-projects.controller.js';
import { AdminProjectsRepository } from './admin-projects.repository.js';

@Module({
  controllers: [AdminInspectController, AdminProjectsController],
  providers: [AdminInspectRepository, AdminProjectsRepository],
})
export class AdminModule {}
