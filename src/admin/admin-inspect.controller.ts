import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { unixSeconds, unixSecondsOrNull } from '../common/unix-time.js';
import type { adminResponse } from '../openapi/admin-responses.js';
import { AdminInspectRepository } from './admin-inspect.repository.js';

const elapsed = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : null);

/** Operators' view of any response, across projects. Conversations: admin-conversations.controller.ts. */
@Controller('admin/v1')
@UseGuards(AdminKeyGuard)
export class AdminInspectController {
  constructor(private readonly repository: AdminInspectRepository) {}

  @Get('responses/:id')
  async response(@Param('id') id: string): Promise<z.input<typeof adminResponse>> {
    const response = await this.repository.findResponse(id);
    if (!response) throw ApiError.notFound('Response', id, 'response_id');
    return {
      id: response.id,
      object: 'admin.response',
      project_id: response.projectId,
      conversation_id: response.conversationId,
      previous_response_id: response.previousResponseId,
      model: response.model,
      status: response.status,
      created_at: unixSeconds(response.createdAt),
      completed_at: unixSecondsOrNull(response.completedAt),
      request: response.request,
      usage: response.usage,
      usage_estimated: response.usageEstimated,
      cost_usd: response.costUsd,
      cache: { plan: response.cachePlan, saved_usd: response.cacheSavedUsd },
      // What of the history went out: window, budget, token counts, where it started, what a cut left out.
      context: response.contextPlan,
      error: response.error,
      background: response.background,
      timings: {
        queue_wait_ms: elapsed(response.createdAt, response.startedAt),
        time_to_first_token_ms: elapsed(response.startedAt, response.firstTokenAt),
        total_ms: elapsed(response.startedAt, response.completedAt),
      },
      // As sent: the exact body text, credentials redacted from the headers.
      upstream_request: response.upstreamRequest,
      // HTTP retries of the upstream call, and requests sent again after a recoverable refusal.
      upstream_retries: response.upstreamAttempts === null || response.upstreamRequests === null ? null : response.upstreamAttempts - response.upstreamRequests,
      upstream_resends: response.upstreamRequests === null ? null : Math.max(0, response.upstreamRequests - 1),
    };
  }
}
