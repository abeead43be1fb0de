import { Module } from '@nestjs/common';

/** Admin: conversations across projects (list with filters, one with its timeline and totals). */
@Module({})
export class AdminConversationsModule {}
