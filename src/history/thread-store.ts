import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { HistoryEntry, Item, ProviderData } from '../items/item.schemas.js';
import { Sql, statementNameFor } from '../persistence/sql.js';

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
 *   otherwise forks it. A previous_response_id chain. `behindTip`: `from` was known to be behind
 *   its thread's tip already (a tip only moves on), so the turn forks without trying to extend.
 * - `tip`: at the current end of the thread, whatever was appended since the turn started. A
 *   conversation, where completed turns take their place in commit order.
 * - `fork`: on a new branch after `from`, leaving its thread as it was. A conversation turn that
 *   failed or was cancelled: kept for inspection, never part of the conversation.
 */
export type AppendTarget =
  | { kind: 'continue'; from: ThreadPosition | null; behindTip?: boolean }
  | { kind: 'tip'; threadId: string }
  | { kind: 'fork'; from: ThreadPosition };

/**
 * A statement that runs with a turn's append, in the same SQL statement (so in the same
 * transaction, in one round trip). `sql` may read the CTE `t` (`t.id`: the thread, `t.start`: the
 * seq of the first item appended) and appends its parameters to `params` (numbered after the
 * append's own: use `$${params.length}` after each push).
 */
export type AppendFollowUp = (params: unknown[]) => string;

export interface StoredItemRow {
  seq: number;
  data: unknown;
  provider_data: unknown;
}

/**
 * The thread store: one query loads a history, one transaction appends a turn. Threads branch
 * instead of being rewritten, so every provider cache keyed on an exact prefix stays valid. Both
 * are on every turn's path, so they are plain SQL (persistence/sql.ts).
 */
@Injectable()
export class ThreadStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
  ) {}

  /**
   * The items visible at `position` (the whole thread when `endSeq` is null), oldest first, with
   * their seqs, in ONE query: the thread's own items below endSeq, then each ancestor's items below
   * the seq its child forked at. Seqs continue across forks, so ordering by seq alone gives the
   * history order. `fromSeq` leaves out everything before it (history a turn no longer sends is not
   * read), and ancestors that end before it are not walked.
   */
  async loadHistory(projectId: string, position: ThreadPosition | { threadId: string; endSeq: null }, fromSeq: number | null = null): Promise<HistoryEntry[]> {
    const history = historySql({ threadId: '$2', endSeq: '$1::int', fromSeq: '$4::int', projectId: '$3' });
    const rows = await this.sql.query<StoredItemRow>(
      `WITH RECURSIVE ${history.lineage} SELECT i.seq, i.data, i.provider_data FROM ${history.items} ORDER BY i.seq`,
      [position.endSeq, position.threadId, projectId, fromSeq],
      'thread_history',
    );
    return rows.map(toHistoryEntry);
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
  async createThread(tx: Sql, projectId: string, kind: 'chain' | 'conversation'): Promise<string> {
    const threadId = newId('thr');
    await tx.query(`INSERT INTO threads (id, project_id, kind) VALUES ($1, $2, $3)`, [threadId, projectId, kind]);
    return threadId;
  }

  /**
   * Appends a turn's items where `target` says, and runs `followUp` (the response's update), as ONE
   * statement: no BEGIN and COMMIT round trips when it runs alone (`on` defaults to the pool), and
   * the thread's row lock (taken by the UPDATE that advances next_seq) is held only while it runs.
   * Inside a caller's transaction (`on`), the lock is held until that commits. Concurrent appends
   * to one thread never interleave: one waiting for the row sees the other's next_seq when it gets
   * it, so each call's items are contiguous, in commit order. Extending a thread at its tip is one
   * statement; when `from` is no longer the tip, the fork that follows is a second.
   */
  async appendTurn(
    projectId: string,
    target: AppendTarget,
    items: NewItem[],
    followUp: AppendFollowUp | null = null,
    on: Sql = this.sql,
  ): Promise<ThreadPosition> {
    const count = items.length;
    if (target.kind === 'tip' || (target.kind === 'continue' && target.from && !target.behindTip)) {
      const threadId = target.kind === 'tip' ? target.threadId : target.from!.threadId;
      const params: unknown[] = [threadId, projectId, count];
      // For a chain, the thread is extended only while `from` is still its tip.
      const atTip = target.kind === 'continue' ? ` AND next_seq = $${params.push(target.from!.endSeq)}` : '';
      // `IS TRUE` keeps the project check off the index choice: the key alone finds the row (see byKey).
      const reserve = `UPDATE threads SET next_seq = next_seq + $3, updated_at = now() WHERE id = $1 AND (project_id = $2) IS TRUE${atTip} RETURNING id, next_seq - $3 AS start`;
      const text = withFollowUps(reserve, params, projectId, items, followUp);
      const [row] = await on.query<{ id: string; start: number }>(text, params, statementNameFor(text));
      if (row) return { threadId: row.id, endSeq: row.start + count };
      if (target.kind === 'tip') throw new Error(`thread ${target.threadId} does not exist`);
    }
    const from = target.from;
    const params: unknown[] = [newId('thr'), projectId, from?.threadId ?? null, from?.endSeq ?? null, (from?.endSeq ?? 0) + count];
    const fork = `INSERT INTO threads (id, project_id, kind, parent_thread_id, fork_seq, next_seq) VALUES ($1, $2, 'chain', $3, $4::int, $5) RETURNING id, COALESCE(fork_seq, 0) AS start`;
    const text = withFollowUps(fork, params, projectId, items, followUp);
    const [row] = await on.query<{ id: string; start: number }>(text, params, statementNameFor(text));
    return { threadId: row!.id, endSeq: row!.start + count };
  }
}

/**
 * `reserve` (a statement returning the thread `id` and the first seq `start`) as the CTE `t`, the
 * items' INSERT reading it, then the follow-up; the statement returns `t`'s row.
 */
function withFollowUps(reserve: string, params: unknown[], projectId: string, items: NewItem[], followUp: AppendFollowUp | null): string {
  const steps = [`t AS (${reserve})`];
  if (items.length > 0) {
    const project = `$${params.push(projectId)}`;
    // All the items in one json parameter: the statement's text is the same for any number of
    // items, so it is prepared once per connection (see persistence/sql.ts) instead of parsed and
    // planned for every turn. A json column of json_to_recordset reproduces the text as it was sent.
    const rows = items.map(({ item, direction, responseId }, offset) => {
      const { provider_data: providerData, ...data } = item;
      return {
        offset_in_turn: offset,
        id: item.id,
        response_id: responseId,
        direction,
        type: item.type,
        data,
        ...(providerData ? { provider_data: providerData } : {}),
      };
    });
    steps.push(
      `inserted AS (INSERT INTO items (thread_id, seq, id, project_id, response_id, direction, type, data, provider_data)
        SELECT t.id, t.start + v.offset_in_turn, v.id, ${project}, v.response_id, v.direction, v.type, v.data, v.provider_data
          FROM t, json_to_recordset($${params.push(JSON.stringify(rows))}::json)
            AS v (offset_in_turn int, id text, response_id text, direction text, type text, data json, provider_data json))`,
    );
  }
  if (followUp) steps.push(`follow_up AS (${followUp(params)})`);
  return `WITH ${steps.join(', ')} SELECT id, start FROM t`;
}

/**
 * The history query of loadHistory, on SQL expressions (parameters, or columns of a row read in
 * the same statement): `lineage`, a recursive CTE for a `WITH RECURSIVE`, and `items`, the FROM
 * clause of the visible items (`i`), to be ordered by `i.seq`.
 *
 * Both walk the primary keys from the thread, whatever the planner knows: each step is a LATERAL
 * subquery (`OFFSET 0` keeps the planner from merging it into a join). As plain joins, a table
 * without statistics (PGlite never analyzes; PostgreSQL only with autovacuum) got hash joins over
 * a scan of every thread and every item of the database, so a turn cost more with every turn
 * stored anywhere.
 */
export function historySql(at: { threadId: string; endSeq: string; fromSeq: string; projectId: string }): { lineage: string; items: string } {
  return {
    lineage: `lineage (thread_id, parent_thread_id, fork_seq, upto) AS (
        SELECT t.id, t.parent_thread_id, t.fork_seq, COALESCE(${at.endSeq}, t.next_seq)
          FROM ${byKey('threads', at.threadId, 't')} WHERE t.project_id = ${at.projectId}
        UNION ALL
        SELECT p.id, p.parent_thread_id, p.fork_seq, l.fork_seq
          FROM lineage l
          CROSS JOIN LATERAL (SELECT id, parent_thread_id, fork_seq FROM threads WHERE threads.id = l.parent_thread_id OFFSET 0) p
         WHERE l.fork_seq > COALESCE(${at.fromSeq}, -1)
      )`,
    items: `lineage l CROSS JOIN LATERAL (
        SELECT seq, data, provider_data FROM items
         WHERE items.thread_id = l.thread_id AND items.seq < l.upto AND items.seq >= COALESCE(${at.fromSeq}, 0) AND items.deleted_at IS NULL
        OFFSET 0) i`,
  };
}

/**
 * The row of `table` whose primary key `id` is `key`, as a FROM item (aliased `alias`, the table's
 * name by default), for queries that check the project on the row. The key alone is the index
 * condition: with the project beside it, a planner without statistics could as well pick the
 * project's index and read every row of the project (it did, for a previous response).
 */
export function byKey(table: 'responses' | 'conversations' | 'threads', key: string, alias: string = table): string {
  return `(SELECT * FROM ${table} WHERE id = ${key} OFFSET 0) ${alias}`;
}

/** A history row as a query returns it: its seq, and its json columns parsed or as text. */
export function toHistoryEntry(row: StoredItemRow): HistoryEntry {
  return { seq: row.seq, item: toItem(row) };
}

function toItem(row: StoredItemRow): Item {
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Item;
  const providerData = (typeof row.provider_data === 'string' ? JSON.parse(row.provider_data) : row.provider_data) as ProviderData | null;
  return providerData ? { ...data, provider_data: providerData } : data;
}
