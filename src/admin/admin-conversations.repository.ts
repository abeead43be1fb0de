import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { type Item, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import type { ResponseRecord, ResponseStatus } from '../items/response-object.js';
import type { PublicUsage } from '../items/usage.js';
import { toUsageTotals, type UsageSumsRow, type UsageTotals, usageSums } from './admin-usage.repository.js';

/** A conversation of any project, as operators list it. */
export interface AdminConversationRecord {
  id: string;
  projectId: string;
  threadId: string;
  metadata: Record<string, string>;
  cachePolicy: string | null;
  reasoningPolicy: string | null;
  createdAt: Date;
  /** The later of the conversation's own change (metadata, policies) and the last item appended to it. */
  updatedAt: Date;
  deletedAt: Date | null;
}

/** What the list can be narrowed by; every field is optional and they combine with AND. */
export interface ConversationFilter {
  projectId?: string;
  /** Half-open ranges: `[after, before)`. */
  createdAfter?: Date;
  createdBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
  /** Exact string values of keys of `metadata`. */
  metadata?: Record<string, string>;
  /** Conversations with at least one response of this model. */
  model?: string;
  hasFailedResponses?: boolean;
  includeDeleted?: boolean;
}

/** One entry of a conversation's timeline: the public item and where it came from. */
export interface TimelineItem {
  seq: number;
  item: PublicItem;
  responseId: string | null;
  direction: 'input' | 'output';
  createdAt: Date;
  deletedAt: Date | null;
}

export interface ConversationResponseRecord {
  id: string;
  status: ResponseStatus;
  model: string;
  createdAt: Date;
  completedAt: Date | null;
  deletedAt: Date | null;
  usage: PublicUsage | null;
  costUsd: number | null;
  cacheSavedUsd: number | null;
  error: ResponseRecord['error'];
}

interface ConversationRow {
  id: string;
  project_id: string;
  thread_id: string;
  metadata: unknown;
  cache_policy: string | null;
  reasoning_policy: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/**
 * Appending items touches the thread row, not the conversation row, so a conversation's last
 * activity is the later of the two.
 */
const updatedAt = Prisma.sql`GREATEST(c.updated_at, t.updated_at)`;

/** Conversations across projects for the admin API: the one place that is not scoped by project. */
@Injectable()
export class AdminConversationsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(id: string): Promise<AdminConversationRecord | null> {
    const [row] = await this.prisma.$queryRaw<ConversationRow[]>`
      SELECT c.id, c.project_id, c.thread_id, c.metadata, c.cache_policy, c.reasoning_policy, c.created_at, ${updatedAt} AS updated_at, c.deleted_at
        FROM conversations c JOIN threads t ON t.id = c.thread_id
       WHERE c.id = ${id}`;
    return row ? toRecord(row) : null;
  }

  /** Where a listed conversation sits in the (created_at, id) order; null when there is no such conversation. */
  async findCursor(id: string): Promise<{ createdAt: Date; id: string } | null> {
    return this.prisma.conversation.findUnique({ where: { id }, select: { createdAt: true, id: true } });
  }

  /**
   * One page, keyset-paginated on (created_at, id) in `order`; fetches `limit + 1` to know if more
   * exist. Raw SQL because the updated range compares the later of two tables' timestamps, which
   * Prisma's `where` cannot say, and metadata keys are matched with `->>` on the `json` column.
   */
  async list(
    filter: ConversationFilter,
    page: { limit: number; order: 'asc' | 'desc'; after: { createdAt: Date; id: string } | null },
  ): Promise<AdminConversationRecord[]> {
    const conditions = whereConditions(filter);
    if (page.after) {
      const { createdAt, id } = page.after;
      conditions.push(
        page.order === 'asc' ? Prisma.sql`(c.created_at, c.id) > (${createdAt}, ${id})` : Prisma.sql`(c.created_at, c.id) < (${createdAt}, ${id})`,
      );
    }
    const where = conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
    const direction = page.order === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
    const rows = await this.prisma.$queryRaw<ConversationRow[]>`
      SELECT c.id, c.project_id, c.thread_id, c.metadata, c.cache_policy, c.reasoning_policy, c.created_at, ${updatedAt} AS updated_at, c.deleted_at
        FROM conversations c JOIN threads t ON t.id = c.thread_id
        ${where}
       ORDER BY c.created_at ${direction}, c.id ${direction}
       LIMIT ${page.limit + 1}`;
    return rows.map(toRecord);
  }

  /**
   * The conversation's items in seq order, deleted ones too (an operator sees what the model no
   * longer does). Only the conversation's own thread: a failed turn's items went to a fork of it.
   */
  async listTimeline(threadId: string, options: { limit: number; afterSeq: number | null }): Promise<TimelineItem[]> {
    const rows = await this.prisma.item.findMany({
      where: { threadId, ...(options.afterSeq === null ? {} : { seq: { gt: options.afterSeq } }) },
      orderBy: { seq: 'asc' },
      take: options.limit + 1,
      select: { seq: true, data: true, responseId: true, direction: true, createdAt: true, deletedAt: true },
    });
    return rows.map((row) => ({
      seq: row.seq,
      item: toPublicItem(row.data as Item),
      responseId: row.responseId,
      direction: row.direction as 'input' | 'output',
      createdAt: row.createdAt,
      deletedAt: row.deletedAt,
    }));
  }

  /** Every stored response of the conversation, failed and deleted ones included, oldest first. */
  async listResponses(conversationId: string): Promise<ConversationResponseRecord[]> {
    const rows = await this.prisma.response.findMany({
      where: { conversationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: {
        id: true,
        status: true,
        model: true,
        createdAt: true,
        completedAt: true,
        deletedAt: true,
        usage: true,
        costUsd: true,
        cacheSavedUsd: true,
        error: true,
      },
    });
    return rows.map((row) => ({
      ...row,
      status: row.status as ResponseStatus,
      usage: row.usage as PublicUsage | null,
      error: row.error as ResponseRecord['error'],
    }));
  }

  /** Sums over the conversation's stored responses; deleted ones count, their tokens were spent. */
  async totals(conversationId: string): Promise<UsageTotals> {
    const [row] = await this.prisma.$queryRaw<UsageSumsRow[]>`
      SELECT ${usageSums} FROM responses r WHERE r.conversation_id = ${conversationId}`;
    return toUsageTotals(row);
  }
}

function whereConditions(filter: ConversationFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (!filter.includeDeleted) conditions.push(Prisma.sql`c.deleted_at IS NULL`);
  if (filter.projectId !== undefined) conditions.push(Prisma.sql`c.project_id = ${filter.projectId}`);
  if (filter.createdAfter) conditions.push(Prisma.sql`c.created_at >= ${filter.createdAfter}`);
  if (filter.createdBefore) conditions.push(Prisma.sql`c.created_at < ${filter.createdBefore}`);
  if (filter.updatedAfter) conditions.push(Prisma.sql`${updatedAt} >= ${filter.updatedAfter}`);
  if (filter.updatedBefore) conditions.push(Prisma.sql`${updatedAt} < ${filter.updatedBefore}`);
  // `->>` is overloaded on text and integer, so the key parameter says which it is.
  for (const [key, value] of Object.entries(filter.metadata ?? {})) conditions.push(Prisma.sql`c.metadata->>${key}::text = ${value}`);
  if (filter.model !== undefined) conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM responses r WHERE r.conversation_id = c.id AND r.model = ${filter.model})`);
  if (filter.hasFailedResponses !== undefined) {
    const failed = Prisma.sql`EXISTS (SELECT 1 FROM responses r WHERE r.conversation_id = c.id AND r.status = 'failed')`;
    conditions.push(filter.hasFailedResponses ? failed : Prisma.sql`NOT ${failed}`);
  }
  return conditions;
}

function toRecord(row: ConversationRow): AdminConversationRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    threadId: row.thread_id,
    // Raw queries may hand back a json column as text, depending on the driver adapter.
    metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<string, string>,
    cachePolicy: row.cache_policy,
    reasoningPolicy: row.reasoning_policy,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
  };
}
