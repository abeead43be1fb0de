import { Module } from '@nestjs/common';
import { ThreadStore } from './thread-store.js';
import { UpstreamBodyStore } from './upstream-body-store.js';

@Module({ providers: [ThreadStore, UpstreamBodyStore], exports: [ThreadStore, UpstreamBodyStore] })
export class HistoryModule {}
