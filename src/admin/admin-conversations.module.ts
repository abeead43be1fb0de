import { Module } from '@nestjs/common';
import { AdminConversationsController } from './admin-conversations.controller.js';
import { AdminConversationsRepository } from './admin-conversations.repository.js';
import { AdminUsageController } from './admin-usage.controller.js';
import { AdminUsageRepository } from './admin-usage.repository.js';

/** Admin: conversations across projects (list with filters, one with its timeline and totals), and usage reports. */
@Module({
  controllers: [AdminConversationsController, AdminUsageController],
  providers: [AdminConversationsRepository, AdminUsageRepository],
})
export class AdminConversationsModule {}
