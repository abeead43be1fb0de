import { z } from 'zod';
import type { HostedItemType } from '../../items/hosted-items.js';
import type { NativeTool } from '../../planning/model-request.js';
import { openAILogprobSchema } from '../openai-logprobs.js';

/**
 * OpenAI Responses wire format, as spoken by api.openai.com, Azure OpenAI (`/openai/v1`) and vLLM's
 * Responses server. Outgoing shapes are plain types; incoming shapes are loose zod objects that only
 * name the fields we read, all `.nullish()`, because the three servers differ in which optional
 * fields they send and new fields appear every few weeks. Unknown fields pass through untouched.
 * @see https://platform.openai.com/docs/api-reference/responses
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

// ---- outgoing ---------------------------------------------------------------------------------

/** A content part as sent: the public part shapes, minus fields we hold as null. */
export type OpenAIResponsesContentPart = { type: string } & Record<string, unknown>;

export interface OpenAIResponsesMessageInput {
  type: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: OpenAIResponsesContentPart[];
  phase?: 'commentary' | 'final_answer';
}

export interface OpenAIResponsesFunctionCallInput {
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
}

export interface OpenAIResponsesFunctionCallOutputInput {
  type: 'function_call_output';
  call_id: string;
  output: string | OpenAIResponsesContentPart[];
}

export interface OpenAIResponsesReasoningInput {
  type: 'reasoning';
  /** The upstream's own `rs_…` id; the encrypted content is bound to it. */
  id: string;
  summary: { type: 'summary_text'; text: string }[];
  encrypted_content: string;
}

export type OpenAIResponsesInputItem =
  | OpenAIResponsesMessageInput
  | OpenAIResponsesFunctionCallInput
  | OpenAIResponsesFunctionCallOutputInput
  | OpenAIResponsesReasoningInput
  | { type: 'compaction'; encrypted_content: string }
  | { type: 'compaction_trigger' }
  | { type: 'custom_tool_call'; call_id: string; name: string; input: string; namespace?: string }
  | { type: 'custom_tool_call_output'; call_id: string; output: string | OpenAIResponsesContentPart[] }
  /** A hosted tool's item (web_search_call, mcp_call, shell_call, …), every field as it was written. */
  | ({ type: HostedItemType } & Record<string, unknown>);

export interface OpenAIResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  /** Required by the spec, nullable. */
  parameters: Record<string, unknown> | null;
  /** Required by the spec, nullable; we always send a boolean (see openai-responses-tools.ts). */
  strict: boolean;
}

/** A custom or hosted tool's choice passes as the client wrote it (`{type: "custom", name}`, `{type: "web_search"}`, …). */
export type OpenAIResponsesToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string } | ({ type: string } & Record<string, unknown>);

export type OpenAIResponsesTextFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };

export interface OpenAIResponsesRequestBody {
  model: string;
  instructions?: string;
  input: OpenAIResponsesInputItem[];
  /** Functions as we build them; custom and hosted tools as the client sent them. */
  tools?: Array<OpenAIResponsesFunctionTool | NativeTool>;
  tool_choice?: OpenAIResponsesToolChoice;
  parallel_tool_calls?: boolean;
  max_output_tokens?: number;
  max_tool_calls?: number;
  temperature?: number;
  top_p?: number;
  text?: { format?: OpenAIResponsesTextFormat; verbosity?: 'low' | 'medium' | 'high' };
  service_tier?: string;
  reasoning?: { effort?: string; summary?: string };
  prompt_cache_key?: string;
  prompt_cache_retention?: 'in_memory' | '24h';
  /** GPT-5.6+ only; sent only when the client set it. */
  prompt_cache_options?: Record<string, unknown>;
  safety_identifier?: string;
  include?: Array<'reasoning.encrypted_content' | 'message.output_text.logprobs'>;
  /** Alternatives per token (0–20); sent with the `message.output_text.logprobs` include. */
  top_logprobs?: number;
  /** Server-side compaction: OpenAI compacts the context itself once it crosses the threshold. */
  context_management?: Array<{ type: 'compaction'; compact_threshold: number | null }>;
  /** Our server owns the state: the upstream never keeps anything. */
  store: false;
  stream: boolean;
}

// ---- our provider_data ------------------------------------------------------------------------

/**
 * What a reasoning item keeps under `provider_data.openai` to be replayed in a stateless call: the
 * upstream's `rs_…` id and the encrypted reasoning bound to it. Written by the stream mapper, read
 * back (and so validated, since it comes from storage) by the input conversion.
 */
export const openAIResponsesReasoningDataSchema = z.object({
  id: z.string().min(1),
  encrypted_content: z.string().min(1),
});
export type OpenAIResponsesReasoningData = z.infer<typeof openAIResponsesReasoningDataSchema>;

// ---- incoming ---------------------------------------------------------------------------------

/**
 * `ResponseUsage`. `cache_write_tokens` is new in the 2026 spec; older servers send only `cached_tokens`.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export const openAIResponsesUsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().nullish(), cache_write_tokens: z.number().nullish() }).nullish(),
  output_tokens: z.number().nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});
export type OpenAIResponsesUsage = z.infer<typeof openAIResponsesUsageSchema>;

const textPartSchema = z.looseObject({
  type: z.string().nullish(),
  text: z.string().nullish(),
  refusal: z.string().nullish(),
  annotations: z.array(z.record(z.string(), z.unknown())).nullish(),
  /** An `output_text` part's tokens, when `message.output_text.logprobs` was included. */
  logprobs: z.array(openAILogprobSchema).nullish(),
});

/**
 * An output item. Messages, function and custom tool calls and reasoning are read; hosted tool
 * items (web_search_call, …) pass through the loose object and are kept as they are.
 */
export const openAIResponsesOutputItemSchema = z.looseObject({
  type: z.string(),
  id: z.string().nullish(),
  status: z.string().nullish(),
  // message
  content: z.array(textPartSchema).nullish(),
  // function_call, custom_tool_call
  call_id: z.string().nullish(),
  name: z.string().nullish(),
  arguments: z.string().nullish(),
  input: z.string().nullish(),
  // reasoning
  summary: z.array(textPartSchema).nullish(),
  encrypted_content: z.string().nullish(),
});
export type OpenAIResponsesOutputItem = z.infer<typeof openAIResponsesOutputItemSchema>;

/** `ResponseError`, the `error` of a failed Response. */
const responseErrorSchema = z.looseObject({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
});

/**
 * The Response object, as carried by lifecycle events and as a non-streamed body.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export const openAIResponsesResponseSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  status: z.string().nullish(),
  error: responseErrorSchema.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  output: z.array(openAIResponsesOutputItemSchema).nullish(),
  usage: openAIResponsesUsageSchema.nullish(),
});
export type OpenAIResponsesResponse = z.infer<typeof openAIResponsesResponseSchema>;

/**
 * Whether `value` passes `openAIResponsesResponseSchema` (the same checks, written out), returned
 * as it is: a loose schema without transforms would only have copied it. A non-streamed answer is
 * checked this way, and zod runs only to describe what is wrong with one that fails.
 */
export function isOpenAIResponsesResponse(value: unknown): value is OpenAIResponsesResponse {
  if (!isObject(value)) return false;
  if (!nullishOf(value['id'], isString) || !nullishOf(value['model'], isString) || !nullishOf(value['status'], isString)) return false;
  if (
    !nullishOf(value['error'], isResponseError) ||
    !nullishOf(value['incomplete_details'], (details) => isObject(details) && nullishOf(details['reason'], isString))
  )
    return false;
  return nullishOf(value['output'], (output) => Array.isArray(output) && output.every(isOutputItem)) && nullishOf(value['usage'], isUsage);
}

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): boolean => typeof value === 'string';
const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const nullishOf = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || value === null || check(value);
const fieldsAre = (value: Fields, names: string[], check: (value: unknown) => boolean): boolean => names.every((name) => nullishOf(value[name], check));
const isResponseError = (value: unknown): boolean =>
  isObject(value) && nullishOf(value['code'], (code) => isString(code) || isNumber(code)) && nullishOf(value['message'], isString);
const openAILogprobsSchema = z.array(openAILogprobSchema);
const isTextPart = (value: unknown): boolean =>
  isObject(value) &&
  fieldsAre(value, ['type', 'text', 'refusal'], isString) &&
  nullishOf(value['annotations'], (list) => Array.isArray(list) && list.every(isObject)) &&
  nullishOf(value['logprobs'], (list) => Array.isArray(list) && (list.length === 0 || openAILogprobsSchema.safeParse(list).success));
const isTextParts = (value: unknown): boolean => Array.isArray(value) && value.every(isTextPart);
const isOutputItem = (value: unknown): boolean =>
  isObject(value) &&
  isString(value['type']) &&
  fieldsAre(value, ['id', 'status', 'call_id', 'name', 'arguments', 'input', 'encrypted_content'], isString) &&
  nullishOf(value['content'], isTextParts) &&
  nullishOf(value['summary'], isTextParts);
const isUsage = (value: unknown): boolean =>
  isObject(value) &&
  fieldsAre(value, ['input_tokens', 'output_tokens'], isNumber) &&
  nullishOf(value['input_tokens_details'], (details) => isObject(details) && fieldsAre(details, ['cached_tokens', 'cache_write_tokens'], isNumber)) &&
  nullishOf(value['output_tokens_details'], (details) => isObject(details) && nullishOf(details['reasoning_tokens'], isNumber));

/** What every event shares; `type` repeats the SSE `event:` name. */
export const openAIResponsesEventHeaderSchema = z.looseObject({ type: z.string().nullish() });

/** `response.created`, `.in_progress`, `.queued`, `.completed`, `.incomplete`, `.failed`. */
export const openAIResponsesLifecycleEventSchema = z.looseObject({ response: openAIResponsesResponseSchema });

/** `response.output_item.added` / `.done`. */
export const openAIResponsesOutputItemEventSchema = z.looseObject({
  output_index: z.number().nullish(),
  item: openAIResponsesOutputItemSchema,
});

/**
 * The delta events we map: output text, refusal, reasoning summary and reasoning text, and function
 * call arguments. `summary_index` / `content_index` tell apart the parts of one reasoning item.
 */
export const openAIResponsesDeltaEventSchema = z.looseObject({
  item_id: z.string().nullish(),
  output_index: z.number().nullish(),
  content_index: z.number().nullish(),
  summary_index: z.number().nullish(),
  delta: z.string(),
  /** An output text delta's tokens, when `message.output_text.logprobs` was included (else `[]`). */
  logprobs: z.array(openAILogprobSchema).nullish(),
});
export type OpenAIResponsesDeltaEvent = z.infer<typeof openAIResponsesDeltaEventSchema>;

/** `response.function_call_arguments.done`. */
export const openAIResponsesArgumentsDoneEventSchema = z.looseObject({
  item_id: z.string().nullish(),
  output_index: z.number().nullish(),
  arguments: z.string(),
});

/**
 * The `error` event, flat as the spec and SDK type have it, or nested as first-party servers and
 * Open Responses send it (`{type:'error', error:{type, code, message, param}}`).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming/error
 */
export const openAIResponsesErrorEventSchema = z.looseObject({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  error: z
    .union([
      z.looseObject({
        type: z.string().nullish(),
        code: z.union([z.string(), z.number()]).nullish(),
        message: z.string().nullish(),
      }),
      z.string(),
    ])
    .nullish(),
});

/** `response.custom_tool_call_input.done`: a custom tool call's whole input. */
export const openAIResponsesCustomInputDoneEventSchema = z.looseObject({
  item_id: z.string().nullish(),
  output_index: z.number().nullish(),
  input: z.string().nullish(),
});

/** `response.output_text.annotation.added`: one annotation (a `url_citation`, …) of a message's text. */
export const openAIResponsesAnnotationEventSchema = z.looseObject({
  item_id: z.string().nullish(),
  output_index: z.number().nullish(),
  annotation: z.record(z.string(), z.unknown()),
});
