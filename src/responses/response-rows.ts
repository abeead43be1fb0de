import type { Prisma } from '../generated/prisma/client.js';
import type { StoredItemRow, ThreadPosition } from '../history/thread-store.js';
import type { Item } from '../items/item.schemas.js';
import type { ResponseRecord, ResponseSettings, ResponseStatus } from '../items/response-object.js';
import type { PublicUsage } from '../items/usage.js';
import type { ContextAnchor, ContextPlanRecord } from '../planning/plan-context.js';

// Rows of the responses table as the repository reads them, the records they become, and the SQL
// fragments its statements are built from: pure, so they read (and change) apart from the queries.

export interface StoredResponse extends ResponseRecord {
  /** Where this response's items end in its thread; null until the turn is committed. */
  position: ThreadPosition | null;
  /** True when later items follow `position` in its thread (a later turn extended it): continuing from here forks. */
  behindTip: boolean;
  /** See `cache_thread` in the schema; null for responses stored before it existed. */
  cacheThread: string | null;
  /** What this turn sent of its history and what the provider counted (the next turn's starting point). */
  contextAnchor: ContextAnchor | null;
}

export type ResponseRow = Prisma.ResponseGetPayload<object>;
/** The columns a StoredResponse is read from, and its thread's next seq (absent where Prisma read the row). */
export type StoredRow = Pick<
  ResponseRow,
  | 'id'
  | 'status'
  | 'model'
  | 'previousResponseId'
  | 'conversationId'
  | 'settings'
  | 'metadata'
  | 'usage'
  | 'usageEstimated'
  | 'error'
  | 'incompleteDetails'
  | 'background'
  | 'createdAt'
  | 'completedAt'
  | 'threadId'
  | 'endSeq'
  | 'cacheThread'
  | 'contextPlan'
> & { threadNextSeq?: number | null };
/** Those columns in SQL, named as the row type names them. */
export const STORED_COLUMNS = `id, status, model, previous_response_id AS "previousResponseId", conversation_id AS "conversationId", settings, metadata, usage,
  usage_estimated AS "usageEstimated", error, incomplete_details AS "incompleteDetails", background, created_at AS "createdAt", completed_at AS "completedAt",
  thread_id AS "threadId", end_seq AS "endSeq", cache_thread AS "cacheThread", context_plan AS "contextPlan",
  (SELECT threads.next_seq FROM threads WHERE threads.id = responses.thread_id) AS "threadNextSeq"`;

/** A row of headThenItems: the head (its one JSON column) first, then the history's items. */
export type HeadOrItemRow<Head> = StoredItemRow & { head: Head | null };
/** A recent start as json_build_object gives it back (the timestamp as text). */
export type StartJson = { id: string; projectId: string; createdAt: string };

export const STARTS_COLUMNS = ['id', 'project_id', 'created_at'];
/** What a conversation's newest turns are read for: their project and status, and the anchor's columns. */
export const NEWEST_COLUMNS = ['project_id', 'status', 'context_plan', 'usage', 'usage_estimated', 'created_at'];

/**
 * A recursive CTE `name` of the responses whose `column` is `value`, newest first (to be read
 * with a LIMIT). Each step takes the next older one by the (`column`, created_at) index, so a read
 * touches as many rows as it returns: as one `ORDER BY created_at DESC LIMIT n`, a planner without
 * statistics (PGlite never analyzes; PostgreSQL only with autovacuum) read and sorted every
 * response of the thread, and a conversation's thousandth turn read a thousand rows. A response
 * created in the same millisecond as a newer one is skipped: a start that close adds no gap worth
 * a TTL, and a conversation's anchor then comes from an older turn, which sends more history,
 * never less. `columns` must include created_at.
 */
export function newestResponsesSql(name: string, column: 'cache_thread' | 'conversation_id', value: string, columns: string[]): string {
  const list = columns.join(', ');
  return `${name} (${list}) AS (
      (SELECT ${list} FROM responses WHERE ${column} = ${value} ORDER BY created_at DESC LIMIT 1)
      UNION ALL
      SELECT ${columns.map((c) => `n.${c}`).join(', ')}
        FROM ${name} s
        CROSS JOIN LATERAL (SELECT ${list} FROM responses r WHERE r.${column} = ${value} AND r.created_at < s.created_at ORDER BY r.created_at DESC LIMIT 1) n
    )`;
}

/**
 * One statement's result as a head row (what `head` selects, as one JSON object in `head`) and
 * then the history's items as plain rows, in seq order: the items keep the driver's per-row
 * parsing, where one JSON array of them cost PostgreSQL 6 ms at 1,000 items.
 */
export function headThenItems(head: string, items: string): string {
  return `SELECT NULL::int AS seq, NULL::json AS data, NULL::json AS provider_data, row_to_json(h) AS head FROM (${head}) h
    UNION ALL
    SELECT i.seq, i.data, i.provider_data, NULL FROM ${items}
    ORDER BY seq ASC NULLS FIRST`;
}

export function fromStartJson(starts: StartJson[] | null): Array<{ id: string; projectId: string; createdAt: Date }> {
  return (starts ?? []).map((start) => ({ ...start, createdAt: new Date(start.createdAt) }));
}

/** One row more than wanted (this response may be among them); none when none are wanted, so the walk never starts. */
export function startsRowLimit(limit: number): number {
  return limit === 0 ? 0 : limit + 1;
}

/** Starts read newest first by cache thread alone (`limit + 1` of them): the project's, without the turn's own. */
export function toRecentStarts(rows: Array<{ id: string; projectId: string; createdAt: Date }>, projectId: string, exceptId: string, limit: number): Date[] {
  return rows
    .filter((row) => row.projectId === projectId && row.id !== exceptId)
    .slice(0, limit)
    .map((row) => row.createdAt);
}

export function toStoredResponse(row: StoredRow): StoredResponse {
  return {
    id: row.id,
    status: row.status as ResponseStatus,
    model: row.model,
    previousResponseId: row.previousResponseId,
    conversationId: row.conversationId,
    settings: row.settings as unknown as ResponseSettings,
    metadata: row.metadata as Record<string, string>,
    usage: row.usage as PublicUsage | null,
    error: row.error as StoredResponse['error'],
    incompleteDetails: row.incompleteDetails as StoredResponse['incompleteDetails'],
    background: row.background,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
    position: row.threadId !== null && row.endSeq !== null ? { threadId: row.threadId, endSeq: row.endSeq } : null,
    behindTip: row.endSeq !== null && row.threadNextSeq != null && row.threadNextSeq > row.endSeq,
    cacheThread: row.cacheThread,
    contextAnchor: toContextAnchor(row),
  };
}

/**
 * A turn whose output holds a compaction item starts the next turn's history at that item: nothing
 * before it is sent, or read, again. Its count was of what came before, so it anchors nothing.
 */
export function startAtCompaction(plan: ContextPlanRecord, output: Item[], endSeq: number): ContextPlanRecord {
  const index = output.findLastIndex((item) => item.type === 'compaction');
  if (index < 0) return plan;
  const seq = endSeq - output.length + index;
  return {
    ...plan,
    start_seq: seq,
    floor_seq: seq,
    compaction: { ...(plan.compaction ?? { mode: 'server', threshold: null, summarized_items: null, retained_items: null }), compacted: true },
  };
}

/** Statuses of a turn whose items the conversation kept. */
export const FINISHED: readonly string[] = ['completed', 'incomplete'];
/** Responses read for the anchor before falling back to a filtered query: a few failed turns in a row are common enough. */
export const NEWEST_FOR_ANCHOR = 5;

export function toContextAnchor(row: Pick<ResponseRow, 'contextPlan' | 'usage' | 'usageEstimated'>): ContextAnchor | null {
  const plan = row.contextPlan as ContextPlanRecord | null;
  if (!plan) return null;
  const usage = row.usage as PublicUsage | null;
  return {
    startSeq: plan.start_seq,
    floorSeq: plan.floor_seq ?? null,
    estimatedTokens: plan.estimated_tokens,
    reportedTokens: usage && !row.usageEstimated && !plan.compaction?.compacted ? usage.input_tokens : null,
    model: plan.model,
  };
}
