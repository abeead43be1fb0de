import { z } from 'zod';
import { hostedItemTypeNames, isHostedItemType, withResourceDefaults } from './hosted-items.js';

/**
 * The canonical item model: the public Responses API item shapes, field for field (snake_case
 * included), so one shape serves the API, the database and the adapters' input. The only addition is
 * `provider_data`, an internal slot for provider round-trip state (signatures, raw reasoning text,
 * raw tool arguments); it is persisted in its own column and never serialized publicly.
 */

export const itemStatusSchema = z.enum(['in_progress', 'completed', 'incomplete']);
export type ItemStatus = z.infer<typeof itemStatusSchema>;

/**
 * `prompt_cache_breakpoint` (OpenAI, GPT-5.6+): the client marks the end of a reusable prompt
 * prefix. Kept with the item; OpenAI gets it as sent, the Anthropic planner takes it as a client
 * breakpoint, other providers ignore it.
 */
const promptCacheBreakpointSchema = z.object({ mode: z.literal('explicit') });

const inputTextPartSchema = z.object({
  type: z.literal('input_text'),
  text: z.string().max(10_485_760),
  prompt_cache_breakpoint: promptCacheBreakpointSchema.optional(),
});

export const inputImagePartSchema = z.object({
  type: z.literal('input_image'),
  image_url: z.string().max(20_971_520).nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['low', 'high', 'auto', 'original']).default('auto'),
  prompt_cache_breakpoint: promptCacheBreakpointSchema.optional(),
});

export const inputFilePartSchema = z.object({
  type: z.literal('input_file'),
  file_id: z.string().nullish(),
  filename: z.string().nullish(),
  file_data: z.string().max(33_554_432).nullish(),
  file_url: z.string().nullish(),
  prompt_cache_breakpoint: promptCacheBreakpointSchema.optional(),
});

export const outputTextPartSchema = z.object({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).default([]),
  logprobs: z.array(z.unknown()).default([]),
});

const refusalPartSchema = z.object({
  type: z.literal('refusal'),
  refusal: z.string(),
});

export const summaryTextPartSchema = z.object({ type: z.literal('summary_text'), text: z.string() });
export const reasoningTextPartSchema = z.object({ type: z.literal('reasoning_text'), text: z.string() });

export const contentPartSchema = z.discriminatedUnion('type', [
  inputTextPartSchema,
  inputImagePartSchema,
  inputFilePartSchema,
  outputTextPartSchema,
  refusalPartSchema,
]);
export type ContentPart = z.infer<typeof contentPartSchema>;
export type InputTextPart = z.infer<typeof inputTextPartSchema>;
export type InputImagePart = z.infer<typeof inputImagePartSchema>;
export type InputFilePart = z.infer<typeof inputFilePartSchema>;
export type OutputTextPart = z.infer<typeof outputTextPartSchema>;
export type RefusalPart = z.infer<typeof refusalPartSchema>;
export type SummaryTextPart = z.infer<typeof summaryTextPartSchema>;
export type ReasoningTextPart = z.infer<typeof reasoningTextPartSchema>;

export const messageRoleSchema = z.enum(['user', 'assistant', 'system', 'developer']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/** Provider round-trip state, keyed by provider family. Opaque to everything but the adapters. */
export const providerDataSchema = z.record(z.string(), z.unknown());
export type ProviderData = z.infer<typeof providerDataSchema>;

export const messageItemSchema = z.object({
  type: z.literal('message'),
  id: z.string(),
  role: messageRoleSchema,
  status: itemStatusSchema,
  content: z.array(contentPartSchema),
  phase: z.enum(['commentary', 'final_answer']).nullish(),
  provider_data: providerDataSchema.optional(),
});

export const functionCallItemSchema = z.object({
  type: z.literal('function_call'),
  id: z.string(),
  call_id: z.string().min(1).max(64),
  name: z.string().min(1),
  /** The raw argument string exactly as the model produced it (never re-serialized). */
  arguments: z.string(),
  namespace: z.string().nullish(),
  status: itemStatusSchema,
  provider_data: providerDataSchema.optional(),
});

export const functionCallOutputContentSchema = z.discriminatedUnion('type', [inputTextPartSchema, inputImagePartSchema, inputFilePartSchema]);

export const functionCallOutputItemSchema = z.object({
  type: z.literal('function_call_output'),
  id: z.string(),
  call_id: z.string().min(1).max(64),
  output: z.union([z.string().max(10_485_760), z.array(functionCallOutputContentSchema)]),
  status: itemStatusSchema,
  provider_data: providerDataSchema.optional(),
});

/** A call of a `custom` (freeform) tool: `input` is the model's raw text, as it produced it. */
export const customToolCallItemSchema = z.object({
  type: z.literal('custom_tool_call'),
  id: z.string(),
  call_id: z.string().min(1).max(64),
  name: z.string().min(1),
  input: z.string(),
  namespace: z.string().nullish(),
  status: itemStatusSchema,
  provider_data: providerDataSchema.optional(),
});

export const customToolCallOutputItemSchema = z.object({
  type: z.literal('custom_tool_call_output'),
  id: z.string(),
  call_id: z.string().min(1).max(64),
  output: z.union([z.string().max(10_485_760), z.array(functionCallOutputContentSchema)]),
  status: itemStatusSchema,
  provider_data: providerDataSchema.optional(),
});

/**
 * A hosted or built-in tool's item (see hosted-items.ts): every field as the client or OpenAI wrote
 * it, in order. Only its type and id are read here.
 */
export const hostedItemSchema = z.looseObject({
  type: z.enum(hostedItemTypeNames),
  id: z.string(),
  provider_data: providerDataSchema.optional(),
});

export const reasoningItemSchema = z.object({
  type: z.literal('reasoning'),
  id: z.string(),
  summary: z.array(summaryTextPartSchema),
  content: z.array(reasoningTextPartSchema).optional(),
  encrypted_content: z.string().nullish(),
  status: itemStatusSchema.optional(),
  provider_data: providerDataSchema.optional(),
});

/**
 * A compaction item: everything before it in the thread is replaced by it (OpenAI's `CompactionBody`).
 * `encrypted_content` is the provider's own opaque text for an OpenAI-native compaction, else our
 * sealed envelope of `provider_data` (see history/reasoning-envelope.ts). `provider_data` holds:
 * `openai: {encrypted_content}` (only OpenAI reads it), `anthropic: {content, encrypted_content}`
 * (Anthropic's compaction block), and `compaction: {summary, retained}`: a readable summary and the
 * newest items kept verbatim after it, from which any provider's prompt is rendered.
 */
export const compactionItemSchema = z.object({
  type: z.literal('compaction'),
  id: z.string(),
  encrypted_content: z.string(),
  created_by: z.string().optional(),
  provider_data: providerDataSchema.optional(),
});

export const itemSchema = z.discriminatedUnion('type', [
  messageItemSchema,
  functionCallItemSchema,
  functionCallOutputItemSchema,
  customToolCallItemSchema,
  customToolCallOutputItemSchema,
  reasoningItemSchema,
  compactionItemSchema,
  hostedItemSchema,
]);

export type Item = z.infer<typeof itemSchema>;
export type MessageItem = z.infer<typeof messageItemSchema>;
export type FunctionCallItem = z.infer<typeof functionCallItemSchema>;
export type FunctionCallOutputItem = z.infer<typeof functionCallOutputItemSchema>;
export type ReasoningItem = z.infer<typeof reasoningItemSchema>;
export type CompactionItem = z.infer<typeof compactionItemSchema>;
export type CustomToolCallItem = z.infer<typeof customToolCallItemSchema>;
export type CustomToolCallOutputItem = z.infer<typeof customToolCallOutputItemSchema>;
export type HostedItem = z.infer<typeof hostedItemSchema>;

/** What our own compaction keeps in a compaction item's provider data. */
export interface ServerCompaction {
  summary: string;
  /** The newest items, kept verbatim after the summary (the turn that compacted included). */
  retained: Item[];
}

/** The readable form of a compaction item, when there is one (ours, or Anthropic's summary text). */
export function readableCompaction(item: CompactionItem): ServerCompaction | null {
  const own = item.provider_data?.['compaction'] as ServerCompaction | undefined;
  if (own) return own;
  const anthropic = item.provider_data?.['anthropic'] as { content?: string | null } | undefined;
  return typeof anthropic?.content === 'string' && anthropic.content !== '' ? { summary: anthropic.content, retained: [] } : null;
}
export type ItemType = Item['type'];

/** The item as the public API shows it: everything but the internal provider slot. */
// A key-remapping type, not Omit: Omit of a type with an index signature (a hosted item) loses its named keys.
export type PublicItem = Item extends infer T ? (T extends Item ? { [K in keyof T as K extends 'provider_data' ? never : K]: T[K] } : never) : never;

export function toPublicItem(item: Item): PublicItem {
  const { provider_data: _providerData, ...publicItem } = item;
  return (isHostedItemType(publicItem.type) ? withResourceDefaults(publicItem as HostedItem) : publicItem) as PublicItem;
}

/** A stored item and its place in its thread's lineage (seqs continue across forks). */
export interface HistoryEntry {
  seq: number;
  item: Item;
}
