// How many input tokens a request has, one function per wire. The create route and the count route
// of a wire both call it, so three numbers can never drift apart: the total input its usage reports
// (cache reads and writes included), what its count route answers, and what its context window is
// checked against (context-window.ts). The units are the ones the prompt caches hash, and the
// count is their sum, so a cache split always adds up to the same total.
//
// Native compaction changes what is counted, as the vendors prune: OpenAI Responses ignores every
// input item before the last `compaction` item, which counts as its summary (openai-compaction.ts);
// Anthropic ignores every message block before the last `compaction` block, which counts as its
// `content` (anthropic-compaction.ts). Tools, instructions and system prompts always count.
import { compactedAnthropicPositions } from './anthropic-compaction.js';
import { compactedResponsesUnits } from './openai-compaction.js';
import type { AnthropicPosition, PromptUnit } from './prompt-cache.js';
import { chatPromptUnits, flattenAnthropicPrompt, geminiPromptUnits, sumTokens } from './prompt-cache.js';

type Json = Record<string, unknown>;

/** A request's prompt in the units the caches hash, and its input tokens: the sum of their tokens. */
export interface MeasuredPrompt<Unit extends PromptUnit = PromptUnit> {
  units: Unit[];
  inputTokens: number;
}

/**
 * OpenAI Responses (`POST /v1/responses`, `/v1/responses/input_tokens`, `/v1/responses/compact`):
 * instructions, each tool, each input item from the last `compaction` item on (which counts as
 * `ceil(summarized tokens / 10)`), a `compaction_trigger` left out. `usage.input_tokens` reports
 * `inputTokens`, `cached_tokens` included.
 */
export function measureResponsesPrompt(body: Json): MeasuredPrompt {
  return measured(compactedResponsesUnits(body));
}

/** OpenAI Chat Completions: each tool, each message. `usage.prompt_tokens` reports `inputTokens`. */
export function measureChatPrompt(body: Json): MeasuredPrompt {
  return measured(chatPromptUnits(body));
}

/**
 * Anthropic (`POST /v1/messages` and `/v1/messages/count_tokens`): tools, system blocks, message
 * blocks from the last `compaction` block on (which counts as its `content`), `cache_control`
 * markers left out. `inputTokens` is usage's `input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens` (when nothing compacts), and what count_tokens answers.
 * `{ compacted: false }` keeps the blocks before the last compaction block (count_tokens'
 * `context_management.original_input_tokens`).
 */
export function measureAnthropicPrompt(body: Json, options: { compacted?: boolean } = {}): MeasuredPrompt<AnthropicPosition> {
  return measured(compactedAnthropicPositions(body, flattenAnthropicPrompt(body), options.compacted ?? true));
}

/**
 * Gemini (`:generateContent`, `:streamGenerateContent` and `:countTokens`): the system instruction,
 * the tools, each content. `prompt` is the request with its explicit cache in front (see
 * withCachedPrefix), as `promptTokenCount` includes what a cache holds.
 */
export function measureGeminiPrompt(prompt: Json): MeasuredPrompt {
  return measured(geminiPromptUnits(prompt));
}

function measured<Unit extends PromptUnit>(units: Unit[]): MeasuredPrompt<Unit> {
  return { units, inputTokens: sumTokens(units) };
}
