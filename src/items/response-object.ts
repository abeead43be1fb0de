import { unixSeconds } from '../common/unix-time.js';
import type { PublicItem } from './item.schemas.js';
import type { CreateResponseBody, ToolParam } from './responses.schemas.js';
import type { PublicUsage } from './usage.js';

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** The request settings a Response echoes back; stored with the response as sent. */
export interface ResponseSettings {
  instructions: string | null;
  tools: ToolParam[];
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  temperature: number | null;
  top_p: number | null;
  top_logprobs: number;
  text: { format: unknown; verbosity: string };
  reasoning: { effort: string | null; summary: string | null };
  truncation: string;
  prompt_cache_key: string | null;
  prompt_cache_retention: 'in_memory' | '24h' | null;
  /** As applied (see planning/plan-service-settings.ts); null or absent (older rows) when not applied. */
  prompt_cache_options?: { mode: 'implicit' | 'explicit'; ttl: '30m' } | null;
  safety_identifier: string | null;
  service_tier: string;
  user: string | null;
  store: boolean;
}

/** What a stored (or in-flight) response is made of, apart from its output items. */
export interface ResponseRecord {
  id: string;
  status: ResponseStatus;
  model: string;
  previousResponseId: string | null;
  conversationId: string | null;
  settings: ResponseSettings;
  metadata: Record<string, string>;
  usage: PublicUsage | null;
  error: { code: string; message: string } | null;
  incompleteDetails: { reason: string } | null;
  background: boolean;
  createdAt: Date;
  completedAt: Date | null;
}

/** What the model's provider changed of the request's settings, echoed instead of what was asked. */
export interface AppliedSettings {
  /** 0 where the provider has no log probabilities (see planning/plan-logprobs.ts). */
  topLogprobs?: number;
  /** `default` where the provider has no service tiers (see planning/plan-service-settings.ts). */
  serviceTier?: string;
  /** `medium` where the provider has no verbosity control. */
  verbosity?: string;
}

/** The settings a Response echoes, from the request, with what the provider `applied` instead. */
export function toResponseSettings(body: CreateResponseBody, applied: AppliedSettings = {}): ResponseSettings {
  return {
    instructions: body.instructions ?? null,
    tools: body.tools ?? [],
    tool_choice: body.tool_choice ?? 'auto',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    temperature: body.temperature ?? null,
    top_p: body.top_p ?? null,
    top_logprobs: applied.topLogprobs ?? body.top_logprobs ?? 0,
    text: { format: body.text?.format ?? { type: 'text' }, verbosity: applied.verbosity ?? body.text?.verbosity ?? 'medium' },
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? body.reasoning?.generate_summary ?? null },
    truncation: body.truncation ?? 'disabled',
    prompt_cache_key: body.prompt_cache_key ?? null,
    prompt_cache_retention: body.prompt_cache_retention ?? null,
    prompt_cache_options: null,
    safety_identifier: body.safety_identifier ?? null,
    service_tier: applied.serviceTier ?? body.service_tier ?? 'default',
    user: body.user ?? null,
    store: body.store ?? true,
  };
}

/**
 * The public Response object with every key the official schema (and the stricter Open Responses
 * schema) has: unknown values are null, never missing keys.
 */
export function toPublicResponse(record: ResponseRecord, output: PublicItem[]) {
  const { settings } = record;
  return {
    id: record.id,
    object: 'response' as const,
    created_at: unixSeconds(record.createdAt),
    status: record.status,
    background: record.background,
    completed_at: record.status === 'completed' && record.completedAt ? unixSeconds(record.completedAt) : null,
    conversation: record.conversationId ? { id: record.conversationId } : null,
    error: record.error,
    incomplete_details: record.incompleteDetails,
    instructions: settings.instructions,
    max_output_tokens: settings.max_output_tokens,
    max_tool_calls: settings.max_tool_calls,
    model: record.model,
    output,
    parallel_tool_calls: settings.parallel_tool_calls,
    previous_response_id: record.previousResponseId,
    prompt: null,
    prompt_cache_key: settings.prompt_cache_key,
    // Older stored settings have no retention.
    prompt_cache_retention: settings.prompt_cache_retention ?? null,
    ...(settings.prompt_cache_options ? { prompt_cache_options: settings.prompt_cache_options } : {}),
    reasoning: settings.reasoning,
    safety_identifier: settings.safety_identifier,
    service_tier: settings.service_tier,
    store: settings.store,
    // Unset sampling parameters are the vendors' defaults, 1; the echo is what applied, as OpenAI's.
    temperature: settings.temperature ?? 1,
    text: { ...settings.text, format: echoedFormat(settings.text.format) },
    tool_choice: settings.tool_choice,
    tools: settings.tools.map(echoedTool),
    top_logprobs: settings.top_logprobs,
    top_p: settings.top_p ?? 1,
    truncation: settings.truncation,
    usage: record.usage,
    // The spec's `user` is a string, not nullable: absent when the client sent none, as OpenAI does.
    ...(settings.user === null ? {} : { user: settings.user }),
    metadata: record.metadata,
    presence_penalty: 0,
    frequency_penalty: 0,
    // Moderated completions are OpenAI's own service; no provider here runs them.
    moderation: null,
  };
}

/**
 * A function tool as applied: `strict` unset is sent as `false` on every wire (see
 * openai-responses-tools.ts), and the schema's nullable keys are present.
 */
function echoedTool(tool: ToolParam): ToolParam {
  if (tool.type !== 'function') return tool;
  return { ...tool, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? false };
}

/** A `json_schema` format as applied: `strict` unset is `false` (OpenAI's default, and what every wire sends). */
function echoedFormat(format: unknown): unknown {
  const fields = format as { type?: unknown; description?: unknown; strict?: unknown };
  if (fields?.type !== 'json_schema') return format;
  return { ...fields, description: fields.description ?? null, strict: fields.strict ?? false };
}

export type PublicResponse = ReturnType<typeof toPublicResponse>;
