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
  /**
   * Web searches the provider ran and bills per call, on top of the tokens: Anthropic's
   * `usage.server_tool_use.web_search_requests`, OpenAI's `web_search_call` items. Absent when none.
   */
  webSearchCalls?: number;
}

/** Two calls' usage as one (a turn and the compaction call that served it): the public usage shows both. */
export function sumUsage(a: Usage | null, b: Usage | null): Usage | null {
  if (!a || !b) return a ?? b;
  const webSearchCalls = (a.webSearchCalls ?? 0) + (b.webSearchCalls ?? 0);
  const cacheWrite1hTokens = (a.cacheWrite1hTokens ?? 0) + (b.cacheWrite1hTokens ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    ...(cacheWrite1hTokens > 0 ? { cacheWrite1hTokens } : {}),
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    ...(webSearchCalls > 0 ? { webSearchCalls } : {}),
  };
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
