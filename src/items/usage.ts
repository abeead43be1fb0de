/**
 * Token usage of one model call, normalized across providers.
 * `inputTokens` counts all input, cached or not; `cachedInputTokens` and `cacheWriteTokens` are the
 * parts of it read from and written to the provider's prompt cache. `outputTokens` includes
 * `reasoningTokens`.
 */
export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** Of `cacheWriteTokens`, those written with a 1 h TTL (Anthropic), priced at `cacheWrite1h`; absent when none. */
  cacheWrite1hTokens?: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** The public `ResponseUsage` object. */
export interface PublicUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function toPublicUsage(usage: Usage): PublicUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}
