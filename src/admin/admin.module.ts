import { Module } from '@nestjs/common';
import { AdminInspectController } from './admin-inspect.controller.js';
import { AdminInspectRepository } from './admin-inspect.repository.js';

@Module({
  controllers: [AdminInspectController],
  providers: [AdminInspectRepository],
})
export class AdminModule {}
