import { convertToolChoice, prepareOpenAIResponsesTools } from './openai-responses-tools.js';

const tool = { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true };

describe(prepareOpenAIResponsesTools.name, () => {
  it('sends nothing without tools, whatever the choice', () => {
    expect(prepareOpenAIResponsesTools({ tools: [], toolChoice: 'required', parallelToolCalls: false })).toEqual({});
  });

  it('flattens function tools the Responses way and always sends parameters and strict', () => {
    expect(
      prepareOpenAIResponsesTools({
        tools: [tool, { name: 'ping', description: null, parameters: null, strict: null }, { ...tool, name: 'loose', strict: false }],
        toolChoice: 'auto',
        parallelToolCalls: null,
      }),
    ).toEqual({
      tools: [
        { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true },
        // Unset strict would mean strict at OpenAI; we ask for non-strict explicitly.
        { type: 'function', name: 'ping', parameters: null, strict: false },
        { type: 'function', name: 'loose', description: 'Weather', parameters: { type: 'object' }, strict: false },
      ],
      tool_choice: 'auto',
    });
  });

  it('sends parallel_tool_calls when set', () => {
    expect(prepareOpenAIResponsesTools({ tools: [tool], toolChoice: 'none', parallelToolCalls: false })).toMatchObject({
      tool_choice: 'none',
      parallel_tool_calls: false,
    });
  });
});

describe(convertToolChoice.name, () => {
  it.each(['auto', 'none', 'required'] as const)('passes %s through', (choice) => {
    expect(convertToolChoice(choice)).toBe(choice);
  });

  it('names a function without the Chat Completions nesting', () => {
    expect(convertToolChoice({ type: 'function', name: 'get_weather' })).toEqual({ type: 'function', name: 'get_weather' });
  });
});
