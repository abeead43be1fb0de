import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { ContentPart, FunctionCallItem, FunctionCallOutputItem, Item, MessageItem, ReasoningItem } from '../../items/item.schemas.js';
import { type ConvertMessagesOptions, convertToAnthropicMessages } from './to-anthropic-messages.js';

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

function reasoning(anthropic?: Record<string, unknown>): ReasoningItem {
  return {
    type: 'reasoning',
    id: 'rs_1',
    summary: [],
    content: [{ type: 'reasoning_text', text: 'raw thoughts' }],
    ...(anthropic ? { provider_data: { anthropic } } : {}),
  };
}

function convert(items: Item[], overrides: Partial<ConvertMessagesOptions> = {}) {
  return convertToAnthropicMessages({ provider: 'anthropic', instructions: null, items, ...overrides });
}

function conversionError(items: Item[]): unknown {
  try {
    convert(items);
  } catch (error) {
    return error;
  }
  throw new Error('expected the conversion to fail');
}

describe(convertToAnthropicMessages.name, () => {
  it('turns the client’s prompt_cache_breakpoint into a marker on the block, or on the whole tool result', () => {
    const breakpoint = { mode: 'explicit' as const };
    const { messages } = convert([
      message('user', [
        { type: 'input_text', text: 'stable document', prompt_cache_breakpoint: breakpoint },
        { type: 'input_text', text: 'question' },
      ]),
      functionCall('call_1', 'read', '{}'),
      functionCallOutput('call_1', [{ type: 'input_text', text: 'file body', prompt_cache_breakpoint: breakpoint }]),
    ]);
    expect(messages[0]!.content).toEqual([
      { type: 'text', text: 'stable document', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'question' },
    ]);
    expect(messages[2]!.content[0]).toMatchObject({ type: 'tool_result', cache_control: { type: 'ephemeral' } });
  });

  it('puts instructions and every system/developer message, wherever it is, into system, in order', () => {
    expect(
      convert(
        [
          message('developer', 'Use metric units.'),
          message('user', 'Hi'),
          message('assistant', 'Hello'),
          message('system', [
            { type: 'input_text', text: 'Be terse.' },
            { type: 'input_text', text: '' },
          ]),
          message('user', 'Weather?'),
        ],
        { instructions: 'You are a weather bot.' },
      ),
    ).toEqual({
      system: [
        { type: 'text', text: 'You are a weather bot.' },
        { type: 'text', text: 'Use metric units.' },
        { type: 'text', text: 'Be terse.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      ],
    });
  });

  it('merges consecutive items of one role, and sends no message for an empty assistant message', () => {
    const items = [
      message('user', 'one'),
      message('user', 'two'),
      message('assistant', ''),
      message('user', 'three'),
      message('assistant', 'a'),
      message('assistant', 'b'),
    ];
    expect(convert(items).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
          { type: 'text', text: 'three' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
  });

  it('replays a tool round trip: thinking first, parsed tool input, tool results first in the next user message', () => {
    const items: Item[] = [
      message('user', 'Weather in Paris and the time?'),
      reasoning({ thinking: 'Two tools needed.', signature: 'sig_abc' }),
      message('assistant', 'Checking both.'),
      functionCall('toolu_1', 'get_weather', '{"city":"Paris","unit":"c"}'),
      functionCall('toolu_2', 'get_time', ''),
      functionCallOutput('toolu_1', '{"temp":21}'),
      functionCallOutput('toolu_2', [{ type: 'input_text', text: '14:05' }]),
      message('user', 'And tomorrow?'),
    ];
    expect(convert(items).messages).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "Weather in Paris and the time?",
              "type": "text",
            },
          ],
          "role": "user",
        },
        {
          "content": [
            {
              "signature": "sig_abc",
              "thinking": "Two tools needed.",
              "type": "thinking",
            },
            {
              "text": "Checking both.",
              "type": "text",
            },
            {
              "id": "toolu_1",
              "input": {
                "city": "Paris",
                "unit": "c",
              },
              "name": "get_weather",
              "type": "tool_use",
            },
            {
              "id": "toolu_2",
              "input": {},
              "name": "get_time",
              "type": "tool_use",
            },
          ],
          "role": "assistant",
        },
        {
          "content": [
            {
              "content": "{"temp":21}",
              "tool_use_id": "toolu_1",
              "type": "tool_result",
            },
            {
              "content": [
                {
                  "text": "14:05",
                  "type": "text",
                },
              ],
              "tool_use_id": "toolu_2",
              "type": "tool_result",
            },
            {
              "text": "And tomorrow?",
              "type": "text",
            },
          ],
          "role": "user",
        },
      ]
    `);
  });

  it('puts a tool result ahead of user text that came before it', () => {
    const { messages } = convert([
      message('user', 'go'),
      functionCall('toolu_1', 'f', '{}'),
      message('user', 'also this'),
      functionCallOutput('toolu_1', 'done'),
    ]);
    expect(messages[2]?.content.map((block) => block.type)).toEqual(['tool_result', 'text']);
  });

  describe('reasoning', () => {
    it('replays redacted thinking and moves thinking ahead of text in the same assistant message', () => {
      const { messages } = convert([
        message('user', 'Hi'),
        message('assistant', 'Hello'),
        reasoning({ redacted: 'opaque==' }),
        reasoning({ thinking: '', signature: 'sig_empty' }),
      ]);
      expect(messages[1]).toEqual({
        role: 'assistant',
        content: [
          { type: 'redacted_thinking', data: 'opaque==' },
          { type: 'thinking', thinking: '', signature: 'sig_empty' },
          { type: 'text', text: 'Hello' },
        ],
      });
    });

    it('drops reasoning without Anthropic provider data, leaving no empty assistant message', () => {
      expect(convert([message('user', 'a'), reasoning(), reasoning({ signature: 'no thinking text' }), message('user', 'b')]).messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ]);
    });
  });

  describe('images and files', () => {
    it('sends data URLs as base64 sources and http(s) URLs as url sources', () => {
      expect(
        convert([
          message('user', [
            { type: 'input_text', text: 'Compare' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
          ]),
        ]).messages,
      ).toMatchInlineSnapshot(`
        [
          {
            "content": [
              {
                "text": "Compare",
                "type": "text",
              },
              {
                "source": {
                  "data": "iVBORw0KGgo=",
                  "media_type": "image/png",
                  "type": "base64",
                },
                "type": "image",
              },
              {
                "source": {
                  "type": "url",
                  "url": "https://example.com/cat.jpg",
                },
                "type": "image",
              },
            ],
            "role": "user",
          },
        ]
      `);
    });

    it('sends PDFs as document blocks: data URL, bare base64 named .pdf, or URL', () => {
      expect(
        convert([
          message('user', [
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=' },
            { type: 'input_file', filename: 'Report.PDF', file_data: 'JVBERi0x' },
            { type: 'input_file', file_url: 'https://example.com/a.pdf' },
          ]),
        ]).messages[0]?.content,
      ).toEqual([
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' }, title: 'Report.PDF' },
        { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
      ]);
    });

    it('sends text files as plain-text documents titled by their names, and images given as files as images', () => {
      const csv = Buffer.from('a,b\n1,2').toString('base64');
      expect(
        convert([
          message('user', [
            { type: 'input_file', filename: 'data.csv', file_data: `data:text/csv;base64,${csv}` },
            { type: 'input_file', filename: 'notes.md', file_data: 'data:text/markdown,%23 Title' },
            { type: 'input_file', filename: 'empty.txt', file_data: 'data:text/plain,' },
            { type: 'input_file', filename: 'chart.png', file_data: 'iVBORw0KGgo=' },
            { type: 'input_file', file_url: 'https://example.com/photo.webp' },
          ]),
        ]).messages[0]?.content,
      ).toEqual([
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'a,b\n1,2' }, title: 'data.csv' },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: '# Title' }, title: 'notes.md' },
        { type: 'text', text: '<file name="empty.txt" media_type="text/plain">\n\n</file>' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/photo.webp' } },
      ]);
    });

    it('sends a PDF or a text file in a tool result as a document', () => {
      const { messages } = convert([
        message('user', 'read it'),
        functionCall('toolu_1', 'read', '{}'),
        functionCallOutput('toolu_1', [
          { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          { type: 'input_file', filename: 'a.txt', file_data: 'data:text/plain,hi' },
        ]),
      ]);
      expect(messages[2]?.content).toEqual([
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hi' }, title: 'a.txt' },
          ],
        },
      ]);
    });

    it("names the part of this turn's input at fault, and refuses PDFs to a model the catalog says does not read them", () => {
      const docx = message('user', [
        { type: 'input_text', text: 'read' },
        { type: 'input_file', filename: 'report.docx', file_data: 'UEsDBBQ=' },
      ]);
      const settings = { pdf: true, paths: { msg_user: 'input[0]' } };
      let error: unknown;
      try {
        convert([docx], { inputFiles: settings });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect(error).toMatchObject({
        param: 'input[0].content[1]',
        message:
          "input_file 'report.docx' of type application/vnd.openxmlformats-officedocument.wordprocessingml.document is not supported by provider 'anthropic': it reads PDFs, images (JPEG, PNG, GIF, WebP) and text files",
      });
      const pdf = message('user', [{ type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=' }]);
      expect(() => convert([pdf], { inputFiles: { pdf: false, paths: {} } })).toThrow(/of type application\/pdf is not supported by provider 'anthropic'/);
    });

    it('accepts images in tool results', () => {
      const { messages } = convert([
        message('user', 'look'),
        functionCall('toolu_1', 'screenshot', '{}'),
        functionCallOutput('toolu_1', [
          { type: 'input_text', text: 'here' },
          { type: 'input_image', image_url: 'data:image/webp;base64,UklGR', detail: 'auto' },
        ]),
      ]);
      expect(messages[2]?.content).toEqual([
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [
            { type: 'text', text: 'here' },
            { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGR' } },
          ],
        },
      ]);
    });

    it.each([
      ['an image by file_id', { type: 'input_image', file_id: 'file_1', detail: 'auto' }, 'input_image.file_id'],
      ['an SVG image', { type: 'input_image', image_url: 'data:image/svg+xml;base64,PHN2Zz4=', detail: 'auto' }, 'image/svg+xml'],
      ['a file:// image', { type: 'input_image', image_url: 'file:///tmp/a.png', detail: 'auto' }, 'input_image.image_url'],
      ['a zip file', { type: 'input_file', file_data: 'data:application/zip;base64,UEsDBA==' }, 'input_file of type application/zip'],
      ['a file of no known type', { type: 'input_file', file_data: 'AAAA' }, 'input_file has no media type'],
      ['a text file that is not UTF-8', { type: 'input_file', file_data: 'data:text/plain;base64,/w==' }, 'is not UTF-8 text'],
      ['a file by file_id', { type: 'input_file', file_id: 'file_1' }, 'input_file.file_id'],
    ] as Array<[string, ContentPart, string]>)('rejects %s with param input', (_name, part, fragment) => {
      const error = conversionError([message('user', [part])]);
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect(error).toMatchObject({ param: 'input', message: expect.stringContaining(fragment) });
    });
  });

  it.each(['{"a":', '[1,2]', '"text"'])('rejects function_call arguments %s, which are not a JSON object', (args) => {
    const error = conversionError([message('user', 'x'), functionCall('toolu_9', 'f', args)]);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ param: 'input', message: expect.stringContaining("function_call 'toolu_9'") });
  });

  it('replays refusals as text and rejects images in system messages', () => {
    expect(convert([message('user', 'x'), message('assistant', [{ type: 'refusal', refusal: 'I cannot help.' }])]).messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'I cannot help.' }],
    });
    expect(conversionError([message('system', [{ type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }])])).toMatchObject({
      message: "input_image content in system messages is not supported by provider 'anthropic'",
    });
  });
});
