import { Injectable } from '@nestjs/common';
import { Sql } from '../persistence/sql.js';
import type { BatchLine } from './batch-lines.js';

export interface BatchRecord {
  id: string;
  projectId: string;
  apiKeyId: string | null;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  status: string;
  outputFileId: string | null;
  errorFileId: string | null;
  errors: Array<{ code: string; message: string; param: string | null; line: number | null }> | null;
  metadata: Record<string, string> | null;
  outputExpiresAfter: number | null;
  total: number;
  completed: number;
  failed: number;
  createdAt: Date;
  inProgressAt: Date | null;
  expiresAt: Date;
  finalizingAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  expiredAt: Date | null;
  cancellingAt: Date | null;
  cancelledAt: Date | null;
}

/** A line taken to run, with what its batch says about who runs it. */
export interface ClaimedLine {
  batchId: string;
  line: number;
  customId: string;
  body: Record<string, unknown>;
  projectId: string;
  apiKeyId: string | null;
  /** Set when the line was taken before (its worker died): the Response it ran as. */
  responseId: string | null;
}

const COLUMNS = `id, project_id AS "projectId", api_key_id AS "apiKeyId", endpoint, input_file_id AS "inputFileId",
  completion_window AS "completionWindow", status, output_file_id AS "outputFileId", error_file_id AS "errorFileId", errors, metadata,
  output_expires_after AS "outputExpiresAfter", total, completed, failed, created_at AS "createdAt", in_progress_at AS "inProgressAt",
  expires_at AS "expiresAt", finalizing_at AS "finalizingAt", completed_at AS "completedAt", failed_at AS "failedAt",
  expired_at AS "expiredAt", cancelling_at AS "cancellingAt", cancelled_at AS "cancelledAt"`;

/** Rows inserted per statement when a batch's lines are stored. */
const INSERT_CHUNK = 500;

/** SQL of batches and their lines. Claims use row locks (SKIP LOCKED), so any number of instances share the work. */
@Injectable()
export class BatchesRepository {
  constructor(private readonly sql: Sql) {}

  async insert(batch: BatchRecord): Promise<void> {
    await this.sql.query(
      `INSERT INTO batches (id, project_id, api_key_id, endpoint, input_file_id, completion_window, status, metadata, output_expires_after, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9, $10, $11)`,
      [
        batch.id,
        batch.projectId,
        batch.apiKeyId,
        batch.endpoint,
        batch.inputFileId,
        batch.completionWindow,
        batch.status,
        batch.metadata === null ? null : JSON.stringify(batch.metadata),
        batch.outputExpiresAfter,
        batch.createdAt,
        batch.expiresAt,
      ],
    );
  }

  async find(projectId: string, id: string): Promise<BatchRecord | null> {
    const [row] = await this.sql.query<BatchRecord>(`SELECT ${COLUMNS} FROM batches WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return row ?? null;
  }

  async list(projectId: string, limit: number, after: string | null): Promise<BatchRecord[]> {
    const params: unknown[] = [projectId, limit + 1];
    const cursor = after === null ? '' : ` AND (created_at, id) < (SELECT created_at, id FROM batches WHERE project_id = $1 AND id = $${params.push(after)})`;
    return this.sql.query<BatchRecord>(`SELECT ${COLUMNS} FROM batches WHERE project_id = $1${cursor} ORDER BY created_at DESC, id DESC LIMIT $2`, params);
  }

  /** Marks a batch cancelling (its running lines finish, no new one starts); false when it is past that. */
  async cancel(projectId: string, id: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE batches SET status = 'cancelling', cancelling_at = now() WHERE project_id = $1 AND id = $2 AND status IN ('validating', 'in_progress') RETURNING id`,
      [projectId, id],
    );
    return rows.length === 1;
  }

  /** The oldest batch waiting to be validated. */
  async nextToValidate(): Promise<BatchRecord | null> {
    const [row] = await this.sql.query<BatchRecord>(`SELECT ${COLUMNS} FROM batches WHERE status = 'validating' ORDER BY created_at LIMIT 1`);
    return row ?? null;
  }

  /**
   * Stores what validating a batch found, in one transaction: its lines and the batch in progress,
   * or the batch failed with `error`. False when another instance got there first (or it was
   * cancelled meanwhile). The file is read before, outside the transaction: embedded PGlite has one
   * connection, which a transaction holds.
   */
  async storeValidation(batch: BatchRecord, outcome: { lines: BatchLine[] } | { error: { code: string; message: string } }): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const [locked] = await tx.query<{ id: string }>(`SELECT id FROM batches WHERE id = $1 AND status = 'validating' FOR UPDATE SKIP LOCKED`, [batch.id]);
      if (!locked) return false;
      if ('error' in outcome) {
        await tx.query(`UPDATE batches SET status = 'failed', failed_at = now(), errors = $2::json WHERE id = $1`, [
          batch.id,
          JSON.stringify([{ ...outcome.error, param: null, line: null }]),
        ]);
        return true;
      }
      for (let start = 0; start < outcome.lines.length; start += INSERT_CHUNK) {
        const params: unknown[] = [batch.id];
        const values = outcome.lines.slice(start, start + INSERT_CHUNK).map((line) => {
          const at = (value: unknown) => `$${params.push(value)}`;
          const invalid = 'error' in line;
          return `($1, ${at(line.line)}, ${at(line.customId)}, ${at(invalid ? null : JSON.stringify(line.body))}::json, ${at(invalid ? 'failed' : 'pending')}, ${at(invalid ? JSON.stringify({ error: line.error }) : null)}::json)`;
        });
        await tx.query(`INSERT INTO batch_lines (batch_id, line, custom_id, body, status, result) VALUES ${values.join(', ')}`, params);
      }
      const failed = outcome.lines.filter((line) => 'error' in line).length;
      await tx.query(`UPDATE batches SET status = 'in_progress', in_progress_at = now(), total = $2, failed = $3 WHERE id = $1`, [
        batch.id,
        outcome.lines.length,
        failed,
      ]);
      return true;
    });
  }

  /** Takes up to `limit` lines to run, oldest batch first; a line whose claim ran out (its instance died) is taken again. */
  claimLines(limit: number, leaseMs: number): Promise<ClaimedLine[]> {
    return this.sql.query<ClaimedLine>(
      `UPDATE batch_lines l SET status = 'running', claimed_until = now() + make_interval(secs => $2::float8 / 1000)
         FROM (SELECT bl.batch_id, bl.line, b.project_id, b.api_key_id
                 FROM batch_lines bl JOIN batches b ON b.id = bl.batch_id
                WHERE b.status = 'in_progress' AND bl.status IN ('pending', 'running')
                  AND (bl.claimed_until IS NULL OR bl.claimed_until < now())
                ORDER BY b.created_at, bl.batch_id, bl.line
                LIMIT $1 FOR UPDATE OF bl SKIP LOCKED) c
        WHERE l.batch_id = c.batch_id AND l.line = c.line
       RETURNING l.batch_id AS "batchId", l.line, l.custom_id AS "customId", l.body, c.project_id AS "projectId", c.api_key_id AS "apiKeyId", l.response_id AS "responseId"`,
      [limit, leaseMs],
    );
  }

  /** Records the Response a line is about to run as. */
  async setResponseId(batchId: string, line: number, responseId: string): Promise<void> {
    await this.sql.query(`UPDATE batch_lines SET response_id = $3 WHERE batch_id = $1 AND line = $2`, [batchId, line, responseId]);
  }

  /** Keeps the claims of lines still running here from running out. */
  async renewClaims(lines: Array<{ batchId: string; line: number }>, leaseMs: number): Promise<void> {
    if (lines.length === 0) return;
    await this.sql.query(
      `UPDATE batch_lines SET claimed_until = now() + make_interval(secs => $3::float8 / 1000)
        WHERE status = 'running' AND (batch_id, line) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
      [lines.map((line) => line.batchId), lines.map((line) => line.line), leaseMs],
    );
  }

  /** Stores a line's outcome and counts it in its batch. */
  async finishLine(batchId: string, line: number, succeeded: boolean, result: unknown): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const rows = await tx.query<{ line: number }>(
        `UPDATE batch_lines SET status = $3, result = $4::json, claimed_until = NULL WHERE batch_id = $1 AND line = $2 AND status = 'running' RETURNING line`,
        [batchId, line, succeeded ? 'succeeded' : 'failed', JSON.stringify(result)],
      );
      if (rows.length === 1) await tx.query(`UPDATE batches SET ${succeeded ? 'completed = completed + 1' : 'failed = failed + 1'} WHERE id = $1`, [batchId]);
    });
  }

  /** Puts a line back to wait `delayMs` (our own rate limit refused it: the valley is not deep enough yet). */
  async postponeLine(batchId: string, line: number, delayMs: number): Promise<void> {
    await this.sql.query(
      `UPDATE batch_lines SET status = 'pending', claimed_until = now() + make_interval(secs => $3::float8 / 1000) WHERE batch_id = $1 AND line = $2 AND status = 'running'`,
      [batchId, line, delayMs],
    );
  }

  /**
   * Batches with nothing left to run: in progress with every line ended, cancelling with no line
   * running, or past their window. Each is taken into `finalizing` by one instance only; returns
   * them with the status they end in.
   */
  async claimFinished(): Promise<Array<{ batch: BatchRecord; ending: 'completed' | 'cancelled' | 'expired' }>> {
    const taken = await this.sql.query<{ id: string; ending: 'completed' | 'cancelled' | 'expired' }>(
      `WITH done AS (
         SELECT b.id, CASE WHEN b.status = 'cancelling' THEN 'cancelled' WHEN b.expires_at < now() THEN 'expired' ELSE 'completed' END AS ending
           FROM batches b
          WHERE (b.status = 'in_progress' AND (b.expires_at < now() OR NOT EXISTS (SELECT 1 FROM batch_lines l WHERE l.batch_id = b.id AND l.status IN ('pending', 'running'))))
             OR (b.status = 'cancelling' AND NOT EXISTS (SELECT 1 FROM batch_lines l WHERE l.batch_id = b.id AND l.status = 'running' AND l.claimed_until > now()))
          LIMIT 10 FOR UPDATE OF b SKIP LOCKED)
       UPDATE batches SET status = 'finalizing', finalizing_at = now() FROM done WHERE batches.id = done.id
       RETURNING batches.id, done.ending`,
    );
    if (taken.length === 0) return [];
    const batches = await this.sql.query<BatchRecord>(`SELECT ${COLUMNS} FROM batches WHERE id = ANY($1::text[])`, [taken.map((row) => row.id)]);
    return taken.map(({ id, ending }) => ({ batch: batches.find((batch) => batch.id === id)!, ending }));
  }

  /** The ended lines of a batch in file order, and what is left (expired or cancelled before it ran). */
  async endedLines(batchId: string): Promise<Array<{ line: number; customId: string | null; status: string; result: unknown }>> {
    return this.sql.query(`SELECT line, custom_id AS "customId", status, result FROM batch_lines WHERE batch_id = $1 ORDER BY line`, [batchId]);
  }

  async end(
    batchId: string,
    ending: 'completed' | 'cancelled' | 'expired',
    files: { outputFileId: string | null; errorFileId: string | null },
    counts: { completed: number; failed: number },
  ): Promise<void> {
    const at = { completed: 'completed_at', cancelled: 'cancelled_at', expired: 'expired_at' }[ending];
    await this.sql.query(`UPDATE batches SET status = $2, ${at} = now(), output_file_id = $3, error_file_id = $4, completed = $5, failed = $6 WHERE id = $1`, [
      batchId,
      ending,
      files.outputFileId,
      files.errorFileId,
      counts.completed,
      counts.failed,
    ]);
  }
}
