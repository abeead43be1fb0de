import { ProviderError } from '../../common/provider-error.js';
import { parseProviderErrorBody } from '../upstream-errors.js';

/**
 * An error reported inside a 200 response (a `data: {"error": ...}` chunk, or an error body sent
 * with status 200). It is not retryable: the upstream already accepted the request and failed it.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function toOpenAICompatibleInBandError(provider: string, payload: unknown): ProviderError {
  const details = parseProviderErrorBody(payload);
  return new ProviderError({
    provider,
    message: details?.message ?? 'upstream reported an error without a message',
    providerCode: details?.code ?? null,
    cause: payload,
  });
}
