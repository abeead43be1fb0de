import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';

export const runStatuses = ['queued', 'in_progress', 'failed', 'cancelled', 'completed', 'incomplete'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** A background response as the runs API shows it. */
export interface RunRecord {
  id: string;
  projectId: string;
  status: string;
  model: string;
  background: boolean;
  conversationId: string | null;
  previousResponseId: string | null;
  error: unknown;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

const runColumns = {
  id: true,
  projectId: true,
  status: true,
  model: true,
  background: true,
  conversationId: true,
  previousResponseId: true,
  error: true,
  createdAt: true,
  startedAt: true,
  completedAt: true,
} as const satisfies Prisma.ResponseSelect;

/**
 * SQL of background runs across projects. Deleted responses are left out, as everywhere else: a
 * worker never claims a deleted queued response, and ResponsesService cannot cancel one.
 */
@Injectable()
export class AdminRunsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * One page, keyset-paginated on (created_at, id) in `order`; `limit + 1` rows tell whether more
   * exist. 'cursor_not_found' when `after` names no response.
   */
  async list(query: {
    statuses: RunStatus[];
    projectId: string | null;
    limit: number;
    order: 'asc' | 'desc';
    after: string | null;
  }): Promise<RunRecord[] | 'cursor_not_found'> {
    let cursor: Prisma.ResponseWhereInput = {};
    if (query.after !== null) {
      const row = await this.prisma.response.findUnique({ where: { id: query.after }, select: { createdAt: true } });
      if (!row) return 'cursor_not_found';
      const beyond = query.order === 'asc' ? 'gt' : 'lt';
      cursor = { OR: [{ createdAt: { [beyond]: row.createdAt } }, { createdAt: row.createdAt, id: { [beyond]: query.after } }] };
    }
    return this.prisma.response.findMany({
      where: {
        background: true,
        deletedAt: null,
        status: { in: query.statuses },
        ...(query.projectId !== null ? { projectId: query.projectId } : {}),
        ...cursor,
      },
      orderBy: [{ createdAt: query.order }, { id: query.order }],
      take: query.limit + 1,
      select: runColumns,
    });
  }

  /** Any stored response (background or not, so callers can say why it is not a run), with what a retry needs. */
  async find(id: string): Promise<(RunRecord & { request: unknown; projectDisabled: boolean }) | null> {
    const row = await this.prisma.response.findFirst({
      where: { id, deletedAt: null },
      select: { ...runColumns, request: true, project: { select: { disabledAt: true } } },
    });
    if (!row) return null;
    const { project, ...run } = row;
    return { ...run, projectDisabled: project.disabledAt !== null };
  }
}
