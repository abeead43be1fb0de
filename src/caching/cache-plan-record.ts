import type { CacheMode } from '../items/policies.js';
import type { ModelRequest } from '../planning/model-request.js';
import type { AdapterCachePlan, CacheBreakpoint, ExplicitCacheUse } from './cache-types.js';

/** A response's prompt-cache plan as stored (snake_case: it is shown to operators as it is). */
export interface CachePlanRecord {
  policy: CacheMode;
  /** Anthropic: the breakpoints placed, by position in the flattened prompt (tools, system, message blocks). */
  breakpoints: CacheBreakpoint[];
  /** OpenAI: the routing key and retention sent. */
  prompt_cache_key: string | null;
  prompt_cache_retention: 'in_memory' | '24h' | null;
  /** Gemini: the explicit cache the request read from, if any. */
  explicit_cache: ExplicitCacheUse | null;
  /** The planner's token estimate of the prompt, to compare with the usage the provider reported. */
  estimated_tokens: number | null;
}

export function toCachePlanRecord(request: ModelRequest, plan: AdapterCachePlan | null): CachePlanRecord {
  return {
    policy: request.cache?.mode ?? 'off',
    breakpoints: plan?.breakpoints ?? [],
    prompt_cache_key: request.promptCacheKey,
    prompt_cache_retention: request.promptCacheRetention,
    explicit_cache: plan?.explicitCache ?? null,
    estimated_tokens: plan?.estimatedTokens ?? null,
  };
}
