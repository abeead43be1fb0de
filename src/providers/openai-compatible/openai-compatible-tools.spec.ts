import { convertToolChoice, prepareOpenAICompatibleTools } from './openai-compatible-tools.js';

const weather = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: true,
};

describe(prepareOpenAICompatibleTools.name, () => {
  it('omits tools, tool_choice and parallel_tool_calls when there are no tools', () => {
    expect(prepareOpenAICompatibleTools({ tools: [], toolChoice: 'required', parallelToolCalls: true })).toEqual({});
  });

  it('wraps each tool as a function and leaves out null fields', () => {
    expect(
      prepareOpenAICompatibleTools({
        tools: [weather, { name: 'ping', description: null, parameters: null, strict: null }],
        toolChoice: 'auto',
        parallelToolCalls: null,
      }),
    ).toEqual({
      tools: [
        { type: 'function', function: weather },
        { type: 'function', function: { name: 'ping' } },
      ],
      tool_choice: 'auto',
    });
  });

  it('sends parallel_tool_calls when set, false included', () => {
    expect(prepareOpenAICompatibleTools({ tools: [weather], toolChoice: 'none', parallelToolCalls: false })).toMatchObject({
      tool_choice: 'none',
      parallel_tool_calls: false,
    });
  });

  it('keeps parameters untouched, key order included', () => {
    const parameters = { type: 'object', required: ['b', 'a'], properties: { b: { type: 'string' }, a: { type: 'number' } } };
    const fields = prepareOpenAICompatibleTools({ tools: [{ ...weather, parameters }], toolChoice: 'auto', parallelToolCalls: null });
    expect(JSON.stringify(fields.tools?.[0]?.function.parameters)).toBe(JSON.stringify(parameters));
  });
});

describe(convertToolChoice.name, () => {
  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
  ] as const)('passes %s through', (choice, expected) => {
    expect(convertToolChoice(choice)).toBe(expected);
  });

  it('nests a named function', () => {
    expect(convertToolChoice({ type: 'function', name: 'get_weather' })).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });
});
