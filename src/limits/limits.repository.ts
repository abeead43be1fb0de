import { Injectable } from '@nestjs/common';
import { Sql } from '../persistence/sql.js';

/** SQL the limits read: a project's spend so far in a period, and which runs are still running. */
@Injectable()
export class LimitsRepository {
  constructor(private readonly sql: Sql) {}

  /** The cost of every response of the project created since `since`, `store: false` ones included. */
  async spentSince(projectId: string, since: Date): Promise<number> {
    const [row] = await this.sql.query<{ spent: number | null }>(
      `SELECT sum(cost_usd)::float8 AS spent FROM responses WHERE project_id = $1 AND created_at >= $2`,
      [projectId, since],
      'limits_spent_since',
    );
    return row?.spent ?? 0;
  }

  /** Of `ids`, those stored as ended (a run that has no row yet, or is queued or running, is not). */
  async ended(ids: string[]): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT id FROM responses WHERE id = ANY($1::text[]) AND status NOT IN ('queued', 'in_progress')`,
      [ids],
      'limits_ended_runs',
    );
    return rows.map((row) => row.id);
  }
}
