import type { AdapterCachePlan } from '../caching/cache-types.js';
import type { CacheSettings } from '../caching/plan-cache.js';
import type { CacheThreadRef } from '../caching/provider-cache.store.js';
import type { ThinkingPlan } from '../reasoning/plan-thinking.js';
import type { UpstreamTrace } from './upstream-trace.js';
import type { Item, ProviderData } from '../items/item.schemas.js';
import type { Usage } from '../items/usage.js';

/** A function tool as the upstream sees it (namespaces already flattened by the turn). */
export interface FunctionTool {
  name: string;
  description: string | null;
  /** JSON Schema of the arguments, passed through untouched (key order kept). */
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description: string | null; strict: boolean | null };

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
  toolChoice: ToolChoice;
  parallelToolCalls: boolean | null;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  textFormat: TextFormat;
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
   * False when the caller needs only the finished answer (a foreground client that did not ask to
   * stream): the adapter may then ask the upstream for one JSON body instead of a stream of events,
   * which is one parse instead of hundreds. Absent or true: streamed.
   */
  stream?: boolean;
  /** Prompt-cache planning for this call; absent or `off` sends no cache hints. */
  cache?: CacheSettings;
  /** Filled in with what went to the upstream (requests, attempts), for the admin API. */
  trace?: UpstreamTrace;
  /**
   * Server-side compaction the provider runs itself (OpenAI Responses `context_management`,
   * Anthropic `compact_20260112`), when the planner chose it: the token threshold, and `now` to
   * compact this request whatever its size (OpenAI's `compaction_trigger`).
   */
  nativeCompaction?: { threshold: number | null; now: boolean } | null;
}

/**
 * Why the model stopped. `unified` is ours; `raw` is the provider's own value, kept for diagnostics.
 * `length` means the output token limit was hit; `tool-calls` that the model asked for tools.
 */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'other';

/** The provider-neutral stream vocabulary; only turns/to-response-events.ts knows public event names. */
export type ModelStreamPart =
  | { type: 'response-metadata'; id: string | null; model: string | null }
  /** What the adapter planned for the provider's prompt cache, sent before the upstream call. */
  | { type: 'cache-plan'; plan: AdapterCachePlan }
  | { type: 'text-delta'; delta: string }
  | { type: 'reasoning-delta'; delta: string }
  /**
   * Ends the current reasoning block. `providerData` is what the provider needs to see the block
   * again verbatim (an Anthropic signature, OpenAI encrypted content, a Gemini thought signature),
   * keyed by provider family; it is stored on the reasoning item, never shown publicly.
   */
  | { type: 'reasoning-end'; providerData: ProviderData | null }
  /**
   * A tool call begins; `index` identifies it among this call's tool calls. `providerData` carries
   * round-trip state bound to the call (e.g. Gemini's thoughtSignature on a functionCall part).
   */
  | { type: 'tool-call-start'; index: number; callId: string; name: string; providerData?: ProviderData }
  | { type: 'tool-call-delta'; index: number; delta: string }
  /**
   * The provider compacted the context itself (OpenAI's `compaction` item, Anthropic's compaction
   * block): `providerData` replays it to that provider (and holds Anthropic's readable summary);
   * `encryptedContent` is the provider's own opaque text when the item should show it as is.
   */
  | { type: 'compaction'; providerData: ProviderData; encryptedContent: string | null }
  | { type: 'finish'; reason: { unified: FinishReason; raw: string | null }; usage: Usage | null };

/**
 * The input tokens of one model call's prompt. `provider`: the vendor's own counting endpoint
 * answered (exact). `tokenizer`: counted here with the model family's public tokenizer, chat framing
 * and tool definitions approximated. `estimate`: characters divided by characters per token.
 */
export interface InputTokenCount {
  inputTokens: number;
  source: 'provider' | 'tokenizer' | 'estimate';
}

export interface ModelAdapter {
  /**
   * Counts the input tokens `stream(request)` would send, without running the model. Failures are
   * thrown as ProviderError, as `stream` does. Optional so test doubles need not implement it.
   */
  countInputTokens?(request: ModelRequest, signal: AbortSignal): Promise<InputTokenCount>;
  /** Deletes whatever the adapter keeps at the provider for a thread (Gemini explicit caches). */
  releaseCaches?(thread: CacheThreadRef): Promise<void>;
  /**
   * Streams one model call. Failures are thrown as ProviderError; once the signal aborts, the
   * upstream request is cancelled and the iterator ends by throwing the abort reason.
   */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart>;
}
