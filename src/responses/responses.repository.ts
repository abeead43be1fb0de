import { Injectable } from '@nestjs/common';
import type { CachePlanRecord } from '../caching/cache-plan-record.js';
import type { ContextAnchor, ContextPlanRecord } from '../planning/plan-context.js';
import type { UpstreamRequestRecord } from '../providers/upstream-trace.js';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';
import { type Item, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import type { PublicUsage } from '../items/usage.js';
import { type AppendTarget, type ThreadPosition, ThreadStore } from '../history/thread-store.js';
import { UpstreamBodyStore } from '../history/upstream-body-store.js';
import type { ResponseRecord, ResponseSettings, ResponseStatus } from './response-object.js';
import { seqAfter } from '../common/pagination.js';

export interface StoredResponse extends ResponseRecord {
  /** Where this response's items end in its thread; null until the turn is committed. */
  position: ThreadPosition | null;
  /** See `cache_thread` in the schema; null for responses stored before it existed. */
  cacheThread: string | null;
  /** What this turn sent of its history and what the provider counted (the next turn's starting point). */
  contextAnchor: ContextAnchor | null;
}

export interface TurnResult {
  status: ResponseStatus;
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

type ResponseRow = Prisma.ResponseGetPayload<object>;

/** SQL of responses and their items; every query is scoped by project. */
@Injectable()
export class ResponsesRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly threads: ThreadStore,
    private readonly bodies: UpstreamBodyStore,
  ) {}

  async create(projectId: string, record: ResponseRecord, request: unknown, cacheThread: string): Promise<void> {
    await this.prisma.response.create({
      data: {
        id: record.id,
        projectId,
        status: record.status,
        model: record.model,
        previousResponseId: record.previousResponseId,
        conversationId: record.conversationId,
        settings: record.settings as unknown as Prisma.InputJsonValue,
        request: request as Prisma.InputJsonValue,
        metadata: record.metadata,
        background: record.background,
        createdAt: record.createdAt,
        heartbeatAt: record.createdAt,
        // A foreground turn starts now; a background one when a worker claims it.
        ...(record.background ? {} : { startedAt: record.createdAt }),
        cacheThread,
      },
    });
  }

  /**
   * When the thread's latest requests started (newest first), this response left out. The
   * condition names the thread alone, so the (cache_thread, created_at) index serves it whatever
   * the planner knows; the project is checked on the rows (thread ids are unique anyway). With the
   * project in the condition, a planner without statistics (PGlite never analyzes; PostgreSQL does
   * only with autovacuum) ANDs two indexes and sorts every response of the thread: 9 ms a turn at
   * 10,000 turns.
   */
  async recentStarts(projectId: string, cacheThread: string, exceptId: string, limit: number): Promise<Date[]> {
    const rows = await this.prisma.response.findMany({
      where: { cacheThread },
      orderBy: { createdAt: 'desc' },
      take: limit + 1,
      select: { id: true, projectId: true, createdAt: true },
    });
    return rows
      .filter((row) => row.projectId === projectId && row.id !== exceptId)
      .slice(0, limit)
      .map((row) => row.createdAt);
  }

  /**
   * Where a conversation's next turn starts its history: what its newest finished turn sent. Turns
   * that failed kept nothing in the conversation, so they do not count.
   *
   * The newest few responses are read by the (conversation_id, created_at) index alone, as in
   * recentStarts (with status and project in the condition, an unanalyzed table cost 20 ms a turn
   * at 10,000 turns); only when none of them finished is the filtered query run.
   */
  async latestContextAnchor(projectId: string, conversationId: string): Promise<ContextAnchor | null> {
    const select = { projectId: true, status: true, contextPlan: true, usage: true, usageEstimated: true } as const;
    const newest = await this.prisma.response.findMany({ where: { conversationId }, orderBy: { createdAt: 'desc' }, take: NEWEST_FOR_ANCHOR, select });
    const finished = (row: (typeof newest)[number]) => row.projectId === projectId && FINISHED.includes(row.status);
    const row =
      newest.find(finished) ??
      (newest.length < NEWEST_FOR_ANCHOR
        ? undefined
        : await this.prisma.response.findFirst({ where: { projectId, conversationId, status: { in: [...FINISHED] } }, orderBy: { createdAt: 'desc' }, select }));
    return row ? toContextAnchor(row) : null;
  }

  /**
   * Appends the turn's input and output items and records the outcome in ONE transaction, so a
   * response is never reported finished before its items can be read back.
   */
  async commitTurn(projectId: string, responseId: string, target: AppendTarget, input: Item[], output: Item[], result: TurnResult, store: boolean): Promise<void> {
    const items = [
      ...input.map((item) => ({ item, direction: 'input' as const, responseId })),
      ...output.map((item) => ({ item, direction: 'output' as const, responseId })),
    ];
    const request = result.upstreamRequest;
    const body = store && request?.body != null ? { text: request.body, encoded: this.bodies.encode(result.cacheThread, request.body) } : null;
    await this.prisma.$transaction(async (tx) => {
      const position = await this.threads.append(tx, projectId, target, items);
      // store: false keeps no response, only what a conversation must keep: its items.
      if (!store) return;
      await tx.response.update({
        where: { id: responseId },
        data: {
          status: result.status,
          usage: (result.usage ?? undefined) as Prisma.InputJsonValue | undefined,
          usageEstimated: result.usageEstimated,
          costUsd: result.costUsd,
          cacheSavedUsd: result.cacheSavedUsd,
          cachePlan: (result.cachePlan ?? undefined) as Prisma.InputJsonValue | undefined,
          contextPlan: startAtCompaction(result.contextPlan, output, position) as unknown as Prisma.InputJsonValue,
          startedAt: result.startedAt,
          firstTokenAt: result.firstTokenAt,
          // The body goes in the upstream_body columns, as a delta where it can (src/history/upstream-body-store.ts).
          upstreamRequest: (request ? { ...request, body: null } : undefined) as Prisma.InputJsonValue | undefined,
          upstreamBody: body?.encoded.text ?? null,
          upstreamBodyBase: body?.encoded.base ?? null,
          upstreamBodyPrefix: body?.encoded.prefix ?? null,
          upstreamBodySuffix: body?.encoded.suffix ?? null,
          upstreamBodyCopies: (body?.encoded.copies ?? undefined) as Prisma.InputJsonValue | undefined,
          upstreamAttempts: result.upstreamAttempts,
          upstreamRequests: result.upstreamRequests,
          error: (result.error ?? undefined) as Prisma.InputJsonValue | undefined,
          incompleteDetails: (result.incompleteDetails ?? undefined) as Prisma.InputJsonValue | undefined,
          completedAt: result.completedAt,
          threadId: position.threadId,
          endSeq: position.endSeq,
        },
      });
    });
    // Only a committed body may be a base: a rolled-back one would leave later deltas without theirs.
    if (body) this.bodies.remember(result.cacheThread, responseId, body.text, body.encoded);
  }

  /**
   * Moves a queued response to in progress and returns what its worker needs, in one statement:
   * exactly one caller gets it, however many workers try; the others (and a response no longer
   * queued) get null.
   */
  async claimQueued(id: string): Promise<{ projectId: string; record: ResponseRecord; request: unknown } | null> {
    const [row] = await this.prisma.response.updateManyAndReturn({
      where: { id, status: 'queued', deletedAt: null },
      data: { status: 'in_progress', heartbeatAt: new Date(), startedAt: new Date() },
    });
    return row ? { projectId: row.projectId, record: toStoredResponse(row), request: row.request } : null;
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

  async find(projectId: string, id: string): Promise<StoredResponse | null> {
    const row = await this.prisma.response.findFirst({ where: { id, projectId, deletedAt: null } });
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

function toStoredResponse(row: ResponseRow): StoredResponse {
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
    cacheThread: row.cacheThread,
    contextAnchor: toContextAnchor(row),
  };
}

/**
 * A turn whose output holds a compaction item starts the next turn's history at that item: nothing
 * before it is sent, or read, again. Its count was of what came before, so it anchors nothing.
 */
function startAtCompaction(plan: ContextPlanRecord, output: Item[], position: ThreadPosition): ContextPlanRecord {
  const index = output.findLastIndex((item) => item.type === 'compaction');
  if (index < 0) return plan;
  const seq = position.endSeq - output.length + index;
  return { ...plan, start_seq: seq, floor_seq: seq, compaction: { ...(plan.compaction ?? { mode: 'server', threshold: null, summarized_items: null, retained_items: null }), compacted: true } };
}

/** Statuses of a turn whose items the conversation kept. */
const FINISHED: readonly string[] = ['completed', 'incomplete'];
/** Responses read for the anchor before falling back to a filtered query: a few failed turns in a row are common enough. */
const NEWEST_FOR_ANCHOR = 5;

function toContextAnchor(row: Pick<ResponseRow, 'contextPlan' | 'usage' | 'usageEstimated'>): ContextAnchor | null {
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
