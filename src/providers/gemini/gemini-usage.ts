import type { Usage } from '../../items/usage.js';
import type { GeminiUsageMetadata } from './gemini.api.js';

/**
 * Converts `usageMetadata` to ours. `promptTokenCount` already includes the cached part
 * (`cachedContentTokenCount`, implicit or explicit cache). `candidatesTokenCount` excludes thinking,
 * which Gemini counts apart as `thoughtsTokenCount` and bills as output, so output is their sum.
 * Gemini reports no cache writes (explicit caches are created by a separate call), so
 * `cacheWriteTokens` is 0.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 * @see https://ai.google.dev/gemini-api/docs/caching
 */
export function convertGeminiUsage(usage: GeminiUsageMetadata | null | undefined): Usage | null {
  if (!usage) {
    return null;
  }
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    inputTokens: usage.promptTokenCount ?? 0,
    cachedInputTokens: usage.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
  };
}
