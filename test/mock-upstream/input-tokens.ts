// How many input tokens a request has, one function per wire. The create route and the count route
// of a wire both call it, so three numbers can never drift apart: the total input its usage reports
// (cache reads and writes included), what its count route answers, and what its context window is
// checked against (context-window.ts). The units are the ones the prompt caches hash, and the
// count is their sum, so a cache split always adds up to the same total.
import { chatPromptUnits, flattenAnthropicPrompt, geminiPromptUnits, responsesPromptUnits, sumTokens } from './prompt-cache.js';
import type { AnthropicPosition, PromptUnit } from './prompt-cache.js';

type Json = Record<string, unknown>;

/** A request's prompt in the units the caches hash, and its input tokens: the sum of their tokens. */
export interface MeasuredPrompt<Unit extends PromptUnit = PromptUnit> {
  units: Unit[];
  inputTokens: number;
}

/**
 * OpenAI Responses (`POST /v1/responses` and `/v1/responses/input_tokens`): instructions, each tool,
 * each input item. `usage.input_tokens` reports `inputTokens`, `cached_tokens` included.
 */
export function measureResponsesPrompt(body: Json): MeasuredPrompt {
  return measured(responsesPromptUnits(body));
}

/** OpenAI Chat Completions: each tool, each message. `usage.prompt_tokens` reports `inputTokens`. */
export function measureChatPrompt(body: Json): MeasuredPrompt {
  return measured(chatPromptUnits(body));
}

/**
 * Anthropic (`POST /v1/messages` and `/v1/messages/count_tokens`): tools, system blocks, message
 * blocks, `cache_control` markers left out. `inputTokens` is usage's `input_tokens +
 * cache_read_input_tokens + cache_creation_input_tokens`, and what count_tokens answers.
 */
export function measureAnthropicPrompt(body: Json): MeasuredPrompt<AnthropicPosition> {
  return measured(flattenAnthropicPrompt(body));
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
