import type { Usage } from '../../items/usage.js';
import type { AnthropicUsage } from './anthropic.api.js';

/**
 * Converts Anthropic usage to ours. Anthropic's `input_tokens` is only the uncached tail after the
 * last cache breakpoint, so the total input is the sum of it, the cache reads and the cache writes.
 * Thinking tokens are inside `output_tokens` and not reported apart, so `reasoningTokens` is 0.
 * @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function convertAnthropicUsage(usage: AnthropicUsage | null): Usage | null {
  if (!usage) {
    return null;
  }
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: usage.output_tokens ?? 0,
    reasoningTokens: 0,
  };
}

/**
 * Overlays the counts a later event reports on the earlier ones. `message_delta` usage is cumulative
 * and may repeat the input counts of `message_start`; fields it leaves out keep their earlier value.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function mergeAnthropicUsage(previous: AnthropicUsage | null, next: AnthropicUsage | null | undefined): AnthropicUsage | null {
  if (!next) {
    return previous;
  }
  const merged: AnthropicUsage = { ...previous };
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    const value = next[key];
    if (typeof value === 'number') {
      merged[key] = value;
    }
  }
  return merged;
}
