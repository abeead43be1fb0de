import { Inject, Injectable, Logger } from '@nestjs/common';
import { GapHistory } from '../caching/gap-history.js';
import { ImplicitCacheStats } from '../caching/implicit-cache-stats.js';
import { usesThreadRhythm } from '../caching/plan-cache.js';
import { gapsBetween } from '../caching/thread-cache.js';
import { TokenCalibration } from '../caching/token-calibration.js';
import { ApiError } from '../common/api-error.js';
import { quoteForLog } from '../common/log-text.js';
import { newUpstreamTrace } from '../common/upstream-trace.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { conversationIdOf } from '../conversations/conversations.schemas.js';
import { checkDuplicateIds } from '../history/check-duplicate-ids.js';
import { ReasoningEnvelope } from '../history/reasoning-envelope.js';
import { type ThreadPosition, ThreadStore } from '../history/thread-store.js';
import { toCanonicalInput } from '../history/to-canonical-input.js';
import { type HistoryEntry, type Item, readableCompaction } from '../items/item.schemas.js';
import type { CacheMode, ReasoningPolicy } from '../items/policies.js';
import { type ResponseSettings, toResponseSettings } from '../items/response-object.js';
import type { CreateResponseBody } from '../items/responses.schemas.js';
import type { ModelRequest } from '../planning/model-request.js';
import { fromNewestCompaction, readsNatively } from '../planning/plan-compaction.js';
import type { ContextAnchor, ContextPlan } from '../planning/plan-context.js';
import { appliedTopLogprobs } from '../planning/plan-logprobs.js';
import { appliedCacheSettings, appliedServiceSettings } from '../planning/plan-service-settings.js';
import type { ToolNameResolver } from '../planning/plan-tools.js';
import { planTurn, type TurnPlan } from '../planning/plan-turn.js';
import { ProviderRegistry, type ResolvedModel } from '../providers/provider-registry.js';
import { checkToolOutputs } from '../turns/check-tool-outputs.js';
import { ResponsesRepository } from './responses.repository.js';

/** A validated request, turned into everything a turn needs. */
export interface PlannedTurn {
  model: ResolvedModel;
  settings: ResponseSettings;
  context: TurnContext;
  input: Item[];
  request: ModelRequest;
  plan: TurnPlan;
  /** What of the history goes out; a recovery that cuts further replaces it. */
  contextPlan: ContextPlan;
  resolveToolName: ToolNameResolver;
  /** Settings changed to make the request legal for the model (thinking guards). */
  warnings: string[];
  /** `include: ["reasoning.encrypted_content"]`: reasoning items carry their artifacts sealed. */
  includeEncryptedReasoning: boolean;
}

/**
 * Gathers what a turn is planned from (where its history comes from, the history itself from the
 * previous turn's start on, the canonical input, the thread's rhythm) and hands it to the pure
 * planner (planning/plan-turn.ts). Reads only; the service that runs the turn stores it.
 */
@Injectable()
export class TurnPreparation {
  private readonly logger = new Logger('Tools');

  constructor(
    private readonly repository: ResponsesRepository,
    private readonly threads: ThreadStore,
    private readonly providers: ProviderRegistry,
    private readonly calibration: TokenCalibration,
    private readonly gapHistory: GapHistory,
    private readonly implicitCache: ImplicitCacheStats,
    private readonly envelope: ReasoningEnvelope,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Gathers what the turn is planned from (history, input, the thread's rhythm), then plans it (planning/plan-turn.ts). */
  async plan(projectId: string, body: CreateResponseBody, responseId: string, options: { countOnly?: boolean } = {}): Promise<PlannedTurn> {
    const model = this.providers.resolve(body.model);
    // The echoed top_logprobs is what applied: 0 on a provider without log probabilities.
    const settings = toResponseSettings(body, { topLogprobs: appliedTopLogprobs(body, model.wire), ...appliedServiceSettings(body, model) });
    // Starts of the thread's recent requests are read only where the rhythm they give is used.
    const startsLimit = usesThreadRhythm(model.info.cache) ? RECENT_STARTS : 0;
    const context = await this.resolveContext(projectId, body, responseId, startsLimit);
    // Under truncation `auto` the previous turn's start holds: nothing before it is sent again, so
    // nothing before it is loaded. `disabled` sends the whole history, from its newest compaction on.
    const fromSeq = body.truncation === 'auto' ? (context.anchor?.startSeq ?? null) : (context.anchor?.floorSeq ?? null);
    const cacheMode: CacheMode = body.cache_policy ?? context.cachePolicy ?? this.config.cachePolicy;
    // A thread's first turn is its own cache thread (no conversation, no previous response): no
    // earlier request can have started on it, so there is nothing to read. This keeps a stateless
    // `store: false` turn off the database.
    const firstOfThread = context.cacheThread === responseId;
    // The reads that do not depend on each other go out together (each on its own connection);
    // a chain's and a conversation's came with their first read (context.loaded).
    const [history, input, starts] = await Promise.all([
      context.loaded?.history ?? (context.position ? this.threads.loadHistory(projectId, context.position, fromSeq) : []),
      toCanonicalInput(
        body.input,
        (itemId) => this.threads.findItem(projectId, itemId),
        'input',
        (text) => this.envelope.open(text),
      ),
      cacheMode === 'off' || firstOfThread || startsLimit === 0
        ? []
        : (context.loaded?.starts ?? this.repository.recentStarts(projectId, context.cacheThread, responseId, startsLimit)),
    ]);
    if (history.length === 0 && input.length === 0) throw ApiError.invalidRequest("Missing required parameter: 'input'.", 'input');
    checkDuplicateIds(input, new Set(history.map((entry) => entry.item.id)), 'input');
    checkToolOutputs(
      history.map((entry) => entry.item),
      input,
    );
    const gapsMs = gapsBetween(starts, new Date());
    // The project's other threads are the prior of this one; this gap joins them after it is read.
    const projectGapsMs = cacheMode === 'off' || startsLimit === 0 ? [] : this.gapHistory.recent(projectId);
    const continues = settings.store || context.conversationId !== null;
    // A stateless request (store: false, no conversation) starts no thread the server can see come back: it is not counted.
    const continuation = continues && cacheMode !== 'off' && startsLimit > 0 ? this.gapHistory.continuation(projectId) : null;
    if (options.countOnly !== true && cacheMode !== 'off' && startsLimit > 0) {
      if (gapsMs.length > 0) this.gapHistory.observe(projectId, gapsMs.at(-1)!);
      if (continues && gapsMs.length === 0) this.gapHistory.observeStart(projectId);
      if (gapsMs.length === 1) this.gapHistory.observeContinued(projectId);
    }
    const compactNow = compactionTriggered(body);
    const beforeCompaction = context.position ? await this.historyBeforeForeignCompaction(projectId, context.position, history, model.wire) : undefined;
    const plan = planTurn({
      projectId,
      body,
      settings,
      model,
      history,
      input,
      reasoningPolicy: body.reasoning_policy ?? context.reasoningPolicy ?? this.config.reasoningPolicy,
      cacheMode,
      cacheThread: context.cacheThread,
      continues,
      gapsMs,
      projectGapsMs,
      continuation,
      charsPerToken: this.calibration.charsPerToken(`${model.provider}/${model.upstreamModel}`),
      implicitHitShare: this.implicitCache.share(`${model.provider}/${model.upstreamModel}`),
      anchor: context.anchor,
      defaultContextWindow: this.config.defaultContextWindow,
      compactNow,
      unsupportedTools: this.config.unsupportedTools,
      summarizer: this.config.compactionModel ? this.providers.resolve(this.config.compactionModel) : null,
      countOnly: options.countOnly === true,
      ...(beforeCompaction ? { beforeCompaction } : {}),
    });
    if (plan.droppedTools.length > 0) {
      // Tool types and the model name are the client's strings: quoted and cut, and at most a few of them.
      const dropped = plan.droppedTools.slice(0, 5).map((type) => quoteForLog(type));
      this.logger.warn(
        `left out tools ${quoteForLog(`${model.provider}/${model.upstreamModel}`)} cannot run: ${dropped.join(', ')}${plan.droppedTools.length > 5 ? ', …' : ''}`,
      );
    }
    return {
      model,
      settings: { ...settings, ...appliedCacheSettings(body, model, plan.request) },
      context,
      input,
      // A foreground client that does not stream waits for the whole answer; so can the upstream call.
      request: { ...plan.request, trace: newUpstreamTrace(), ...(body.stream !== true && body.background !== true ? { stream: false } : {}) },
      plan,
      contextPlan: plan.context,
      resolveToolName: plan.resolveToolName,
      warnings: plan.warnings,
      includeEncryptedReasoning: body.include?.includes('reasoning.encrypted_content') === true,
    };
  }

  /**
   * When the newest compaction of the history is another provider's opaque one (OpenAI compacted,
   * and now another model continues), what it stood for is loaded once, so that our own compaction
   * can summarize it for the new model. Otherwise nothing is read.
   */
  private async historyBeforeForeignCompaction(
    projectId: string,
    position: ThreadPosition,
    history: HistoryEntry[],
    wire: ResolvedModel['wire'],
  ): Promise<HistoryEntry[] | undefined> {
    const newest = history.findLast((entry) => entry.item.type === 'compaction');
    if (newest?.item.type !== 'compaction' || readsNatively(newest.item, wire) || readableCompaction(newest.item)) return undefined;
    const earlier = await this.threads.loadHistory(projectId, { threadId: position.threadId, endSeq: newest.seq }, null);
    return fromNewestCompaction(earlier, [], wire).history;
  }

  /**
   * Where the history comes from: a previous response's chain, a conversation, or nothing. The
   * cache thread is the conversation, else the chain's first response (this one, for a first turn).
   */
  private async resolveContext(projectId: string, body: CreateResponseBody, responseId: string, startsLimit: number): Promise<TurnContext> {
    if (body.conversation != null) {
      const conversationId = conversationIdOf(body.conversation);
      const found = await this.repository.findConversationTurn(projectId, conversationId, {
        truncationAuto: body.truncation === 'auto',
        startsLimit,
        exceptId: responseId,
      });
      if (!found) throw ApiError.notFound('Conversation', conversationId, 'conversation');
      const { position, loaded } = found;
      const policies = { cachePolicy: found.cachePolicy as CacheMode | null, reasoningPolicy: found.reasoningPolicy as ReasoningPolicy | null };
      // Several failed turns in a row: the anchor is further back, and the history is read from it.
      if (!loaded)
        return {
          conversationId,
          position,
          cacheThread: conversationId,
          ...policies,
          anchor: await this.repository.latestContextAnchor(projectId, conversationId),
        };
      return {
        conversationId,
        position,
        cacheThread: conversationId,
        ...policies,
        anchor: loaded.anchor,
        loaded: { history: loaded.history, starts: loaded.starts },
      };
    }
    const none = { cachePolicy: null, reasoningPolicy: null, anchor: null };
    if (!body.previous_response_id) return { conversationId: null, position: null, cacheThread: responseId, ...none };
    const id = body.previous_response_id;
    const found = await this.repository.findPreviousTurn(projectId, id, { truncationAuto: body.truncation === 'auto', startsLimit, exceptId: responseId });
    if (!found) {
      throw ApiError.invalidRequest(`Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found');
    }
    const { previous, history, starts } = found;
    if (!previous.position || !history) {
      throw ApiError.invalidRequest(`Previous response with id '${id}' is still in progress.`, 'previous_response_id', 'previous_response_in_progress');
    }
    return {
      conversationId: null,
      position: previous.position,
      behindTip: previous.behindTip,
      cacheThread: previous.cacheThread ?? previous.id,
      ...none,
      anchor: previous.contextAnchor,
      loaded: { history, starts },
    };
  }
}

export interface TurnContext {
  conversationId: string | null;
  /** The history the turn was planned on; null for a first turn. */
  position: ThreadPosition | null;
  /** For a chain: later items already follow `position` in its thread, so this turn forks. */
  behindTip?: boolean;
  /** Read with the previous response (a chain): the history from the anchor on, and the recent starts. */
  loaded?: { history: HistoryEntry[]; starts: Date[] };
  /** The conversation, or the first response of the chain: whose rhythm and cache key this turn shares. */
  cacheThread: string;
  /** The conversation's own cache and reasoning policies, if it set them. */
  cachePolicy: CacheMode | null;
  reasoningPolicy: ReasoningPolicy | null;
  /** What the thread's previous turn sent and the provider counted: where this turn's history starts. */
  anchor: ContextAnchor | null;
}

/** Request starts of a thread that inform the TTL choice: enough to see its rhythm, few enough to follow a change. */
const RECENT_STARTS = 20;

/** A `compaction_trigger` input item asks to compact now; it must be the last item (OpenAI's rule). */
function compactionTriggered(body: CreateResponseBody): boolean {
  if (!Array.isArray(body.input)) return false;
  const index = body.input.findIndex((item) => item.type === 'compaction_trigger');
  if (index < 0) return false;
  if (index !== body.input.length - 1) throw ApiError.invalidRequest('compaction_trigger must be the final input item.', `input[${index}]`);
  return true;
}
