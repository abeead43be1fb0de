import type { z } from 'zod';
import { ProviderError } from '../../common/provider-error.js';
import type { anthropicErrorSchema } from './anthropic.api.js';

// The in-stream equivalents of 429, 500, 504 and 529: the same request may well succeed again. The
// status each stands for is the one Anthropic answers with before a stream starts.
const RETRYABLE_ERROR_STATUSES = new Map([
  ['overloaded_error', 529],
  ['api_error', 500],
  ['rate_limit_error', 429],
  ['timeout_error', 504],
]);

/**
 * An error reported inside a 200 response: the `error` stream event (typically `overloaded_error`
 * during high load, which would have been a 529 before the stream started), or an error body sent
 * with status 200 by a proxy. The error `type` becomes `providerCode`, and `status` the HTTP status
 * it stands for.
 * HTTP error answers never reach this: `callProvider` reads Anthropic's `{type:'error', error:{type,
 * message}}` body itself.
 * @see https://platform.claude.com/docs/en/api/errors
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#error-events
 */
export function toAnthropicInBandError(provider: string, error: z.infer<typeof anthropicErrorSchema> | null | undefined): ProviderError {
  const type = error?.type ?? null;
  return new ProviderError({
    provider,
    message: error?.message || 'upstream reported an error without a message',
    providerCode: type,
    status: (type !== null && RETRYABLE_ERROR_STATUSES.get(type)) || null,
    retryable: type !== null && RETRYABLE_ERROR_STATUSES.has(type),
    cause: error,
  });
}

/**
 * The body ended without `message_stop` or a stop reason: a proxy or load balancer cut the answer
 * off cleanly. Retryable like a reset connection, since the request itself was fine.
 */
export function truncatedStreamError(provider: string): ProviderError {
  return new ProviderError({ provider, message: 'upstream stream ended before message_stop', retryable: true });
}
