import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';
import { Sql } from '../persistence/sql.js';
import type { LoggedEvent } from './live-events.js';

/**
 * SQL of runs: the finished event logs of background responses (`response_events`) and the
 * heartbeats that tell a live run from one whose process died. The heartbeat statements run on a
 * timer in every instance, so they go through Sql, not Prisma (see Sql).
 */
@Injectable()
export class RunsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
  ) {}

  /** Stores a finished log in one insert; a log stored before (a second close) keeps its rows. */
  async insertLog(responseId: string, events: LoggedEvent[]): Promise<void> {
    await this.prisma.responseEvent.createMany({
      data: events.map((event) => ({ responseId, seq: event.sequence_number, data: event as unknown as Prisma.InputJsonValue })),
      skipDuplicates: true,
    });
  }

  async hasLog(responseId: string): Promise<boolean> {
    return (await this.prisma.responseEvent.findFirst({ where: { responseId }, select: { seq: true } })) !== null;
  }

  /** The stored events after `after`, in order. */
  async readLog(responseId: string, after: number): Promise<LoggedEvent[]> {
    const rows = await this.prisma.responseEvent.findMany({ where: { responseId, seq: { gt: after } }, orderBy: { seq: 'asc' }, select: { data: true } });
    return rows.map((row) => row.data as unknown as LoggedEvent);
  }

  async beat(responseIds: string[], now: Date): Promise<void> {
    await this.sql.query(`UPDATE responses SET heartbeat_at = $1 WHERE id = ANY($2::text[])`, [now, responseIds]);
  }

  /** Running responses whose heartbeat stopped before `staleBefore`, except ours: their process died. */
  stale(staleBefore: Date, ours: string[]): Promise<StaleRun[]> {
    return this.sql.query<StaleRun>(
      `SELECT id, background, run_attempts AS "attempts" FROM responses
        WHERE status = 'in_progress' AND heartbeat_at < $1 AND NOT (id = ANY($2::text[]))`,
      [staleBefore, ours],
      'runs_stale',
    );
  }

  /** Marks failed, with `error`, those of `ids` still running with a stale heartbeat (another instance may have got there first). */
  failStale(ids: string[], error: { code: string; message: string }, now: Date, staleBefore: Date): Promise<Array<{ id: string; background: boolean }>> {
    return this.sql.query<{ id: string; background: boolean }>(
      `UPDATE responses
          SET status = 'failed', error = $1::json, completed_at = $2
        WHERE id = ANY($3::text[]) AND status = 'in_progress' AND heartbeat_at < $4
       RETURNING id, background`,
      [JSON.stringify(error), now, ids, staleBefore],
    );
  }

  /** Queues a stale running response again; false when another instance did, or it is no longer stale. */
  async requeueStale(id: string, now: Date, staleBefore: Date): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE responses SET status = 'queued', heartbeat_at = $2, started_at = NULL
        WHERE id = $1 AND status = 'in_progress' AND heartbeat_at < $3 RETURNING id`,
      [id, now, staleBefore],
    );
    return rows.length === 1;
  }

  /** Queued responses left waiting since before `staleBefore`, their heartbeat renewed: to be queued again. */
  claimStaleQueued(now: Date, staleBefore: Date): Promise<Array<{ id: string; attempts: number }>> {
    return this.sql.query<{ id: string; attempts: number }>(
      `UPDATE responses SET heartbeat_at = $1 WHERE status = 'queued' AND heartbeat_at < $2 RETURNING id, run_attempts AS "attempts"`,
      [now, staleBefore],
    );
  }
}

/** A running response whose process stopped beating; `attempts`: how many times a worker started it. */
export interface StaleRun {
  id: string;
  background: boolean;
  attempts: number;
}
