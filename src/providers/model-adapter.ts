import type { AdapterCachePlan, CacheThreadRef } from '../caching/cache-types.js';
import type { HostedItemType } from '../items/hosted-items.js';
import type { ProviderData } from '../items/item.schemas.js';
import type { TokenLogprob } from '../items/logprobs.js';
import type { Usage } from '../items/usage.js';
import type { ModelRequest } from '../planning/model-request.js';
import type { UpstreamModel } from './list-models.js';

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
  /** Answer text; `logprobs`, when they were asked for, are the log probabilities of this delta's tokens. */
  | { type: 'text-delta'; delta: string; logprobs?: TokenLogprob[] }
  /** Text of the model declining to answer (OpenAI's `refusal`): shown as a refusal part, not as text. */
  | { type: 'refusal-delta'; delta: string }
  /** Raw reasoning text (OpenAI's `reasoning_text`, `reasoning_content` of OpenAI-compatible models). */
  | { type: 'reasoning-delta'; delta: string }
  /**
   * Reasoning summary text (OpenAI's summaries, Anthropic's summarised thinking, Gemini's thought
   * summaries). `index` tells the summary's parts apart: a new index starts a new part.
   */
  | { type: 'reasoning-summary-delta'; delta: string; index: number }
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
  | {
      type: 'tool-call-start';
      index: number;
      callId: string;
      name: string;
      providerData?: ProviderData;
      /** The wire itself made a `custom` tool call (OpenAI Responses): its deltas are the raw input, not JSON arguments. */
      custom?: boolean;
    }
  | { type: 'tool-call-delta'; index: number; delta: string }
  /**
   * The provider compacted the context itself (OpenAI's `compaction` item, Anthropic's compaction
   * block): `providerData` replays it to that provider (and holds Anthropic's readable summary);
   * `encryptedContent` is the provider's own opaque text when the item should show it as is.
   */
  | { type: 'compaction'; providerData: ProviderData; encryptedContent: string | null }
  /**
   * An annotation (a `url_citation`, …) of the text streamed so far, as the provider wrote it.
   * `covers`: the annotation is of the last `covers` characters of that text, and its
   * `start_index`/`end_index` are set to where they stand in the message's text.
   */
  | { type: 'text-annotation'; annotation: Record<string, unknown>; covers?: number }
  /**
   * A hosted tool's item (OpenAI ran a web search, an MCP call, …), every field as the provider
   * wrote it: first when it starts (`done: false`), again when it is done.
   */
  | { type: 'hosted-item'; item: { type: HostedItemType; id: string } & Record<string, unknown>; done: boolean }
  /** A hosted tool's progress event (`response.web_search_call.searching`, …) for the item with that id. */
  | { type: 'hosted-event'; event: { type: string; item_id: string } & Record<string, unknown> }
  | {
      type: 'finish';
      reason: { unified: FinishReason; raw: string | null };
      usage: Usage | null;
      /** The service tier that served the call, in OpenAI's names, when the vendor says (see served-tier.ts). */
      serviceTier?: string | null;
    };

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
  /** The models the provider says it serves (its own model list endpoint). Failures are thrown as ProviderError. */
  listModels?(signal: AbortSignal): Promise<UpstreamModel[]>;
  /**
   * Throws UnsupportedFeatureError for input this provider cannot take (Anthropic's tool arguments
   * that are not an object, …), before anything is stored: the conversion `stream` would make,
   * run early. A request with files still to fetch is checked when they are, in `stream`.
   */
  check?(request: ModelRequest): void;
  /** Deletes whatever the adapter keeps at the provider for a thread (Gemini explicit caches). */
  releaseCaches?(thread: CacheThreadRef): Promise<void>;
  /**
   * Streams one model call. Failures are thrown as ProviderError; once the signal aborts, the
   * upstream request is cancelled and the iterator ends by throwing the abort reason.
   */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart>;
}
