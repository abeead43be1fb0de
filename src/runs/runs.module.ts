import { Module } from '@nestjs/common';
import { BackgroundRunner } from './background-runner.js';
import { EventLog } from './event-log.js';

@Module({ providers: [EventLog, BackgroundRunner], exports: [EventLog, BackgroundRunner] })
export class RunsModule {}
