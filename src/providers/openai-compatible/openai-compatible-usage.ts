import type { Usage } from '../../items/usage.js';
import type { OpenAICompatibleUsage } from './openai-compatible.api.js';

/**
 * Converts `CompletionUsage` to ours. `completion_tokens` already includes reasoning tokens.
 * Chat Completions has no cache-write count, so `cacheWriteTokens` is 0. DeepSeek reports cache
 * reads as `prompt_cache_hit_tokens` instead of `prompt_tokens_details.cached_tokens`.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * @see https://api-docs.deepseek.com/guides/kv_cache
 */
export function convertOpenAICompatibleUsage(usage: OpenAICompatibleUsage | null | undefined): Usage | null {
  if (!usage) {
    return null;
  }
  return {
    inputTokens: usage.prompt_tokens ?? 0,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    cacheWriteTokens: 0,
    outputTokens: usage.completion_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
