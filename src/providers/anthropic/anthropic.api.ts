import { z } from 'zod';

/**
 * Anthropic Messages wire format (`POST /v1/messages`, `anthropic-version: 2023-06-01`). Outgoing
 * shapes are plain types; incoming ones are zod schemas that name only the fields we read, all
 * `.nullish()` and loose, because Anthropic adds fields and event types without a version bump.
 * @see https://platform.claude.com/docs/en/api/messages
 */

export const ANTHROPIC_VERSION = '2023-06-01';

// ---- outgoing ---------------------------------------------------------------------------------

/** @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching */
export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: '1h';
}

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl;
}

/** @see https://platform.claude.com/docs/en/build-with-claude/vision */
export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
  cache_control?: AnthropicCacheControl;
}

/**
 * A PDF (its bytes, or a URL Anthropic fetches) or a plain-text document; `title` is the file's name.
 * @see https://platform.claude.com/docs/en/build-with-claude/pdf-support
 * @see https://platform.claude.com/docs/en/build-with-claude/citations#plain-text-documents
 */
export interface AnthropicDocumentBlock {
  type: 'document';
  source:
    | { type: 'base64'; media_type: 'application/pdf'; data: string }
    | { type: 'url'; url: string }
    | { type: 'text'; media_type: 'text/plain'; data: string };
  title?: string;
  cache_control?: AnthropicCacheControl;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  /** Must be a JSON object; Anthropic rejects any other value. */
  input: Record<string, unknown>;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string | Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock>;
  cache_control?: AnthropicCacheControl;
}

/** @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export type AnthropicUserContentBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock | AnthropicToolResultBlock;

export type AnthropicAssistantContentBlock =
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicCompactionBlock
  | AnthropicServerToolUseBlock
  | AnthropicWebSearchToolResultBlock;

/** A search Anthropic ran, sent back as Anthropic wrote it (with its result block after it). */
export interface AnthropicServerToolUseBlock {
  type: 'server_tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: AnthropicCacheControl;
}

/** A search's results (or its error), sent back verbatim: their encrypted content is what Claude reads. */
export interface AnthropicWebSearchToolResultBlock {
  type: 'web_search_tool_result';
  tool_use_id: string;
  content: unknown;
  cache_control?: AnthropicCacheControl;
}

/**
 * A compaction block (beta `compact-2026-01-12`): Anthropic's summary of everything before it,
 * returned verbatim; the API drops every block before the last one it is sent.
 * @see https://platform.claude.com/docs/en/build-with-claude/compaction
 */
export interface AnthropicCompactionBlock {
  type: 'compaction';
  content: string | null;
  encrypted_content?: string | null;
}

/** The beta that compaction blocks and `context_management` compaction edits need. */
export const ANTHROPIC_COMPACTION_BETA = 'compact-2026-01-12';

export type AnthropicMessage = { role: 'user'; content: AnthropicUserContentBlock[] } | { role: 'assistant'; content: AnthropicAssistantContentBlock[] };

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  /** Strict tool use: the input is decoded against `input_schema` (structured outputs). */
  strict?: true;
}

/**
 * Anthropic's web search, a server tool: Anthropic runs the searches and returns them as
 * `server_tool_use` and `web_search_tool_result` blocks, with citations on the text.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool
 */
export interface AnthropicWebSearchTool {
  type: 'web_search_20250305';
  name: 'web_search';
  allowed_domains?: string[];
  user_location?: { type: 'approximate'; city?: string; region?: string; country?: string; timezone?: string };
}

/** @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use */
export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessage[];
  tools?: Array<AnthropicTool | AnthropicWebSearchTool>;
  tool_choice?: AnthropicToolChoice;
  temperature?: number;
  top_p?: number;
  metadata?: { user_id: string };
  /**
   * `auto` uses Priority Tier capacity when the organization has it; `standard_only` never does.
   * @see https://platform.claude.com/docs/en/api/service-tiers
   */
  service_tier?: 'auto' | 'standard_only';
  /** @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking */
  thinking?: { type: 'enabled'; budget_tokens: number } | { type: 'adaptive'; display?: 'summarized' } | { type: 'disabled' };
  /** The effort of adaptive thinking. */
  /**
   * `effort` for adaptive thinking; `format` for structured outputs (JSON constrained to a schema).
   * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
   */
  output_config?: { effort?: 'low' | 'medium' | 'high' | 'xhigh' | 'max'; format?: { type: 'json_schema'; schema: Record<string, unknown> } };
  /** Server-side compaction (beta): Anthropic summarizes the context once it crosses the trigger. */
  context_management?: { edits: Array<{ type: 'compact_20260112'; trigger?: { type: 'input_tokens'; value: number } }> };
  stream?: true;
}

// ---- incoming ---------------------------------------------------------------------------------

/**
 * `input_tokens` counts only the input after the last cache breakpoint; cache reads and writes are
 * reported beside it, not inside it. In `message_delta` the counts are cumulative.
 * @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
 */
const tokenCounts = {
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  /** The writes by TTL: `cache_creation_input_tokens` split into 5-minute and 1-hour entries, priced apart. */
  cache_creation: z.looseObject({ ephemeral_5m_input_tokens: z.number().nullish(), ephemeral_1h_input_tokens: z.number().nullish() }).nullish(),
};

export const anthropicUsageSchema = z.looseObject({
  ...tokenCounts,
  /** Server tools run for the request: web searches are billed per request ($10 per 1,000), web fetches are free. */
  server_tool_use: z.looseObject({ web_search_requests: z.number().nullish(), web_fetch_requests: z.number().nullish() }).nullish(),
  /**
   * Each sampling step of the request (compaction beta): a `compaction` step's tokens are billed but
   * left out of the top-level counts, which are the answer's.
   */
  iterations: z.array(z.looseObject({ type: z.string().nullish(), ...tokenCounts })).nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/** The `error` object of error bodies and of the `error` stream event. */
export const anthropicErrorSchema = z.looseObject({
  type: z.string().nullish(),
  message: z.string().nullish(),
});

/**
 * A content block as `content_block_start` (or a non-streamed Message) carries it. One loose shape
 * for every block type: the mapper switches on `type` and skips types it does not know (server tool
 * blocks, future additions).
 */
const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  data: z.string().nullish(),
  /** A compaction block's summary (a string), a web search result's results (a list) or its error (an object). */
  content: z.unknown().optional(),
  encrypted_content: z.string().nullish(),
  /** A server tool's result names the `server_tool_use` block it answers. */
  tool_use_id: z.string().nullish(),
  /** A text block's sources (web search results it cites), when it arrives whole. */
  citations: z.array(z.record(z.string(), z.unknown())).nullish(),
});
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;

const deltaSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  partial_json: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  /** `compaction_delta`: the summary, in one delta. */
  content: z.string().nullish(),
  encrypted_content: z.string().nullish(),
  /** `citations_delta`: one source of the text block it belongs to. */
  citation: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * Why a refused answer stopped (`stop_reason: "refusal"`): a category and Anthropic's explanation.
 * @see https://platform.claude.com/docs/en/test-and-evaluate/strengthen-guardrails/handle-streaming-refusals
 */
const anthropicStopDetailsSchema = z.looseObject({ type: z.string().nullish(), category: z.string().nullish(), explanation: z.string().nullish() });

/**
 * The stream events we understand. Anthropic may add event types at any time ("your code should
 * handle unknown event types gracefully"), so the mapper checks `type` before validating.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export const anthropicStreamEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('message_start'),
    message: z.looseObject({ id: z.string().nullish(), model: z.string().nullish(), usage: anthropicUsageSchema.nullish() }),
  }),
  z.looseObject({ type: z.literal('content_block_start'), index: z.number(), content_block: contentBlockSchema }),
  z.looseObject({ type: z.literal('content_block_delta'), index: z.number(), delta: deltaSchema }),
  z.looseObject({ type: z.literal('content_block_stop'), index: z.number() }),
  z.looseObject({
    type: z.literal('message_delta'),
    delta: z.looseObject({ stop_reason: z.string().nullish(), stop_details: anthropicStopDetailsSchema.nullish() }).nullish(),
    usage: anthropicUsageSchema.nullish(),
  }),
  z.looseObject({ type: z.literal('message_stop') }),
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({ type: z.literal('error'), error: anthropicErrorSchema.nullish() }),
]);
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;

export const anthropicStreamEventTypes: ReadonlySet<string> = new Set(anthropicStreamEventSchema.options.map((option) => option.shape.type.value));

/**
 * A non-streamed Message, or an error body sent with status 200 by a proxy.
 * @see https://platform.claude.com/docs/en/api/messages#response-content
 */
export const anthropicMessageSchema = z.looseObject({
  type: z.string().nullish(),
  id: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(contentBlockSchema).nullish(),
  stop_reason: z.string().nullish(),
  stop_details: anthropicStopDetailsSchema.nullish(),
  usage: anthropicUsageSchema.nullish(),
  error: anthropicErrorSchema.nullish(),
});
export type AnthropicMessageResponse = z.infer<typeof anthropicMessageSchema>;

// ---- round-trip state -------------------------------------------------------------------------

/**
 * What a reasoning item keeps under `provider_data.anthropic` so its block can be sent back
 * verbatim: a thinking block's text and signature, or a redacted_thinking block's opaque data.
 * Ours, not Anthropic's; validated on the way back in because it comes from storage.
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
export const anthropicReasoningDataSchema = z.union([z.object({ thinking: z.string(), signature: z.string() }), z.object({ redacted: z.string() })]);
export type AnthropicReasoningData = z.infer<typeof anthropicReasoningDataSchema>;
