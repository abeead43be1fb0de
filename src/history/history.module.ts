import { Module } from '@nestjs/common';
import { ThreadStore } from './thread-store.js';

@Module({ providers: [ThreadStore], exports: [ThreadStore] })
export class HistoryModule {}
