import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** Token and cost sums over a set of stored responses. Tokens are counts; `*Usd` are US dollars. */
export interface UsageTotals {
  responses: number;
  /** All input, cached or not. */
  inputTokens: number;
  /** The part of the input read from the provider's prompt cache. */
  cachedTokens: number;
  /** The part of the input written to the provider's prompt cache. */
  cacheWriteTokens: number;
  /** All output, reasoning included. */
  outputTokens: number;
  reasoningTokens: number;
  /** Responses of models without prices add nothing. */
  costUsd: number;
  cacheSavedUsd: number;
}

/**
 * The sums over the `responses r` rows of a query. Usage is JSON (`PublicUsage`), so the sums read
 * it in SQL rather than loading every response. A response without usage (queued, failed before
 * the provider answered) counts as a response and adds no tokens.
 */
export const usageSums = Prisma.sql`
  count(*) AS "responses",
  sum((r.usage->>'input_tokens')::bigint) AS "inputTokens",
  sum((r.usage->'input_tokens_details'->>'cached_tokens')::bigint) AS "cachedTokens",
  sum((r.usage->'input_tokens_details'->>'cache_write_tokens')::bigint) AS "cacheWriteTokens",
  sum((r.usage->>'output_tokens')::bigint) AS "outputTokens",
  sum((r.usage->'output_tokens_details'->>'reasoning_tokens')::bigint) AS "reasoningTokens",
  sum(r.cost_usd) AS "costUsd",
  sum(r.cache_saved_usd) AS "cacheSavedUsd"`;

export type UsageSumsRow = Partial<Record<keyof UsageTotals, unknown>>;

/** Sums arrive as bigint, numeric (Decimal) or null depending on the column, the driver and whether any row matched. */
export function toUsageTotals(row: UsageSumsRow | undefined): UsageTotals {
  const number = (key: keyof UsageTotals) => Number(row?.[key] ?? 0);
  return {
    responses: number('responses'),
    inputTokens: number('inputTokens'),
    cachedTokens: number('cachedTokens'),
    cacheWriteTokens: number('cacheWriteTokens'),
    outputTokens: number('outputTokens'),
    reasoningTokens: number('reasoningTokens'),
    costUsd: number('costUsd'),
    cacheSavedUsd: number('cacheSavedUsd'),
  };
}

export type UsageGrouping = { project: boolean; model: boolean };

/** One row of the report; a key the report is not grouped by is null. */
export interface UsageRow extends UsageTotals {
  projectId: string | null;
  model: string | null;
}

/** Usage reports across projects, for the admin API. */
@Injectable()
export class AdminUsageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Sums over the responses created in `[start, end)`, grouped as asked and ordered by project then
   * model. Deleted responses count: their tokens were spent. So do `store: false` turns, which keep
   * a deleted row with their usage and cost and no content (ResponsesRepository.recordUsage).
   */
  async report(range: { start: Date; end: Date }, options: { projectId?: string; groupBy: UsageGrouping }): Promise<UsageRow[]> {
    // Fixed column text, never user input: the grouping only picks which of two columns take part.
    const project = options.groupBy.project ? Prisma.raw('r.project_id') : Prisma.raw('NULL::text');
    const model = options.groupBy.model ? Prisma.raw('r.model') : Prisma.raw('NULL::text');
    const onlyProject = options.projectId === undefined ? Prisma.empty : Prisma.sql`AND r.project_id = ${options.projectId}`;
    const rows = await this.prisma.$queryRaw<Array<UsageSumsRow & { projectId: string | null; model: string | null }>>`
      SELECT ${project} AS "projectId", ${model} AS "model", ${usageSums}
        FROM responses r
       WHERE r.created_at >= ${range.start} AND r.created_at < ${range.end} ${onlyProject}
       GROUP BY 1, 2
       ORDER BY 1, 2`;
    return rows.map((row) => ({ projectId: row.projectId, model: row.model, ...toUsageTotals(row) }));
  }
}
