import { createResponseSchema } from '../items/responses.schemas.js';
import { ApiError } from './api-error.js';
import { formatParamPath, parseOrThrow } from './validation.js';

describe(formatParamPath.name, () => {
  it('writes paths the way OpenAI names params', () => {
    expect(formatParamPath(['input', 1, 'content', 0, 'text'])).toBe('input[1].content[0].text');
    expect(formatParamPath([])).toBeNull();
  });
});

describe(parseOrThrow.name, () => {
  const attempt = (body: unknown) => {
    try {
      parseOrThrow(createResponseSchema, body);
      return null;
    } catch (error) {
      return error as ApiError;
    }
  };

  it('accepts and ignores unknown top-level fields (real clients send them)', () => {
    expect(attempt({ model: 'm', input: 'x', client_metadata: { a: 1 } })).toBeNull();
  });

  it('accepts EasyInputMessages without a type', () => {
    expect(parseOrThrow(createResponseSchema, { model: 'm', input: [{ role: 'user', content: 'hi' }] }).input).toEqual([
      { type: 'message', role: 'user', content: 'hi' },
    ]);
  });

  it.each([
    [{ model: 'm', max_output_tokens: 8 }, 'max_output_tokens'],
    [{ model: 'm', top_p: 2 }, 'top_p'],
    [{ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
    [{ model: 'm', text: { format: { type: 'json_schema', name: 'bad name', schema: {} } } }, 'text.format.name'],
    [{ input: 'x' }, 'model'],
  ])('rejects %j naming %s', (body, param) => {
    const error = attempt(body);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});
