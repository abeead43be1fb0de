import { z } from 'zod';
import { cachePolicySchema, inputItemSchema, metadataSchema, reasoningPolicySchema } from '../items/responses.schemas.js';

/** At most 20 items per create or append call, as OpenAI's API allows. */
const itemBatchSchema = z.array(inputItemSchema).max(20, 'at most 20 items can be added at once');

export const createConversationSchema = z.object({
  metadata: metadataSchema.nullish(),
  items: itemBatchSchema.nullish(),
  cache_policy: cachePolicySchema.nullish(),
  reasoning_policy: reasoningPolicySchema.nullish(),
});

/** OpenAI's update replaces `metadata`; ours may instead (or also) set `cache_policy` and `reasoning_policy` (null: the server default). */
export const updateConversationSchema = z
  .object({
    metadata: metadataSchema.nullable().optional(),
    cache_policy: cachePolicySchema.nullable().optional(),
    reasoning_policy: reasoningPolicySchema.nullable().optional(),
  })
  .refine((body) => body.metadata !== undefined || body.cache_policy !== undefined || body.reasoning_policy !== undefined, {
    message: 'metadata is required',
    path: ['metadata'],
  });

export const createConversationItemsSchema = z.object({
  items: itemBatchSchema.min(1, 'items must not be empty'),
});

/** `conversation` on POST /v1/responses: an id, or `{id}`. */
export function conversationIdOf(value: string | { id: string }): string {
  return typeof value === 'string' ? value : value.id;
}
