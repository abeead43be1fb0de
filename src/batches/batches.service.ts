import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { type ListPage, toListPage } from '../common/pagination.js';
import { unixSeconds, unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import { FilesService } from '../files/files.service.js';
import type { Principal } from '../limits/limits.js';
import { BatchesRepository, type BatchRecord } from './batches.repository.js';
import { batchEndpoints, createBatchSchema, type listBatchesQuerySchema } from './batches.schemas.js';

/** OpenAI's batch object. */
export function toPublicBatch(batch: BatchRecord) {
  return {
    id: batch.id,
    object: 'batch' as const,
    endpoint: batch.endpoint,
    errors: batch.errors ? { object: 'list' as const, data: batch.errors } : null,
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: batch.status,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    created_at: unixSeconds(batch.createdAt),
    in_progress_at: unixSecondsOrNull(batch.inProgressAt),
    expires_at: unixSeconds(batch.expiresAt),
    finalizing_at: unixSecondsOrNull(batch.finalizingAt),
    completed_at: unixSecondsOrNull(batch.completedAt),
    failed_at: unixSecondsOrNull(batch.failedAt),
    expired_at: unixSecondsOrNull(batch.expiredAt),
    cancelling_at: unixSecondsOrNull(batch.cancellingAt),
    cancelled_at: unixSecondsOrNull(batch.cancelledAt),
    request_counts: { total: batch.total, completed: batch.completed, failed: batch.failed },
    metadata: batch.metadata,
  };
}

const WINDOW_MS = 24 * 60 * 60 * 1000;

/** The rules of /v1/batches: what a batch may be made from, reading, listing and cancelling. BatchRunner runs them. */
@Injectable()
export class BatchesService {
  constructor(
    private readonly repository: BatchesRepository,
    private readonly files: FilesService,
  ) {}

  async create(principal: Principal, rawBody: unknown) {
    const body = parseOrThrow(createBatchSchema, rawBody ?? {});
    if (!(batchEndpoints as readonly string[]).includes(body.endpoint))
      throw ApiError.invalidValue(`Invalid 'endpoint': this server runs batches of ${batchEndpoints.join(', ')} only.`, 'endpoint');
    const file = await this.files.findOrThrow(principal.projectId, body.input_file_id).catch(() => {
      throw ApiError.invalidValue(`No file with id '${body.input_file_id}'.`, 'input_file_id');
    });
    if (file.purpose !== 'batch') throw ApiError.invalidValue(`File '${file.id}' was not uploaded with purpose 'batch'.`, 'input_file_id');
    const createdAt = new Date();
    const batch: BatchRecord = {
      id: newId('batch'),
      projectId: principal.projectId,
      apiKeyId: principal.keyId,
      endpoint: body.endpoint,
      inputFileId: file.id,
      completionWindow: body.completion_window,
      status: 'validating',
      outputFileId: null,
      errorFileId: null,
      errors: null,
      metadata: body.metadata ?? null,
      outputExpiresAfter: body.output_expires_after?.seconds ?? null,
      total: 0,
      completed: 0,
      failed: 0,
      createdAt,
      inProgressAt: null,
      expiresAt: new Date(createdAt.getTime() + WINDOW_MS),
      finalizingAt: null,
      completedAt: null,
      failedAt: null,
      expiredAt: null,
      cancellingAt: null,
      cancelledAt: null,
    };
    await this.repository.insert(batch);
    return toPublicBatch(batch);
  }

  async retrieve(projectId: string, id: string) {
    const batch = await this.repository.find(projectId, id);
    if (!batch) throw ApiError.notFound('Batch', id, 'batch_id');
    return toPublicBatch(batch);
  }

  async list(projectId: string, query: z.infer<typeof listBatchesQuerySchema>): Promise<ListPage<ReturnType<typeof toPublicBatch>>> {
    if (query.after && !(await this.repository.find(projectId, query.after))) throw ApiError.invalidValue(`No batch with id '${query.after}'.`, 'after');
    return toListPage((await this.repository.list(projectId, query.limit, query.after ?? null)).map(toPublicBatch), query.limit);
  }

  /** Stops starting lines; those running finish, then the batch ends `cancelled` with what was done. Cancelling an ended batch returns it. */
  async cancel(projectId: string, id: string) {
    const batch = await this.repository.find(projectId, id);
    if (!batch) throw ApiError.notFound('Batch', id, 'batch_id');
    await this.repository.cancel(projectId, id);
    return this.retrieve(projectId, id);
  }
}
