import { ProviderError } from './provider-error.js';

/**
 * How each vendor says a prompt does not fit the model's window: OpenAI (Responses and Chat)
 * `context_length_exceeded`, Anthropic "prompt is too long" and "input length and `max_tokens`
 * exceed context limit", Gemini "The input token count (N) exceeds the maximum number of tokens
 * allowed", vLLM "maximum context length", and the wording other compatible servers use.
 */
const OVERFLOW_MESSAGE =
  /context_length_exceeded|context length|context window|prompt is too long|exceed context limit|input token count .*exceeds the maximum|maximum number of tokens allowed|too many (input )?tokens|reduce the length of the (messages|prompt)/i;

/** Whether an upstream failure means "the prompt is longer than the model's window". */
export function isContextOverflow(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  // OpenAI's Responses stream fails an overflow after a 200 (an `error` event, then `response.failed`): no status, only the code.
  if (error.providerCode === 'context_length_exceeded') return true;
  if (error.status !== 400 && error.status !== 413 && error.status !== 422) return false;
  return OVERFLOW_MESSAGE.test(error.message);
}
