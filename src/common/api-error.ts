/** The OpenAI error envelope: `{"error":{"message","type","param","code"}}`, all four keys always present. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * The one error that leaves the server. Services throw it through the named factories; the global
 * filter serializes it unchanged, with `Retry-After` when set.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** Headers the answer carries besides `retry-after` (a rate limit's `x-ratelimit-*`). */
  headers: Record<string, string> = {};

  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  static invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
    return new ApiError(400, message, 'invalid_request_error', param, code);
  }

  static invalidValue(message: string, param: string): ApiError {
    return new ApiError(400, message, 'invalid_request_error', param, 'invalid_value');
  }

  /** OpenAI's own words for a prompt that does not fit the model's window; every vendor's overflow error maps to it. */
  static contextLengthExceeded(detail?: string): ApiError {
    const message = 'Your input exceeds the context window of this model. Please adjust your input and try again.';
    return ApiError.invalidRequest(detail ? `${message} ${detail}` : message, 'input', 'context_length_exceeded');
  }

  static notFound(kind: string, id: string, param: string | null = null): ApiError {
    return new ApiError(404, `${kind} with id '${id}' not found.`, 'invalid_request_error', param, 'not_found');
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(401, message, 'authentication_error', null, 'invalid_api_key');
  }

  static conflict(message: string, param: string | null = null): ApiError {
    return new ApiError(409, message, 'invalid_request_error', param, 'conflict');
  }

  static payloadTooLarge(limitBytes: number): ApiError {
    return new ApiError(413, `Request body is larger than the limit of ${limitBytes} bytes.`, 'invalid_request_error', null, 'request_too_large');
  }

  static rateLimited(message: string, retryAfterSeconds: number | null): ApiError {
    return new ApiError(429, message, 'rate_limit_exceeded', null, 'rate_limit_exceeded', retryAfterSeconds);
  }

  static badGateway(message: string, code: string | null = 'upstream_error'): ApiError {
    return new ApiError(502, message, 'server_error', null, code);
  }

  static serviceUnavailable(message: string): ApiError {
    return new ApiError(503, message, 'server_error', null, 'upstream_unavailable');
  }

  static internal(message = 'The server had an error while processing your request.'): ApiError {
    return new ApiError(500, message, 'server_error', null, 'server_error');
  }
}
