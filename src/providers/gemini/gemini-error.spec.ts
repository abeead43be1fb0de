import { ProviderError } from '../../common/provider-error.js';
import { parseProviderErrorBody } from '../upstream-errors.js';
import { toGeminiInBandError, truncatedStreamError } from './gemini-error.js';

describe(toGeminiInBandError.name, () => {
  it.each([
    ['RESOURCE_EXHAUSTED', 429, true],
    ['UNAVAILABLE', 503, true],
    ['INTERNAL', 500, true],
    ['DEADLINE_EXCEEDED', 504, true],
    ['INVALID_ARGUMENT', 400, false],
    ['PERMISSION_DENIED', 403, false],
  ])('codes %s by its status, with the HTTP status it stands for (%s), retried: %s', (status, code, retryable) => {
    const error = toGeminiInBandError('google', { code, message: 'boom', status });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'google', status: code, providerCode: status, retryable, message: 'boom' });
  });

  it('falls back to the numeric code and a generic message', () => {
    expect(toGeminiInBandError('google', { code: 503 })).toMatchObject({
      providerCode: '503',
      retryable: true,
      message: 'upstream reported an error without a message',
    });
  });
});

describe(truncatedStreamError.name, () => {
  it('is retryable and has no status', () => {
    expect(truncatedStreamError('google')).toMatchObject({ status: null, retryable: true });
  });
});

// HTTP error bodies are read by callProvider, not by this adapter; these pin what it makes of Google's.
describe('Gemini HTTP error bodies in parseProviderErrorBody', () => {
  const body = { error: { code: 429, message: 'You exceeded your current quota.', status: 'RESOURCE_EXHAUSTED' } };

  it.each([
    ['the plain body', JSON.stringify(body)],
    ['the array-wrapped body', JSON.stringify([body])],
  ])('reads the message of %s, coded by the status name', (_, text) => {
    expect(parseProviderErrorBody(text)).toEqual({ message: 'You exceeded your current quota.', code: 'RESOURCE_EXHAUSTED' });
  });
});
