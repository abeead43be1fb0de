import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { ContentPart, FunctionCallItem, FunctionCallOutputItem, Item, MessageItem, ReasoningItem } from '../../items/item.schemas.js';
import { type ConvertMessagesOptions, convertToOpenAICompatibleMessages } from './to-openai-compatible-messages.js';

function message(role: MessageItem['role'], content: ContentPart[] | string): MessageItem {
  const parts: ContentPart[] =
    typeof content === 'string'
      ? [role === 'assistant' ? { type: 'output_text', text: content, annotations: [], logprobs: [] } : { type: 'input_text', text: content }]
      : content;
  return { type: 'message', id: `msg_${role}`, role, status: 'completed', content: parts };
}

function functionCall(callId: string, name: string, args: string): FunctionCallItem {
  return { type: 'function_call', id: `fc_${callId}`, call_id: callId, name, arguments: args, status: 'completed' };
}

function functionCallOutput(callId: string, output: FunctionCallOutputItem['output']): FunctionCallOutputItem {
  return { type: 'function_call_output', id: `fco_${callId}`, call_id: callId, output, status: 'completed' };
}

const reasoning: ReasoningItem = {
  type: 'reasoning',
  id: 'rs_1',
  summary: [{ type: 'summary_text', text: 'thinking about weather' }],
  content: [{ type: 'reasoning_text', text: 'raw thoughts' }],
};

function convert(items: Item[], overrides: Partial<ConvertMessagesOptions> = {}) {
  return convertToOpenAICompatibleMessages({ provider: 'test', dialect: 'openai', instructions: null, items, ...overrides });
}

function conversionError(items: Item[], overrides: Partial<ConvertMessagesOptions> = {}): unknown {
  try {
    convert(items, overrides);
  } catch (error) {
    return error;
  }
  throw new Error('expected the conversion to fail');
}

describe(convertToOpenAICompatibleMessages.name, () => {
  it('puts instructions first as a system message and sends a lone text part as a string', () => {
    expect(convert([message('user', 'Hi')], { instructions: 'Be brief.' })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('sends several text parts as an array of text parts', () => {
    expect(
      convert([
        message('user', [
          { type: 'input_text', text: 'one' },
          { type: 'input_text', text: 'two' },
        ]),
      ]),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
    ]);
  });

  it('converts images, sending detail only when it is not auto', () => {
    expect(
      convert([
        message('user', [
          { type: 'input_text', text: 'Compare these' },
          { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
          { type: 'input_image', image_url: 'https://example.com/c.png', detail: 'original' },
        ]),
      ]),
    ).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "Compare these",
              "type": "text",
            },
            {
              "image_url": {
                "url": "https://example.com/a.png",
              },
              "type": "image_url",
            },
            {
              "image_url": {
                "detail": "low",
                "url": "data:image/png;base64,iVBORw0KGgo=",
              },
              "type": "image_url",
            },
            {
              "image_url": {
                "detail": "high",
                "url": "https://example.com/c.png",
              },
              "type": "image_url",
            },
          ],
          "role": "user",
        },
      ]
    `);
  });

  it('rejects an image given only by file_id', () => {
    const error = conversionError([message('user', [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }])]);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ param: 'input', message: expect.stringContaining('input_image.file_id') });
  });

  describe('input_file', () => {
    const file: ContentPart = { type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' };

    it('becomes a file part for dialect openai', () => {
      expect(convert([message('user', [file, { type: 'input_file', file_id: 'file-abc' }])])).toEqual([
        {
          role: 'user',
          content: [
            { type: 'file', file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            { type: 'file', file: { file_id: 'file-abc' } },
          ],
        },
      ]);
    });

    it('is a 400 naming the part for a server the catalog does not say reads PDFs', () => {
      const error = conversionError([message('user', [{ type: 'input_text', text: 'read' }, file])], {
        dialect: 'generic',
        provider: 'vllm',
        inputFiles: { pdf: false, paths: { msg_user: 'input[3]' } },
      });
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect(error).toMatchObject({
        param: 'input[3].content[1]',
        message: "input_file 'report.pdf' of type application/pdf is not supported by provider 'vllm': it reads images and text files",
      });
    });

    it('is a file part on a generic server the catalog says reads PDFs, named document.pdf when it has no name', () => {
      const unnamed: ContentPart = { type: 'input_file', file_data: 'JVBERi0=' };
      expect(convert([message('user', [unnamed])], { dialect: 'generic', inputFiles: { pdf: true, paths: {} } })).toEqual([
        { role: 'user', content: [{ type: 'file', file: { filename: 'document.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }] },
      ]);
    });

    it('sends text files as text parts headed by their names, images as image parts, on any server', () => {
      const markdown = Buffer.from('# Plan\n\n- ship it ✓').toString('base64');
      expect(
        convert(
          [
            message('user', [
              { type: 'input_text', text: 'Summarize' },
              { type: 'input_file', filename: 'plan.md', file_data: `data:text/markdown;base64,${markdown}` },
              { type: 'input_file', filename: 'a "b".json', file_data: 'data:application/json,%7B%7D' },
              { type: 'input_file', filename: 'chart.png', file_data: 'iVBORw0KGgo=' },
              { type: 'input_file', file_url: 'https://example.com/cat.jpg' },
            ]),
          ],
          { dialect: 'generic' },
        ),
      ).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarize' },
            { type: 'text', text: '<file name="plan.md" media_type="text/markdown">\n# Plan\n\n- ship it ✓\n</file>' },
            { type: 'text', text: '<file name="a &#34;b&#34;.json" media_type="application/json">\n{}\n</file>' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ]);
    });

    it('sends a text file in a tool output as text; other files cannot go in a tool message', () => {
      const items = (part: ContentPart) => [message('user', 'go'), functionCall('call_1', 'read', '{}'), functionCallOutput('call_1', [part as never])];
      expect(convert(items({ type: 'input_file', filename: 'a.txt', file_data: 'data:text/plain,hi' }))[2]).toEqual({
        role: 'tool',
        tool_call_id: 'call_1',
        content: '<file name="a.txt" media_type="text/plain">\nhi\n</file>',
      });
      expect(conversionError(items(file))).toMatchObject({
        message: expect.stringContaining('input_file content other than a text file in function_call_output'),
      });
    });

    it('leaves a file URL to the fetch before the conversion (resolveInputFiles)', () => {
      expect(() => convert([message('user', [{ type: 'input_file', file_url: 'https://example.com/a.pdf' }])])).toThrow(/planned as 'fetch'/);
    });

    it('is a 400 for a file_id on a server other than OpenAI', () => {
      const error = conversionError([message('user', [{ type: 'input_file', file_id: 'file-abc' }])], { dialect: 'generic', provider: 'vllm' });
      expect(error).toMatchObject({ param: 'input', message: expect.stringContaining("input_file.file_id is not supported by provider 'vllm'") });
    });
  });

  it('sends developer messages as developer for dialect openai and as system otherwise', () => {
    const items = [message('developer', 'Use metric units.'), message('system', 'You are terse.')];
    expect(convert(items, { dialect: 'openai' })).toEqual([
      { role: 'developer', content: 'Use metric units.' },
      { role: 'system', content: 'You are terse.' },
    ]);
    expect(convert(items, { dialect: 'generic' })).toEqual([
      { role: 'system', content: 'Use metric units.' },
      { role: 'system', content: 'You are terse.' },
    ]);
  });

  it('rejects non-text content in system messages', () => {
    const error = conversionError([message('system', [{ type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }])]);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
  });

  it('replays a tool round trip: assistant text and parallel calls in one message, outputs as tool messages, foreign reasoning left out', () => {
    const oddArguments = '{ "city" :"Z\\u00fcrich",\n"days": 3 }';
    expect(
      convert([
        message('user', 'Weather in Zürich and Tokyo?'),
        reasoning,
        message('assistant', 'Checking both.'),
        functionCall('call_1', 'get_weather', oddArguments),
        functionCall('call_2', 'get_weather', '{"city":"Tokyo"}'),
        functionCallOutput('call_1', '{"temp":21}'),
        functionCallOutput('call_2', [
          { type: 'input_text', text: '{"temp":' },
          { type: 'input_text', text: '28}' },
        ]),
        reasoning,
        functionCall('call_3', 'get_time', '{}'),
        functionCallOutput('call_3', '12:00'),
        message('assistant', [
          { type: 'output_text', text: 'Zürich 21°C, ', annotations: [], logprobs: [] },
          { type: 'output_text', text: 'Tokyo 28°C.', annotations: [], logprobs: [] },
        ]),
      ]),
    ).toMatchInlineSnapshot(`
      [
        {
          "content": "Weather in Zürich and Tokyo?",
          "role": "user",
        },
        {
          "content": "Checking both.",
          "role": "assistant",
          "tool_calls": [
            {
              "function": {
                "arguments": "{ "city" :"Z\\u00fcrich",
      "days": 3 }",
                "name": "get_weather",
              },
              "id": "call_1",
              "type": "function",
            },
            {
              "function": {
                "arguments": "{"city":"Tokyo"}",
                "name": "get_weather",
              },
              "id": "call_2",
              "type": "function",
            },
          ],
        },
        {
          "content": "{"temp":21}",
          "role": "tool",
          "tool_call_id": "call_1",
        },
        {
          "content": "{"temp":28}",
          "role": "tool",
          "tool_call_id": "call_2",
        },
        {
          "content": null,
          "role": "assistant",
          "tool_calls": [
            {
              "function": {
                "arguments": "{}",
                "name": "get_time",
              },
              "id": "call_3",
              "type": "function",
            },
          ],
        },
        {
          "content": "12:00",
          "role": "tool",
          "tool_call_id": "call_3",
        },
        {
          "content": "Zürich 21°C, Tokyo 28°C.",
          "role": "assistant",
        },
      ]
    `);
  });

  it('passes tool arguments through byte for byte', () => {
    const raw = '{"b":1,  "a":"\\u00e9\\n"}';
    const [assistant] = convert([functionCall('call_1', 'f', raw)]);
    expect(assistant).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: raw } }] });
  });

  it('replays refusals as assistant text and an empty assistant message as an empty string', () => {
    expect(convert([message('assistant', [{ type: 'refusal', refusal: 'I cannot help with that.' }]), message('assistant', [])])).toEqual([
      { role: 'assistant', content: 'I cannot help with that.' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('ignores a function call namespace (flattened by the caller)', () => {
    const call = { ...functionCall('call_1', 'files__read', '{}'), namespace: 'files' };
    expect(convert([call])).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'files__read', arguments: '{}' } }] },
    ]);
  });

  it('rejects images in function call outputs', () => {
    const error = conversionError([functionCallOutput('call_1', [{ type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }])]);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ message: expect.stringContaining('input_image content in function_call_output') });
  });

  describe('reasoning_content', () => {
    const own = (text: string): ReasoningItem => ({
      type: 'reasoning',
      id: `rs_${text}`,
      summary: [],
      content: [{ type: 'reasoning_text', text }],
      provider_data: { chat: { provider: 'deepseek' } },
    });
    const options = { provider: 'deepseek', dialect: 'generic' as const };

    it('sends this server’s own reasoning back on the assistant message of its step, and nobody else’s', () => {
      const messages = convert(
        [
          message('user', 'weather?'),
          own('look it up'),
          functionCall('call_1', 'get_weather', '{}'),
          functionCallOutput('call_1', 'sunny'),
          reasoning, // another vendor's: never sent as reasoning_content
          message('assistant', 'Sunny.'),
        ],
        options,
      );
      expect(messages[1]).toEqual({
        role: 'assistant',
        content: null,
        reasoning_content: 'look it up',
        tool_calls: [expect.objectContaining({ id: 'call_1' })],
      });
      expect(messages[3]).toEqual({ role: 'assistant', content: 'Sunny.' });
    });

    it('gives every tool-call turn a reasoning_content, empty where none is stored, when the server demands it', () => {
      const items = [
        message('user', 'weather?'),
        functionCall('call_1', 'get_weather', '{}'),
        functionCallOutput('call_1', 'sunny'),
        message('assistant', 'Sunny.'),
      ];
      expect(convert(items, { ...options, backfillReasoningContent: true })[1]).toMatchObject({ reasoning_content: '' });
      expect(convert(items, { ...options, backfillReasoningContent: true })[3]).not.toHaveProperty('reasoning_content');
      expect(convert(items, options)[1]).not.toHaveProperty('reasoning_content');
    });
  });
});
