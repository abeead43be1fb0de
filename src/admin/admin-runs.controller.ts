import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { toListPage } from '../common/pagination.js';
import { unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import { ResponsesService } from '../responses/responses.service.js';
import { DEFAULT_RUN_STATUSES, listRunsSchema } from './admin-requests.schemas.js';
import { AdminRunsRepository, type RunRecord } from './admin-runs.repository.js';

/** A retry bills the upstream again and may repeat tool side effects, so only runs that produced no answer qualify. */
const RETRYABLE = new Set(['failed', 'cancelled']);

function toPublicRun(run: RunRecord) {
  return {
    id: run.id,
    object: 'admin.run',
    project_id: run.projectId,
    status: run.status,
    model: run.model,
    created_at: unixSecondsOrNull(run.createdAt),
    started_at: unixSecondsOrNull(run.startedAt),
    completed_at: unixSecondsOrNull(run.completedAt),
    error: run.error ?? null,
    conversation_id: run.conversationId,
    previous_response_id: run.previousResponseId,
  };
}

/**
 * Background runs across projects: list them, cancel one wherever it runs, retry a failed or
 * cancelled one. Cancel and retry go through ResponsesService in the run's own project, so they
 * behave exactly as the project's own API calls would (cancel signals, queueing, webhooks).
 */
@Controller('admin/v1/runs')
@UseGuards(AdminKeyGuard)
export class AdminRunsController {
  constructor(
    private readonly repository: AdminRunsRepository,
    private readonly responses: ResponsesService,
  ) {}

  @Get()
  async list(@Query() query: unknown) {
    const { status, project_id: projectId, limit, order, after } = parseOrThrow(listRunsSchema, query);
    const rows = await this.repository.list({
      statuses: [...new Set(status ?? DEFAULT_RUN_STATUSES)],
      projectId: projectId ?? null,
      limit,
      order,
      after: after ?? null,
    });
    if (rows === 'cursor_not_found') throw ApiError.invalidValue(`No response with id '${after}'.`, 'after');
    return toListPage(rows.map(toPublicRun), limit);
  }

  @Get(':id')
  async retrieve(@Param('id') id: string) {
    return toPublicRun(await this.findRunOrThrow(id));
  }

  /** Idempotent like the public cancel: a run that already ended is returned as it is. */
  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string) {
    const run = await this.findRunOrThrow(id);
    await this.responses.cancel(run.projectId, id);
    return toPublicRun(await this.findRunOrThrow(id));
  }

  /**
   * Runs the stored create request again as a new queued background response in the same project:
   * same input, model, settings, and `previous_response_id` / `conversation` as first sent, so it
   * is planned on the history as it is now. The original stays as it ended. The link is only in
   * this answer (no column records it).
   */
  @Post(':id/retry')
  @HttpCode(200)
  async retry(@Param('id') id: string) {
    const run = await this.findRunOrThrow(id);
    if (!RETRYABLE.has(run.status)) throw ApiError.invalidRequest(`Only failed or cancelled runs can be retried; run '${id}' is ${run.status}.`, 'run_id');
    if (run.request === null) throw ApiError.invalidRequest(`Run '${id}' has no stored request to retry.`, 'run_id');
    if (run.projectDisabled) throw ApiError.invalidRequest(`The project '${run.projectId}' of run '${id}' is disabled.`, 'run_id');
    const { queued } = await this.responses.create(run.projectId, run.request);
    if (!queued) throw new Error(`the stored request of background run ${id} did not queue`);
    return { object: 'admin.run_retry', retried_from: id, run: toPublicRun(await this.findRunOrThrow(queued.id)) };
  }

  /** 404 for unknown (or deleted) ids; 400 for a response that is not a background run. */
  private async findRunOrThrow(id: string) {
    const run = await this.repository.find(id);
    if (!run) throw ApiError.notFound('Run', id, 'run_id');
    if (!run.background) throw ApiError.invalidRequest(`Response '${id}' is not a background response, so it is not a run.`, 'run_id');
    return run;
  }
}
