import { Injectable } from '@nestjs/common';
import type { CachePlanRecord } from '../caching/cache-plan-record.js';
import { seqAfter } from '../common/pagination.js';
import type { UpstreamRequestRecord } from '../common/upstream-trace.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { type AppendTarget, byKey, historySql, type ThreadPosition, ThreadStore, toHistoryEntry } from '../history/thread-store.js';
import { UpstreamBodyStore } from '../history/upstream-body-store.js';
import type { HistoryEntry } from '../items/item.schemas.js';
import { type Item, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import type { ResponseRecord, ResponseSettings, ResponseStatus } from '../items/response-object.js';
import type { PublicUsage } from '../items/usage.js';
import { Sql } from '../persistence/sql.js';
import type { ContextAnchor, ContextPlanRecord } from '../planning/plan-context.js';
import {
  FINISHED,
  fromStartJson,
  type HeadOrItemRow,
  headThenItems,
  NEWEST_COLUMNS,
  NEWEST_FOR_ANCHOR,
  newestResponsesSql,
  type ResponseRow,
  STARTS_COLUMNS,
  STORED_COLUMNS,
  type StartJson,
  type StoredResponse,
  type StoredRow,
  startAtCompaction,
  startsRowLimit,
  toContextAnchor,
  toRecentStarts,
  toStoredResponse,
} from './response-rows.js';

export interface TurnResult {
  status: ResponseStatus;
  /** The echoed settings, when the turn changed them (the tier that served); null keeps the stored ones. */
  settings?: ResponseSettings | null;
  usage: PublicUsage | null;
  usageEstimated: boolean;
  costUsd: number | null;
  cacheSavedUsd: number | null;
  cachePlan: CachePlanRecord | null;
  contextPlan: ContextPlanRecord;
  startedAt: Date;
  firstTokenAt: Date | null;
  upstreamRequest: UpstreamRequestRecord | null;
  /** The turn's cache thread: its upstream body is stored as a delta of the thread's previous one. */
  cacheThread: string;
  upstreamAttempts: number | null;
  upstreamRequests: number | null;
  error: { code: string; message: string } | null;
  incompleteDetails: { reason: string } | null;
  completedAt: Date;
}

/**
 * SQL of responses and their items; every query is scoped by project. What every turn runs (the
 * previous response, the thread's rhythm, the insert, the commit) is plain SQL (persistence/sql.ts).
 */
@Injectable()
export class ResponsesRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly threads: ThreadStore,
    private readonly bodies: UpstreamBodyStore,
  ) {}

  async create(projectId: string, record: ResponseRecord, request: unknown, cacheThread: string, apiKeyId: string | null): Promise<void> {
    // A foreground turn starts now; a background one when a worker claims it.
    await this.sql.query(
      `INSERT INTO responses (id, project_id, status, model, previous_response_id, conversation_id, settings, request, metadata, background, created_at, heartbeat_at, started_at, cache_thread, api_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, $9::json, $10, $11, $11, $12, $13, $14)`,
      [
        record.id,
        projectId,
        record.status,
        record.model,
        record.previousResponseId,
        record.conversationId,
        JSON.stringify(record.settings),
        request === undefined ? null : JSON.stringify(request),
        JSON.stringify(record.metadata),
        record.background,
        record.createdAt,
        record.background ? null : record.createdAt,
        cacheThread,
        apiKeyId,
      ],
      'response_insert',
    );
  }

  /**
   * What `store: false` turns leave behind, several in one statement: their usage, cost, cache
   * figures and timings, each in a response row that is deleted from the start (it cannot be read
   * back, as with OpenAI) and holds no content (no request, instructions or upstream body). Usage
   * reports count deleted rows.
   */
  async recordUsage(turns: ReadonlyArray<{ projectId: string; record: ResponseRecord; result: TurnResult }>): Promise<void> {
    if (turns.length === 0) return;
    const json = (value: unknown) => (value == null ? null : JSON.stringify(value));
    const params: unknown[] = [];
    const rows = turns.map(({ projectId, record, result }) => {
      const at = (value: unknown, cast = '') => `$${params.push(value)}${cast}`;
      const completedAt = at(result.completedAt);
      return `(${[
        at(record.id),
        at(projectId),
        at(result.status),
        at(record.model),
        at(record.previousResponseId),
        at(record.conversationId),
        at(JSON.stringify({ ...record.settings, instructions: null }), '::json'),
        at(JSON.stringify(record.metadata), '::json'),
        'false',
        at(record.createdAt, '::timestamptz'),
        `${completedAt}::timestamptz`,
        `${completedAt}::timestamptz`,
        at(json(result.usage), '::json'),
        at(result.usageEstimated),
        at(result.costUsd, '::float8'),
        at(result.cacheSavedUsd, '::float8'),
        at(json(result.cachePlan), '::json'),
        at(result.startedAt, '::timestamptz'),
        at(result.firstTokenAt, '::timestamptz'),
        at(result.upstreamAttempts, '::int'),
        at(result.upstreamRequests, '::int'),
        at(json(result.error), '::json'),
        at(json(result.incompleteDetails), '::json'),
        at(result.cacheThread),
      ].join(', ')})`;
    });
    await this.sql.query(
      `INSERT INTO responses (id, project_id, status, model, previous_response_id, conversation_id, settings, metadata, background, created_at, completed_at, deleted_at,
         usage, usage_estimated, cost_usd, cache_saved_usd, cache_plan, started_at, first_token_at, upstream_attempts, upstream_requests, error, incomplete_details, cache_thread)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }

  /**
   * When the thread's latest requests started (newest first), this response left out. The
   * condition names the thread alone and steps down the (cache_thread, created_at) index
   * (newestResponsesSql); the project is checked on the rows (thread ids are unique anyway).
   */
  async recentStarts(projectId: string, cacheThread: string, exceptId: string, limit: number): Promise<Date[]> {
    const rows = await this.sql.query<{ id: string; projectId: string; createdAt: Date }>(
      `WITH RECURSIVE ${newestResponsesSql('starts', 'cache_thread', '$1', STARTS_COLUMNS)} SELECT id, project_id AS "projectId", created_at AS "createdAt" FROM starts LIMIT $2`,
      [cacheThread, startsRowLimit(limit)],
      'response_recent_starts',
    );
    return toRecentStarts(rows, projectId, exceptId, limit);
  }

  /**
   * Where a conversation's next turn starts its history: what its newest finished turn sent. Turns
   * that failed kept nothing in the conversation, so they do not count.
   *
   * The newest few responses are read step by step down the (conversation_id, created_at) index,
   * as in recentStarts (with status and project in the condition, an unanalyzed table cost 20 ms a
   * turn at 10,000 turns); only when none of them finished is the filtered query run.
   */
  async latestContextAnchor(projectId: string, conversationId: string): Promise<ContextAnchor | null> {
    type AnchorRow = Pick<ResponseRow, 'projectId' | 'status' | 'contextPlan' | 'usage' | 'usageEstimated'>;
    const columns = `project_id AS "projectId", status, context_plan AS "contextPlan", usage, usage_estimated AS "usageEstimated"`;
    const newest = await this.sql.query<AnchorRow>(
      `WITH RECURSIVE ${newestResponsesSql('newest', 'conversation_id', '$1', NEWEST_COLUMNS)}
       SELECT ${columns} FROM newest LIMIT $2`,
      [conversationId, NEWEST_FOR_ANCHOR],
      'response_newest_anchors',
    );
    // A store: false turn's usage row has no context plan (recordUsage): it anchors nothing.
    const finished = (row: AnchorRow) => row.projectId === projectId && FINISHED.includes(row.status) && row.contextPlan != null;
    const row =
      newest.find(finished) ??
      (newest.length < NEWEST_FOR_ANCHOR
        ? undefined
        : (
            await this.sql.query<AnchorRow>(
              `SELECT ${columns} FROM responses WHERE project_id = $1 AND conversation_id = $2 AND status = ANY($3::text[]) AND context_plan IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
              [projectId, conversationId, [...FINISHED]],
            )
          )[0]);
    return row ? toContextAnchor(row) : null;
  }

  /**
   * Appends the turn's input and output items and records the outcome in ONE transaction, so a
   * response is never reported finished before its items can be read back.
   */
  async commitTurn(
    projectId: string,
    responseId: string,
    target: AppendTarget,
    input: Item[],
    output: Item[],
    result: TurnResult,
    store: boolean,
  ): Promise<void> {
    const items = [
      ...input.map((item) => ({ item, direction: 'input' as const, responseId })),
      ...output.map((item) => ({ item, direction: 'output' as const, responseId })),
    ];
    const request = result.upstreamRequest;
    const body = store && request?.body != null ? { text: request.body, encoded: this.bodies.encode(result.cacheThread, request.body) } : null;
    const json = (value: unknown) => (value == null ? null : JSON.stringify(value));
    // The response's columns; `position` names where its items ended, as SQL (the append's CTE `t`, or parameters).
    const update = (params: unknown[], contextPlan: ContextPlanRecord, position: { threadId: string; endSeq: string; from?: string }) => {
      const at = (value: unknown) => `$${params.push(value)}`;
      return `UPDATE responses SET status = ${at(result.status)}, settings = COALESCE(${at(json(result.settings ?? null))}::json, settings), usage = COALESCE(${at(json(result.usage))}::json, usage), usage_estimated = ${at(result.usageEstimated)},
           cost_usd = ${at(result.costUsd)}::float8, cache_saved_usd = ${at(result.cacheSavedUsd)}::float8, cache_plan = COALESCE(${at(json(result.cachePlan))}::json, cache_plan),
           context_plan = ${at(JSON.stringify(contextPlan))}::json, started_at = ${at(result.startedAt)}::timestamptz, first_token_at = ${at(result.firstTokenAt)}::timestamptz,
           upstream_request = COALESCE(${at(json(request ? { ...request, body: null } : null))}::json, upstream_request),
           upstream_body = ${at(body?.encoded.text ?? null)}::text, upstream_body_base = ${at(body?.encoded.base ?? null)}::text,
           upstream_body_prefix = ${at(body?.encoded.prefix ?? null)}::int, upstream_body_suffix = ${at(body?.encoded.suffix ?? null)}::int,
           upstream_body_copies = COALESCE(${at(json(body?.encoded.copies))}::json, upstream_body_copies),
           upstream_attempts = ${at(result.upstreamAttempts)}::int, upstream_requests = ${at(result.upstreamRequests)}::int,
           error = COALESCE(${at(json(result.error))}::json, error), incomplete_details = COALESCE(${at(json(result.incompleteDetails))}::json, incomplete_details),
           completed_at = ${at(result.completedAt)}::timestamptz, thread_id = ${position.threadId}, end_seq = ${position.endSeq}
         ${position.from ?? ''} WHERE responses.id = ${at(responseId)}`;
    };
    // store: false keeps no response, only what a conversation must keep: its items.
    const compacted = output.some((item) => item.type === 'compaction');
    if (!store || !compacted || target.kind !== 'tip') {
      // Where the items start is known here unless they go at a conversation's tip; the context plan
      // needs it only when the turn compacted (start_seq moves to the compaction item).
      const endSeq = target.kind === 'tip' ? 0 : (target.from?.endSeq ?? 0) + items.length;
      const follow = (params: unknown[]) =>
        update(params, startAtCompaction(result.contextPlan, output, endSeq), { threadId: 't.id', endSeq: `t.start + ${items.length}`, from: 'FROM t' });
      await this.threads.appendTurn(projectId, target, items, store ? follow : null);
    } else {
      // A conversation turn that compacted: its items' seqs are known only once the thread is locked.
      await this.sql.transaction(async (tx) => {
        const position = await this.threads.appendTurn(projectId, target, items, null, tx);
        const params: unknown[] = [];
        const sql = update(params, startAtCompaction(result.contextPlan, output, position.endSeq), {
          threadId: `$${params.push(position.threadId)}`,
          endSeq: `$${params.push(position.endSeq)}`,
        });
        await tx.query(sql, params);
      });
    }
    // Only a committed body may be a base: a rolled-back one would leave later deltas without theirs.
    if (body) this.bodies.remember(result.cacheThread, responseId, body.text, body.encoded);
  }

  /**
   * Moves a queued response to in progress and returns what its worker needs, in one statement:
   * exactly one caller gets it, however many workers try; the others (and a response no longer
   * queued) get null.
   */
  async claimQueued(id: string): Promise<{ projectId: string; apiKeyId: string | null; record: ResponseRecord; request: unknown } | null> {
    const [row] = await this.prisma.response.updateManyAndReturn({
      where: { id, status: 'queued', deletedAt: null },
      data: { status: 'in_progress', heartbeatAt: new Date(), startedAt: new Date(), runAttempts: { increment: 1 } },
    });
    return row ? { projectId: row.projectId, apiKeyId: row.apiKeyId, record: toStoredResponse(row), request: row.request } : null;
  }

  async markFailed(id: string, error: { code: string; message: string }): Promise<void> {
    await this.prisma.response.updateMany({
      where: { id, status: { in: ['queued', 'in_progress'] } },
      data: { status: 'failed', error, completedAt: new Date() },
    });
  }

  /** For a background response nobody is running: nothing else will store an outcome for it. True when it changed. */
  async markCancelled(id: string, from: Array<'queued' | 'in_progress'>): Promise<boolean> {
    const { count } = await this.prisma.response.updateMany({ where: { id, status: { in: from } }, data: { status: 'cancelled', completedAt: new Date() } });
    return count === 1;
  }

  /**
   * What a chain's next turn is planned on, in ONE statement: the previous response, the recent
   * starts of its cache thread (as recentStarts reads them), and the history it ends, from where
   * its context plan says the next turn starts (`start_seq` under truncation `auto`, else the
   * newest compaction's `floor_seq`), as loadHistory reads it. The history is null while the
   * previous response is in progress (it has no position yet).
   */
  async findPreviousTurn(
    projectId: string,
    id: string,
    options: { truncationAuto: boolean; startsLimit: number; exceptId: string },
  ): Promise<{ previous: StoredResponse; history: HistoryEntry[] | null; starts: Date[] } | null> {
    const history = historySql({
      threadId: '(SELECT "threadId" FROM prev)',
      endSeq: '(SELECT "endSeq" FROM prev)',
      fromSeq: `(SELECT (CASE WHEN $3::boolean THEN "contextPlan"->>'start_seq' ELSE "contextPlan"->>'floor_seq' END)::int FROM prev)`,
      projectId: '$2',
    });
    const rows = await this.sql.query<
      HeadOrItemRow<Omit<StoredRow, 'createdAt' | 'completedAt'> & { createdAt: string; completedAt: string | null; starts: StartJson[] | null }>
    >(
      `WITH RECURSIVE prev AS (SELECT ${STORED_COLUMNS} FROM ${byKey('responses', '$1')} WHERE project_id = $2 AND deleted_at IS NULL),
       ${history.lineage},
       ${newestResponsesSql('starts', 'cache_thread', '(SELECT COALESCE("cacheThread", id) FROM prev)', STARTS_COLUMNS)}
       ${headThenItems(
         `SELECT prev.*, (SELECT json_agg(json_build_object('id', s.id, 'projectId', s.project_id, 'createdAt', s.created_at) ORDER BY s.created_at DESC)
            FROM (SELECT * FROM starts LIMIT $4) s) AS starts
          FROM prev`,
         `${history.items} WHERE (SELECT "threadId" FROM prev) IS NOT NULL`,
       )}`,
      [id, projectId, options.truncationAuto, startsRowLimit(options.startsLimit)],
      'response_previous_turn',
    );
    const head = rows[0]?.head;
    if (!head) return null;
    const { starts, ...stored } = head;
    const previous = toStoredResponse({
      ...stored,
      createdAt: new Date(stored.createdAt),
      completedAt: stored.completedAt === null ? null : new Date(stored.completedAt),
    });
    return {
      previous,
      history: previous.position ? rows.slice(1).map(toHistoryEntry) : null,
      starts: toRecentStarts(fromStartJson(starts), projectId, options.exceptId, options.startsLimit),
    };
  }

  /**
   * What a conversation's next turn is planned on, in ONE statement: where the conversation ends
   * and its policies, the anchor (as latestContextAnchor reads it from the newest few responses),
   * the recent starts, and the history from where the anchor says. Null when the conversation is
   * unknown. `loaded` is null when none of the newest few responses finished though there are
   * that many: the caller then reads the anchor and the history as before.
   */
  async findConversationTurn(
    projectId: string,
    conversationId: string,
    options: { truncationAuto: boolean; startsLimit: number; exceptId: string },
  ): Promise<{
    position: ThreadPosition;
    cachePolicy: string | null;
    reasoningPolicy: string | null;
    loaded: { anchor: ContextAnchor | null; history: HistoryEntry[]; starts: Date[] } | null;
  } | null> {
    type AnchorRow = Pick<ResponseRow, 'contextPlan' | 'usage' | 'usageEstimated'>;
    const history = historySql({
      threadId: '(SELECT "threadId" FROM conv)',
      endSeq: '(SELECT "nextSeq" FROM conv)',
      fromSeq: `(SELECT (CASE WHEN $3::boolean THEN context_plan->>'start_seq' ELSE context_plan->>'floor_seq' END)::int FROM anchor)`,
      projectId: '$2',
    });
    const rows = await this.sql.query<
      HeadOrItemRow<{
        threadId: string;
        nextSeq: number;
        cachePolicy: string | null;
        reasoningPolicy: string | null;
        newest: number;
        anchor: AnchorRow | null;
        starts: StartJson[] | null;
      }>
    >(
      `WITH RECURSIVE conv AS (
         SELECT c.thread_id AS "threadId", t.next_seq AS "nextSeq", c.cache_policy AS "cachePolicy", c.reasoning_policy AS "reasoningPolicy"
           FROM ${byKey('conversations', '$1', 'c')} JOIN threads t ON t.id = c.thread_id WHERE c.project_id = $2 AND c.deleted_at IS NULL
       ), ${newestResponsesSql('newest_first', 'conversation_id', '$1', NEWEST_COLUMNS)},
       newest AS (SELECT * FROM newest_first LIMIT $5
       ), anchor AS (
         SELECT context_plan, usage, usage_estimated FROM newest WHERE project_id = $2 AND status = ANY($6::text[]) AND context_plan IS NOT NULL ORDER BY created_at DESC LIMIT 1
       ), ${history.lineage},
       ${newestResponsesSql('starts', 'cache_thread', '$1', STARTS_COLUMNS)}
       ${headThenItems(
         `SELECT conv.*,
            (SELECT count(*) FROM newest)::int AS newest,
            (SELECT json_build_object('contextPlan', context_plan, 'usage', usage, 'usageEstimated', usage_estimated) FROM anchor) AS anchor,
            (SELECT json_agg(json_build_object('id', s.id, 'projectId', s.project_id, 'createdAt', s.created_at) ORDER BY s.created_at DESC)
               FROM (SELECT * FROM starts LIMIT $4) s) AS starts
          FROM conv`,
         history.items,
       )}`,
      [conversationId, projectId, options.truncationAuto, startsRowLimit(options.startsLimit), NEWEST_FOR_ANCHOR, [...FINISHED]],
      'response_conversation_turn',
    );
    const row = rows[0]?.head;
    if (!row) return null;
    const anchorMissing = row.anchor === null && row.newest >= NEWEST_FOR_ANCHOR;
    return {
      position: { threadId: row.threadId, endSeq: row.nextSeq },
      cachePolicy: row.cachePolicy,
      reasoningPolicy: row.reasoningPolicy,
      loaded: anchorMissing
        ? null
        : {
            anchor: row.anchor ? toContextAnchor(row.anchor) : null,
            history: rows.slice(1).map(toHistoryEntry),
            starts: toRecentStarts(fromStartJson(row.starts), projectId, options.exceptId, options.startsLimit),
          },
    };
  }

  async find(projectId: string, id: string): Promise<StoredResponse | null> {
    const [row] = await this.sql.query<StoredRow>(
      `SELECT ${STORED_COLUMNS} FROM ${byKey('responses', '$1')} WHERE project_id = $2 AND deleted_at IS NULL`,
      [id, projectId],
      'response_find',
    );
    return row ? toStoredResponse(row) : null;
  }

  async findOutput(responseId: string): Promise<PublicItem[]> {
    const rows = await this.prisma.item.findMany({
      where: { responseId, direction: 'output' },
      orderBy: { seq: 'asc' },
      select: { data: true },
    });
    return rows.map((row) => toPublicItem(row.data as Item));
  }

  /** One page of a response's input items, keyset-paginated on seq; fetches `limit + 1` to know if more exist. */
  async listInput(responseId: string, options: { limit: number; order: 'asc' | 'desc'; afterSeq: number | null }): Promise<PublicItem[]> {
    const rows = await this.prisma.item.findMany({
      where: { responseId, direction: 'input', ...seqAfter(options.order, options.afterSeq) },
      orderBy: { seq: options.order },
      take: options.limit + 1,
      select: { data: true },
    });
    return rows.map((row) => toPublicItem(row.data as Item));
  }

  async findInputSeq(responseId: string, itemId: string): Promise<number | null> {
    const row = await this.prisma.item.findFirst({ where: { responseId, direction: 'input', id: itemId }, select: { seq: true } });
    return row?.seq ?? null;
  }

  /** Hides the response; its items stay, because later turns' histories are built from them. */
  async softDelete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.response.updateMany({ where: { id, projectId, deletedAt: null }, data: { deletedAt: new Date() } });
    return count === 1;
  }
}
