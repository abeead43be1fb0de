import type { CacheMode } from '../caching/cache-types.js';
import type { CacheSettings } from '../caching/plan-cache.js';
import { chooseRetention, promptCacheKeyFor } from '../caching/thread-cache.js';
import type { ModelInfo, ThinkingCapabilities } from '../config/model-catalog.js';
import type { Item } from '../items/item.schemas.js';
import type { ModelRequest, TextFormat } from '../providers/model-adapter.js';
import { type ReasoningPolicy, type ReplayTarget, planReasoningReplay } from '../reasoning/plan-reasoning-replay.js';
import { planThinking, type ThinkingPlan } from '../reasoning/plan-thinking.js';
import type { ResponseSettings } from '../responses/response-object.js';
import type { CreateResponseBody } from '../responses/responses.schemas.js';
import { flattenItemToolNames, planTools } from '../turns/flatten-tools.js';
import type { ToolNameResolver } from '../turns/to-response-events.js';
import { estimateItemTokens, estimateTextTokens } from './estimate-tokens.js';
import { type ContextAnchor, type ContextPlan, type HistoryEntry, planContext, shrinkContext, type TruncationMode } from './plan-context.js';

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
  charsPerToken: number;
  anchor: ContextAnchor | null;
  /** Window of a model the catalog does not know (`DEFAULT_CONTEXT_WINDOW`). */
  defaultContextWindow: number;
}

export interface TurnPlan {
  /** The request for the adapter (without its trace, which the caller adds). */
  request: Omit<ModelRequest, 'trace'>;
  context: ContextPlan;
  resolveToolName: ToolNameResolver;
  /** Settings changed to make the request legal for the model (thinking guards, reasoning replay). */
  warnings: string[];
  /**
   * The same request with the history cut further, after the provider said it does not fit
   * although our count said it would (truncation `auto` only); null when nothing is left to cut.
   */
  shrink(request: ModelRequest): { request: ModelRequest; context: ContextPlan } | null;
}

/** Room kept for the answer when neither the client nor the catalog sets an output limit. */
export const DEFAULT_OUTPUT_RESERVE = 4_096;

/**
 * Plans one turn (pure): tools, thinking, which history fits the window, which reasoning goes
 * back, the prompt-cache settings. The adapter then only translates.
 */
export function planTurn(input: TurnPlanInput): TurnPlan {
  const { body, settings, model } = input;
  const tools = planTools(body.tools, body.tool_choice);
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
  const context = planContext({
    history: input.history,
    input: input.input,
    fixedTokens: estimateTextTokens((settings.instructions ?? '') + JSON.stringify(tools.tools) + (textFormat.type === 'text' ? '' : JSON.stringify(textFormat)), input.charsPerToken),
    window,
    outputReserve: thinking.maxOutputTokens ?? Math.min(DEFAULT_OUTPUT_RESERVE, Math.floor(window / 8)),
    truncation: (settings.truncation === 'auto' ? 'auto' : 'disabled') satisfies TruncationMode,
    anchor: input.anchor,
    model: modelName,
    tokensOf,
  });

  const replayTarget = { wire: model.wire, style: model.info.thinking.style, thinking: thinks };
  const replay = (items: Item[]) => planReasoningReplay(flattenItemToolNames(items), input.reasoningPolicy, replayTarget);
  const replayed = replay(context.items);

  const request: Omit<ModelRequest, 'trace'> = {
    model: model.upstreamModel,
    instructions: settings.instructions,
    items: replayed.items,
    tools: tools.tools,
    toolChoice: thinking.toolChoice,
    parallelToolCalls: body.parallel_tool_calls ?? null,
    maxOutputTokens: thinking.maxOutputTokens,
    temperature: thinking.temperature,
    topP: thinking.topP,
    textFormat,
    reasoning,
    thinking: replayed.suspendThinking ? { kind: 'default' } : thinking.thinking,
    includeThoughts: thinking.includeThoughts,
    backfillReasoningContent: thinks && model.info.thinking.style === 'deepseek',
    ...planCacheSettings(input, settings),
    safetyIdentifier: settings.safety_identifier,
  };

  return {
    request,
    context,
    resolveToolName: tools.resolveToolName,
    warnings: [...thinking.warnings, ...replayed.warnings],
    shrink: (current) => {
      if (context.record.truncation !== 'auto') return null;
      const shrunk = shrinkContext(context, tokensOf);
      if (!shrunk) return null;
      const again = replay(shrunk.items);
      return {
        request: { ...current, items: again.items, thinking: again.suspendThinking ? { kind: 'default' } : thinking.thinking },
        context: shrunk,
      };
    },
  };
}

/**
 * The request's prompt-cache settings: the thread's rhythm gives the TTL choice its gaps; OpenAI
 * models get a per-thread `prompt_cache_key` and 24h retention unless the client set its own.
 */
function planCacheSettings(input: TurnPlanInput, settings: ResponseSettings) {
  const mode = input.cacheMode;
  const capabilities = input.model.info.cache;
  const derivedKey = mode !== 'off' && capabilities.promptCacheKey ? promptCacheKeyFor(input.projectId, input.cacheThread) : null;
  const cache: CacheSettings = {
    mode,
    capabilities,
    gapsMs: input.gapsMs,
    charsPerToken: input.charsPerToken,
    // A bare store: false turn has no thread to continue: an explicit cache would never be read again.
    ...(input.continues ? { thread: { projectId: input.projectId, id: input.cacheThread } } : {}),
  };
  return {
    promptCacheKey: settings.prompt_cache_key ?? derivedKey,
    promptCacheRetention: settings.prompt_cache_retention ?? chooseRetention(mode, capabilities),
    promptCacheOptions: input.body.prompt_cache_options ?? null,
    cache,
  } satisfies Partial<ModelRequest>;
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
