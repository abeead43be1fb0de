import type { Usage } from '../../items/usage.js';
import type { OpenAIResponsesUsage } from './openai-responses.api.js';

/**
 * Converts `ResponseUsage` to ours; the two are the same counts under other names. `output_tokens`
 * already includes reasoning tokens. `cache_write_tokens` is absent from servers older than the
 * 2026 spec (and from vLLM), which then count as 0.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export function convertOpenAIResponsesUsage(usage: OpenAIResponsesUsage | null | undefined): Usage | null {
  if (!usage) {
    return null;
  }
  return {
    inputTokens: usage.input_tokens ?? 0,
    cachedInputTokens: usage.input_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: usage.input_tokens_details?.cache_write_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    reasoningTokens: usage.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** The usage with the web searches the response ran (its `web_search_call` items), which OpenAI bills per call. */
export function withWebSearchCalls(usage: Usage | null, calls: number): Usage | null {
  return usage && calls > 0 ? { ...usage, webSearchCalls: calls } : usage;
}
