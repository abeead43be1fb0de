// Context windows: which models have one, and how each vendor refuses a prompt that does not fit.
// A model's window comes from the `contextWindows` option (keyed by the model name as sent on the
// wire), else from `-ctx<digits>` in its name (`gpt-4o-mini-ctx4000`, `claude-sonnet-4-5-ctx4000`,
// `gemini-2.5-flash-ctx4000`, `qwen-ctx4000`), so tests and benchmarks can pick a small window
// without configuring the server. Any other model has no limit.
//
// What is compared with the window is the request's input tokens (input-tokens.ts), exactly the
// total its usage would report. A request that does not fit is refused after the request checks and
// before a scenario is taken (the queue is left alone), as the vendors refuse it before generating.
//
// The wording is the vendors' own, as pasted from real answers in public bug reports:
// - OpenAI Responses, HTTP 400: OpenHands/software-agent-sdk#776. A stream fails in-band instead:
//   `response.created`, `response.in_progress`, then an `error` event at sequence_number 2 with the
//   error nested (dyad-sh/dyad#1672, anomalyco/opencode#6071) and `response.failed` carrying `{code,
//   message}` (openai/codex#4675, whose fixture has it at sequence_number 3; maximhq/bifrost#4413 and
//   #5040 describe the error-then-failed order).
// - OpenAI Chat Completions, HTTP 400, streamed or not: chathub-dev/chathub#126,
//   dimagi/open-chat-studio#463; maximhq/bifrost#4413 notes Chat streaming gets the 400 too.
// - Anthropic, HTTP 400 with `request_id`, streamed or not: `prompt is too long` in
//   anthropics/claude-code#12186 and #14195; `input length and \`max_tokens\`` in
//   docker/docker-agent#569 and anthropics/claude-code#408. The second is checked only once the
//   prompt alone fits (it names the prompt's count as fitting).
// - Gemini, HTTP 400 INVALID_ARGUMENT, streamed or not: google-gemini/gemini-cli#4118,
//   googleapis/python-genai#2466.
import { openAiError } from './wire.js';

const windowInName = /-ctx(\d+)/;

/** The context window of `model` in tokens: the option's entry, else `-ctx<digits>` in its name, else none. */
export function contextWindowOf(model: string, windows: Readonly<Record<string, number>> = {}): number | undefined {
  if (Object.hasOwn(windows, model)) return windows[model];
  const named = windowInName.exec(model)?.[1];
  return named === undefined ? undefined : Number(named);
}

/** True when `inputTokens` does not fit `window` (no window: always fits). */
export function exceedsWindow(inputTokens: number, window: number | undefined): window is number {
  return window !== undefined && inputTokens > window;
}

export const responsesContextExceededMessage = 'Your input exceeds the context window of this model. Please adjust your input and try again.';

/** OpenAI Responses' 400 body; the same error rides in a stream's `error` event. */
export function responsesContextError() {
  return openAiError(responsesContextExceededMessage, 'invalid_request_error', 'context_length_exceeded', 'input');
}

/** OpenAI Chat Completions' 400 body. */
export function chatContextError(inputTokens: number, window: number) {
  const message =
    `This model's maximum context length is ${window} tokens. However, your messages resulted in ${inputTokens} tokens. ` +
    'Please reduce the length of the messages.';
  return openAiError(message, 'invalid_request_error', 'context_length_exceeded', 'messages');
}

/**
 * The message of Anthropic's 400 (an `invalid_request_error`) for a request that does not fit, or
 * null: the prompt alone too long, else the prompt plus `max_tokens` too long for the window.
 */
export function findAnthropicContextError(inputTokens: number, maxTokens: number, window: number | undefined): string | null {
  if (window === undefined) return null;
  if (inputTokens > window) return `prompt is too long: ${inputTokens} tokens > ${window} maximum`;
  if (inputTokens + maxTokens > window) {
    return `input length and \`max_tokens\` exceed context limit: ${inputTokens} + ${maxTokens} > ${window}, decrease input length or \`max_tokens\` and try again`;
  }
  return null;
}

/** The message of Gemini's 400 INVALID_ARGUMENT. */
export function geminiContextExceededMessage(inputTokens: number, window: number): string {
  return `The input token count (${inputTokens}) exceeds the maximum number of tokens allowed (${window}).`;
}
