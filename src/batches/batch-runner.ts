import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { toApiError } from '../common/to-api-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { FilesService } from '../files/files.service.js';
import { ResponsesService } from '../responses/responses.service.js';
import { drainTurn } from '../turns/turn-sinks.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { MAX_BATCH_LINES, parseBatchLines } from './batch-lines.js';
import { BatchesRepository, type BatchRecord, type ClaimedLine } from './batches.repository.js';

/** A claimed line is someone's for this long, renewed while it runs; past it (its instance died), another takes it. */
const LINE_LEASE_MS = 30_000;
/** A line taken again whose Response is still running (its worker's death not noticed yet) is looked at again after this. */
const STILL_RUNNING_WAIT_MS = 5_000;

/**
 * Runs batches on the workers, in the valleys of interactive traffic: each instance (unless it
 * serves HTTP only) takes a few lines at a time (`BATCH_CONCURRENCY`) and runs each as a stored
 * `/v1/responses` create on behalf of the key that made the batch, so every line is a Response with
 * usage and cost, counted against that key's limits and budget. A line our own rate limit refuses
 * waits and is tried again: a batch takes what interactive traffic leaves. When nothing is left to
 * run, the output and error files are written and the batch ends, announced by webhook.
 */
@Injectable()
export class BatchRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BatchRunner');
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private readonly running = new Map<Promise<void>, ClaimedLine>();
  private lastRenewal = 0;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: BatchesRepository,
    private readonly files: FilesService,
    private readonly responses: ResponsesService,
    private readonly auth: AuthService,
    private readonly webhooks: WebhooksService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.timer = setInterval(() => void this.poll(), this.config.batches.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running.keys()]);
  }

  /** One round: validate what waits, end what is done, and start lines while there is room. */
  async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      for (let batch = await this.repository.nextToValidate(); batch; batch = await this.repository.nextToValidate()) {
        const outcome = await this.readLines(batch);
        const stored = await this.repository.storeValidation(batch, outcome);
        if (stored && 'error' in outcome) await this.webhooks.enqueue(batch.projectId, 'batch.failed', { id: batch.id });
        // Another instance validated it meanwhile: the next one is another batch.
        if (!stored) break;
      }
      for (const { batch, ending } of await this.repository.claimFinished()) await this.finalize(batch, ending);
      if (Date.now() - this.lastRenewal > LINE_LEASE_MS / 3) {
        this.lastRenewal = Date.now();
        await this.repository.renewClaims([...this.running.values()], LINE_LEASE_MS);
      }
      const room = this.config.batches.concurrency - this.running.size;
      if (room > 0) for (const line of await this.repository.claimLines(room, LINE_LEASE_MS)) this.start(line);
    } catch (error) {
      this.logger.warn(`batch round failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.polling = false;
    }
  }

  private async readLines(batch: BatchRecord) {
    const content = await this.files.content(batch.projectId, batch.inputFileId).catch(() => null);
    if (content === null) return { error: { code: 'file_not_found', message: `The input file '${batch.inputFileId}' no longer exists.` } };
    const lines = parseBatchLines(content.toString('utf8'), batch.endpoint);
    if (lines.length === 0) return { error: { code: 'empty_file', message: 'The input file has no requests.' } };
    if (lines.length > MAX_BATCH_LINES)
      return { error: { code: 'too_many_requests', message: `The input file has ${lines.length} requests; a batch takes at most ${MAX_BATCH_LINES}.` } };
    return { lines };
  }

  private start(line: ClaimedLine): void {
    const run = this.runLine(line)
      .catch((error: unknown) => this.logger.error(`batch ${line.batchId} line ${line.line} broke: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running.delete(run);
        // A line ended: there is room for the next one now, not at the next tick.
        void this.poll();
      });
    this.running.set(run, line);
  }

  private async runLine(line: ClaimedLine): Promise<void> {
    const requestId = newId('req');
    if (line.responseId) {
      // Taken again after its worker died: a Response that ended is the line's answer (it is not run twice).
      const previous = await this.responses.retrieve(line.projectId, line.responseId).catch(() => null);
      if (previous?.status === 'completed' || previous?.status === 'incomplete') {
        await this.repository.finishLine(line.batchId, line.line, true, {
          id: newId('batch_req'),
          custom_id: line.customId,
          response: { status_code: 200, request_id: requestId, body: previous },
          error: null,
        });
        return;
      }
      if (previous?.status === 'in_progress' || previous?.status === 'queued') {
        await this.repository.postponeLine(line.batchId, line.line, STILL_RUNNING_WAIT_MS);
        return;
      }
      // Failed with its worker, or never stored: nothing of it reached anyone, so it runs again.
    }
    const principal = line.apiKeyId ? await this.auth.principalForKeyId(line.apiKeyId) : null;
    const responseId = newId('resp');
    await this.repository.setResponseId(line.batchId, line.line, responseId);
    try {
      // Every line is a stored, foreground Response: retrievable by id, in the admin API, with usage and cost.
      const body = { ...line.body, stream: false, background: false };
      const prepared = await this.responses.create(line.projectId, body, principal, { responseId });
      if (!prepared.run) throw new Error('a batch line runs in the foreground');
      const response = await drainTurn(prepared.run, new AbortController().signal);
      await this.repository.finishLine(line.batchId, line.line, true, {
        id: newId('batch_req'),
        custom_id: line.customId,
        response: { status_code: 200, request_id: requestId, body: response },
        error: null,
      });
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : toApiError(caught);
      if (isRateLimit(error)) {
        await this.repository.postponeLine(line.batchId, line.line, Math.max(1_000, (error.retryAfterSeconds ?? 1) * 1_000));
        return;
      }
      await this.repository.finishLine(line.batchId, line.line, false, {
        id: newId('batch_req'),
        custom_id: line.customId,
        response: { status_code: error.status, request_id: requestId, body: error.toBody() },
        error: null,
      });
    }
  }

  /** Writes the output and error files (lines in input order) and ends the batch. */
  private async finalize(batch: BatchRecord, ending: 'completed' | 'cancelled' | 'expired'): Promise<void> {
    const lines = await this.repository.endedLines(batch.id);
    const output: string[] = [];
    const errors: string[] = [];
    for (const line of lines) {
      if (line.status === 'succeeded') output.push(JSON.stringify(line.result));
      else if (line.status === 'failed') errors.push(JSON.stringify(toErrorLine(line)));
      else if (ending === 'expired')
        errors.push(
          JSON.stringify({
            id: newId('batch_req'),
            custom_id: line.customId,
            response: null,
            error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
          }),
        );
    }
    const write = async (rows: string[], kind: string) =>
      rows.length === 0
        ? null
        : (
            await this.files.store(
              batch.projectId,
              'batch_output',
              `${batch.id}_${kind}.jsonl`,
              Buffer.from(`${rows.join('\n')}\n`),
              batch.outputExpiresAfter ?? undefined,
            )
          ).id;
    const outputFileId = await write(output, 'output');
    const errorFileId = await write(errors, 'error');
    await this.repository.end(batch.id, ending, { outputFileId, errorFileId }, { completed: output.length, failed: errors.length });
    await this.webhooks.enqueue(batch.projectId, `batch.${ending}`, { id: batch.id });
  }
}

/** An error line: a line that ran and failed keeps its answer; one that never ran (invalid) gets its code and line number. */
function toErrorLine(line: { line: number; customId: string | null; result: unknown }): unknown {
  const result = line.result as { error?: { code: string; message: string }; response?: unknown } | null;
  if (result && 'response' in result) return result;
  return { id: newId('batch_req'), custom_id: line.customId, response: null, error: { ...result?.error, line: line.line } };
}

/** A rate limit, ours or the provider's (not a spent budget): no room now, so the line waits and is tried again. */
function isRateLimit(error: ApiError): boolean {
  return error.status === 429 && error.code !== 'insufficient_quota';
}
