import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { ResponsesService } from '../responses/responses.service.js';
import { AdminRunsRepository, type RunRecord, type RunStatus } from './admin-runs.repository.js';

/** A retry bills the upstream again and may repeat tool side effects, so only runs that produced no answer qualify. */
const RETRYABLE = new Set(['failed', 'cancelled']);

/**
 * The rules of background runs seen across projects. Cancel and retry go through ResponsesService
 * in the run's own project, so they behave exactly as the project's own API calls would (cancel
 * signals, queueing, webhooks).
 */
@Injectable()
export class AdminRunsService {
  constructor(
    private readonly repository: AdminRunsRepository,
    private readonly responses: ResponsesService,
  ) {}

  /** A page of runs; 400 on `after` naming no response. */
  async list(query: { statuses: RunStatus[]; projectId: string | null; limit: number; order: 'asc' | 'desc'; after: string | null }): Promise<RunRecord[]> {
    const rows = await this.repository.list(query);
    if (rows === 'cursor_not_found') throw ApiError.invalidValue(`No response with id '${query.after}'.`, 'after');
    return rows;
  }

  /** 404 for unknown (or deleted) ids; 400 for a response that is not a background run. */
  async find(id: string) {
    const run = await this.repository.find(id);
    if (!run) throw ApiError.notFound('Run', id, 'run_id');
    if (!run.background) throw ApiError.invalidRequest(`Response '${id}' is not a background response, so it is not a run.`, 'run_id');
    return run;
  }

  /** Idempotent like the public cancel: a run that already ended is returned as it is. */
  async cancel(id: string): Promise<RunRecord> {
    const run = await this.find(id);
    await this.responses.cancel(run.projectId, id);
    return this.find(id);
  }

  /**
   * Runs the stored create request again as a new queued background response in the same project:
   * same input, model, settings, and `previous_response_id` / `conversation` as first sent, so it
   * is planned on the history as it is now. The original stays as it ended. The link is only in
   * the answer (no column records it).
   */
  async retry(id: string): Promise<RunRecord> {
    const run = await this.find(id);
    if (!RETRYABLE.has(run.status)) throw ApiError.invalidRequest(`Only failed or cancelled runs can be retried; run '${id}' is ${run.status}.`, 'run_id');
    if (run.request === null) throw ApiError.invalidRequest(`Run '${id}' has no stored request to retry.`, 'run_id');
    if (run.projectDisabled) throw ApiError.invalidRequest(`The project '${run.projectId}' of run '${id}' is disabled.`, 'run_id');
    const { queued } = await this.responses.create(run.projectId, run.request);
    if (!queued) throw new Error(`the stored request of background run ${id} did not queue`);
    return this.find(queued.id);
  }
}
