import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { ProviderError } from '../common/provider-error.js';
import { readBodyText, safeJsonParse } from './read-body.js';

// What a provider's failure means: the status and body of an HTTP error, Retry-After, and network
// failures without a status. Each becomes a ProviderError that says whether a retry may help.

const RETRYABLE_STATUSES = new Set([408, 409, 429]);

function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status) || status >= 500;
}

// Error bodies from proxies can be whole HTML pages; the message never needs more than this.
const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

export async function toHttpProviderError(provider: string, response: Dispatcher.ResponseData, signal: AbortSignal): Promise<ProviderError> {
  let text = '';
  try {
    text = await readBodyText(response.body, { signal, limitBytes: ERROR_BODY_LIMIT_BYTES });
  } catch {
    if (signal.aborted) {
      throw signal.reason;
    }
    // The status alone still classifies the failure when the error body cannot be read.
  }
  const details = parseProviderErrorBody(text);
  const status = response.statusCode;
  return new ProviderError({
    provider,
    status,
    message: details?.message ?? (response.statusText || STATUS_CODES[status] || `HTTP ${status}`),
    providerCode: details?.code ?? null,
    retryable: isRetryableStatus(status),
    retryAfterSeconds: parseRetryAfterSeconds(response.headers),
  });
}

const errorObjectSchema = z.object({
  message: z.string().nullish(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  /** Google's canonical status name (RESOURCE_EXHAUSTED, INVALID_ARGUMENT); its `code` is only the HTTP number. */
  status: z.string().nullish(),
});

// OpenAI sends `{error:{message,type,code}}`; vLLM and some proxies put the same fields at the top
// level, others send `{error: "text"}`, and Gemini's compatibility layer wraps the body in an array.
const errorBodySchema = z.object({
  error: z.union([errorObjectSchema, z.string()]).nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

export interface ProviderErrorDetails {
  message: string;
  /** Google's `status`, else the provider's `code`, else its `type`. */
  code: string | null;
}

/** Extracts message and code from an OpenAI-shaped error body (text or parsed JSON); null when absent. */
export function parseProviderErrorBody(body: unknown): ProviderErrorDetails | null {
  let value = body;
  if (typeof value === 'string') {
    const parsed = safeJsonParse(value);
    if (!parsed.ok) {
      return null;
    }
    value = parsed.value;
  }
  if (Array.isArray(value)) {
    value = value[0];
  }
  const result = errorBodySchema.safeParse(value);
  if (!result.success) {
    return null;
  }
  const { error } = result.data;
  const source = typeof error === 'object' && error !== null ? error : result.data;
  const message = typeof error === 'string' ? error : source.message;
  if (!message) {
    return null;
  }
  const code = ('status' in source ? source.status : null) ?? source.code ?? source.type;
  return { message, code: code === null || code === undefined ? null : String(code) };
}

/** Seconds from `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date); null when absent. */
export function parseRetryAfterSeconds(headers: Record<string, string | string[] | undefined>): number | null {
  const milliseconds = Number(firstHeader(headers['retry-after-ms'])?.trim() || Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) {
    return milliseconds / 1000;
  }
  const value = firstHeader(headers['retry-after'])?.trim();
  if (!value) {
    return null;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// Failures where the request may not have reached the model, or the network may recover.
const RETRYABLE_TRANSPORT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Wraps a network-level failure (no HTTP status) in a ProviderError. Refused, reset and closed
 * sockets and timeouts are retryable; anything else (bad URL, DNS name not found) is not.
 */
export function toProviderTransportError(provider: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  const code = errorCode(error);
  return new ProviderError({
    provider,
    status: null,
    message: `Connection to ${provider} failed${code ? ` (${code})` : ''}`,
    providerCode: code,
    retryable: code !== null && RETRYABLE_TRANSPORT_CODES.has(code),
    cause: error,
  });
}

function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) {
    return null;
  }
  const { code, errors, cause } = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    return code;
  }
  // Happy-eyeballs connects fail with an AggregateError holding one error per address tried.
  if (Array.isArray(errors) && errors.length > 0) {
    return errorCode(errors[0]);
  }
  return cause === undefined ? null : errorCode(cause);
}

/** The upstream sent bytes we cannot read as its documented wire format (any adapter, any endpoint). */
export function malformedUpstreamResponseError(provider: string, cause: unknown): ProviderError {
  return new ProviderError({ provider, message: 'malformed upstream response', cause });
}
