import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { toListPage } from '../common/pagination.js';
import { unixSeconds, unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import type { run as runSchema } from '../openapi/admin-responses.js';
import { DEFAULT_RUN_STATUSES, listRunsSchema } from './admin-requests.schemas.js';
import type { RunRecord, RunStatus } from './admin-runs.repository.js';
import { AdminRunsService } from './admin-runs.service.js';

function toPublicRun(run: RunRecord): z.input<typeof runSchema> {
  return {
    id: run.id,
    object: 'admin.run',
    project_id: run.projectId,
    status: run.status as RunStatus,
    model: run.model,
    created_at: unixSeconds(run.createdAt),
    started_at: unixSecondsOrNull(run.startedAt),
    completed_at: unixSecondsOrNull(run.completedAt),
    error: (run.error ?? null) as { code: string; message: string } | null,
    conversation_id: run.conversationId,
    previous_response_id: run.previousResponseId,
  };
}

/** Background runs across projects over HTTP: list them, cancel one wherever it runs, retry a failed or cancelled one (AdminRunsService). */
@Controller('admin/v1/runs')
@UseGuards(AdminKeyGuard)
export class AdminRunsController {
  constructor(private readonly runs: AdminRunsService) {}

  @Get()
  async list(@Query() query: unknown) {
    const { status, project_id: projectId, limit, order, after } = parseOrThrow(listRunsSchema, query);
    const rows = await this.runs.list({
      statuses: [...new Set(status ?? DEFAULT_RUN_STATUSES)],
      projectId: projectId ?? null,
      limit,
      order,
      after: after ?? null,
    });
    return toListPage(rows.map(toPublicRun), limit);
  }

  @Get(':id')
  async retrieve(@Param('id') id: string) {
    return toPublicRun(await this.runs.find(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string) {
    return toPublicRun(await this.runs.cancel(id));
  }

  @Post(':id/retry')
  @HttpCode(200)
  async retry(@Param('id') id: string) {
    return { object: 'admin.run_retry', retried_from: id, run: toPublicRun(await this.runs.retry(id)) };
  }
}
