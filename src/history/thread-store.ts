import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Item, ProviderData } from '../items/item.schemas.js';

/** A point in a thread's history: everything in the lineage of `threadId` below `endSeq`. */
export interface ThreadPosition {
  threadId: string;
  endSeq: number;
}

export interface NewItem {
  item: Item;
  direction: 'input' | 'output';
  responseId: string;
}

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
   * The items visible at `position`, oldest first, in ONE query: the thread's own items below
   * endSeq, then each ancestor's items below the seq its child forked at. Seqs continue across forks,
   * so ordering by seq alone gives the history order.
   */
  async loadHistory(projectId: string, position: ThreadPosition): Promise<Item[]> {
    const rows = await this.prisma.$queryRaw<StoredItemRow[]>`
      WITH RECURSIVE lineage (thread_id, parent_thread_id, upto) AS (
        SELECT t.id, t.parent_thread_id, ${position.endSeq}::int
          FROM threads t WHERE t.id = ${position.threadId} AND t.project_id = ${projectId}
        UNION ALL
        SELECT p.id, p.parent_thread_id, c.fork_seq
          FROM lineage l
          JOIN threads c ON c.id = l.thread_id
          JOIN threads p ON p.id = l.parent_thread_id
      )
      SELECT i.seq, i.data, i.provider_data
        FROM lineage l JOIN items i ON i.thread_id = l.thread_id AND i.seq < l.upto
       ORDER BY i.seq`;
    return rows.map(toItem);
  }

  /** A stored item of the project by its public id (for `item_reference` inputs). */
  async findItem(projectId: string, id: string): Promise<Item | null> {
    const row = await this.prisma.item.findFirst({ where: { projectId, id }, orderBy: { createdAt: 'desc' }, select: { data: true, providerData: true } });
    return row ? toItem({ seq: 0, data: row.data, provider_data: row.providerData }) : null;
  }

  /**
   * Appends a turn's items inside the caller's transaction. Continuing from the tip of a thread
   * extends it; continuing from anywhere else (an older response, or a tip another turn moved
   * meanwhile) starts a fork, so concurrent turns never interleave. The thread row lock serializes
   * appends to one thread.
   */
  async appendTurn(tx: Prisma.TransactionClient, projectId: string, base: ThreadPosition | null, items: NewItem[]): Promise<ThreadPosition> {
    const start = await this.reserve(tx, projectId, base, items.length);
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
    return { threadId: start.threadId, endSeq: start.endSeq + items.length };
  }

  /** Returns where the items go (thread and first seq) and advances that thread's next_seq. */
  private async reserve(tx: Prisma.TransactionClient, projectId: string, base: ThreadPosition | null, count: number): Promise<ThreadPosition> {
    if (base) {
      const [thread] = await tx.$queryRaw<Array<{ next_seq: number }>>`
        SELECT next_seq FROM threads WHERE id = ${base.threadId} AND project_id = ${projectId} FOR UPDATE`;
      if (thread && thread.next_seq === base.endSeq) {
        await tx.thread.update({ where: { id: base.threadId }, data: { nextSeq: base.endSeq + count } });
        return base;
      }
    }
    const threadId = newId('thr');
    await tx.thread.create({
      data: {
        id: threadId,
        projectId,
        kind: 'chain',
        parentThreadId: base?.threadId ?? null,
        forkSeq: base?.endSeq ?? null,
        nextSeq: (base?.endSeq ?? 0) + count,
      },
    });
    return { threadId, endSeq: base?.endSeq ?? 0 };
  }
}

function toItem(row: StoredItemRow): Item {
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Item;
  const providerData = (typeof row.provider_data === 'string' ? JSON.parse(row.provider_data) : row.provider_data) as ProviderData | null;
  return providerData ? { ...data, provider_data: providerData } : data;
}
