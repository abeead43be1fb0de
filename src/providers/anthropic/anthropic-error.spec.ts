import { ProviderError } from '../../common/provider-error.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import { malformedUpstreamResponseError, parseProviderErrorBody } from '../upstream-errors.js';
import { toAnthropicInBandError, truncatedStreamError } from './anthropic-error.js';

describe(toAnthropicInBandError.name, () => {
  it.each([
    ['overloaded_error', 529],
    ['api_error', 500],
    ['rate_limit_error', 429],
    ['timeout_error', 504],
  ])('makes %s retryable, with the status it stands for: %s', (type, status) => {
    expect(toAnthropicInBandError('anthropic', { type, message: 'Overloaded' })).toMatchObject({
      provider: 'anthropic',
      status,
      retryable: true,
      providerCode: type,
      message: 'Overloaded',
    });
  });

  it('keeps other errors final and still yields an error without a message', () => {
    const error = toAnthropicInBandError('anthropic', { type: 'invalid_request_error' });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: false, status: null, message: 'upstream reported an error without a message' });
  });
});

describe('HTTP error bodies', () => {
  // callProvider turns non-2xx answers into ProviderError with parseProviderErrorBody; Anthropic's
  // envelope must come through with its message and its error type as the code.
  it('are read by parseProviderErrorBody', () => {
    const body = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}';
    expect(parseProviderErrorBody(body)).toEqual({ message: 'Overloaded', code: 'overloaded_error' });
  });
});

describe(truncatedStreamError.name, () => {
  it('is retryable, like a reset connection', () => {
    expect(truncatedStreamError('anthropic')).toMatchObject({ status: null, retryable: true });
  });
});

describe(malformedUpstreamResponseError.name, () => {
  it('keeps the cause and is final', () => {
    const cause = new SyntaxError('Unexpected end of JSON input');
    expect(malformedUpstreamResponseError('anthropic', cause)).toMatchObject({ message: 'malformed upstream response', cause, retryable: false });
  });
});

describe(UnsupportedFeatureError.name, () => {
  it('is not a ProviderError, so the turn runner can answer 400', () => {
    expect(new UnsupportedFeatureError({ param: 'temperature', message: 'x' })).not.toBeInstanceOf(ProviderError);
  });
});
