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

  it('accepts every tool_choice form OpenAI documents', () => {
    for (const choice of [
      'auto',
      { type: 'function', name: 'f' },
      { type: 'mcp', server_label: 'deepwiki' },
      { type: 'image_generation' },
      { type: 'web_search_preview' },
      { type: 'shell' },
    ])
      expect(attempt({ model: 'm', tool_choice: choice })).toBeNull();
  });

  it('tells a value of the wrong type from a missing one', () => {
    expect(attempt({ model: 'm', metadata: { a: { b: 1 } } })?.message).toBe("Invalid value for 'metadata.a': Invalid input: expected string, received object");
    expect(attempt({ model: 'm', tool_choice: { type: 'function' } })?.message).toBe("Missing required parameter: 'tool_choice.name'.");
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
    // A union branch whose type matched is the one to complain about, not a branch of another type.
    [{ model: 'm', tool_choice: { type: 'allowed_tools', mode: 'auto', tools: 5 } }, 'tool_choice.tools'],
    [{ model: 'm', tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ name: 'f' }] } }, 'tool_choice.tools[0].type'],
    [{ model: 'm', tool_choice: { type: 'function' } }, 'tool_choice.name'],
    [{ model: 'm', tool_choice: { type: 'custom', name: 3 } }, 'tool_choice.name'],
    [{ model: 'm', tool_choice: { type: 'mcp' } }, 'tool_choice.server_label'],
    [{ model: 'm', tool_choice: { type: 'teleport' } }, 'tool_choice.type'],
    [{ model: 'm', tool_choice: 'sometimes' }, 'tool_choice'],
  ])('rejects %j naming %s', (body, param) => {
    const error = attempt(body);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});
