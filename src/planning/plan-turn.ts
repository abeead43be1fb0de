import type { CacheSettings } from '../caching/plan-cache.js';
import { chooseRetention, promptCacheKeyFor } from '../caching/thread-cache.js';
import type { ModelInfo, ThinkingCapabilities } from '../config/model-catalog.js';
import type { HistoryEntry, Item } from '../items/item.schemas.js';
import type { CacheMode } from '../items/policies.js';
import { type ReasoningPolicy, type TruncationMode, type UnsupportedToolsMode } from '../items/policies.js';
import type { ResponseSettings } from '../items/response-object.js';
import type { CreateResponseBody } from '../items/responses.schemas.js';
import { planReasoningReplay, type ReplayTarget } from '../reasoning/plan-reasoning-replay.js';
import { planThinking } from '../reasoning/plan-thinking.js';
import { estimateItemTokens, estimateTextTokens } from './estimate-tokens.js';
import { formatInstruction } from './format-instruction.js';
import type { ModelRequest, TextFormat } from './model-request.js';
import { type ThinkingPlan } from './model-request.js';
import {
  ANTHROPIC_MIN_TRIGGER,
  COMPACTION_INSTRUCTIONS,
  COMPACTION_REQUEST,
  chooseRetained,
  defaultThreshold,
  fromNewestCompaction,
  summaryMessage,
  withLeadingUser,
} from './plan-compaction.js';
import { anchoredTokens, type ContextAnchor, type ContextPlan, planContext, shrinkContext } from './plan-context.js';
import { inputFilePaths } from './plan-input-file.js';
import { planLogprobs } from './plan-logprobs.js';
import type { ToolNameResolver } from './plan-tools.js';
import { flattenItemToolNames, planTools } from './plan-tools.js';

/** The model a turn goes to, as far as planning is concerned (no adapter: planning never calls one). */
export interface PlanModel {
  provider: string;
  upstreamModel: string;
  wire: ReplayTarget['wire'];
  info: ModelInfo;
}

/** Everything a turn is planned from; the service gathers it (history, policies, the thread's rhythm). */
export interface TurnPlanInput {
  projectId: string;
  body: CreateResponseBody;
  settings: ResponseSettings;
  model: PlanModel;
  /** The stored history from the previous turn's start on (see plan-context.ts), oldest first. */
  history: HistoryEntry[];
  input: Item[];
  reasoningPolicy: ReasoningPolicy;
  cacheMode: CacheMode;
  /** The conversation, or the first response of the chain: the cache key and explicit caches belong to it. */
  cacheThread: string;
  /** Whether a later turn continues this thread (stored, or in a conversation): explicit caches only pay off then. */
  continues: boolean;
  /** Gaps between the thread's recent requests (see caching/thread-cache.ts). */
  gapsMs: number[];
  /** Recent gaps of the project's other threads (GapHistory): the prior of a thread with few gaps of its own. */
  projectGapsMs?: number[];
  /** The share of the project's new threads that came back (GapHistory); null while unknown. */
  continuation?: number | null;
  /** What the model's implicit prompt cache has been reading of repeated prompts (ImplicitCacheStats); null while unknown. */
  implicitHitShare?: number | null;
  charsPerToken: number;
  anchor: ContextAnchor | null;
  /** Window of a model the catalog does not know (`DEFAULT_CONTEXT_WINDOW`). */
  defaultContextWindow: number;
  /** The input ended with a `compaction_trigger` item: compact now, whatever the size. */
  compactNow: boolean;
  /** The deployment's `UNSUPPORTED_TOOLS`, for a request that does not say (`unsupported_tools`). */
  unsupportedTools: UnsupportedToolsMode;
  /** Who writes our compaction summaries (`COMPACTION_MODEL`); the turn's own model when null. */
  summarizer: PlanModel | null;
  /**
   * The history before the newest compaction item, loaded only when that item is another
   * provider's opaque one: our own compaction then summarizes it (rendered from its own newest
   * readable compaction on).
   */
  beforeCompaction?: HistoryEntry[];
  /** Planned for `POST /v1/responses/input_tokens`: the prompt as it stands, never compacted, never refused for size. */
  countOnly?: boolean;
}

export interface TurnPlan {
  /** The request for the adapter (without its trace, which the caller adds). */
  request: Omit<ModelRequest, 'trace'>;
  context: ContextPlan;
  resolveToolName: ToolNameResolver;
  /** Settings changed to make the request legal for the model (thinking guards, reasoning replay). */
  warnings: string[];
  /** Types of the client's tools the upstream cannot run, left out because `unsupported_tools` is `drop`. */
  droppedTools: string[];
  /**
   * Our own compaction, when this turn compacts: the summarizing model and call, the items kept
   * verbatim after the summary, and whether the model answers after it (not for a `compaction_trigger`).
   */
  compaction: { model: PlanModel; request: Omit<ModelRequest, 'trace'>; retained: Item[]; answers: boolean } | null;
  /** The request once the summary is written: the summary, then the items kept. */
  afterSummary(request: ModelRequest, summary: string): ModelRequest;
  /**
   * The same request with the history cut further, after the provider said it does not fit
   * although our count said it would (truncation `auto` only); null when nothing is left to cut.
   */
  shrink(request: ModelRequest): { request: ModelRequest; context: ContextPlan } | null;
}

/** Room kept for the answer when neither the client nor the catalog sets an output limit. */
const DEFAULT_OUTPUT_RESERVE = 4_096;

/**
 * Plans one turn (pure): tools, thinking, which history fits the window, which reasoning goes
 * back, the prompt-cache settings. The adapter then only translates.
 */
export function planTurn(input: TurnPlanInput): TurnPlan {
  const { body, settings, model } = input;
  const tools = planTools({
    tools: body.tools,
    toolChoice: body.tool_choice,
    wire: model.wire,
    model: `${model.provider}/${model.upstreamModel}`,
    unsupported: body.unsupported_tools ?? input.unsupportedTools,
  });
  const reasoning = body.reasoning ? { effort: body.reasoning.effort ?? null, summary: settings.reasoning.summary } : null;
  const thinking = planThinking({
    reasoning,
    capabilities: model.info.thinking,
    maxOutputTokens: outputLimit(settings.max_output_tokens, model.info),
    modelMaxOutputTokens: model.info.maxOutputTokens,
    temperature: settings.temperature,
    topP: settings.top_p,
    toolChoice: tools.toolChoice,
  });
  const thinks = thinksFor(thinking.thinking, model.info.thinking.style);
  const textFormat = (body.text?.format ?? { type: 'text' }) as TextFormat;
  const modelName = `${model.provider}/${model.upstreamModel}`;

  const tokensOf = (item: Item) => estimateItemTokens(item, input.charsPerToken);
  const window = model.info.contextWindow ?? input.defaultContextWindow;
  const outputReserve = thinking.maxOutputTokens ?? Math.min(DEFAULT_OUTPUT_RESERVE, Math.floor(window / 8));
  const budget = Math.max(0, window - outputReserve);
  const fixedTokens = estimateTextTokens(
    (settings.instructions ?? '') +
      JSON.stringify(tools.tools) +
      (tools.nativeTools.length > 0 ? JSON.stringify(tools.nativeTools) : '') +
      (textFormat.type === 'text' ? '' : JSON.stringify(textFormat)),
    input.charsPerToken,
  );
  const truncation: TruncationMode = settings.truncation === 'auto' ? 'auto' : 'disabled';

  // Nothing before the newest compaction item is sent; what the item stands for is rendered for this model.
  const view = fromNewestCompaction(input.history, input.input, model.wire);
  const compaction = compactionSettings(body, input.compactNow, budget);
  const native = compaction && !view.unreadable && !input.countOnly ? nativeMode(model, compaction) : null;
  const viewEstimate = fixedTokens + [...view.history.map((entry) => entry.item), ...view.input].reduce((sum, item) => sum + tokensOf(item), 0);
  const viewTokens = anchoredTokens(viewEstimate, view.history[0]?.seq ?? null, input.anchor, modelName);
  // Our own compaction: asked for and over the threshold (or asked for now), or the only way to carry on another provider's.
  const compactsHere =
    !input.countOnly &&
    (view.unreadable !== null ||
      (compaction !== null && native === null && (compaction.now || viewTokens > (compaction.threshold ?? defaultThreshold(budget)))));

  const replayTarget = { wire: model.wire, style: model.info.thinking.style, thinking: thinks };
  const replay = (items: Item[]) => planReasoningReplay(flattenItemToolNames(items), input.reasoningPolicy, replayTarget);
  const contextInput = { fixedTokens, window, outputReserve, anchor: input.anchor, model: modelName, tokensOf };

  let context: ContextPlan;
  let server: TurnPlan['compaction'] = null;
  const split = compactsHere ? splitForCompaction(view, input.beforeCompaction ?? [], compaction, budget, tokensOf) : null;
  // Nothing older than what is kept verbatim: a summary of nothing would only cost a call.
  if (split && (split.now || split.toSummarize.length > 0)) {
    // What the request after the summary carries besides it, for the record (the summary itself is not written yet).
    context = planContext({ ...contextInput, history: split.keptHistory, input: split.keptInput, truncation: 'auto' });
    context.record.compaction = {
      mode: 'server',
      threshold: compaction?.threshold ?? null,
      summarized_items: split.toSummarize.length,
      retained_items: split.retained.length,
    };
    server = {
      model: input.summarizer ?? model,
      request: summaryRequest(input.summarizer ?? model, split.toSummarize, tools.tools, input.charsPerToken, input.defaultContextWindow),
      retained: split.retained,
      answers: !split.now,
    };
  } else {
    // A count never fails for size: it says how large the prompt is, whatever the truncation.
    const counting = input.countOnly && truncation === 'disabled' ? { window: Number.MAX_SAFE_INTEGER } : {};
    context = planContext({ ...contextInput, ...counting, history: view.history, input: view.input, truncation });
    if (native) context.record.compaction = { mode: native, threshold: compaction!.threshold, summarized_items: null, retained_items: null };
  }
  const replayed = replay(context.items);
  const newestCompaction = input.history.findLast((entry) => entry.item.type === 'compaction');
  context.record.floor_seq = newestCompaction?.seq ?? input.anchor?.floorSeq ?? null;

  const structured = planStructuredOutput(textFormat, model);
  const request: Omit<ModelRequest, 'trace'> = {
    model: model.upstreamModel,
    instructions: structured.structuredOutput === 'instruction' ? withFormatInstruction(settings.instructions, textFormat) : settings.instructions,
    items: withLeadingUser(replayed.items, model.wire),
    tools: tools.tools,
    ...(tools.nativeTools.length > 0 ? { nativeTools: tools.nativeTools } : {}),
    ...(tools.webSearch ? { webSearch: tools.webSearch } : {}),
    toolChoice: thinking.toolChoice,
    parallelToolCalls: body.parallel_tool_calls ?? null,
    ...(body.max_tool_calls != null && model.wire === 'openai-responses' ? { maxToolCalls: body.max_tool_calls } : {}),
    maxOutputTokens: thinking.maxOutputTokens,
    temperature: thinking.temperature,
    topP: thinking.topP,
    textFormat,
    ...structured,
    logprobs: planLogprobs(body, model.wire),
    reasoning,
    thinking: replayed.suspendThinking ? { kind: 'default' } : thinking.thinking,
    includeThoughts: thinking.includeThoughts,
    backfillReasoningContent: thinks && model.info.thinking.style === 'deepseek',
    ...planCacheSettings(input, settings),
    safetyIdentifier: settings.safety_identifier,
    serviceTier: body.service_tier ?? null,
    verbosity: body.text?.verbosity ?? null,
    inputFiles: { pdf: model.info.capabilities.pdfInput, paths: inputFilePaths(body.input, input.input) },
    ...(native ? { nativeCompaction: { threshold: compaction!.threshold, now: compaction!.now } } : {}),
  };

  return {
    request,
    context,
    compaction: server,
    afterSummary: (current, summary) => {
      const retained = server?.retained ?? [];
      const again = replay([summaryMessage('msg_summary', summary), ...retained]);
      return { ...current, items: withLeadingUser(again.items, model.wire), thinking: again.suspendThinking ? { kind: 'default' } : thinking.thinking };
    },
    resolveToolName: tools.resolveToolName,
    droppedTools: tools.dropped,
    warnings: [...thinking.warnings, ...replayed.warnings],
    shrink: (current) => {
      if (context.record.truncation !== 'auto' || server) return null;
      const shrunk = shrinkContext(context, tokensOf);
      if (!shrunk) return null;
      const again = replay(shrunk.items);
      return {
        request: { ...current, items: withLeadingUser(again.items, model.wire), thinking: again.suspendThinking ? { kind: 'default' } : thinking.thinking },
        context: shrunk,
      };
    },
  };
}

/**
 * What our compaction summarizes and what it keeps verbatim (pure). The kept share is of the
 * threshold, not of the window, or the next turns would cross it again at once. A
 * `compaction_trigger` compacts everything it is given (a store: false client sends its whole
 * history as input) and keeps nothing.
 */
function splitForCompaction(
  view: { history: HistoryEntry[]; input: Item[] },
  before: HistoryEntry[],
  compaction: { threshold: number | null; now: boolean } | null,
  budget: number,
  tokensOf: (item: Item) => number,
) {
  const now = compaction?.now === true;
  if (now) {
    const inputSeq = (view.history.at(-1)?.seq ?? -1) + 1;
    return {
      now,
      toSummarize: [...before, ...view.history, ...view.input.map((item) => ({ seq: inputSeq, item }))],
      retained: [] as Item[],
      keptHistory: [] as HistoryEntry[],
      keptInput: [] as Item[],
    };
  }
  const threshold = compaction?.threshold ?? defaultThreshold(budget);
  const from = chooseRetained(view.history, view.input, tokensOf, Math.min(budget, threshold));
  const keptHistory = view.history.slice(from);
  return {
    now,
    toSummarize: [...before, ...view.history.slice(0, from)],
    retained: [...keptHistory.map((entry) => entry.item), ...view.input],
    keptHistory,
    keptInput: view.input,
  };
}

/** The summary we keep from a compaction call: this much room for it, whatever the model could write. */
const SUMMARY_MAX_TOKENS = 4_096;

/**
 * The compaction call (pure): the conversation to summarize, cut to fit the summarizing model's
 * window if it must be, then our instructions. Tools are declared (a history with tool calls needs
 * them on some wires) but not callable; reasoning is not replayed; nothing is cached.
 */
function summaryRequest(
  model: PlanModel,
  history: HistoryEntry[],
  tools: ModelRequest['tools'],
  charsPerToken: number,
  defaultWindow: number,
): Omit<ModelRequest, 'trace'> {
  const maxOutputTokens = Math.min(SUMMARY_MAX_TOKENS, model.info.maxOutputTokens ?? SUMMARY_MAX_TOKENS);
  const ask: Item = { type: 'message', id: 'msg_compact', role: 'user', status: 'completed', content: [{ type: 'input_text', text: COMPACTION_REQUEST }] };
  const fitted = planContext({
    history,
    input: [ask],
    fixedTokens: estimateTextTokens(COMPACTION_INSTRUCTIONS + JSON.stringify(tools), charsPerToken),
    window: model.info.contextWindow ?? defaultWindow,
    outputReserve: maxOutputTokens,
    truncation: 'auto',
    anchor: null,
    model: `${model.provider}/${model.upstreamModel}`,
    tokensOf: (item) => estimateItemTokens(item, charsPerToken),
  });
  const replayed = planReasoningReplay(flattenItemToolNames(fitted.items), 'clear', { wire: model.wire, style: model.info.thinking.style, thinking: false });
  return {
    model: model.upstreamModel,
    instructions: COMPACTION_INSTRUCTIONS,
    items: withLeadingUser(replayed.items, model.wire),
    tools,
    toolChoice: tools.length > 0 ? 'none' : 'auto',
    parallelToolCalls: null,
    maxOutputTokens,
    temperature: null,
    topP: null,
    textFormat: { type: 'text' },
    structuredOutput: 'native',
    checkOutput: false,
    reasoning: null,
    thinking: { kind: 'default' },
    includeThoughts: false,
    backfillReasoningContent: false,
    promptCacheKey: null,
    promptCacheRetention: null,
    promptCacheOptions: null,
    safetyIdentifier: null,
    serviceTier: null,
    verbosity: null,
    inputFiles: { pdf: model.info.capabilities.pdfInput, paths: {} },
  };
}

/** `context_management` (or a `compaction_trigger` input item): the threshold asked for, and whether to compact now. */
function compactionSettings(body: CreateResponseBody, now: boolean, budget: number): { threshold: number | null; now: boolean } | null {
  const entry = body.context_management?.find((candidate) => candidate.type === 'compaction');
  if (!entry && !now) return null;
  const threshold = entry?.compact_threshold ?? null;
  return { threshold: threshold === null ? null : Math.min(threshold, budget), now };
}

/** The provider compacts itself where it can: OpenAI on its Responses wire, Anthropic for thresholds it accepts. */
function nativeMode(model: PlanModel, { threshold, now }: { threshold: number | null; now: boolean }): 'openai' | 'anthropic' | null {
  if (model.info.compaction === 'openai' && model.wire === 'openai-responses') return 'openai';
  // Anthropic compacts only past its trigger: it has nothing like OpenAI's compaction_trigger.
  if (model.info.compaction === 'anthropic' && model.wire === 'anthropic' && !now && (threshold === null || threshold >= ANTHROPIC_MIN_TRIGGER))
    return 'anthropic';
  return null;
}

/**
 * The request's prompt-cache settings: the thread's rhythm gives the TTL choice its gaps; OpenAI
 * models get a per-thread `prompt_cache_key` (for a thread that continues) and 24h retention
 * unless the client set its own.
 */
function planCacheSettings(input: TurnPlanInput, settings: ResponseSettings) {
  const mode = input.cacheMode;
  const capabilities = input.model.info.cache;
  // A bare store: false turn is a thread no request continues: a key of its own would only route
  // it away from other requests that share its prefix (OpenAI routes by the key with the prefix).
  const derivedKey = mode !== 'off' && capabilities.promptCacheKey && input.continues ? promptCacheKeyFor(input.projectId, input.cacheThread) : null;
  const cache: CacheSettings = {
    mode,
    capabilities,
    gapsMs: input.gapsMs,
    ...(input.projectGapsMs && input.projectGapsMs.length > 0 ? { projectGapsMs: input.projectGapsMs } : {}),
    ...(input.implicitHitShare != null ? { implicitHitShare: input.implicitHitShare } : {}),
    ...(input.continuation != null ? { continuation: input.continuation } : {}),
    charsPerToken: input.charsPerToken,
    // A bare store: false turn has no thread to continue: an explicit cache would never be read again.
    ...(input.continues ? { thread: { projectId: input.projectId, id: input.cacheThread } } : {}),
    // A 30-minute minimum lifetime is a 1 h breakpoint where the provider has only 5 min and 1 h.
    ...(input.body.prompt_cache_options?.ttl === '30m' && input.body.prompt_cache_options.mode !== 'explicit' ? { minTtl: '1h' as const } : {}),
  };
  return {
    promptCacheKey: settings.prompt_cache_key ?? derivedKey,
    promptCacheRetention: settings.prompt_cache_retention ?? chooseRetention(mode, capabilities),
    promptCacheOptions: input.body.prompt_cache_options ?? null,
    cache,
  } satisfies Partial<ModelRequest>;
}

/**
 * Native structured output where the catalog says the model has it; else the schema goes in words.
 * The answer is checked wherever the provider may not hold to the whole schema: the instruction,
 * and Anthropic and Gemini, whose decoders take a subset of JSON Schema. OpenAI's wires are left
 * as OpenAI leaves them (a `strict: false` schema is a hint there too).
 */
function planStructuredOutput(format: TextFormat, model: PlanModel): Pick<ModelRequest, 'structuredOutput' | 'checkOutput'> {
  const structuredOutput = model.info.capabilities.jsonSchema ? 'native' : 'instruction';
  const checkOutput = format.type !== 'text' && (structuredOutput === 'instruction' || model.wire === 'anthropic' || model.wire === 'gemini');
  return { structuredOutput, checkOutput };
}

/** The instructions followed by the format in words, for a model without structured outputs. */
function withFormatInstruction(instructions: string | null, format: TextFormat): string | null {
  const instruction = formatInstruction(format);
  if (instruction === null) return instructions;
  return instructions ? `${instructions}\n\n${instruction}` : instruction;
}

/**
 * The limit the upstream gets: the client's, else the catalog default for providers that require
 * one (Anthropic), clamped to what the model can produce rather than failing upstream.
 */
function outputLimit(requested: number | null, model: ModelInfo): number | null {
  const limit = requested ?? model.defaultMaxOutputTokens;
  return limit !== null && model.maxOutputTokens !== null ? Math.min(limit, model.maxOutputTokens) : limit;
}

/** Whether the model thinks on this request: asked to, or by its own default (Gemini, DeepSeek). */
function thinksFor(plan: ThinkingPlan, style: ThinkingCapabilities['style']): boolean {
  if (plan.kind === 'off') return false;
  return plan.kind !== 'default' || style === 'gemini-budget' || style === 'gemini-level' || style === 'deepseek';
}
