import { Agent, type Dispatcher } from 'undici';
import type { ProviderError } from '../common/provider-error.js';
import { redactHeaders, type UpstreamTrace } from '../common/upstream-trace.js';
import { toHttpProviderError, toProviderTransportError } from './upstream-errors.js';

/** Backoff for failures that happen before the first body byte reaches the caller. */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). */
  maxRetries: number;
  /** First backoff in milliseconds; doubles on every retry, minus up to 25 % jitter. */
  baseDelayMs: number;
  /** Upper bound of one wait, also the longest Retry-After we are willing to honour. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8_000 };
/** Slow reasoning models may think for minutes before their first header byte. */
const DEFAULT_HEADERS_TIMEOUT_MS = 120_000;
/** Longest silence allowed between two body chunks. */
const DEFAULT_BODY_TIMEOUT_MS = 600_000;

/**
 * The headers timeout of a non-streamed call: its headers come only once the whole answer is
 * written, so it may wait as long as a stream may stay silent.
 */
function wholeAnswerHeadersTimeoutMs(options: Pick<UpstreamCallOptions, 'headersTimeoutMs' | 'bodyTimeoutMs'>): number {
  return Math.max(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS);
}

/**
 * What every upstream call of an adapter carries besides its URL, headers and body: the adapter's
 * retry policy and timeouts (a call answered in one piece waits for its headers as long as a
 * stream may stay silent), and the trace the call is recorded in, if any.
 */
export function callSettings(
  options: Pick<UpstreamCallOptions, 'retry' | 'headersTimeoutMs' | 'bodyTimeoutMs'>,
  call: { wholeAnswer: boolean; trace?: UpstreamTrace | undefined },
): Pick<CallProviderOptions, 'retry' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'trace'> {
  return {
    retry: options.retry,
    headersTimeoutMs: call.wholeAnswer ? wholeAnswerHeadersTimeoutMs(options) : options.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs,
    ...(call.trace ? { trace: call.trace } : {}),
  };
}

export interface CallProviderOptions {
  /** Provider name, carried into every ProviderError. */
  provider: string;
  url: string;
  headers?: Record<string, string>;
  /** POST unless set (explicit provider caches are also patched and deleted; model lists are read with GET). */
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Serialized as JSON; undefined sends no body. */
  body: unknown;
  signal: AbortSignal;
  retry?: Partial<RetryOptions>;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Defaults to the shared keep-alive agent. */
  dispatcher?: Dispatcher;
  /** Records what was sent and how many attempts it took (operators' view of a response). */
  trace?: UpstreamTrace;
}

/**
 * The part of an undici response adapters rely on. Narrower than `Dispatcher.ResponseData` so a
 * test can stand in a `Readable.from(...)` body without a socket.
 */
export interface ProviderResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array | string>;
}

export type CallProvider = (options: CallProviderOptions) => Promise<ProviderResponse>;

/** What every adapter takes for its upstream calls, besides its own URL and key. */
export interface UpstreamCallOptions {
  retry?: Partial<RetryOptions>;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Replaces the HTTP call; tests serve fixtures through it. */
  callProvider?: CallProvider;
}

// One agent for the whole process: undici keeps a keep-alive pool per origin inside it, so every
// provider reuses its TLS connections instead of paying a handshake per model call.
let sharedAgent: Agent | null = null;

function agent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connect: { timeout: 10_000 } });
  return sharedAgent;
}

/** Origins and paths of the URLs called, which are few (a provider's base URL and its endpoints). */
const targets = new Map<string, { origin: string; path: string }>();
const TARGETS_KEPT = 256;

/**
 * The origin and path a dispatcher wants, parsed once per URL: undici's top-level `request(url)`
 * parses the URL on every call, which was measurable on a request path that adds ~0.2 ms in all.
 */
function target(url: string): { origin: string; path: string } {
  let found = targets.get(url);
  if (!found) {
    const parsed = new URL(url);
    found = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (targets.size >= TARGETS_KEPT) targets.clear();
    targets.set(url, found);
  }
  return found;
}

/**
 * Closes the shared keep-alive agent once its requests finished (graceful shutdown, or the end of
 * a test); a later call opens a new one, for a second app in the same process.
 */
export function closeProviderConnections(): Promise<void> {
  const closing = sharedAgent;
  sharedAgent = null;
  return closing?.close() ?? Promise.resolve();
}

/** Failures `callProvider` gave up on, its retries spent: a caller must not spend them again. */
const retriedBeforeStream = new WeakSet<ProviderError>();

/** Whether the error is one `callProvider` already retried (an HTTP failure before the stream), not one from inside a stream. */
export function failedBeforeStream(error: ProviderError): boolean {
  return retriedBeforeStream.has(error);
}

/**
 * Sends JSON to a provider (POST unless told otherwise) and resolves with the response once a 2xx status and headers arrived;
 * the body is left unread for the caller to stream. Failures become `ProviderError`; retryable ones
 * (408, 409, 429, 5xx, connection failures) are retried with exponential backoff and jitter, honouring
 * Retry-After. Nothing is retried after the signal aborts: the promise rejects with `signal.reason`.
 */
export async function callProvider(options: CallProviderOptions): Promise<Dispatcher.ResponseData> {
  const { provider, signal } = options;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
  options.trace?.requests.push({ method: options.method ?? 'POST', url: options.url, headers: redactHeaders(headers), body: payload ?? null });

  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    if (options.trace) options.trace.attempts++;
    let failure: ProviderError;
    try {
      const response = await (options.dispatcher ?? agent()).request({
        ...target(options.url),
        method: options.method ?? 'POST',
        headers,
        body: payload,
        signal,
        headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
        bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
      });
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return response;
      }
      failure = await toHttpProviderError(provider, response, signal);
    } catch (error) {
      if (signal.aborted) {
        throw signal.reason;
      }
      failure = toProviderTransportError(provider, error);
    }

    const delayMs = failure.retryable && attempt < retry.maxRetries ? retryDelayMs(failure, attempt, retry) : null;
    if (delayMs === null) {
      retriedBeforeStream.add(failure);
      throw failure;
    }
    await sleep(delayMs, signal);
  }
}

/**
 * How long to wait before the next attempt, or null when we should give up now: a Retry-After beyond
 * `maxDelayMs` means the provider will not recover within our budget, so the caller gets the error
 * (with `retryAfterSeconds`) at once instead of after a wait that is known to be too short.
 */
export function retryDelayMs(error: ProviderError, attempt: number, retry: RetryOptions, random = Math.random): number | null {
  if (error.retryAfterSeconds !== null) {
    const requestedMs = Math.ceil(error.retryAfterSeconds * 1000);
    return requestedMs <= retry.maxDelayMs ? requestedMs : null;
  }
  const exponentialMs = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.round(exponentialMs * (1 - random() * 0.25));
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
