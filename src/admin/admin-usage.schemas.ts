import { z } from 'zod';
import { ApiError } from '../common/api-error.js';
import { parseOrThrow } from '../common/validation.js';
import type { UsageGrouping, UsageTotals } from './admin-usage.repository.js';

/** The largest instant a JS Date holds is later than this; 9999-12-31T23:59:59Z keeps every Date valid. */
const MAX_UNIX_SECONDS = 253_402_300_799;

/**
 * A unix time in whole seconds, as a query string carries it. Digits only: `z.coerce.number()`
 * would read an empty value as 0, i.e. 1970, and silently widen a range.
 */
export const unixSecondsSchema = z
  .string()
  .regex(/^\d+$/, 'expected a unix time in seconds')
  .transform(Number)
  .refine((value) => value <= MAX_UNIX_SECONDS, 'expected a unix time in seconds')
  .transform((value) => new Date(value * 1000));

/** `true` or `false`, spelled out: anything else is more likely a typo than an intent. */
export const booleanParamSchema = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * Refuses query parameters the route does not know, naming the first: an operator who misspells a
 * filter would otherwise get every row back and take it for the answer.
 */
export function refuseUnknownParams(query: Record<string, unknown>, known: ReadonlySet<string>): void {
  const unknown = Object.keys(query).find((key) => !known.has(key));
  if (unknown !== undefined) throw ApiError.invalidRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
}

export const usageParamsSchema = z.object({
  start_time: unixSecondsSchema.describe('Start of the range (unix seconds).'),
  end_time: unixSecondsSchema.optional().describe('End of the range (unix seconds); default now.'),
  project_id: z.string().min(1).optional(),
  group_by: z.enum(['project', 'model', 'project,model', 'model,project']).default('project,model'),
});
const USAGE_PARAMS: ReadonlySet<string> = new Set(Object.keys(usageParamsSchema.shape));
const usageQuerySchema = usageParamsSchema
  // Now, rounded up to a whole second: the echoed end_time is then exact, and nothing made so far is left out.
  .transform(({ end_time, ...query }) => ({ ...query, end_time: end_time ?? new Date(Math.ceil(Date.now() / 1000) * 1000) }))
  .refine((query) => query.end_time > query.start_time, { message: 'end_time must be later than start_time', path: ['end_time'] });

export interface UsageQuery {
  range: { start: Date; end: Date };
  projectId?: string;
  groupBy: UsageGrouping;
}

/** `GET /admin/v1/usage` query → the report's range, project and grouping; 400 naming the param otherwise. */
export function parseUsageQuery(query: unknown): UsageQuery {
  const raw = (query ?? {}) as Record<string, unknown>;
  refuseUnknownParams(raw, USAGE_PARAMS);
  const parsed = parseOrThrow(usageQuerySchema, raw);
  const keys = new Set(parsed.group_by.split(','));
  return {
    range: { start: parsed.start_time, end: parsed.end_time },
    projectId: parsed.project_id,
    groupBy: { project: keys.has('project'), model: keys.has('model') },
  };
}

export function toPublicTotals(totals: UsageTotals) {
  return {
    responses: totals.responses,
    input_tokens: totals.inputTokens,
    cached_tokens: totals.cachedTokens,
    cache_write_tokens: totals.cacheWriteTokens,
    output_tokens: totals.outputTokens,
    reasoning_tokens: totals.reasoningTokens,
    cost_usd: totals.costUsd,
    cache_saved_usd: totals.cacheSavedUsd,
  };
}
