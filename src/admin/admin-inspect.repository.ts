import { Injectable } from '@nestjs/common';
import type { CachePlanRecord } from '../caching/cache-plan-record.js';
import type { UpstreamRequestRecord } from '../common/upstream-trace.js';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';
import { UpstreamBodyStore } from '../history/upstream-body-store.js';
import { type Item, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import type { ResponseRecord, ResponseStatus } from '../items/response-object.js';
import type { PublicUsage } from '../items/usage.js';
import type { ContextPlanRecord } from '../planning/plan-context.js';
import { restoreStoredRequest } from '../responses/stored-request.js';

/** One response as an operator sees it: what was asked, what it cost, what the cache did. */
export interface InspectedResponse {
  id: string;
  projectId: string;
  conversationId: string | null;
  previousResponseId: string | null;
  model: string;
  status: ResponseStatus;
  request: unknown;
  usage: PublicUsage | null;
  usageEstimated: boolean;
  costUsd: number | null;
  cacheSavedUsd: number | null;
  cachePlan: CachePlanRecord | null;
  contextPlan: ContextPlanRecord | null;
  error: ResponseRecord['error'];
  background: boolean;
  createdAt: Date;
  startedAt: Date | null;
  firstTokenAt: Date | null;
  completedAt: Date | null;
  upstreamRequest: UpstreamRequestRecord | null;
  upstreamAttempts: number | null;
  upstreamRequests: number | null;
}

/** Reads across projects for the admin API: the one place that is not scoped by project. */
@Injectable()
export class AdminInspectRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly bodies: UpstreamBodyStore,
  ) {}

  async findResponse(id: string): Promise<InspectedResponse | null> {
    const row = await this.prisma.response.findUnique({ where: { id } });
    if (!row) return null;
    return {
      id: row.id,
      projectId: row.projectId,
      conversationId: row.conversationId,
      previousResponseId: row.previousResponseId,
      model: row.model,
      status: row.status as ResponseStatus,
      request: restoreStoredRequest(row.request, await this.inputItemsOf(row)),
      usage: row.usage as PublicUsage | null,
      usageEstimated: row.usageEstimated,
      costUsd: row.costUsd,
      cacheSavedUsd: row.cacheSavedUsd,
      cachePlan: row.cachePlan as CachePlanRecord | null,
      contextPlan: row.contextPlan as ContextPlanRecord | null,
      error: row.error as ResponseRecord['error'],
      background: row.background,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      firstTokenAt: row.firstTokenAt,
      completedAt: row.completedAt,
      upstreamRequest: await this.upstreamRequestOf(row),
      upstreamAttempts: row.upstreamAttempts,
      upstreamRequests: row.upstreamRequests,
    };
  }

  /** A foreground response's input items, which its stored request refers to (src/responses/stored-request.ts). */
  private async inputItemsOf(row: Prisma.ResponseGetPayload<object>): Promise<PublicItem[]> {
    if (row.background) return [];
    const items = await this.prisma.item.findMany({ where: { responseId: row.id, direction: 'input' }, orderBy: { seq: 'asc' }, select: { data: true } });
    return items.map((item) => toPublicItem(item.data as Item));
  }

  /** The request with its exact body: rows written before body deltas keep it inside `upstream_request`. */
  private async upstreamRequestOf(row: Prisma.ResponseGetPayload<object>): Promise<UpstreamRequestRecord | null> {
    const request = row.upstreamRequest as UpstreamRequestRecord | null;
    if (!request || row.upstreamBody === null) return request;
    const body = row.upstreamBodyBase === null ? row.upstreamBody : await this.bodies.rebuild(row.id);
    return { ...request, body };
  }
}
