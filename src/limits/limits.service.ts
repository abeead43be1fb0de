import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { LimitStore } from './limit-store.js';
import { type Budget, budgetPeriod, type Principal, rateLimitHeaders } from './limits.js';
import { LimitsRepository } from './limits.repository.js';

/**
 * A place among a project's concurrent runs is held this long unless the run ends first. Runs
 * that ended without giving it back (their process died) are found and freed when a project is
 * at its limit; the lease only bounds what no stored status can tell (a `store: false` run).
 */
const RUN_LEASE_MS = 15 * 60_000;

/** What a model call admitted: its `x-ratelimit-*-tokens` headers. */
export interface ModelCallAdmission {
  headers: Record<string, string>;
}

/** What a finished model call charges: the tokens the provider reported and what it cost. */
export interface ModelCallCharge {
  tokens: number;
  costUsd: number | null;
}

/**
 * Rate limits, concurrent runs and spend budgets of projects and API keys, counted in a LimitStore
 * (Redis in production, so they hold across instances). A project's limits are its own or the
 * deployment's defaults; a key's apply within them. With no limit set, every method returns at once.
 */
@Injectable()
export class Limits {
  private readonly logger = new Logger('Limits');

  constructor(
    private readonly store: LimitStore,
    private readonly repository: LimitsRepository,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Every authenticated request: one from each requests-per-minute bucket. Returns its headers; 429 when one is empty. */
  async admitRequest(principal: Principal): Promise<Record<string, string>> {
    const checks = [];
    if (principal.project.requestsPerMinute !== null) checks.push({ key: `rpm:p:${principal.projectId}`, limit: principal.project.requestsPerMinute, cost: 1 });
    if (principal.key.requestsPerMinute !== null) checks.push({ key: `rpm:k:${principal.keyId}`, limit: principal.key.requestsPerMinute, cost: 1 });
    if (checks.length === 0) return {};
    const admission = await this.store.admit(checks);
    const headers = rateLimitHeaders(admission.states, []);
    if (!admission.admitted) {
      const refused = checks[admission.refusedBy]!;
      const whose = refused.key.startsWith('rpm:p:') ? `project ${principal.projectId}` : 'this API key';
      throw rateLimited(
        `Rate limit reached for ${whose} on requests per min (RPM): Limit ${refused.limit}, Used ${refused.limit}, Requested 1. Please try again in ${seconds(admission.retryAfterMs)}s.`,
        'requests',
        admission.retryAfterMs,
        headers,
      );
    }
    return headers;
  }

  /**
   * A model call (`runId` its response's id): refused while a tokens-per-minute bucket is empty,
   * the project's budget is spent, or the project or key has its concurrent runs; otherwise it holds
   * a place among them until `settle`.
   */
  async admitModelCall(principal: Principal, runId: string): Promise<ModelCallAdmission> {
    const tokens = this.tokenBuckets(principal);
    let headers: Record<string, string> = {};
    if (tokens.length > 0) {
      const admission = await this.store.admit(tokens.map((bucket) => ({ ...bucket, cost: 0 })));
      headers = rateLimitHeaders([], admission.states);
      if (!admission.admitted) {
        const refused = tokens[admission.refusedBy]!;
        const whose = refused.key.startsWith('tpm:p:') ? `project ${principal.projectId}` : 'this API key';
        throw rateLimited(
          `Rate limit reached for ${whose} on tokens per min (TPM): Limit ${refused.limit}, Used ${refused.limit - admission.states[admission.refusedBy]!.remaining}. Please try again in ${seconds(admission.retryAfterMs)}s.`,
          'tokens',
          admission.retryAfterMs,
          headers,
        );
      }
    }
    if (principal.budget) await this.checkBudget(principal.projectId, principal.budget, headers);
    const sets = this.runSets(principal);
    if (sets.length > 0) {
      let full = await this.store.acquire(sets, runId, RUN_LEASE_MS);
      if (full !== null) {
        // Places of runs that ended without giving theirs back (their process died) are freed first.
        await this.freeEnded(sets[full]!.key);
        full = await this.store.acquire(sets, runId, RUN_LEASE_MS);
      }
      if (full !== null) {
        const set = sets[full]!;
        const whose = set.key.startsWith('runs:p:') ? `project ${principal.projectId}` : 'this API key';
        throw rateLimited(
          `Concurrency limit reached for ${whose}: ${set.limit} response(s) already running. Wait for one to finish.`,
          'requests',
          1_000,
          headers,
        );
      }
    }
    return { headers };
  }

  /** A model call ended: its tokens are taken from the per-minute buckets, its cost added to the budget, its place freed. */
  async settle(principal: Principal, runId: string, charge: ModelCallCharge): Promise<void> {
    try {
      const sets = this.runSets(principal);
      if (sets.length > 0)
        await this.store.release(
          sets.map((set) => set.key),
          runId,
        );
      const tokens = this.tokenBuckets(principal);
      if (tokens.length > 0 && charge.tokens > 0) await this.store.debit(tokens, charge.tokens);
      if (principal.budget && charge.costUsd !== null && charge.costUsd > 0) await this.addSpend(principal.projectId, principal.budget, charge.costUsd);
    } catch (error) {
      // The turn's outcome is stored already; a limit that missed one charge must not fail it.
      this.logger.warn(`charging ${runId} to its limits failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Frees a place held by a call that never ran (refused after it was admitted). */
  async release(principal: Principal, runId: string): Promise<void> {
    const sets = this.runSets(principal);
    if (sets.length > 0)
      await this.store
        .release(
          sets.map((set) => set.key),
          runId,
        )
        .catch(() => undefined);
  }

  /** What the project has spent in its budget's current period. */
  async spent(projectId: string, budget: Pick<Budget, 'period'>, now = new Date()): Promise<{ start: Date; end: Date; spentUsd: number }> {
    const period = budgetPeriod(budget.period, now);
    const key = spendKey(projectId, period.label);
    let spentUsd = await this.store.spend(key);
    if (spentUsd === null) {
      // First look in this period (or the count expired): the database has every response's cost.
      await this.store.initSpend(key, await this.repository.spentSince(projectId, period.start), keepUntil(period.end));
      spentUsd = (await this.store.spend(key)) ?? 0;
    }
    return { start: period.start, end: period.end, spentUsd };
  }

  private async checkBudget(projectId: string, budget: Budget, headers: Record<string, string>): Promise<void> {
    const { spentUsd, end } = await this.spent(projectId, budget);
    if (spentUsd < budget.limit_usd) return;
    const error = new ApiError(
      429,
      `You exceeded your current quota: project ${projectId} spent $${spentUsd.toFixed(4)} of its ${budget.period === 'day' ? 'daily' : 'monthly'} budget of $${budget.limit_usd}. It resets at ${end.toISOString()}, or an administrator can raise it.`,
      'insufficient_quota',
      null,
      'insufficient_quota',
      Math.max(1, Math.ceil((end.getTime() - Date.now()) / 1_000)),
    );
    error.headers = headers;
    throw error;
  }

  private async addSpend(projectId: string, budget: Budget, costUsd: number): Promise<void> {
    const period = budgetPeriod(budget.period, new Date());
    // A count missing here is read from the database, which already holds this response's cost.
    const spentUsd = (await this.store.addSpend(spendKey(projectId, period.label), costUsd)) ?? (await this.spent(projectId, budget)).spentUsd;
    const keep = keepUntil(period.end);
    const data = {
      project_id: projectId,
      period: budget.period,
      period_start: Math.floor(period.start.getTime() / 1000),
      limit_usd: budget.limit_usd,
      spent_usd: spentUsd,
    };
    // Once per period and budget: a raised budget warns again when the new one is reached.
    if (spentUsd >= budget.warn_at * budget.limit_usd && (await this.store.once(`budget-warning:${projectId}:${period.label}:${budget.limit_usd}`, keep)))
      await this.webhooks.enqueue(projectId, 'project.budget.warning', { ...data, warn_at: budget.warn_at });
    if (spentUsd >= budget.limit_usd && (await this.store.once(`budget-exceeded:${projectId}:${period.label}:${budget.limit_usd}`, keep)))
      await this.webhooks.enqueue(projectId, 'project.budget.exceeded', data);
  }

  private async freeEnded(setKey: string): Promise<void> {
    const members = await this.store.members(setKey);
    const ended = members.length > 0 ? await this.repository.ended(members) : [];
    for (const runId of ended) await this.store.release([setKey], runId);
  }

  private tokenBuckets(principal: Principal): Array<{ key: string; limit: number }> {
    const buckets = [];
    if (principal.project.tokensPerMinute !== null) buckets.push({ key: `tpm:p:${principal.projectId}`, limit: principal.project.tokensPerMinute });
    if (principal.key.tokensPerMinute !== null) buckets.push({ key: `tpm:k:${principal.keyId}`, limit: principal.key.tokensPerMinute });
    return buckets;
  }

  private runSets(principal: Principal): Array<{ key: string; limit: number }> {
    const sets = [];
    if (principal.project.concurrentRuns !== null) sets.push({ key: `runs:p:${principal.projectId}`, limit: principal.project.concurrentRuns });
    if (principal.key.concurrentRuns !== null) sets.push({ key: `runs:k:${principal.keyId}`, limit: principal.key.concurrentRuns });
    return sets;
  }
}

function spendKey(projectId: string, label: string): string {
  return `spend:${projectId}:${label}`;
}

/** A period's counters outlive it by a day, so late charges of its last responses still land. */
function keepUntil(end: Date): number {
  return Math.max(1_000, end.getTime() - Date.now() + 24 * 60 * 60_000);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1_000));
}

/** OpenAI's answer to a rate limit: 429, type `requests` or `tokens`, code `rate_limit_exceeded`, with `retry-after`. */
function rateLimited(message: string, type: 'requests' | 'tokens', retryAfterMs: number, headers: Record<string, string>): ApiError {
  const error = new ApiError(429, message, type, null, 'rate_limit_exceeded', seconds(retryAfterMs));
  error.headers = { ...headers, 'retry-after-ms': String(Math.max(0, retryAfterMs)) };
  return error;
}
