import { Module } from '@nestjs/common';
import { BackgroundRunner } from './background-runner.js';
import { EventLog } from './event-log.js';
import { RunLiveness } from './run-liveness.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';

@Module({ imports: [WebhooksModule], providers: [EventLog, BackgroundRunner, RunLiveness], exports: [EventLog, BackgroundRunner, RunLiveness] })
export class RunsModule {}
