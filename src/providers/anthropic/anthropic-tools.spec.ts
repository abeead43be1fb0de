import type { FunctionTool } from '../../planning/model-request.js';
import { prepareAnthropicTools } from './anthropic-tools.js';

const weather: FunctionTool = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const now: FunctionTool = { name: 'now', description: null, parameters: null, strict: null };

function prepare(overrides: Partial<Parameters<typeof prepareAnthropicTools>[0]> = {}) {
  return prepareAnthropicTools({ tools: [weather, now], toolChoice: 'auto', parallelToolCalls: null, historyHasToolBlocks: false, ...overrides });
}

describe(prepareAnthropicTools.name, () => {
  it('converts tools, giving a parameterless tool an empty object schema', () => {
    expect(prepare()).toMatchInlineSnapshot(`
      {
        "tool_choice": {
          "type": "auto",
        },
        "tools": [
          {
            "description": "Current weather",
            "input_schema": {
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
            "name": "get_weather",
          },
          {
            "input_schema": {
              "properties": {},
              "type": "object",
            },
            "name": "now",
          },
        ],
      }
    `);
  });

  it.each([
    ['required', { type: 'any' }],
    [
      { type: 'function', name: 'now' },
      { type: 'tool', name: 'now' },
    ],
  ] as const)('maps tool choice %j to %j', (toolChoice, expected) => {
    expect(prepare({ toolChoice }).tool_choice).toEqual(expected);
  });

  it('puts disable_parallel_tool_use inside tool_choice when parallel calls are off', () => {
    expect(prepare({ parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(prepare({ parallelToolCalls: false, toolChoice: 'required' }).tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(prepare({ parallelToolCalls: true }).tool_choice).toEqual({ type: 'auto' });
  });

  it('drops tools and tool_choice for none, unless the history holds tool blocks', () => {
    expect(prepare({ toolChoice: 'none', parallelToolCalls: false })).toEqual({});
    expect(prepare({ toolChoice: 'none', historyHasToolBlocks: true })).toMatchObject({
      tool_choice: { type: 'none' },
      tools: [{ name: 'get_weather' }, { name: 'now' }],
    });
  });

  it('sends nothing without tools', () => {
    expect(prepare({ tools: [], toolChoice: 'required', parallelToolCalls: false })).toEqual({});
  });
});
