/**
 * One error type for every upstream failure. `status` is the upstream HTTP status, or for an error
 * reported inside a 200 stream the status it stands for (Anthropic's `overloaded_error`: 529); null
 * when there is none (connection refused, reset, timeout, malformed stream). `retryable` says whether the
 * same request may succeed if sent again before any output reached the client.
 */
export class ProviderError extends Error {
  readonly provider: string;
  readonly status: number | null;
  readonly retryable: boolean;
  /** The provider's own error code or type, when it sent one. */
  readonly providerCode: string | null;
  /** Seconds the provider asked us to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | null;

  constructor(options: {
    provider: string;
    message: string;
    status?: number | null;
    retryable?: boolean;
    providerCode?: string | null;
    retryAfterSeconds?: number | null;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.name = 'ProviderError';
    this.provider = options.provider;
    this.status = options.status ?? null;
    this.retryable = options.retryable ?? false;
    this.providerCode = options.providerCode ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}
