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

  /** Marks failed, with `error`, every running response whose heartbeat stopped before `staleBefore`, except ours. */
  failAbandoned(error: { code: string; message: string }, now: Date, staleBefore: Date, ours: string[]): Promise<Array<{ id: string; background: boolean }>> {
    return this.sql.query<{ id: string; background: boolean }>(
      `UPDATE responses
          SET status = 'failed', error = $1::json, completed_at = $2
        WHERE status = 'in_progress' AND heartbeat_at < $3
          AND NOT (id = ANY($4::text[]))
       RETURNING id, background`,
      [JSON.stringify(error), now, staleBefore, ours],
    );
  }

  /** Queued responses left waiting since before `staleBefore`, their heartbeat renewed: to be queued again. */
  async claimStaleQueued(now: Date, staleBefore: Date): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(`UPDATE responses SET heartbeat_at = $1 WHERE status = 'queued' AND heartbeat_at < $2 RETURNING id`, [
      now,
      staleBefore,
    ]);
    return rows.map((row) => row.id);
  }
}
