import { offeredToolCall } from './offered-tools.js';

const weather = { type: 'object', properties: { location: { type: 'string' }, days: { type: 'integer' } }, required: ['location', 'days'] };
const call = (name: string) => ({ kind: 'tool_calls', calls: [{ name, arguments: '{"location":"example location","days":1}' }] });

describe('offeredToolCall (the mock calls the first tool it is offered)', () => {
  it('reads the tool from each wire', () => {
    expect(offeredToolCall({ tools: [{ type: 'function', name: 'get_weather', parameters: weather }], input: [{ role: 'user', content: 'Hi' }] })).toEqual(
      call('get_weather'),
    );
    expect(
      offeredToolCall({ tools: [{ type: 'function', function: { name: 'get_weather', parameters: weather } }], messages: [{ role: 'user', content: 'Hi' }] }),
    ).toEqual(call('get_weather'));
    expect(offeredToolCall({ tools: [{ name: 'get_weather', input_schema: weather }], messages: [{ role: 'user', content: 'Hi' }] })).toEqual(
      call('get_weather'),
    );
    expect(
      offeredToolCall({
        tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: weather }] }],
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      }),
    ).toEqual(call('get_weather'));
  });

  it('answers a tool result, and a request without tools, the usual way', () => {
    expect(
      offeredToolCall({ tools: [{ type: 'function', name: 'f' }], input: [{ type: 'function_call_output', call_id: 'c', output: 'ok' }] }),
    ).toBeUndefined();
    expect(
      offeredToolCall({ tools: [{ name: 'f', input_schema: {} }], messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] }] }),
    ).toBeUndefined();
    expect(offeredToolCall({ messages: [{ role: 'user', content: 'Hi' }] })).toBeUndefined();
  });
});
