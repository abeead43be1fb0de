import { z } from 'zod';
import type { RequestLimits } from '../config/env.schema.js';

// What a project's or an API key's limits are, as the admin API takes them and the database keeps
// them (`projects.limits`, `api_keys.limits`), and the pure rules around them: which limit applies,
// budget periods, and OpenAI's rate-limit headers.

const perMinute = (what: string) =>
  z.number().int().min(1).max(1_000_000_000).nullable().optional().describe(`${what}; null clears it (the project falls back to the deployment's default).`);

/** A key's limits: they apply within its project's. */
export const keyLimitsSchema = z.strictObject({
  requests_per_minute: perMinute('Requests per minute, every authenticated /v1 request counted'),
  tokens_per_minute: perMinute("Input plus output tokens per minute, as the provider reports each model call's usage"),
  concurrent_runs: perMinute('Streaming and background responses running (or queued) at once'),
});

export const budgetSchema = z.strictObject({
  period: z.enum(['day', 'month']).describe('Calendar day or month, UTC.'),
  limit_usd: z
    .number()
    .positive()
    .max(1_000_000_000)
    .describe('Past it, model calls answer 429 `insufficient_quota` until the period ends or the budget is raised.'),
  warn_at: z.number().gt(0).lt(1).default(0.8).describe('Share of the budget at which the `project.budget.warning` webhook event is sent, once per period.'),
});

const perRequest = (what: string, ceiling: number) =>
  z.number().int().min(1).max(ceiling).nullable().optional().describe(`${what}; null: the deployment's (MAX_*).`);

export const projectLimitsSchema = keyLimitsSchema.extend({
  budget: budgetSchema.nullable().optional().describe('A spend budget from the cost of every response; null removes it.'),
  max_input_items: perRequest('Input items one create may carry', 1_000_000),
  max_tools: perRequest('Tools one create may declare', 100_000),
  max_input_files: perRequest('Images and files one create may carry', 100_000),
});

export type KeyLimits = z.infer<typeof keyLimitsSchema>;
export type ProjectLimits = z.infer<typeof projectLimitsSchema>;
export type Budget = z.infer<typeof budgetSchema>;

/** Limits as numbers, null for none; what is enforced. */
export interface RateLimits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  concurrentRuns: number | null;
}

export const noRateLimits: RateLimits = { requestsPerMinute: null, tokensPerMinute: null, concurrentRuns: null };

/** Who is asking, with the limits that bind them: the project's (its own or the deployment's) and the key's. */
export interface Principal {
  projectId: string;
  keyId: string;
  project: RateLimits;
  key: RateLimits;
  budget: Budget | null;
  requests: RequestLimits;
}

/** A project's request limits where it set them, the deployment's elsewhere. */
export function effectiveRequestLimits(stored: ProjectLimits, defaults: RequestLimits): RequestLimits {
  return {
    maxInputItems: stored.max_input_items ?? defaults.maxInputItems,
    maxTools: stored.max_tools ?? defaults.maxTools,
    maxInputFiles: stored.max_input_files ?? defaults.maxInputFiles,
  };
}

/**
 * Reads a stored `limits` column; anything the schema does not take (a hand edit, a newer
 * version's field) counts as unset rather than failing every request of the project.
 */
export function readStoredLimits(value: unknown): ProjectLimits {
  const parsed = projectLimitsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** A stored override, else the deployment's default. */
export function effectiveRateLimits(stored: KeyLimits, defaults: RateLimits): RateLimits {
  return {
    requestsPerMinute: stored.requests_per_minute ?? defaults.requestsPerMinute,
    tokensPerMinute: stored.tokens_per_minute ?? defaults.tokensPerMinute,
    concurrentRuns: stored.concurrent_runs ?? defaults.concurrentRuns,
  };
}

/** An update over what is stored: a key given replaces, null removes, a key left out stays. */
export function mergeLimits<T extends Record<string, unknown>>(stored: T, update: Partial<T>): T {
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged as T;
}

/** The UTC day or month `now` falls in: its start, its end, and a name for counters of it. */
export function budgetPeriod(period: Budget['period'], now: Date): { start: Date; end: Date; label: string } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'month') {
    return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)), label: `${year}-${pad(month + 1)}` };
  }
  const day = now.getUTCDate();
  return { start: new Date(Date.UTC(year, month, day)), end: new Date(Date.UTC(year, month, day + 1)), label: `${year}-${pad(month + 1)}-${pad(day)}` };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*`: `20ms`, `1s`, `6m0s`, `1h2m3s`.
 * Under a second it is milliseconds; above, whole seconds rounded up (a client that waits that
 * long finds the limit reset).
 */
export function formatResetDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1_000) return `${Math.ceil(ms)}ms`;
  const total = Math.ceil(ms / 1_000);
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** One limit's state after a request: what `x-ratelimit-*` reports. */
export interface BucketState {
  limit: number;
  remaining: number;
  resetMs: number;
}

/**
 * OpenAI's rate-limit headers for requests and tokens. Where a project and a key both limit the
 * same thing, the one with less remaining is reported: it is the one the client runs into.
 */
export function rateLimitHeaders(requests: BucketState[], tokens: BucketState[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, states] of [
    ['requests', requests],
    ['tokens', tokens],
  ] as const) {
    const tightest = states.reduce<BucketState | null>((best, state) => (best === null || state.remaining < best.remaining ? state : best), null);
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${name}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${name}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${name}`] = formatResetDuration(tightest.resetMs);
  }
  return headers;
}
