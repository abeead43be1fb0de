import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard, CurrentPrincipal, ProjectId } from '../auth/api-key.guard.js';
import { parseOrThrow } from '../common/validation.js';
import type { Principal } from '../limits/limits.js';
import { listBatchesQuerySchema } from './batches.schemas.js';
import { BatchesService } from './batches.service.js';

/** OpenAI's Batch API (`/v1/batches`); BatchRunner runs the lines. */
@Controller('v1/batches')
@UseGuards(ApiKeyGuard)
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Post()
  @HttpCode(200)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.batches.create(principal, body);
  }

  @Get()
  list(@ProjectId() projectId: string, @Query() query: unknown) {
    return this.batches.list(projectId, parseOrThrow(listBatchesQuerySchema, query));
  }

  @Get(':id')
  retrieve(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.batches.retrieve(projectId, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.batches.cancel(projectId, id);
  }
}
