import type { FunctionTool, ToolChoice } from '../../planning/model-request.js';
import { convertGeminiToolChoice, prepareGeminiTools } from './gemini-tools.js';

const weather: FunctionTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};
const now: FunctionTool = { name: 'get_time', description: null, parameters: null, strict: null };

describe(prepareGeminiTools.name, () => {
  it('declares every function in one Tool with its JSON Schema as parametersJsonSchema, strict dropped', () => {
    expect(prepareGeminiTools({ tools: [weather, now], toolChoice: 'auto' })).toMatchInlineSnapshot(`
{
  "toolConfig": {
    "functionCallingConfig": {
      "mode": "AUTO",
    },
  },
  "tools": [
    {
      "functionDeclarations": [
        {
          "description": "Current weather for a city",
          "name": "get_weather",
          "parametersJsonSchema": {
            "additionalProperties": false,
            "properties": {
              "city": {
                "type": "string",
              },
            },
            "required": [
              "city",
            ],
            "type": "object",
          },
        },
        {
          "name": "get_time",
        },
      ],
    },
  ],
}
`);
  });

  it('sends neither tools nor toolConfig without tools, whatever the choice', () => {
    expect(prepareGeminiTools({ tools: [], toolChoice: 'required' })).toEqual({});
  });
});

describe(convertGeminiToolChoice.name, () => {
  it.each<[ToolChoice, unknown]>([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [{ type: 'function', name: 'get_weather' }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } }],
  ])('maps %j', (toolChoice, expected) => {
    expect(convertGeminiToolChoice(toolChoice)).toEqual(expected);
  });
});
