import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { unixSeconds } from '../common/unix-time.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { type BucketCheck, LimitStore } from './limit-store.js';
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

/** A principal's limits as the store takes them, worked out once per principal (AuthService caches principals). */
interface Compiled {
  requests: BucketCheck[];
  tokens: BucketCheck[];
  sets: Array<{ key: string; limit: number }>;
  setKeys: string[];
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
  private readonly compiled = new WeakMap<Principal, Compiled>();
  /** The current day's and month's periods, until they end. */
  private readonly periods = new Map<Budget['period'], { start: Date; end: Date; label: string }>();

  constructor(
    private readonly store: LimitStore,
    private readonly repository: LimitsRepository,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Every authenticated request: one from each requests-per-minute bucket. Returns its headers; 429 when one is empty. */
  async admitRequest(principal: Principal): Promise<Record<string, string>> {
    const checks = this.compile(principal).requests;
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
   * a place among them until `settle`. One operation on the store (one round trip to Redis) unless
   * the period's spend must first be read from the database, or a full set checked for dead runs.
   */
  async admitModelCall(principal: Principal, runId: string): Promise<ModelCallAdmission> {
    const { tokens: buckets, sets } = this.compile(principal);
    const budget = principal.budget;
    if (buckets.length === 0 && sets.length === 0 && !budget) return { headers: {} };
    const period = budget ? this.period(budget.period) : null;
    const plan = {
      buckets,
      budget: budget && period ? { key: spendKey(principal.projectId, period.label), limitUsd: budget.limit_usd } : null,
      sets,
      member: runId,
      leaseMs: RUN_LEASE_MS,
    };
    let admission = await this.store.admitCall(plan);
    if (admission.outcome === 'unknown-spend' && budget) {
      // First look in this period (or the count expired): the database has every response's cost.
      await this.spent(principal.projectId, budget);
      admission = await this.store.admitCall(plan);
    }
    if (admission.outcome === 'set') {
      // Places of runs that ended without giving theirs back (their process died) are freed first.
      await this.freeEnded(sets[admission.refusedBy]!.key);
      admission = await this.store.admitCall(plan);
    }
    const headers = rateLimitHeaders([], admission.states);
    switch (admission.outcome) {
      case 'admitted':
        return { headers };
      case 'bucket': {
        const refused = buckets[admission.refusedBy]!;
        const whose = refused.key.startsWith('tpm:p:') ? `project ${principal.projectId}` : 'this API key';
        throw rateLimited(
          `Rate limit reached for ${whose} on tokens per min (TPM): Limit ${refused.limit}, Used ${refused.limit - admission.states[admission.refusedBy]!.remaining}. Please try again in ${seconds(admission.retryAfterMs)}s.`,
          'tokens',
          admission.retryAfterMs,
          headers,
        );
      }
      case 'budget':
        throw budgetSpent(principal.projectId, budget!, period!.end, admission.spentUsd ?? 0, headers);
      case 'set': {
        const set = sets[admission.refusedBy]!;
        const whose = set.key.startsWith('runs:p:') ? `project ${principal.projectId}` : 'this API key';
        throw rateLimited(
          `Concurrency limit reached for ${whose}: ${set.limit} response(s) already running. Wait for one to finish.`,
          'requests',
          1_000,
          headers,
        );
      }
      default:
        // The spend count went missing again at once (Redis lost it): let the call through rather than fail it.
        this.logger.warn(`the spend count of project ${principal.projectId} could not be read; its budget was not checked`);
        return { headers };
    }
  }

  /**
   * A model call ended: its tokens are taken from the per-minute buckets, its cost added to the
   * budget, its place freed. `charge` is worked out only when some limit needs it.
   */
  async settle(principal: Principal, runId: string, charge: () => ModelCallCharge): Promise<void> {
    const { tokens: buckets, setKeys } = this.compile(principal);
    const budget = principal.budget;
    if (setKeys.length === 0 && buckets.length === 0 && !budget) return;
    const { tokens, costUsd: cost } = charge();
    const costUsd = cost ?? 0;
    if (setKeys.length === 0 && buckets.length === 0 && costUsd <= 0) return;
    try {
      const period = budget && costUsd > 0 ? this.period(budget.period) : null;
      const spent = await this.store.settle({
        sets: setKeys,
        member: runId,
        buckets,
        tokens,
        spend: period ? { key: spendKey(principal.projectId, period.label), amountUsd: costUsd } : null,
      });
      // A count missing here is read from the database, which already holds this response's cost.
      if (budget && period) await this.warnIfReached(principal.projectId, budget, period, spent ?? (await this.spent(principal.projectId, budget)).spentUsd);
    } catch (error) {
      // The turn's outcome is stored already; a limit that missed one charge must not fail it.
      this.logger.warn(`charging ${runId} to its limits failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Frees a place held by a call that never ran (refused after it was admitted). */
  async release(principal: Principal, runId: string): Promise<void> {
    const { setKeys } = this.compile(principal);
    if (setKeys.length > 0) await this.store.release(setKeys, runId).catch(() => undefined);
  }

  /** What the project has spent in its budget's current period. */
  async spent(projectId: string, budget: Pick<Budget, 'period'>, now = new Date()): Promise<{ start: Date; end: Date; spentUsd: number }> {
    const period = budgetPeriod(budget.period, now);
    const key = spendKey(projectId, period.label);
    let spentUsd = await this.store.spend(key);
    if (spentUsd === null) {
      await this.store.initSpend(key, await this.repository.spentSince(projectId, period.start), keepUntil(period.end));
      spentUsd = (await this.store.spend(key)) ?? 0;
    }
    return { start: period.start, end: period.end, spentUsd };
  }

  /** The budget's webhook events, once per period and budget: a raised budget warns again when the new one is reached. */
  private async warnIfReached(projectId: string, budget: Budget, period: { start: Date; end: Date; label: string }, spentUsd: number): Promise<void> {
    if (spentUsd < budget.warn_at * budget.limit_usd) return;
    const keep = keepUntil(period.end);
    const data = {
      project_id: projectId,
      period: budget.period,
      period_start: unixSeconds(period.start),
      limit_usd: budget.limit_usd,
      spent_usd: spentUsd,
    };
    if (await this.store.once(`budget-warning:${projectId}:${period.label}:${budget.limit_usd}`, keep))
      await this.webhooks.enqueue(projectId, 'project.budget.warning', { ...data, warn_at: budget.warn_at });
    if (spentUsd >= budget.limit_usd && (await this.store.once(`budget-exceeded:${projectId}:${period.label}:${budget.limit_usd}`, keep)))
      await this.webhooks.enqueue(projectId, 'project.budget.exceeded', data);
  }

  private async freeEnded(setKey: string): Promise<void> {
    const members = await this.store.members(setKey);
    const ended = members.length > 0 ? await this.repository.ended(members) : [];
    for (const runId of ended) await this.store.release([setKey], runId);
  }

  private compile(principal: Principal): Compiled {
    let compiled = this.compiled.get(principal);
    if (compiled) return compiled;
    const { projectId, keyId, project, key } = principal;
    const pick = (prefix: string, projectLimit: number | null, keyLimit: number | null, cost: number) =>
      [
        projectLimit === null ? null : { key: `${prefix}:p:${projectId}`, limit: projectLimit, cost },
        keyLimit === null ? null : { key: `${prefix}:k:${keyId}`, limit: keyLimit, cost },
      ].filter((check) => check !== null);
    const sets = pick('runs', project.concurrentRuns, key.concurrentRuns, 0).map(({ key: setKey, limit }) => ({ key: setKey, limit }));
    compiled = {
      requests: pick('rpm', project.requestsPerMinute, key.requestsPerMinute, 1),
      tokens: pick('tpm', project.tokensPerMinute, key.tokensPerMinute, 0),
      sets,
      setKeys: sets.map((set) => set.key),
    };
    this.compiled.set(principal, compiled);
    return compiled;
  }

  private period(kind: Budget['period']): { start: Date; end: Date; label: string } {
    const now = Date.now();
    let period = this.periods.get(kind);
    if (!period || now >= period.end.getTime() || now < period.start.getTime()) {
      period = budgetPeriod(kind, new Date(now));
      this.periods.set(kind, period);
    }
    return period;
  }
}

function spendKey(projectId: string, label: string): string {
  return `spend:${projectId}:${label}`;
}

/** A period's counters outlive it by a day, so late charges of its last responses still land. */
function keepUntil(end: Date): number {
  return Math.max(1_000, end.getTime() - Date.now() + 24 * 60 * 60_000);
}

/** OpenAI's answer to a spent quota: 429 `insufficient_quota`, retry when the period ends. */
function budgetSpent(projectId: string, budget: Budget, end: Date, spentUsd: number, headers: Record<string, string>): ApiError {
  const error = new ApiError(
    429,
    `You exceeded your current quota: project ${projectId} spent $${spentUsd.toFixed(4)} of its ${budget.period === 'day' ? 'daily' : 'monthly'} budget of $${budget.limit_usd}. It resets at ${end.toISOString()}, or an administrator can raise it.`,
    'insufficient_quota',
    null,
    'insufficient_quota',
    Math.max(1, Math.ceil((end.getTime() - Date.now()) / 1_000)),
  );
  error.headers = headers;
  return error;
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
