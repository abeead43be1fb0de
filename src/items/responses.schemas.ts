import { z } from 'zod';
import { hostedItemTypeNames, hostedItemTypes } from './hosted-items.js';
import {
  contentPartSchema,
  functionCallOutputContentSchema,
  itemStatusSchema,
  messageRoleSchema,
  reasoningTextPartSchema,
  summaryTextPartSchema,
} from './item.schemas.js';
import { cacheModes, reasoningPolicies, truncationModes, unsupportedToolsModes } from './policies.js';

/**
 * Our extension (not in OpenAI's API): how the server plans the provider's prompt cache for a
 * request or a conversation. `metadata` belongs to users, so the policy has a field of its own.
 */
export const cachePolicySchema = z.enum(cacheModes);

/**
 * Our extension: what a tool the model's provider cannot run does to the request: `error` (a 400
 * `unsupported_tool`), or `drop` (left out, for clients that always send tools they can do without).
 */
export const unsupportedToolsSchema = z.enum(unsupportedToolsModes);

/** Our extension: which stored reasoning goes back to the model (see src/reasoning/plan-reasoning-replay.ts). */
export const reasoningPolicySchema = z.enum(reasoningPolicies);

/** OpenAI's `service_tier` values (`ServiceTier` in the spec); each adapter maps them to its vendor's. */
export const serviceTierSchema = z.enum(['auto', 'default', 'flex', 'scale', 'priority', 'fast', 'ultrafast']);
export type ServiceTier = z.infer<typeof serviceTierSchema>;

/** `Metadata`: at most 16 pairs, keys up to 64 characters, string values up to 512. */
export const metadataSchema = z
  .record(z.string().max(64, 'metadata keys must be at most 64 characters'), z.string().max(512, 'metadata values must be at most 512 characters'))
  .refine((value) => Object.keys(value).length <= 16, 'metadata can have at most 16 key-value pairs');

// Input items are what clients send: looser than stored items (ids, types and statuses optional,
// string content allowed). They are normalized into canonical items by to-canonical-input.ts.
const inputMessageSchema = z.object({
  type: z.literal('message'),
  id: z.string().min(1).nullish(),
  role: messageRoleSchema,
  content: z.union([z.string().max(10_485_760), z.array(contentPartSchema)]),
  status: itemStatusSchema.nullish(),
  phase: z.enum(['commentary', 'final_answer']).nullish(),
});

const inputFunctionCallSchema = z.object({
  type: z.literal('function_call'),
  id: z.string().min(1).nullish(),
  call_id: z.string().min(1).max(64),
  name: z.string().min(1),
  arguments: z.string(),
  namespace: z.string().nullish(),
  status: itemStatusSchema.nullish(),
});

const inputFunctionCallOutputSchema = z.object({
  type: z.literal('function_call_output'),
  id: z.string().min(1).nullish(),
  call_id: z.string().min(1).max(64),
  output: z.union([z.string().max(10_485_760), z.array(functionCallOutputContentSchema)]),
  status: itemStatusSchema.nullish(),
});

const inputReasoningSchema = z.object({
  type: z.literal('reasoning'),
  id: z.string().min(1).nullish(),
  summary: z.array(summaryTextPartSchema),
  content: z.array(reasoningTextPartSchema).nullish(),
  encrypted_content: z.string().nullish(),
  status: itemStatusSchema.nullish(),
});

/** `CompactionSummaryItemParam`: a compaction item sent back (ours, sealed; or OpenAI's own). */
const inputCompactionSchema = z.object({
  type: z.literal('compaction'),
  id: z.string().min(1).nullish(),
  encrypted_content: z.string().min(1).max(20_971_520),
  created_by: z.string().nullish(),
});

/** `CompactionTriggerItemParam`: compact the current context; must be the last input item. */
const compactionTriggerSchema = z.object({ type: z.literal('compaction_trigger') });

const inputCustomToolCallSchema = z.object({
  type: z.literal('custom_tool_call'),
  id: z.string().min(1).nullish(),
  call_id: z.string().min(1).max(64),
  name: z.string().min(1),
  input: z.string(),
  namespace: z.string().nullish(),
  status: itemStatusSchema.nullish(),
});

const inputCustomToolCallOutputSchema = z.object({
  type: z.literal('custom_tool_call_output'),
  id: z.string().min(1).nullish(),
  call_id: z.string().min(1).max(64),
  output: z.union([z.string().max(10_485_760), z.array(functionCallOutputContentSchema)]),
  status: itemStatusSchema.nullish(),
});

/** A hosted tool's item (hosted-items.ts): kept as sent, once the fields the spec requires are there. */
const inputHostedItemSchema = z.looseObject({ type: z.enum(hostedItemTypeNames), id: z.string().min(1).nullish() }).superRefine((item, context) => {
  for (const field of hostedItemTypes[item.type].required) {
    if (item[field] === undefined) context.addIssue({ code: 'custom', path: [field], message: `${field} is required for ${item.type} items` });
  }
});

const itemReferenceSchema = z.object({
  type: z.literal('item_reference'),
  id: z.string().min(1),
});

const supportedInputItemTypes = [
  'message',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'reasoning',
  'compaction',
  'compaction_trigger',
  'item_reference',
  ...hostedItemTypeNames,
] as const;

export const inputItemSchema = z.preprocess(
  // `{role, content}` without `type` is an EasyInputMessage.
  (value) => (isObject(value) && value.type == null && 'role' in value ? { ...value, type: 'message' } : value),
  z.discriminatedUnion(
    'type',
    [
      inputMessageSchema,
      inputFunctionCallSchema,
      inputFunctionCallOutputSchema,
      inputCustomToolCallSchema,
      inputCustomToolCallOutputSchema,
      inputHostedItemSchema,
      inputReasoningSchema,
      inputCompactionSchema,
      compactionTriggerSchema,
      itemReferenceSchema,
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? `unsupported item type; supported: ${supportedInputItemTypes.join(', ')}` : undefined) },
  ),
);
export type InputItem = z.infer<typeof inputItemSchema>;

export const functionToolSchema = z.object({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'function names are 1-64 letters, digits, _ or -'),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type FunctionToolParam = z.infer<typeof functionToolSchema>;

const namespaceToolSchema = z.object({
  type: z.literal('namespace'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string().nullish(),
  tools: z.array(functionToolSchema),
});

/** Hosted tools (web_search, file_search, ...) are accepted and, where no provider equivalent exists, dropped. */
const otherToolSchema = z.looseObject({ type: z.string().refine((type) => type !== 'function' && type !== 'namespace') });

export const toolSchema = z.union([functionToolSchema, namespaceToolSchema, otherToolSchema]);
export type ToolParam = z.infer<typeof toolSchema>;

/**
 * Hosted tools a `tool_choice` may name by type alone (OpenAI's ToolChoiceTypes and the specific
 * apply_patch, shell and programmatic choices; `web_search`, which clients send for the GA tool).
 */
const HOSTED_TOOL_CHOICES = [
  'file_search',
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'computer',
  'computer_use',
  'computer_use_preview',
  'code_interpreter',
  'image_generation',
  'programmatic_tool_calling',
  'apply_patch',
  'shell',
] as const;

/** Every object form is told apart by `type`, so a malformed one is refused naming what is wrong with it. */
export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('function'), name: z.string().min(1) }),
    z.object({ type: z.literal('custom'), name: z.string().min(1) }),
    z.object({
      type: z.literal('allowed_tools'),
      mode: z.enum(['auto', 'required']),
      tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })),
    }),
    z.object({ type: z.literal('mcp'), server_label: z.string().min(1), name: z.string().nullish() }),
    z.object({ type: z.enum(HOSTED_TOOL_CHOICES) }),
  ]),
]);
export type ToolChoiceParam = z.infer<typeof toolChoiceSchema>;

const textFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'format names are 1-64 letters, digits, _ or -'),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

export const createResponseSchema = z.object({
  model: z.string({ error: (issue) => (issue.input === undefined ? 'model is required' : 'model must be a string') }).min(1),
  input: z.union([z.string().max(10_485_760), z.array(inputItemSchema)]).nullish(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  conversation: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  store: z.boolean().nullish(),
  background: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullish(),
  include: z.array(z.string()).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_tool_calls: z.number().int().min(1).nullish(),
  max_output_tokens: z.number().int().min(16, 'max_output_tokens must be at least 16').nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  text: z.object({ format: textFormatSchema.nullish(), verbosity: z.enum(['low', 'medium', 'high']).nullish() }).nullish(),
  reasoning: z
    .object({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
      generate_summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .nullish(),
  truncation: z.enum(truncationModes).nullish(),
  /** `ContextManagementParam`: compact the context once the rendered input crosses `compact_threshold` tokens. */
  context_management: z
    .array(z.object({ type: z.literal('compaction', { error: "only 'compaction' is supported" }), compact_threshold: z.number().int().min(1000).nullish() }))
    .min(1)
    .nullish(),
  metadata: metadataSchema.nullish(),
  prompt_cache_key: z.string().max(1024).nullish(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
  prompt_cache_options: z.object({ mode: z.enum(['implicit', 'explicit']).optional(), ttl: z.enum(['30m']).optional() }).nullish(),
  cache_policy: cachePolicySchema.nullish(),
  reasoning_policy: reasoningPolicySchema.nullish(),
  unsupported_tools: unsupportedToolsSchema.nullish(),
  safety_identifier: z.string().max(64).nullish(),
  user: z.string().nullish(),
  service_tier: serviceTierSchema.nullish(),
  prompt: z.unknown().optional(),
});
export type CreateResponseBody = z.infer<typeof createResponseSchema>;

/**
 * `POST /v1/responses/compact` (`CompactResponseMethodPublicBody`): the context to compact, from
 * `input` and/or `previous_response_id`. Everything else a create takes is accepted and ignored.
 */
export const compactResponseSchema = z.object({
  model: z.string({ error: (issue) => (issue.input === undefined ? 'model is required' : 'model must be a string') }).min(1),
  input: createResponseSchema.shape.input,
  previous_response_id: z.string().min(1).nullish(),
  instructions: z.string().nullish(),
  prompt_cache_key: z.string().max(1024).nullish(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
});
export type CompactResponseBody = z.infer<typeof compactResponseSchema>;

/** Query of `GET /v1/responses/{id}`; query strings carry booleans as text. */
export const retrieveQuerySchema = z.object({
  stream: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  starting_after: z.coerce.number().int().min(0).optional(),
  include: z.union([z.string(), z.array(z.string())]).optional(),
  include_obfuscation: z.enum(['true', 'false']).optional(),
});
export type RetrieveQuery = z.infer<typeof retrieveQuerySchema>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
