import { Module } from '@nestjs/common';

/** Admin: background runs (queued, in progress, failed), with cancel and retry; usage reports. */
@Module({})
export class AdminRunsModule {}
