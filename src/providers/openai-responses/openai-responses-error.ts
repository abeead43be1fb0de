import type { z } from 'zod';
import { ProviderError } from '../../common/provider-error.js';
import { type OpenAIResponsesResponse, openAIResponsesErrorEventSchema } from './openai-responses.api.js';

/**
 * Failures OpenAI reports inside a stream that the same request may survive, with the HTTP status
 * each stands for. They are retried only before any output (providers/retry-in-band.ts).
 */
const RETRYABLE_CODES = new Map([
  ['server_error', 500],
  ['rate_limit_exceeded', 429],
]);

function inBandError(provider: string, message: string, code: string | null, cause: unknown): ProviderError {
  const status = code === null ? undefined : RETRYABLE_CODES.get(code);
  return new ProviderError({ provider, message, providerCode: code, status: status ?? null, retryable: status !== undefined, cause });
}

/**
 * An `error` event in the stream, flat (`{code, message, param}`) or nested (`{error: {type, code,
 * message}}`). A server error or rate limit is retryable (before any output).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming/error
 */
export function toOpenAIResponsesErrorEventError(provider: string, payload: unknown): ProviderError {
  const parsed = openAIResponsesErrorEventSchema.safeParse(payload);
  const event: z.infer<typeof openAIResponsesErrorEventSchema> = parsed.success ? parsed.data : {};
  const nested = typeof event.error === 'object' && event.error !== null ? event.error : null;
  const message = (typeof event.error === 'string' ? event.error : nested?.message) ?? event.message;
  // The flat form's `type` is the event type ('error'), never an error code, so only the nested one is read.
  const code = nested?.code ?? nested?.type ?? event.code;
  return inBandError(provider, message || 'upstream reported an error without a message', code === null || code === undefined ? null : String(code), payload);
}

/**
 * A `response.failed` event (or a non-streamed Response with status `failed`): the error the
 * Response carries, as a ProviderError without HTTP status.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming/response/failed
 */
export function toOpenAIResponsesFailedError(provider: string, response: OpenAIResponsesResponse): ProviderError {
  const code = response.error?.code;
  return inBandError(
    provider,
    response.error?.message || 'upstream response failed without an error message',
    code === null || code === undefined ? null : String(code),
    response.error ?? response,
  );
}

/**
 * A stream that ended (or sent `[DONE]`) before `response.completed`, `.incomplete` or `.failed`.
 * A Responses stream always ends with one of them, so the answer was cut short, most likely by a
 * proxy; sending the request again may well succeed.
 */
export function truncatedStreamError(provider: string): ProviderError {
  return new ProviderError({ provider, message: 'upstream stream ended before the response was complete', retryable: true });
}

/**
 * True for OpenAI's answer to `include: ["reasoning.encrypted_content"]` on a model that does not
 * reason (gpt-4.1, gpt-4o, Azure deployments of them): `400 Encrypted content is not supported with
 * this model.` (param `include`). The message is not documented; it is the one reported by clients
 * that hit it.
 */
export function isEncryptedContentUnsupportedError(error: unknown): boolean {
  return error instanceof ProviderError && error.status === 400 && /encrypted content is not supported/i.test(error.message);
}
