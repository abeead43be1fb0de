import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { HistoryEntry, Item, ProviderData } from '../items/item.schemas.js';

/** A point in a thread's history: everything in the lineage of `threadId` below `endSeq`. */
export interface ThreadPosition {
  threadId: string;
  endSeq: number;
}

export interface NewItem {
  item: Item;
  direction: 'input' | 'output';
  /** Null for items added through the Conversations API rather than by a turn. */
  responseId: string | null;
}

/**
 * Where a turn's items go:
 * - `continue`: after `from` (a new thread when null); extends the thread when `from` is its tip,
 *   otherwise forks it. A previous_response_id chain.
 * - `tip`: at the current end of the thread, whatever was appended since the turn started. A
 *   conversation, where completed turns take their place in commit order.
 * - `fork`: on a new branch after `from`, leaving its thread as it was. A conversation turn that
 *   failed or was cancelled: kept for inspection, never part of the conversation.
 */
export type AppendTarget =
  | { kind: 'continue'; from: ThreadPosition | null }
  | { kind: 'tip'; threadId: string }
  | { kind: 'fork'; from: ThreadPosition };

export interface StoredItemRow {
  seq: number;
  data: unknown;
  provider_data: unknown;
}

/**
 * The thread store: one query loads a history, one transaction appends a turn. Threads branch
 * instead of being rewritten, so every provider cache keyed on an exact prefix stays valid.
 */
@Injectable()
export class ThreadStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The items visible at `position` (the whole thread when `endSeq` is null), oldest first, with
   * their seqs, in ONE query: the thread's own items below endSeq, then each ancestor's items below
   * the seq its child forked at. Seqs continue across forks, so ordering by seq alone gives the
   * history order. `fromSeq` leaves out everything before it (history a turn no longer sends is not
   * read), and ancestors that end before it are not walked.
   */
  async loadHistory(projectId: string, position: ThreadPosition | { threadId: string; endSeq: null }, fromSeq: number | null = null): Promise<HistoryEntry[]> {
    const rows = await this.prisma.$queryRaw<StoredItemRow[]>`
      WITH RECURSIVE lineage (thread_id, parent_thread_id, upto) AS (
        SELECT t.id, t.parent_thread_id, COALESCE(${position.endSeq}::int, t.next_seq)
          FROM threads t WHERE t.id = ${position.threadId} AND t.project_id = ${projectId}
        UNION ALL
        SELECT p.id, p.parent_thread_id, c.fork_seq
          FROM lineage l
          JOIN threads c ON c.id = l.thread_id
          JOIN threads p ON p.id = l.parent_thread_id
         WHERE c.fork_seq > COALESCE(${fromSeq}::int, -1)
      )
      SELECT i.seq, i.data, i.provider_data
        FROM lineage l JOIN items i ON i.thread_id = l.thread_id AND i.seq < l.upto AND i.seq >= COALESCE(${fromSeq}::int, 0) AND i.deleted_at IS NULL
       ORDER BY i.seq`;
    return rows.map((row) => ({ seq: row.seq, item: toItem(row) }));
  }

  /** A stored item of the project by its public id (for `item_reference` inputs). */
  async findItem(projectId: string, id: string): Promise<Item | null> {
    const row = await this.prisma.item.findFirst({
      where: { projectId, id, deletedAt: null },
      orderBy: { createdAt: 'desc' },
      select: { data: true, providerData: true },
    });
    return row ? toItem({ seq: 0, data: row.data, provider_data: row.providerData }) : null;
  }

  /** Creates an empty thread (a conversation's) inside the caller's transaction. */
  async createThread(tx: Prisma.TransactionClient, projectId: string, kind: 'chain' | 'conversation'): Promise<string> {
    const threadId = newId('thr');
    await tx.thread.create({ data: { id: threadId, projectId, kind } });
    return threadId;
  }

  /**
   * Appends items inside the caller's transaction, where `target` says. The thread row is locked
   * while its next seqs are taken, so concurrent appends to one thread never interleave: each
   * call's items are contiguous, in commit order.
   */
  async append(tx: Prisma.TransactionClient, projectId: string, target: AppendTarget, items: NewItem[]): Promise<ThreadPosition> {
    const start = await this.reserve(tx, projectId, target, items.length);
    if (items.length > 0) {
      await tx.item.createMany({
        data: items.map(({ item, direction, responseId }, offset) => {
          const { provider_data: providerData, ...data } = item;
          return {
            threadId: start.threadId,
            seq: start.endSeq + offset,
            id: item.id,
            projectId,
            responseId,
            direction,
            type: item.type,
            data: data as Prisma.InputJsonValue,
            ...(providerData ? { providerData: providerData as Prisma.InputJsonValue } : {}),
          };
        }),
      });
    }
    return { threadId: start.threadId, endSeq: start.endSeq + items.length };
  }

  /** Returns where the items go (thread and first seq) and advances that thread's next_seq. */
  private async reserve(tx: Prisma.TransactionClient, projectId: string, target: AppendTarget, count: number): Promise<ThreadPosition> {
    if (target.kind === 'tip') {
      const nextSeq = await this.lockThread(tx, projectId, target.threadId);
      if (nextSeq === null) throw new Error(`thread ${target.threadId} does not exist`);
      return this.advance(tx, { threadId: target.threadId, endSeq: nextSeq }, count);
    }
    if (target.kind === 'continue' && target.from) {
      const nextSeq = await this.lockThread(tx, projectId, target.from.threadId);
      if (nextSeq === target.from.endSeq) return this.advance(tx, target.from, count);
    }
    const from = target.from;
    const threadId = newId('thr');
    await tx.thread.create({
      data: {
        id: threadId,
        projectId,
        kind: 'chain',
        parentThreadId: from?.threadId ?? null,
        forkSeq: from?.endSeq ?? null,
        nextSeq: (from?.endSeq ?? 0) + count,
      },
    });
    return { threadId, endSeq: from?.endSeq ?? 0 };
  }

  private async lockThread(tx: Prisma.TransactionClient, projectId: string, threadId: string): Promise<number | null> {
    const [thread] = await tx.$queryRaw<Array<{ next_seq: number }>>`
      SELECT next_seq FROM threads WHERE id = ${threadId} AND project_id = ${projectId} FOR UPDATE`;
    return thread?.next_seq ?? null;
  }

  private async advance(tx: Prisma.TransactionClient, at: ThreadPosition, count: number): Promise<ThreadPosition> {
    await tx.thread.update({ where: { id: at.threadId }, data: { nextSeq: at.endSeq + count } });
    return at;
  }
}

function toItem(row: StoredItemRow): Item {
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Item;
  const providerData = (typeof row.provider_data === 'string' ? JSON.parse(row.provider_data) : row.provider_data) as ProviderData | null;
  return providerData ? { ...data, provider_data: providerData } : data;
}
