import { ProviderError } from '../../common/provider-error.js';
import type { GeminiError } from './gemini.api.js';

// Overload, quota and transient server failures; the same request may well succeed again.
const RETRYABLE_STATUSES = new Set(['RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED']);
const RETRYABLE_CODES = new Set([429, 500, 503, 504]);

/**
 * An error reported inside a 200 stream: Google ends the SSE answer with one
 * `data: {"error": {"code": 503, "message": "…", "status": "UNAVAILABLE"}}` event when generation
 * fails after it started. The canonical `status` name becomes `providerCode`. HTTP error answers
 * never reach this: `callProvider` reads their body itself.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function toGeminiInBandError(provider: string, error: GeminiError): ProviderError {
  const status = error.status ?? null;
  const code = error.code ?? null;
  return new ProviderError({
    provider,
    message: error.message || 'upstream reported an error without a message',
    providerCode: status ?? (code === null ? null : String(code)),
    // `code` is the HTTP status the error stands for (503 for UNAVAILABLE).
    status: code,
    retryable: (status !== null && RETRYABLE_STATUSES.has(status)) || (code !== null && RETRYABLE_CODES.has(code)),
    cause: error,
  });
}

/**
 * The body ended without a finish reason (and without a blocked prompt): a proxy or load balancer
 * cut the answer off cleanly. Retryable like a reset connection, since the request itself was fine.
 */
export function truncatedStreamError(provider: string): ProviderError {
  return new ProviderError({ provider, message: 'upstream stream ended before a finish reason', retryable: true });
}
