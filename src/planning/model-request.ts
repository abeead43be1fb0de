import type { CacheSettings } from '../caching/plan-cache.js';
import type { UpstreamTrace } from '../common/upstream-trace.js';
import type { Item } from '../items/item.schemas.js';
import type { ServiceTier } from '../items/responses.schemas.js';

// What a planned turn asks of a model, in no provider's words: the planners (planning/) build it,
// each adapter (providers/) translates it.

/** A function tool as the upstream sees it (namespaces already flattened by the turn). */
export interface FunctionTool {
  name: string;
  description: string | null;
  /** JSON Schema of the arguments, passed through untouched (key order kept). */
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

/** A tool only OpenAI's Responses wire takes as itself (a custom or hosted tool): the client's definition, as sent. */
export type NativeTool = { type: string } & Record<string, unknown>;

/**
 * OpenAI's `web_search` tool, for a provider with a search of its own (Anthropic's web search tool,
 * Gemini's Google Search grounding): the domains to keep to and where the user is, when given.
 */
export interface WebSearchPlan {
  allowedDomains: string[] | null;
  userLocation: { city?: string; region?: string; country?: string; timezone?: string } | null;
}

/** `native`: a choice of a custom or hosted tool, for OpenAI's Responses wire, as the client wrote it. */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string } | { type: 'native'; choice: Record<string, unknown> };

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description: string | null; strict: boolean | null };

/** How `input_file` parts reach the model (planning/plan-input-file.ts). */
export interface InputFileSettings {
  /** The model reads PDFs (the catalog's `capabilities.pdfInput`). */
  pdf: boolean;
  /** Where this turn's items that carry files stand in the client's `input` (`input[2]`), by item id, so errors can name the part. */
  paths: Record<string, string>;
}

export interface ReasoningSettings {
  effort: string | null;
  summary: string | null;
}

/** Everything an adapter needs for one model call; built by the turn runner after history and planning. */
export interface ModelRequest {
  /** The model name the upstream knows (the part after `provider/`). */
  model: string;
  instructions: string | null;
  /** History followed by this turn's input, in order. */
  items: Item[];
  tools: FunctionTool[];
  /** Custom and hosted tools for OpenAI's Responses wire (see planning/plan-tools.ts); absent or empty elsewhere. */
  nativeTools?: NativeTool[];
  /** The client's `web_search` tool on a wire that searches its own way (Anthropic, Gemini); absent elsewhere. */
  webSearch?: WebSearchPlan;
  toolChoice: ToolChoice;
  parallelToolCalls: boolean | null;
  /** `max_tool_calls`: calls of hosted tools per response; only OpenAI's Responses wire runs them, so only it gets this. */
  maxToolCalls?: number;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  textFormat: TextFormat;
  /**
   * How `textFormat` reaches the model: `native`, as the provider's own structured output
   * (`output_config.format`, `responseJsonSchema`, `response_format`); `instruction`, in words in
   * the system prompt, for models the catalog says have none (`capabilities.jsonSchema: false`).
   */
  structuredOutput: 'native' | 'instruction';
  /** The answer is checked against `textFormat` at the end of the turn: the provider does not enforce all of it. */
  checkOutput: boolean;
  /**
   * Log probabilities of the answer's tokens (`include: ["message.output_text.logprobs"]`), with
   * `top` alternatives per token (`top_logprobs`, 0–20). Absent or null: none asked for, or a wire
   * without them (Anthropic).
   */
  logprobs?: { top: number } | null;
  reasoning: ReasoningSettings | null;
  /** What the model is told about thinking, planned from `reasoning` and the model's capabilities. */
  thinking: ThinkingPlan;
  /** Ask for thought summaries where the provider needs a switch for them (Gemini `includeThoughts`). */
  includeThoughts: boolean;
  /** Chat servers that demand `reasoning_content` on every tool-call turn while thinking (DeepSeek V4, Kimi): `""` where none is stored. */
  backfillReasoningContent: boolean;
  /** OpenAI's cache routing key: the client's, else one the server derived for the thread (see plan-prompt-cache). */
  promptCacheKey: string | null;
  /** OpenAI `prompt_cache_retention`: the client's, else what the cache policy chose for the model. */
  promptCacheRetention: 'in_memory' | '24h' | null;
  /** OpenAI `prompt_cache_options` (GPT-5.6+), passed through as the client sent it. */
  promptCacheOptions: Record<string, unknown> | null;
  safetyIdentifier: string | null;
  /**
   * The client's `service_tier` (OpenAI's names); each adapter sends its vendor's equivalent where
   * there is one (see README, per provider). Null: the vendor's default.
   */
  serviceTier: ServiceTier | null;
  /** The client's `text.verbosity`, for the wires that take it (OpenAI's); null: the model's default. */
  verbosity: 'low' | 'medium' | 'high' | null;
  /**
   * False when the caller needs only the finished answer (a foreground client that did not ask to
   * stream): the adapter may then ask the upstream for one JSON body instead of a stream of events,
   * which is one parse instead of hundreds. Absent or true: streamed.
   */
  stream?: boolean;
  /** Prompt-cache planning for this call; absent or `off` sends no cache hints. */
  cache?: CacheSettings;
  /** Filled in with what went to the upstream (requests, attempts), for the admin API. */
  trace?: UpstreamTrace;
  /** How input files reach the model; absent: PDFs go where the wire takes them, and errors name `input`. */
  inputFiles?: InputFileSettings;
  /**
   * Server-side compaction the provider runs itself (OpenAI Responses `context_management`,
   * Anthropic `compact_20260112`), when the planner chose it: the token threshold, and `now` to
   * compact this request whatever its size (OpenAI's `compaction_trigger`).
   */
  nativeCompaction?: { threshold: number | null; now: boolean } | null;
}

export type AnthropicEffort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';
export type GeminiLevel = 'MINIMAL' | 'LOW' | 'MEDIUM' | 'HIGH';

/** What the model is told about thinking, in provider-neutral terms; adapters spell it in their wire format. */
export type ThinkingPlan =
  /** Send nothing: the model's own default (Anthropic: no thinking; Gemini, DeepSeek: thinking). */
  | { kind: 'default' }
  | { kind: 'off' }
  /** A token budget: Anthropic `enabled` (manual), Gemini 2.5 `thinkingBudget`. */
  | { kind: 'budget'; budgetTokens: number }
  /** Anthropic `adaptive` with `output_config.effort`. */
  | { kind: 'adaptive'; effort: AnthropicEffort }
  /** Gemini 3 `thinkingLevel`. */
  | { kind: 'level'; level: GeminiLevel }
  /** OpenAI `reasoning.effort` / `reasoning_effort`, DeepSeek's effort with thinking on. */
  | { kind: 'effort'; effort: string };
