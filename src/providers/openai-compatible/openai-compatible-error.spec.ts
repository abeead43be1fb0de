import { ProviderError } from '../../common/provider-error.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { toOpenAICompatibleInBandError } from './openai-compatible-error.js';

describe(toOpenAICompatibleInBandError.name, () => {
  it('takes message and code from an OpenAI error object', () => {
    const error = toOpenAICompatibleInBandError('p', { error: { message: 'Overloaded', type: 'server_error', code: 'overloaded' } });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'p', status: null, retryable: false, message: 'Overloaded', providerCode: 'overloaded' });
  });

  it('still yields an error without a message', () => {
    expect(toOpenAICompatibleInBandError('p', { error: {} }).message).toBe('upstream reported an error without a message');
  });
});

describe(malformedUpstreamResponseError.name, () => {
  it('keeps the cause', () => {
    const cause = new SyntaxError('Unexpected end of JSON input');
    expect(malformedUpstreamResponseError('p', cause)).toMatchObject({ message: 'malformed upstream response', cause, retryable: false });
  });
});

describe(UnsupportedFeatureError.name, () => {
  it('is not a ProviderError, so the turn runner can answer 400', () => {
    const error = new UnsupportedFeatureError({ param: 'input', message: "input_file content is not supported by provider 'x'" });
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ name: 'UnsupportedFeatureError', param: 'input' });
  });
});
