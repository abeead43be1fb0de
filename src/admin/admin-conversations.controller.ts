import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { toListPage } from '../common/pagination.js';
import { unixSeconds, unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import type { adminConversation, adminConversationDetail } from '../openapi/admin-responses.js';
import {
  type AdminConversationRecord,
  AdminConversationsRepository,
  type ConversationFilter,
  type ConversationResponseRecord,
  type TimelineItem,
} from './admin-conversations.repository.js';
import { conversationDetailQuerySchema, conversationListQuerySchema } from './admin-requests.schemas.js';
import { refuseUnknownParams, toPublicTotals } from './admin-usage.schemas.js';

/** A conversation's metadata holds at most 16 keys, so more pairs than that cannot all match. */
const MAX_METADATA_FILTERS = 16;

const LIST_PARAMS: ReadonlySet<string> = new Set(Object.keys(conversationListQuerySchema.shape));

const DETAIL_PARAMS: ReadonlySet<string> = new Set(Object.keys(conversationDetailQuerySchema.shape));

export interface ConversationListQuery {
  filter: ConversationFilter;
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
}

/**
 * `GET /admin/v1/conversations` query → filter and page. `metadata[key]=value` arrives as a
 * parameter literally named `metadata[key]` (Fastify's query parser reads no brackets).
 */
export function parseConversationListQuery(query: unknown): ConversationListQuery {
  const raw = { ...((query ?? {}) as Record<string, unknown>) };
  // Keys come from the query string: `metadata[__proto__]` is a key like any other.
  const metadata: Record<string, string> = Object.create(null);
  for (const [param, value] of Object.entries(raw)) {
    const key = /^metadata\[(.+)\]$/s.exec(param)?.[1];
    if (key === undefined) continue;
    if (typeof value !== 'string') throw ApiError.invalidValue(`Invalid value for '${param}': give one value per metadata key.`, param);
    metadata[key] = value;
    delete raw[param];
  }
  if (Object.keys(metadata).length > MAX_METADATA_FILTERS) throw ApiError.invalidValue(`At most ${MAX_METADATA_FILTERS} metadata filters.`, 'metadata');
  refuseUnknownParams(raw, LIST_PARAMS);
  const parsed = parseOrThrow(conversationListQuerySchema, raw);
  return {
    filter: {
      projectId: parsed.project_id,
      createdAfter: parsed.created_after,
      createdBefore: parsed.created_before,
      updatedAfter: parsed.updated_after,
      updatedBefore: parsed.updated_before,
      metadata,
      model: parsed.model,
      hasFailedResponses: parsed.has_failed_responses,
      includeDeleted: parsed.include_deleted ?? false,
    },
    limit: parsed.limit,
    order: parsed.order,
    after: parsed.after,
  };
}

type PublicConversation = z.input<typeof adminConversation>;
type PublicConversationDetail = z.input<typeof adminConversationDetail>;

function toPublicConversation(conversation: AdminConversationRecord): PublicConversation {
  return {
    id: conversation.id,
    object: 'admin.conversation',
    project_id: conversation.projectId,
    metadata: conversation.metadata,
    cache_policy: conversation.cachePolicy as PublicConversation['cache_policy'],
    reasoning_policy: conversation.reasoningPolicy as PublicConversation['reasoning_policy'],
    created_at: unixSeconds(conversation.createdAt),
    updated_at: unixSeconds(conversation.updatedAt),
    deleted_at: unixSecondsOrNull(conversation.deletedAt),
  };
}

/** The public item first, then where it sits and came from; an item has none of these keys. */
function toPublicTimelineItem(entry: TimelineItem): PublicConversationDetail['items'][number] {
  return {
    ...entry.item,
    seq: entry.seq,
    response_id: entry.responseId,
    direction: entry.direction,
    created_at: unixSeconds(entry.createdAt),
    deleted_at: unixSecondsOrNull(entry.deletedAt),
  };
}

function toPublicResponse(response: ConversationResponseRecord): PublicConversationDetail['responses'][number] {
  return {
    id: response.id,
    status: response.status,
    model: response.model,
    created_at: unixSeconds(response.createdAt),
    completed_at: unixSecondsOrNull(response.completedAt),
    deleted_at: unixSecondsOrNull(response.deletedAt),
    usage: response.usage,
    cost_usd: response.costUsd,
    cache_saved_usd: response.cacheSavedUsd,
    error: response.error,
  };
}

/** Operators' view of conversations across projects: a filtered list, and one with its timeline and totals. */
@Controller('admin/v1/conversations')
@UseGuards(AdminKeyGuard)
export class AdminConversationsController {
  constructor(private readonly repository: AdminConversationsRepository) {}

  @Get()
  async list(@Query() query: unknown) {
    const { filter, limit, order, after } = parseConversationListQuery(query);
    let cursor = null;
    if (after !== undefined) {
      cursor = await this.repository.findCursor(after);
      if (!cursor) throw ApiError.invalidValue(`No conversation with id '${after}'.`, 'after');
    }
    const rows = await this.repository.list(filter, { limit, order, after: cursor });
    return toListPage(rows.map(toPublicConversation), limit);
  }

  @Get(':id')
  async retrieve(@Param('id') id: string, @Query() query: unknown): Promise<PublicConversationDetail> {
    refuseUnknownParams((query ?? {}) as Record<string, unknown>, DETAIL_PARAMS);
    const { items_limit: itemsLimit, items_after: itemsAfter } = parseOrThrow(conversationDetailQuerySchema, query ?? {});
    const conversation = await this.repository.find(id);
    if (!conversation) throw ApiError.notFound('Conversation', id, 'conversation_id');
    const [items, responses, totals] = await Promise.all([
      this.repository.listTimeline(conversation.threadId, { limit: itemsLimit, afterSeq: itemsAfter ?? null }),
      this.repository.listResponses(id),
      this.repository.totals(id),
    ]);
    return {
      ...toPublicConversation(conversation),
      totals: toPublicTotals(totals),
      responses: responses.map(toPublicResponse),
      // Paged by seq: the next page is `items_after=<seq of the last item>`.
      items: items.slice(0, itemsLimit).map(toPublicTimelineItem),
      items_has_more: items.length > itemsLimit,
    };
  }
}
