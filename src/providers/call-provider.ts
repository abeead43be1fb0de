import { STATUS_CODES } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import { Agent, type Dispatcher } from 'undici';
import { z } from 'zod';
import { ProviderError } from '../common/provider-error.js';
import { redactHeaders, type UpstreamTrace } from '../common/upstream-trace.js';

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
export const DEFAULT_HEADERS_TIMEOUT_MS = 120_000;
/** Longest silence allowed between two body chunks. */
export const DEFAULT_BODY_TIMEOUT_MS = 600_000;

/**
 * The headers timeout of a non-streamed call: its headers come only once the whole answer is
 * written, so it may wait as long as a stream may stay silent.
 */
export function wholeAnswerHeadersTimeoutMs(options: Pick<UpstreamCallOptions, 'headersTimeoutMs' | 'bodyTimeoutMs'>): number {
  return Math.max(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS);
}

export interface CallProviderOptions {
  /** Provider name, carried into every ProviderError. */
  provider: string;
  url: string;
  headers?: Record<string, string>;
  /** POST unless set (explicit provider caches are also patched and deleted). */
  method?: 'POST' | 'PATCH' | 'DELETE';
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

const RETRYABLE_STATUSES = new Set([408, 409, 429]);

function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status) || status >= 500;
}

// Error bodies from proxies can be whole HTML pages; the message never needs more than this.
const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

async function toHttpProviderError(provider: string, response: Dispatcher.ResponseData, signal: AbortSignal): Promise<ProviderError> {
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

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

export type SafeJsonResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** `JSON.parse` that reports failure instead of throwing; provider output is never trusted to parse. */
export function safeJsonParse(text: string): SafeJsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Reads a whole body as UTF-8. Past `limitBytes` the rest is discarded (the body is destroyed) and
 * the text read so far is returned. The bytes are decoded once, at the end: a JSON answer usually
 * arrives in one or two chunks, and a decoder per chunk cost more than the copy.
 */
export async function readBodyText(body: AsyncIterable<Uint8Array | string>, options: { signal?: AbortSignal; limitBytes?: number } = {}): Promise<string> {
  const limit = options.limitBytes ?? Number.POSITIVE_INFINITY;
  if (limit === Number.POSITIVE_INFINITY && hasText(body)) {
    // undici's own reader: no stream iterator, no promise per chunk. It destroys the body when
    // the request's signal aborts; the reason is the signal's, as for every other read here.
    options.signal?.throwIfAborted();
    try {
      return await body.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw error;
    }
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of abortable(body, options.signal)) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(data);
    bytes += data.byteLength;
    if (bytes >= limit) {
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hasText(body: AsyncIterable<Uint8Array | string>): body is AsyncIterable<Uint8Array | string> & { text(): Promise<string> } {
  return typeof (body as { text?: unknown }).text === 'function';
}

/** A server-sent event as eventsource-parser reports it (`event` is undefined when not named). */
export interface SseEvent {
  event: string | undefined;
  id: string | undefined;
  data: string;
}

/** How much of a read the SSE parser takes at a time (any cut is fine: the parser keeps partial lines). */
const SSE_FEED_CHARS = 4_096;

/**
 * Iterates the server-sent events of a response body. Bytes are decoded as a UTF-8 stream, so a
 * character or an event split across network chunks is reassembled; a final event without the
 * closing blank line is still delivered. When the signal aborts, the body is destroyed and the
 * iteration rejects with `signal.reason`. Leaving the loop early also releases the body.
 */
export async function* iterateSseEvents(body: AsyncIterable<Uint8Array | string>, signal?: AbortSignal): AsyncGenerator<SseEvent, void, undefined> {
  const pending: SseEvent[] = [];
  const parser = createParser({
    onEvent: (message) => pending.push({ event: message.event, id: message.id, data: message.data }),
  });
  // Node's StringDecoder keeps a character split across chunks as TextDecoder does, and decodes
  // with V8's own UTF-8 reader: TextDecoder went through ICU, ~4% of a streamed answer's instructions.
  const decoder = new StringDecoder('utf8');

  let first = true;
  for await (const chunk of abortable(body, signal)) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    // A byte order mark before the first event is not part of it (the SSE spec; TextDecoder dropped it).
    if (first && text !== '') {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A socket read can hold a whole answer (64 KB, ~250 events): fed in slices, its first events
    // are handed on before the rest is even split into events.
    for (let from = 0; from < text.length; from += SSE_FEED_CHARS) {
      parser.feed(text.length <= SSE_FEED_CHARS ? text : text.slice(from, from + SSE_FEED_CHARS));
      for (const event of pending.splice(0)) {
        yield event;
        signal?.throwIfAborted();
      }
    }
  }
  // Blank lines end a last event the server did not terminate; after a terminated one they are no-ops.
  parser.feed(`${decoder.end()}\n\n`);
  yield* pending.splice(0);
}

/**
 * Iterates a body and stops at once when the signal aborts: undici destroys its own bodies on
 * abort, but any other stream (a test double, a transformed body) is destroyed here too.
 */
async function* abortable<T>(body: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  if (!signal) {
    yield* body;
    return;
  }
  signal.throwIfAborted();
  const destroyable = body as { destroy?: (error?: Error) => void };
  const onAbort = () => destroyable.destroy?.(signal.reason instanceof Error ? signal.reason : undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      signal.throwIfAborted();
      yield chunk;
    }
    signal.throwIfAborted();
  } catch (error) {
    if (signal.aborted) {
      throw signal.reason;
    }
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
