import { Injectable } from '@nestjs/common';
import type { CachePlanRecord } from '../caching/cache-plan-record.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { PublicUsage } from '../items/usage.js';
import type { UpstreamRequestRecord } from '../providers/upstream-trace.js';

/** One response as an operator sees it: what was asked, what it cost, what the cache did. */
export interface InspectedResponse {
  id: string;
  projectId: string;
  conversationId: string | null;
  previousResponseId: string | null;
  model: string;
  status: string;
  request: unknown;
  usage: PublicUsage | null;
  usageEstimated: boolean;
  costUsd: number | null;
  cacheSavedUsd: number | null;
  cachePlan: CachePlanRecord | null;
  error: unknown;
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
  constructor(private readonly prisma: PrismaClient) {}

  async findResponse(id: string): Promise<InspectedResponse | null> {
    const row = await this.prisma.response.findUnique({ where: { id } });
    if (!row) return null;
    return {
      id: row.id,
      projectId: row.projectId,
      conversationId: row.conversationId,
      previousResponseId: row.previousResponseId,
      model: row.model,
      status: row.status,
      request: row.request,
      usage: row.usage as PublicUsage | null,
      usageEstimated: row.usageEstimated,
      costUsd: row.costUsd,
      cacheSavedUsd: row.cacheSavedUsd,
      cachePlan: row.cachePlan as CachePlanRecord | null,
      error: row.error,
      background: row.background,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      firstTokenAt: row.firstTokenAt,
      completedAt: row.completedAt,
      upstreamRequest: row.upstreamRequest as UpstreamRequestRecord | null,
      upstreamAttempts: row.upstreamAttempts,
      upstreamRequests: row.upstreamRequests,
    };
  }
}
