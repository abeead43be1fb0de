import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { type ListPage, type ListQuery, toListPage } from '../common/pagination.js';
import { unixSeconds } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import { checkDuplicateIds } from '../history/check-duplicate-ids.js';
import { ReasoningEnvelope } from '../history/reasoning-envelope.js';
import { ThreadStore } from '../history/thread-store.js';
import { toCanonicalInput } from '../history/to-canonical-input.js';
import { type PublicItem, toPublicItem } from '../items/item.schemas.js';
import type { CacheMode, ReasoningPolicy } from '../items/policies.js';
import { ProviderRegistry } from '../providers/provider-registry.js';
import { type ConversationRecord, ConversationsRepository } from './conversations.repository.js';
import { createConversationItemsSchema, createConversationSchema, updateConversationSchema } from './conversations.schemas.js';

export interface PublicConversation {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: Record<string, string>;
  /** Our extension, present only when set, so the object is OpenAI's own otherwise; absent follows CACHE_POLICY. */
  cache_policy?: CacheMode;
  /** Our extension, present only when set; absent follows REASONING_POLICY. */
  reasoning_policy?: ReasoningPolicy;
}

/** The use cases of /v1/conversations. Turns that use a conversation live in ResponsesService. */
@Injectable()
export class ConversationsService {
  private readonly logger = new Logger('ConversationsService');

  constructor(
    private readonly repository: ConversationsRepository,
    private readonly threads: ThreadStore,
    private readonly providers: ProviderRegistry,
    private readonly envelope: ReasoningEnvelope,
  ) {}

  async create(projectId: string, rawBody: unknown): Promise<PublicConversation> {
    // No body at all is an empty one; a JSON `null` is not an object.
    const body = parseOrThrow(createConversationSchema, rawBody === undefined ? {} : rawBody);
    const items = await toCanonicalInput(
      body.items ?? [],
      (itemId) => this.threads.findItem(projectId, itemId),
      'items',
      (text) => this.envelope.open(text),
    );
    return toPublicConversation(
      await this.repository.create(
        projectId,
        { metadata: body.metadata ?? {}, cachePolicy: body.cache_policy ?? null, reasoningPolicy: body.reasoning_policy ?? null },
        items,
      ),
    );
  }

  async retrieve(projectId: string, id: string): Promise<PublicConversation> {
    return toPublicConversation(await this.findOrThrow(projectId, id));
  }

  /** Replaces the whole metadata map, as OpenAI's update does; `cache_policy` when given. */
  async update(projectId: string, id: string, rawBody: unknown): Promise<PublicConversation> {
    const body = parseOrThrow(updateConversationSchema, rawBody ?? {});
    const updated = await this.repository.update(projectId, id, {
      ...(body.metadata !== undefined ? { metadata: body.metadata ?? {} } : {}),
      ...(body.cache_policy !== undefined ? { cachePolicy: body.cache_policy } : {}),
      ...(body.reasoning_policy !== undefined ? { reasoningPolicy: body.reasoning_policy } : {}),
    });
    if (!updated) throw notFound(id);
    return toPublicConversation(updated);
  }

  async delete(projectId: string, id: string) {
    if (!(await this.repository.softDelete(projectId, id))) throw notFound(id);
    // Provider-side caches bill storage until they expire; the answer does not wait for them to go.
    void this.providers.releaseCaches({ projectId, id }).catch((error: unknown) => this.logger.warn(`releasing caches of ${id} failed: ${String(error)}`));
    return { id, object: 'conversation.deleted' as const, deleted: true as const };
  }

  /** Appends up to 20 items and returns them as stored, with their ids. */
  async createItems(projectId: string, id: string, rawBody: unknown): Promise<ListPage<PublicItem>> {
    const conversation = await this.findOrThrow(projectId, id);
    const body = parseOrThrow(createConversationItemsSchema, rawBody ?? {});
    const items = await toCanonicalInput(
      body.items,
      (itemId) => this.threads.findItem(projectId, itemId),
      'items',
      (text) => this.envelope.open(text),
    );
    const ids = items.map((item) => item.id);
    checkDuplicateIds(items, new Set(await this.repository.existingItemIds(projectId, conversation.threadId, ids)), 'items');
    await this.repository.appendItems(projectId, conversation.threadId, items);
    return toListPage(items.map(toPublicItem), items.length);
  }

  async listItems(projectId: string, id: string, query: ListQuery): Promise<ListPage<PublicItem>> {
    const conversation = await this.findOrThrow(projectId, id);
    let afterSeq: number | null = null;
    if (query.after !== undefined) {
      afterSeq = await this.repository.findItemSeq(conversation.threadId, query.after);
      if (afterSeq === null) throw ApiError.invalidValue(`No item with id '${query.after}' in conversation '${id}'.`, 'after');
    }
    const rows = await this.repository.listItems(conversation.threadId, { limit: query.limit, order: query.order, afterSeq });
    return toListPage(rows, query.limit);
  }

  async retrieveItem(projectId: string, id: string, itemId: string): Promise<PublicItem> {
    const conversation = await this.findOrThrow(projectId, id);
    const item = await this.repository.findItem(conversation.threadId, itemId);
    if (!item) throw ApiError.notFound('Item', itemId, 'item_id');
    return item;
  }

  /** Returns the conversation, as OpenAI's API does. */
  async deleteItem(projectId: string, id: string, itemId: string): Promise<PublicConversation> {
    const conversation = await this.findOrThrow(projectId, id);
    if (!(await this.repository.deleteItem(conversation.threadId, itemId))) throw ApiError.notFound('Item', itemId, 'item_id');
    return toPublicConversation(conversation);
  }

  private async findOrThrow(projectId: string, id: string): Promise<ConversationRecord> {
    const conversation = await this.repository.find(projectId, id);
    if (!conversation) throw notFound(id);
    return conversation;
  }
}

function notFound(id: string): ApiError {
  return ApiError.notFound('Conversation', id, 'conversation_id');
}

function toPublicConversation(record: ConversationRecord): PublicConversation {
  return {
    id: record.id,
    object: 'conversation',
    created_at: unixSeconds(record.createdAt),
    metadata: record.metadata,
    ...(record.cachePolicy ? { cache_policy: record.cachePolicy } : {}),
    ...(record.reasoningPolicy ? { reasoning_policy: record.reasoningPolicy } : {}),
  };
}
