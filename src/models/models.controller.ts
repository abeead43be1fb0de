import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { ModelsService } from './models.service.js';

@Controller('v1/models')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  list() {
    return this.models.list();
  }

  // Ids hold a slash (`anthropic/claude-sonnet-4-5`), sent encoded or not: the rest of the path is the id.
  @Get('*')
  retrieve(@Param('*') model: string) {
    return this.models.retrieve(model);
  }
}
