import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { AdminInspectRepository, type ConversationTotals } from './admin-inspect.repository.js';

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

function toPublicTotals(totals: ConversationTotals) {
  return {
    responses: totals.responses,
    input_tokens: totals.inputTokens,
    cached_tokens: totals.cachedTokens,
    cache_write_tokens: totals.cacheWriteTokens,
    output_tokens: totals.outputTokens,
    cost_usd: totals.costUsd,
    cache_saved_usd: totals.cacheSavedUsd,
  };
}

/** Operators' view of any response or conversation, across projects. */
@Controller('admin/v1')
@UseGuards(AdminKeyGuard)
export class AdminInspectController {
  constructor(private readonly repository: AdminInspectRepository) {}

  @Get('responses/:id')
  async response(@Param('id') id: string) {
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
      created_at: seconds(response.createdAt),
      completed_at: seconds(response.completedAt),
      request: response.request,
      usage: response.usage,
      usage_estimated: response.usageEstimated,
      cost_usd: response.costUsd,
      cache: { plan: response.cachePlan, saved_usd: response.cacheSavedUsd },
      error: response.error,
    };
  }

  @Get('conversations/:id')
  async conversation(@Param('id') id: string) {
    const conversation = await this.repository.findConversation(id);
    if (!conversation) throw ApiError.notFound('Conversation', id, 'conversation_id');
    return {
      id: conversation.id,
      object: 'admin.conversation',
      project_id: conversation.projectId,
      metadata: conversation.metadata,
      cache_policy: conversation.cachePolicy,
      created_at: seconds(conversation.createdAt),
      deleted_at: seconds(conversation.deletedAt),
      totals: toPublicTotals(await this.repository.conversationTotals(id)),
    };
  }
}
