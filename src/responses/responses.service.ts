import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import { toCachePlanRecord } from '../caching/cache-plan-record.js';
import { ImplicitCacheStats } from '../caching/implicit-cache-stats.js';
import { TokenCalibration } from '../caching/token-calibration.js';
import { ApiError } from '../common/api-error.js';
import { isContextOverflow } from '../common/context-overflow.js';
import { newId } from '../common/ids.js';
import { type ListPage, type ListQuery, toListPage } from '../common/pagination.js';
import { parseOrThrow } from '../common/validation.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { computeCacheSavings, computeCost, explicitCacheCost, type Pricing } from '../config/model-catalog.js';
import { ReasoningEnvelope } from '../history/reasoning-envelope.js';
import type { AppendTarget } from '../history/thread-store.js';
import { type ProviderData, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import { type PublicResponse, type ResponseRecord, toPublicResponse } from '../items/response-object.js';
import { type CreateResponseBody, compactResponseSchema, createResponseSchema } from '../items/responses.schemas.js';
import { sumUsage, toPublicUsage, type Usage } from '../items/usage.js';
import type { Principal } from '../limits/limits.js';
import { Limits } from '../limits/limits.service.js';
import type { ModelRequest } from '../planning/model-request.js';
import { servedTierChange } from '../planning/plan-service-settings.js';
import { ProviderRegistry } from '../providers/provider-registry.js';
import { recoverFromReasoningError } from '../reasoning/recover-reasoning-error.js';
import { BackgroundRunner, type QueuedStart } from '../runs/background-runner.js';
import { EventLog } from '../runs/event-log.js';
import { RunLiveness } from '../runs/run-liveness.js';
import { type Turn, type TurnOutcome, TurnRun } from '../turns/turn-runner.js';
import { checkRequestLimits } from './request-limits.js';
import { type StoredResponse } from './response-rows.js';
import { ResponsesRepository, type TurnResult } from './responses.repository.js';
import { toStoredRequest } from './stored-request.js';
import { type PlannedTurn, type TurnContext, TurnPreparation } from './turn-preparation.js';

export interface PreparedResponse {
  /** The turn to run now; null for `background: true`, which the queue runs. */
  run: TurnRun<PublicResponse> | null;
  stream: boolean;
  /** Set for `background: true`: the queued Response to answer with. */
  queued: PublicResponse | null;
  /** What the server changed to make the request legal for the model; sent as the `x-warnings` header. */
  warnings: string[];
  /** The `x-ratelimit-*-tokens` headers of the project's and key's token limits. */
  headers: Record<string, string>;
}

/** The use cases of /v1/responses: create (every create runs as a stream), retrieve, delete, list input. */
@Injectable()
export class ResponsesService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ResponsesService');
  /** Usage records of `store: false` turns waiting for their batch, and batches being written (see recordUsage). */
  private readonly pendingUsage: Array<{ projectId: string; record: ResponseRecord; result: TurnResult }> = [];
  private usageTimer: NodeJS.Timeout | null = null;
  private readonly usageWrites = new Set<Promise<void>>();

  constructor(
    private readonly repository: ResponsesRepository,
    private readonly providers: ProviderRegistry,
    private readonly preparation: TurnPreparation,
    private readonly runner: BackgroundRunner,
    private readonly events: EventLog,
    private readonly liveness: RunLiveness,
    private readonly calibration: TokenCalibration,
    private readonly implicitCache: ImplicitCacheStats,
    private readonly envelope: ReasoningEnvelope,
    private readonly limits: Limits,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Validates and plans the turn and records the response. A foreground turn is returned for the
   * caller's sink; a background one is queued (planned again by the worker when it starts, so it
   * sees the conversation as it is then, on whichever instance runs it).
   *
   * `principal` (the key that asked) is charged: the call must fit its rate limits, concurrent runs
   * and budget, and its tokens and cost count against them. Without one (an administrator's retry)
   * nothing is checked or charged.
   */
  async create(projectId: string, rawBody: unknown, principal: Principal | null = null, options: { responseId?: string } = {}): Promise<PreparedResponse> {
    const body = parseOrThrow(createResponseSchema, rawBody ?? {});
    rejectUnsupported(body);
    checkRequestLimits(body, principal?.requests ?? this.config.requestLimits);
    // A caller that must find the response again after a crash (a batch line) chooses its id.
    const id = options.responseId ?? newId('resp');
    const planned = await this.preparation.plan(projectId, body, id);
    // Input the provider cannot take is refused now, before the response and its input are stored.
    planned.model.adapter.check?.(planned.request);
    // Last of the checks, since it holds a place among the concurrent runs until the run settles.
    const admitted = principal ? await this.limits.admitModelCall(principal, id) : null;
    const headers = admitted?.headers ?? {};
    const background = body.background === true;
    const record: ResponseRecord = {
      id,
      status: background ? 'queued' : 'in_progress',
      model: body.model,
      previousResponseId: body.previous_response_id ?? null,
      conversationId: planned.context.conversationId,
      settings: planned.settings,
      metadata: body.metadata ?? {},
      usage: null,
      error: null,
      incompleteDetails: null,
      background,
      createdAt: new Date(),
      completedAt: null,
    };
    const stored = planned.settings.store
      ? this.repository.create(projectId, record, toStoredRequest(rawBody, background), planned.context.cacheThread, principal?.keyId ?? null)
      : Promise.resolve();
    if (background) {
      try {
        await stored;
      } catch (error) {
        if (principal) await this.limits.release(principal, id);
        throw error;
      }
      await this.runner.enqueue(record.id);
      return { run: null, stream: body.stream === true, queued: toPublicResponse(record, []), warnings: planned.warnings, headers };
    }
    if (planned.settings.store) this.liveness.register(record.id);
    // The in-progress row is written while the model works; the commit waits for it. Its failure
    // is the commit's (the turn fails as not stored), never an unhandled rejection meanwhile.
    stored.catch(() => undefined);
    return {
      run: new TurnRun(this.toTurn(projectId, record, planned, principal, stored)),
      stream: body.stream === true,
      queued: null,
      warnings: planned.warnings,
      headers,
    };
  }

  /**
   * `POST /v1/responses/input_tokens`: the input tokens a create with the same body would send,
   * planned the same way (history from `previous_response_id` or `conversation`, instructions,
   * tools, truncation, the newest compaction) and counted by the provider's own counter where it
   * has one, a tokenizer or our calibrated estimate otherwise. Nothing is stored, nothing compacts.
   */
  async countInputTokens(
    projectId: string,
    rawBody: unknown,
    signal: AbortSignal,
    principal: Principal | null = null,
  ): Promise<{ count: { object: 'response.input_tokens'; input_tokens: number }; source: string }> {
    const body = parseOrThrow(createResponseSchema, rawBody ?? {});
    rejectUnsupported(body);
    checkRequestLimits(body, principal?.requests ?? this.config.requestLimits);
    const planned = await this.preparation.plan(projectId, body, newId('resp'), { countOnly: true });
    const counted = planned.model.adapter.countInputTokens
      ? await planned.model.adapter.countInputTokens(planned.request, signal)
      : { inputTokens: planned.contextPlan.record.expected_tokens, source: 'estimate' };
    return { count: { object: 'response.input_tokens', input_tokens: counted.inputTokens }, source: counted.source };
  }

  /**
   * `POST /v1/responses/compact`: compacts the context given (`input`, and the chain of
   * `previous_response_id`) as a create ending in `compaction_trigger` would, storing nothing. Its
   * compaction item goes into a later create's input, where it stands for everything before it.
   */
  async compact(projectId: string, rawBody: unknown, principal: Principal | null = null): Promise<{ run: TurnRun<PublicResponse>; id: string }> {
    const body = parseOrThrow(compactResponseSchema, rawBody ?? {});
    const input = typeof body.input === 'string' ? [{ role: 'user' as const, content: body.input }] : (body.input ?? []);
    const prepared = await this.create(
      projectId,
      {
        model: body.model,
        input: [...input, { type: 'compaction_trigger' }],
        previous_response_id: body.previous_response_id ?? null,
        instructions: body.instructions ?? null,
        prompt_cache_key: body.prompt_cache_key ?? null,
        prompt_cache_retention: body.prompt_cache_retention ?? null,
        store: false,
      },
      principal,
    );
    if (!prepared.run) throw new Error('a compaction runs in the foreground');
    return { run: prepared.run, id: newId('resp') };
  }

  /**
   * The worker's side of a queued response: claims it (once, across all workers), plans it from
   * the stored request and hands back the run. A request that no longer plans (its previous
   * response or a referenced item was deleted meanwhile) is stored as failed.
   */
  async startQueued(responseId: string): Promise<QueuedStart> {
    const queued = await this.repository.claimQueued(responseId);
    if (!queued) return null;
    this.liveness.register(responseId);
    const { record } = queued;
    // The key that queued it is charged for what it uses (its place among the concurrent runs was taken then).
    const principal = queued.apiKeyId ? await this.auth.principalForKeyId(queued.apiKeyId).catch(() => null) : null;
    try {
      const body = parseOrThrow(createResponseSchema, queued.request);
      const planned = await this.preparation.plan(queued.projectId, body, responseId);
      return { run: new TurnRun(this.toTurn(queued.projectId, record, planned, principal)) };
    } catch (error) {
      this.liveness.unregister(responseId);
      const message = error instanceof ApiError ? error.message : 'The server had an error while processing your request.';
      if (!(error instanceof ApiError))
        this.logger.error(`planning queued response ${responseId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await this.repository.markFailed(responseId, { code: error instanceof ApiError ? 'invalid_prompt' : 'server_error', message });
      if (principal) await this.limits.release(principal, responseId);
      await this.endWithoutRun(queued.projectId, responseId);
      return 'ended';
    }
  }

  private toTurn(
    projectId: string,
    record: ResponseRecord,
    planned: PlannedTurn,
    principal: Principal | null,
    stored: Promise<void> = Promise.resolve(),
  ): Turn<PublicResponse> {
    const compaction = planned.plan.compaction;
    return {
      ...(compaction
        ? {
            compaction: {
              adapter:
                compaction.model === planned.model
                  ? planned.model.adapter
                  : this.providers.resolve(`${compaction.model.provider}/${compaction.model.upstreamModel}`).adapter,
              request: { ...compaction.request, trace: planned.request.trace! },
              complete: (summary: string) => ({
                providerData: { compaction: { summary, retained: compaction.retained } },
                request: compaction.answers ? planned.plan.afterSummary(planned.request, summary) : null,
              }),
            },
          }
        : {}),
      seal: (data: ProviderData) => this.envelope.seal(data),
      adapter: planned.model.adapter,
      request: planned.request,
      resolveToolName: planned.resolveToolName,
      renderInProgress: (output) => toPublicResponse(record, output.map(toPublicItem)),
      ...(record.background ? { renderQueued: () => toPublicResponse({ ...record, status: 'queued' }, []) } : {}),
      commit: async (outcome) => {
        try {
          await stored.catch((error: unknown) => {
            this.liveness.unregister(record.id);
            throw error;
          });
          return await this.commit(projectId, record, planned, outcome);
        } finally {
          // Charged whether or not the outcome could be stored (the provider billed the call either
          // way), and before the client hears of the end, so its next call sees the charge.
          if (principal) await this.limits.settle(principal, record.id, () => turnCharge(planned, outcome));
        }
      },
      recover: (error, request) => this.recover(planned, error, request),
      ...(planned.includeEncryptedReasoning ? { sealReasoning: (data: ProviderData) => this.envelope.seal(data) } : {}),
    };
  }

  /**
   * One changed request for a refusal one change can fix: a prompt the provider says does not fit
   * (truncation `auto` cuts further; the cut is what the response records), else a reasoning rule.
   */
  private recover(planned: PlannedTurn, error: unknown, request: ModelRequest): { request: ModelRequest; change: string } | null {
    if (isContextOverflow(error)) {
      const shrunk = planned.plan.shrink(request);
      if (!shrunk) return null;
      planned.contextPlan = shrunk.context;
      return { request: shrunk.request, change: `cut the history to ${shrunk.context.record.history_items} item(s) and sent it again` };
    }
    return recoverFromReasoningError(error, request);
  }

  /**
   * The stored event stream of a background response, from the start or after `startingAfter`,
   * following the run live until its terminal event.
   */
  async replay(projectId: string, id: string, startingAfter: number, signal: AbortSignal): Promise<AsyncIterable<{ type: string }>> {
    const response = await this.findOrThrow(projectId, id);
    if (!response.background) {
      throw ApiError.invalidRequest('This response was not created with background=true, so it cannot be streamed again.', 'stream');
    }
    return this.events.read(id, startingAfter, signal, (responseId) => this.findPublic(projectId, responseId));
  }

  /**
   * Cancels a background response wherever it runs; cancelling a finished one returns it as it is
   * (idempotent). A response nobody runs (still queued, or its worker is gone) is marked cancelled here.
   */
  async cancel(projectId: string, id: string): Promise<PublicResponse> {
    const response = await this.findOrThrow(projectId, id);
    if (!response.background) throw ApiError.invalidRequest('Cannot cancel a synchronous response.', 'response_id');
    if (response.status === 'queued' && (await this.repository.markCancelled(id, ['queued']))) {
      await this.endWithoutRun(projectId, id);
    } else if (response.status === 'queued' || response.status === 'in_progress') {
      const { local, told } = await this.runner.cancel(id);
      const ended = local || (told && (await this.waitUntilEnded(projectId, id, CANCEL_WAIT_MS)));
      if (!ended && (await this.repository.markCancelled(id, ['queued', 'in_progress']))) await this.runner.announceEnd(id);
    }
    return this.retrieve(projectId, id);
  }

  /** Writes the one-event log of a background response that ended before it ran, and announces the end. */
  private async endWithoutRun(projectId: string, id: string): Promise<void> {
    await this.events.endWithoutRun(id, await this.retrieve(projectId, id));
    await this.runner.announceEnd(id);
  }

  private async waitUntilEnded(projectId: string, id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await this.repository.find(projectId, id))?.status;
      if (status !== 'queued' && status !== 'in_progress') return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async retrieve(projectId: string, id: string): Promise<PublicResponse> {
    const response = await this.findPublic(projectId, id);
    if (!response) throw ApiError.notFound('Response', id, 'response_id');
    return response;
  }

  private async findPublic(projectId: string, id: string): Promise<PublicResponse | null> {
    const response = await this.repository.find(projectId, id);
    return response ? toPublicResponse(response, await this.repository.findOutput(response.id)) : null;
  }

  async delete(projectId: string, id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
    if (!(await this.repository.softDelete(projectId, id))) throw ApiError.notFound('Response', id, 'response_id');
    return { id, object: 'response', deleted: true };
  }

  async listInputItems(projectId: string, id: string, query: ListQuery): Promise<ListPage<PublicItem>> {
    const response = await this.findOrThrow(projectId, id);
    let afterSeq: number | null = null;
    if (query.after !== undefined) {
      afterSeq = await this.repository.findInputSeq(response.id, query.after);
      if (afterSeq === null) throw ApiError.invalidValue(`No input item with id '${query.after}' in response '${id}'.`, 'after');
    }
    const rows = await this.repository.listInput(response.id, { limit: query.limit, order: query.order, afterSeq });
    return toListPage(rows, query.limit);
  }

  private async commit(projectId: string, record: ResponseRecord, planned: PlannedTurn, outcome: TurnOutcome): Promise<PublicResponse> {
    const { context, input, request } = planned;
    record.status = outcome.status;
    const usage = sumUsage(outcome.usage, outcome.compactionUsage);
    record.usage = usage ? toPublicUsage(usage) : null;
    record.error = outcome.error;
    record.incompleteDetails = outcome.incompleteDetails;
    record.completedAt = new Date();
    // The tier the vendor says served the turn is what the Response shows (OpenAI's does the same).
    const servedTier = servedTierChange(record.settings.service_tier, outcome.serviceTier);
    if (servedTier !== null) record.settings = { ...record.settings, service_tier: servedTier };
    if (outcome.status === 'failed') this.logger.warn(`response ${record.id} failed: ${outcome.error?.message}`);
    this.liveness.unregister(record.id);
    const plan = outcome.cachePlan;
    // A turn the provider compacted reports its summarizing step's tokens too: they measure another prompt.
    const compacted = outcome.output.some((item) => item.type === 'compaction');
    if (plan && outcome.usage && !outcome.usageEstimated && !compacted) {
      const modelName = `${planned.model.provider}/${planned.model.upstreamModel}`;
      this.calibration.observe(modelName, plan.promptChars, outcome.usage.inputTokens - plan.fixedTokens);
      const gapMs = request.cache?.gapsMs.at(-1);
      if (plan.repeatedTokens !== undefined && gapMs !== undefined)
        this.implicitCache.observe(modelName, { cachedTokens: outcome.usage.cachedInputTokens, repeatedTokens: plan.repeatedTokens, gapMs });
    }
    const result: TurnResult = {
      status: record.status,
      settings: servedTier === null ? null : record.settings,
      usage: record.usage,
      usageEstimated: outcome.usageEstimated,
      ...turnCost(planned, outcome),
      cachePlan: toCachePlanRecord(request, plan),
      contextPlan: planned.contextPlan.record,
      startedAt: outcome.startedAt,
      firstTokenAt: outcome.firstTokenAt,
      upstreamRequest: request.trace?.requests.at(-1) ?? null,
      cacheThread: context.cacheThread,
      upstreamAttempts: request.trace?.attempts ?? null,
      upstreamRequests: request.trace?.requests.length ?? null,
      error: record.error,
      incompleteDetails: record.incompleteDetails,
      completedAt: record.completedAt,
    };
    // A conversation keeps its items even for store: false; a bare store: false turn keeps none.
    if (record.settings.store || context.conversationId) {
      await this.repository.commitTurn(projectId, record.id, appendTarget(context, outcome), input, outcome.output, result, record.settings.store);
    }
    if (!record.settings.store) this.recordUsage(projectId, record, result);
    return toPublicResponse(record, outcome.output.map(toPublicItem));
  }

  /** Resolves once every usage record taken so far is written (shutdown waits for them; so can a test). */
  async usageRecorded(): Promise<void> {
    this.flushUsage();
    await Promise.all([...this.usageWrites]);
  }

  // Before the database closes (PersistenceModule's onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    await this.usageRecorded();
  }

  /**
   * Takes a `store: false` turn's usage and cost (no content) to be written off the request path, a
   * batch at a time: one insert per turn cost PostgreSQL ~0.4 ms of CPU a request (bench:overhead),
   * which agents' steady stream of turns need not pay. A failed write is logged, never the turn's failure.
   */
  private recordUsage(projectId: string, record: ResponseRecord, result: TurnResult): void {
    this.pendingUsage.push({ projectId, record, result });
    if (this.pendingUsage.length >= USAGE_BATCH_ROWS) this.flushUsage();
    else this.usageTimer ??= setTimeout(() => this.flushUsage(), USAGE_BATCH_MS).unref();
  }

  private flushUsage(): void {
    if (this.usageTimer) clearTimeout(this.usageTimer);
    this.usageTimer = null;
    const turns = this.pendingUsage.splice(0);
    if (turns.length === 0) return;
    const write = this.repository
      .recordUsage(turns)
      .catch((error: unknown) =>
        this.logger.error(`recording the usage of ${turns.length} store: false turn(s) failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => this.usageWrites.delete(write));
    this.usageWrites.add(write);
  }

  private async findOrThrow(projectId: string, id: string): Promise<StoredResponse> {
    const response = await this.repository.find(projectId, id);
    if (!response) throw ApiError.notFound('Response', id, 'response_id');
    return response;
  }
}

/** A batch of usage records is written when it holds this many, or this long after its first. */
const USAGE_BATCH_ROWS = 100;
const USAGE_BATCH_MS = 250;

/** How long a cancel waits for the instance running the response to store its outcome. */
const CANCEL_WAIT_MS = 5_000;

/**
 * What the turn cost, from each call's usage at its own model's prices and the tier that served it:
 * the model call, and the server's compaction call before it (its summarizer may be another model).
 * Null when a call that ran has no prices in the catalog.
 */
function turnCost(planned: PlannedTurn, outcome: TurnOutcome): { costUsd: number | null; cacheSavedUsd: number | null } {
  const pricing = planned.model.info.pricing;
  const calls: Array<[Pricing | null, Usage, string | null]> = [];
  if (outcome.compactionUsage) calls.push([planned.plan.compaction?.model.info.pricing ?? pricing, outcome.compactionUsage, null]);
  if (outcome.usage) calls.push([pricing, outcome.usage, outcome.serviceTier]);
  const total = (price: (call: [Pricing | null, Usage, string | null]) => number | null) => {
    const each = calls.map(price);
    return each.length === 0 || each.includes(null) ? null : (each as number[]).reduce((sum, value) => sum + value, 0);
  };
  // A Gemini explicit cache is billed apart from the call that reads it: its creation and its storage.
  const explicit = explicitCacheCost(planned.model.info, outcome.cachePlan?.explicitCache ?? null);
  const costUsd = total(([prices, usage, tier]) => computeCost(prices, usage, tier));
  const cacheSavedUsd = total(([prices, usage, tier]) => computeCacheSavings(prices, usage, tier));
  return { costUsd: costUsd === null ? null : costUsd + explicit, cacheSavedUsd: cacheSavedUsd === null ? null : cacheSavedUsd - explicit };
}

/** What a turn charges to its key's limits: every token the provider reported (input and output, of the compaction call too) and the cost. */
function turnCharge(planned: PlannedTurn, outcome: TurnOutcome): { tokens: number; costUsd: number | null } {
  const usage = sumUsage(outcome.usage, outcome.compactionUsage);
  return { tokens: usage ? usage.inputTokens + usage.outputTokens : 0, costUsd: turnCost(planned, outcome).costUsd };
}

/**
 * A chain continues from its previous response (forking when that is not the tip). A conversation
 * gets a finished turn's items appended at its end, in commit order; a failed or cancelled turn is
 * kept on a branch of its own so the conversation never holds half a turn.
 */
function appendTarget(context: TurnContext, outcome: TurnOutcome): AppendTarget {
  if (!context.conversationId || !context.position) return { kind: 'continue', from: context.position, ...(context.behindTip ? { behindTip: true } : {}) };
  if (outcome.status === 'completed' || outcome.status === 'incomplete') return { kind: 'tip', threadId: context.position.threadId };
  return { kind: 'fork', from: context.position };
}

/** Combinations OpenAI refuses, and parameters whose feature is not built: refused clearly rather than ignored. */
function rejectUnsupported(body: CreateResponseBody): void {
  if (body.conversation != null && body.previous_response_id != null) {
    throw ApiError.invalidRequest("Mutually exclusive parameters: 'previous_response_id' and 'conversation'.", 'previous_response_id');
  }
  if (body.background === true && body.store === false) throw ApiError.invalidRequest('Background responses require store=true.', 'store');
  if (body.prompt != null) throw ApiError.invalidRequest('Hosted prompt templates are not supported by this server.', 'prompt');
}
