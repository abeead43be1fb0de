import { Injectable } from '@nestjs/common';
import type { CachePlanRecord } from '../caching/cache-plan-record.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { PublicUsage } from '../items/usage.js';

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
  createdAt: Date;
  completedAt: Date | null;
}

export interface ConversationTotals {
  responses: number;
  inputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  costUsd: number;
  cacheSavedUsd: number;
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
      createdAt: row.createdAt,
      completedAt: row.completedAt,
    };
  }

  async findConversation(id: string): Promise<{ id: string; projectId: string; metadata: unknown; cachePolicy: string | null; createdAt: Date; deletedAt: Date | null } | null> {
    return this.prisma.conversation.findUnique({ where: { id }, select: { id: true, projectId: true, metadata: true, cachePolicy: true, createdAt: true, deletedAt: true } });
  }

  /** Sums over the conversation's stored responses (usage is JSON, so the sums read it in SQL). */
  async conversationTotals(id: string): Promise<ConversationTotals> {
    const [row] = await this.prisma.$queryRaw<Array<Record<keyof ConversationTotals, number | bigint | null>>>`
      SELECT count(*) AS "responses",
             sum((usage->>'input_tokens')::bigint) AS "inputTokens",
             sum((usage->'input_tokens_details'->>'cached_tokens')::bigint) AS "cachedTokens",
             sum((usage->'input_tokens_details'->>'cache_write_tokens')::bigint) AS "cacheWriteTokens",
             sum((usage->>'output_tokens')::bigint) AS "outputTokens",
             sum(cost_usd) AS "costUsd",
             sum(cache_saved_usd) AS "cacheSavedUsd"
      FROM responses WHERE conversation_id = ${id}`;
    const number = (key: keyof ConversationTotals) => Number(row?.[key] ?? 0);
    return {
      responses: number('responses'),
      inputTokens: number('inputTokens'),
      cachedTokens: number('cachedTokens'),
      cacheWriteTokens: number('cacheWriteTokens'),
      outputTokens: number('outputTokens'),
      costUsd: number('costUsd'),
      cacheSavedUsd: number('cacheSavedUsd'),
    };
  }
}
