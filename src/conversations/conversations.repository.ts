import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { seqAfter } from '../common/pagination.js';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';
import { ThreadStore } from '../history/thread-store.js';
import { type Item, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import type { CacheMode, ReasoningPolicy } from '../items/policies.js';
import { Sql } from '../persistence/sql.js';

export interface ConversationRecord {
  id: string;
  threadId: string;
  metadata: Record<string, string>;
  cachePolicy: CacheMode | null;
  reasoningPolicy: ReasoningPolicy | null;
  createdAt: Date;
}

const conversationColumns = { id: true, threadId: true, metadata: true, cachePolicy: true, reasoningPolicy: true, createdAt: true } as const;

/** SQL of conversations and their items; every query is scoped by project. */
@Injectable()
export class ConversationsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly threads: ThreadStore,
  ) {}

  /** The conversation, its thread and its first items, in one transaction. */
  async create(
    projectId: string,
    fields: { metadata: Record<string, string>; cachePolicy: CacheMode | null; reasoningPolicy: ReasoningPolicy | null },
    items: Item[],
  ): Promise<ConversationRecord> {
    return this.sql.transaction(async (tx) => {
      const threadId = await this.threads.createThread(tx, projectId, 'conversation');
      const [row] = await tx.query<ConversationRow>(
        `INSERT INTO conversations (id, project_id, thread_id, metadata, cache_policy, reasoning_policy) VALUES ($1, $2, $3, $4::json, $5, $6)
         RETURNING id, thread_id AS "threadId", metadata, cache_policy AS "cachePolicy", reasoning_policy AS "reasoningPolicy", created_at AS "createdAt"`,
        [newId('conv'), projectId, threadId, JSON.stringify(fields.metadata), fields.cachePolicy, fields.reasoningPolicy],
      );
      await this.threads.appendTurn(projectId, { kind: 'tip', threadId }, asInput(items), null, tx);
      return toRecord(row!);
    });
  }

  async find(projectId: string, id: string): Promise<ConversationRecord | null> {
    const row = await this.prisma.conversation.findFirst({ where: { id, projectId, deletedAt: null }, select: conversationColumns });
    return row ? toRecord(row) : null;
  }

  /** Sets the fields given; an absent field keeps its value. */
  async update(
    projectId: string,
    id: string,
    fields: { metadata?: Record<string, string>; cachePolicy?: CacheMode | null; reasoningPolicy?: ReasoningPolicy | null },
  ): Promise<ConversationRecord | null> {
    const { count } = await this.prisma.conversation.updateMany({ where: { id, projectId, deletedAt: null }, data: fields });
    return count === 1 ? this.find(projectId, id) : null;
  }

  /** Hides the conversation; its items stay (OpenAI: "Items in the conversation will not be deleted"). */
  async softDelete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.conversation.updateMany({ where: { id, projectId, deletedAt: null }, data: { deletedAt: new Date() } });
    return count === 1;
  }

  /** Which of `ids` the conversation's live items already have. */
  async existingItemIds(projectId: string, threadId: string, ids: string[]): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT id FROM items WHERE project_id = $1 AND id = ANY($2::text[]) AND thread_id = $3 AND deleted_at IS NULL`,
      [projectId, ids, threadId],
    );
    return rows.map((row) => row.id);
  }

  /** Appends items at the end of the conversation, contiguous even when turns commit meanwhile. */
  async appendItems(projectId: string, threadId: string, items: Item[]): Promise<void> {
    await this.threads.appendTurn(projectId, { kind: 'tip', threadId }, asInput(items));
  }

  /** One page of live items, keyset-paginated on seq; fetches `limit + 1` to know if more exist. */
  async listItems(threadId: string, options: { limit: number; order: 'asc' | 'desc'; afterSeq: number | null }): Promise<PublicItem[]> {
    const rows = await this.prisma.item.findMany({
      where: { threadId, deletedAt: null, ...seqAfter(options.order, options.afterSeq) },
      orderBy: { seq: options.order },
      take: options.limit + 1,
      select: { data: true },
    });
    return rows.map((row) => toPublicItem(row.data as Item));
  }

  /** The seq of an item of the thread (deleted ones too, so a cursor stays valid after a delete). */
  async findItemSeq(threadId: string, itemId: string): Promise<number | null> {
    const row = await this.prisma.item.findFirst({ where: { threadId, id: itemId }, orderBy: { seq: 'desc' }, select: { seq: true } });
    return row?.seq ?? null;
  }

  async findItem(threadId: string, itemId: string): Promise<PublicItem | null> {
    const row = await this.prisma.item.findFirst({ where: { threadId, id: itemId, deletedAt: null }, orderBy: { seq: 'desc' }, select: { data: true } });
    return row ? toPublicItem(row.data as Item) : null;
  }

  /** Leaves the item out of lists and of every later turn's history; the row itself stays for audit. */
  async deleteItem(threadId: string, itemId: string): Promise<boolean> {
    const { count } = await this.prisma.item.updateMany({ where: { threadId, id: itemId, deletedAt: null }, data: { deletedAt: new Date() } });
    return count > 0;
  }
}

function asInput(items: Item[]) {
  return items.map((item) => ({ item, direction: 'input' as const, responseId: null }));
}

interface ConversationRow {
  id: string;
  threadId: string;
  metadata: Prisma.JsonValue;
  cachePolicy: string | null;
  reasoningPolicy: string | null;
  createdAt: Date;
}

function toRecord(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    threadId: row.threadId,
    metadata: row.metadata as Record<string, string>,
    cachePolicy: row.cachePolicy as CacheMode | null,
    reasoningPolicy: row.reasoningPolicy as ReasoningPolicy | null,
    createdAt: row.createdAt,
  };
}
