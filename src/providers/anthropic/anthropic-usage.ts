import { sumUsage, type Usage } from '../../items/usage.js';
import type { AnthropicUsage } from './anthropic.api.js';

/**
 * Converts Anthropic usage to ours. Anthropic's `input_tokens` is only the uncached tail after the
 * last cache breakpoint, so the total input is the sum of it, the cache reads and the cache writes.
 * Thinking tokens are inside `output_tokens` and not reported apart, so `reasoningTokens` is an
 * estimate from the thinking text the model streamed (about 4 characters per token), capped at the
 * output; 0 without thinking text (omitted display, redacted blocks). The writes with a 1 h TTL
 * (`cache_creation.ephemeral_1h_input_tokens`) are kept apart, since they are priced apart, and so
 * are the web searches the server tool ran (`server_tool_use.web_search_requests`), billed per search.
 * Compaction steps (`usage.iterations` of type `compaction`) are billed but not in the top-level
 * counts: they are added.
 * @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
 * @see https://platform.claude.com/docs/en/about-claude/pricing
 */
export function convertAnthropicUsage(usage: AnthropicUsage | null, thinkingChars = 0): Usage | null {
  if (!usage) {
    return null;
  }
  const answer = convertCounts(usage, thinkingChars);
  // Compaction steps are billed apart from the answer's counts: what the turn cost includes them.
  const compactions = (usage.iterations ?? []).filter((step) => step.type === 'compaction').map((step) => convertCounts(step, 0));
  return compactions.reduce((total, step) => sumUsage(total, step)!, answer);
}

/** The counts of one sampling step, as the top-level usage and each of its `iterations` carry them. */
interface StepCounts {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
  server_tool_use?: { web_search_requests?: number | null } | null;
}

function convertCounts(usage: StepCounts, thinkingChars: number): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  // 1 h writes cost 2x base input against 1.25x for 5 min ones; only the split prices them right.
  const cacheWrite1h = Math.min(cacheWrite, usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  return {
    inputTokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    ...(cacheWrite1h > 0 ? { cacheWrite1hTokens: cacheWrite1h } : {}),
    outputTokens: usage.output_tokens ?? 0,
    reasoningTokens: Math.min(usage.output_tokens ?? 0, Math.ceil(thinkingChars / 4)),
    ...(usage.server_tool_use?.web_search_requests ? { webSearchCalls: usage.server_tool_use.web_search_requests } : {}),
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
  if (next.cache_creation) merged.cache_creation = next.cache_creation;
  if (next.server_tool_use) merged.server_tool_use = next.server_tool_use;
  if (next.iterations) merged.iterations = next.iterations;
  // The tier that served the request (`standard`, `priority`, `batch`).
  if (typeof next['service_tier'] === 'string') merged['service_tier'] = next['service_tier'];
  return merged;
}
