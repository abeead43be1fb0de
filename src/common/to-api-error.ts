import { ApiError } from './api-error.js';
import { isContextOverflow } from './context-overflow.js';
import { ProviderError } from './provider-error.js';
import { UnsupportedFeatureError } from './unsupported-feature-error.js';

/**
 * Maps anything thrown to the ApiError the client sees. Upstream statuses are kept where they mean
 * the same to our client (400, 404, 413, 429); a rejected provider key is our configuration problem,
 * so it is a 502, as are upstream 5xx and broken connections.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ProviderError) return fromProviderError(error);
  if (error instanceof UnsupportedFeatureError) return ApiError.invalidRequest(error.message, error.param, error.code ?? 'unsupported_parameter');
  const statusCode = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return fromFrameworkError(statusCode, error as Error);
  return ApiError.internal();
}

function fromProviderError(error: ProviderError): ApiError {
  // Every vendor words it differently; the client gets OpenAI's one error for it.
  if (isContextOverflow(error)) return ApiError.contextLengthExceeded(`(Upstream provider '${error.provider}': ${error.message})`);
  const upstream = `Upstream provider '${error.provider}'`;
  switch (error.status) {
    case 400:
    case 422:
      return new ApiError(
        400,
        `${upstream} rejected the request: ${error.message}`,
        'invalid_request_error',
        null,
        error.providerCode ?? 'upstream_invalid_request',
      );
    case 401:
    case 403:
      return ApiError.badGateway(`${upstream} rejected the server's API key for it (${error.status}): ${error.message}`, 'upstream_authentication_failed');
    case 404:
      return new ApiError(404, `${upstream} does not know the model: ${error.message}`, 'invalid_request_error', 'model', 'model_not_found');
    case 413:
      return new ApiError(413, `${upstream} says the request is too large: ${error.message}`, 'invalid_request_error', null, 'request_too_large');
    case 429:
      return ApiError.rateLimited(`${upstream} is rate limiting requests: ${error.message}`, error.retryAfterSeconds);
    case null:
      return ApiError.badGateway(`${upstream} failed: ${error.message}`);
    default:
      // 529 is Anthropic's "overloaded": unavailable for now, like a 503.
      if (error.status === 503 || error.status === 529) return ApiError.serviceUnavailable(`${upstream} is unavailable: ${error.message}`);
      return ApiError.badGateway(`${upstream} failed with status ${error.status}: ${error.message}`);
  }
}

function fromFrameworkError(statusCode: number, error: Error): ApiError {
  const code = (error as { code?: unknown }).code;
  if (statusCode === 413) return new ApiError(413, 'Request body is too large.', 'invalid_request_error', null, 'request_too_large');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) {
    return new ApiError(400, 'Unsupported Content-Type: send the body as application/json.', 'invalid_request_error', null, 'unsupported_content_type');
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return ApiError.invalidRequest('The request body is empty; send a JSON object.', null, 'invalid_json');
  if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return ApiError.invalidRequest(`We could not parse the JSON body of your request: ${error.message}`, null, 'invalid_json');
  }
  if (statusCode === 401) return ApiError.unauthorized(error.message);
  if (statusCode === 404) return new ApiError(404, error.message, 'invalid_request_error', null, 'not_found');
  return new ApiError(statusCode, error.message, 'invalid_request_error');
}
