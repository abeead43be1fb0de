import { ProviderError } from '../../common/provider-error.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import {
  isEncryptedContentUnsupportedError,
  toOpenAIResponsesErrorEventError,
  toOpenAIResponsesFailedError,
  truncatedStreamError,
} from './openai-responses-error.js';

describe(toOpenAIResponsesErrorEventError.name, () => {
  it('reads the nested form, code before type', () => {
    expect(
      toOpenAIResponsesErrorEventError('openai', { type: 'error', error: { type: 'server_error', code: 'overloaded', message: 'Busy', param: null } }),
    ).toMatchObject({ provider: 'openai', message: 'Busy', providerCode: 'overloaded', status: null, retryable: false });
    expect(toOpenAIResponsesErrorEventError('openai', { type: 'error', error: { type: 'server_error', message: 'Busy' } }).providerCode).toBe('server_error');
  });

  it('reads the flat form', () => {
    expect(toOpenAIResponsesErrorEventError('openai', { type: 'error', code: 'server_error', message: 'Oops', param: null })).toMatchObject({
      message: 'Oops',
      providerCode: 'server_error',
      status: 500,
      retryable: true,
    });
  });

  it('still yields an error for a payload it cannot read', () => {
    expect(toOpenAIResponsesErrorEventError('openai', 42).message).toBe('upstream reported an error without a message');
  });
});

describe(toOpenAIResponsesFailedError.name, () => {
  it('takes message and code from response.error', () => {
    const error = toOpenAIResponsesFailedError('azure', { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Slow down' } });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'azure', message: 'Slow down', providerCode: 'rate_limit_exceeded', status: 429, retryable: true });
  });

  it('has a message when the upstream gave none', () => {
    expect(toOpenAIResponsesFailedError('azure', { status: 'failed', error: null })).toMatchObject({
      message: 'upstream response failed without an error message',
      providerCode: null,
    });
  });
});

describe(isEncryptedContentUnsupportedError.name, () => {
  it("recognises OpenAI's 400 for include on a model that does not reason", () => {
    const error = new ProviderError({ provider: 'openai', status: 400, message: 'Encrypted content is not supported with this model.' });
    expect(isEncryptedContentUnsupportedError(error)).toBe(true);
  });

  it('ignores other errors', () => {
    expect(isEncryptedContentUnsupportedError(new ProviderError({ provider: 'openai', status: 400, message: 'Invalid value' }))).toBe(false);
    expect(isEncryptedContentUnsupportedError(new ProviderError({ provider: 'openai', status: 500, message: 'Encrypted content is not supported' }))).toBe(
      false,
    );
    expect(isEncryptedContentUnsupportedError(new Error('Encrypted content is not supported with this model.'))).toBe(false);
  });
});

describe('stream failures', () => {
  it('marks a truncated stream retryable and a malformed one not', () => {
    expect(truncatedStreamError('openai')).toMatchObject({ retryable: true, status: null });
    const cause = new SyntaxError('Unexpected end of JSON input');
    expect(malformedUpstreamResponseError('openai', cause)).toMatchObject({ message: 'malformed upstream response', cause, retryable: false });
  });
});
