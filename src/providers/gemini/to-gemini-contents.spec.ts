import { newMessageItem } from '../../../test/factories.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { Item } from '../../items/item.schemas.js';
import { convertToGeminiContents } from './to-gemini-contents.js';

const convert = (items: Item[], instructions: string | null = null) => convertToGeminiContents({ provider: 'google', instructions, items });

function conversionError(items: Item[]): unknown {
  try {
    convert(items);
  } catch (error) {
    return error;
  }
  throw new Error('expected the conversion to fail');
}

const assistant = (text: string, id = 'msg_a'): Item => ({
  type: 'message',
  id,
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
});

const call = (callId: string, name: string, args: string, signature?: string): Item => ({
  type: 'function_call',
  id: `fc_${callId}`,
  call_id: callId,
  name,
  arguments: args,
  status: 'completed',
  ...(signature ? { provider_data: { gemini: { thoughtSignature: signature } } } : {}),
});

const output = (callId: string, value: Extract<Item, { type: 'function_call_output' }>['output']): Item => ({
  type: 'function_call_output',
  id: `fco_${callId}`,
  call_id: callId,
  output: value,
  status: 'completed',
});

describe(convertToGeminiContents.name, () => {
  it('folds instructions and system/developer messages, mid-history ones included, into systemInstruction in order', () => {
    const result = convert(
      [
        newMessageItem({ role: 'developer', text: 'Never guess.' }),
        newMessageItem({ text: 'Hi' }),
        assistant('Hello!'),
        newMessageItem({ role: 'system', text: 'From now on, answer in French.' }),
        newMessageItem({ text: 'How are you?', id: 'msg_2' }),
      ],
      'You are terse.',
    );

    expect(result).toMatchInlineSnapshot(`
{
  "contents": [
    {
      "parts": [
        {
          "text": "Hi",
        },
      ],
      "role": "user",
    },
    {
      "parts": [
        {
          "text": "Hello!",
        },
      ],
      "role": "model",
    },
    {
      "parts": [
        {
          "text": "How are you?",
        },
      ],
      "role": "user",
    },
  ],
  "systemInstruction": {
    "parts": [
      {
        "text": "You are terse.",
      },
      {
        "text": "Never guess.",
      },
      {
        "text": "From now on, answer in French.",
      },
    ],
  },
}
`);
  });

  it('merges consecutive items of the same role into one content and skips empty text', () => {
    const result = convert([
      newMessageItem({ text: 'first' }),
      newMessageItem({ text: 'second', id: 'msg_2' }),
      newMessageItem({ text: '', id: 'msg_3' }),
      assistant('one'),
      assistant('', 'msg_b'),
      assistant('two', 'msg_c'),
    ]);

    expect(result).toMatchInlineSnapshot(`
{
  "contents": [
    {
      "parts": [
        {
          "text": "first",
        },
        {
          "text": "second",
        },
      ],
      "role": "user",
    },
    {
      "parts": [
        {
          "text": "one",
        },
        {
          "text": "two",
        },
      ],
      "role": "model",
    },
  ],
  "systemInstruction": null,
}
`);
  });

  it('sends images and files inline or by URL, guessing the MIME type of URLs', () => {
    const result = convert([
      {
        type: 'message',
        id: 'msg_1',
        role: 'user',
        status: 'completed',
        content: [
          { type: 'input_text', text: 'Compare these.' },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
          { type: 'input_image', image_url: 'https://example.com/cat.webp?size=large', detail: 'high' },
          { type: 'input_image', image_url: 'https://example.com/render', detail: 'auto' },
          { type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' },
          { type: 'input_file', filename: 'scan.pdf', file_data: 'JVBERi0xLjc=' },
          { type: 'input_file', file_url: 'https://example.com/spec.pdf' },
        ],
      },
    ]);

    expect(result.contents).toMatchInlineSnapshot(`
[
  {
    "parts": [
      {
        "text": "Compare these.",
      },
      {
        "inlineData": {
          "data": "iVBORw0KGgo=",
          "mimeType": "image/png",
        },
      },
      {
        "fileData": {
          "fileUri": "https://example.com/cat.webp?size=large",
          "mimeType": "image/webp",
        },
      },
      {
        "fileData": {
          "fileUri": "https://example.com/render",
          "mimeType": "image/jpeg",
        },
      },
      {
        "inlineData": {
          "data": "JVBERi0xLjQ=",
          "mimeType": "application/pdf",
        },
      },
      {
        "inlineData": {
          "data": "JVBERi0xLjc=",
          "mimeType": "application/pdf",
        },
      },
      {
        "fileData": {
          "fileUri": "https://example.com/spec.pdf",
          "mimeType": "application/pdf",
        },
      },
    ],
    "role": "user",
  },
]
`);
  });

  it('replays a tool round trip with two parallel calls: signatures on their parts, outputs named and in call order', () => {
    const result = convert([
      newMessageItem({ text: 'Weather in Paris and London?' }),
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [],
        content: [{ type: 'reasoning_text', text: 'Two cities, two calls.' }],
        status: 'completed',
        provider_data: { gemini: { thoughtSignature: 'sig-thought' } },
      },
      call('call_0_a', 'get_weather', '{"city":"Paris"}', 'sig-first-call'),
      call('call_1_b', 'get_weather', '{"city":"London"}'),
      // The client answers London first; Gemini pairs by position, so Paris must go first.
      output('call_1_b', '{"temperature":12,"unit":"C"}'),
      output('call_0_a', 'sunny, 18 °C'),
      assistant('Paris is sunny, London is cooler.'),
      newMessageItem({ text: 'Thanks!', id: 'msg_2' }),
    ]);

    expect(result).toMatchInlineSnapshot(`
{
  "contents": [
    {
      "parts": [
        {
          "text": "Weather in Paris and London?",
        },
      ],
      "role": "user",
    },
    {
      "parts": [
        {
          "text": "Two cities, two calls.",
          "thought": true,
          "thoughtSignature": "sig-thought",
        },
        {
          "functionCall": {
            "args": {
              "city": "Paris",
            },
            "name": "get_weather",
          },
          "thoughtSignature": "sig-first-call",
        },
        {
          "functionCall": {
            "args": {
              "city": "London",
            },
            "name": "get_weather",
          },
        },
      ],
      "role": "model",
    },
    {
      "parts": [
        {
          "functionResponse": {
            "name": "get_weather",
            "response": {
              "output": "sunny, 18 °C",
            },
          },
        },
        {
          "functionResponse": {
            "name": "get_weather",
            "response": {
              "temperature": 12,
              "unit": "C",
            },
          },
        },
      ],
      "role": "user",
    },
    {
      "parts": [
        {
          "text": "Paris is sunny, London is cooler.",
        },
      ],
      "role": "model",
    },
    {
      "parts": [
        {
          "text": "Thanks!",
        },
      ],
      "role": "user",
    },
  ],
  "systemInstruction": null,
}
`);
  });

  it('sends output text parts joined and arguments-less calls with empty args', () => {
    const result = convert([
      newMessageItem({ text: 'Time?' }),
      call('call_0_a', 'get_time', ''),
      output('call_0_a', [
        { type: 'input_text', text: '12:' },
        { type: 'input_text', text: '00' },
      ]),
    ]);

    expect(result.contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'get_time', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_time', response: { output: '12:00' } } }] },
    ]);
  });

  it('drops reasoning without a Gemini signature or without text', () => {
    const result = convert([
      newMessageItem({ text: 'Hi' }),
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'foreign' }], provider_data: { anthropic: { signature: 's' } } },
      { type: 'reasoning', id: 'rs_2', summary: [], content: [], provider_data: { gemini: { thoughtSignature: 'sig' } } },
      { type: 'reasoning', id: 'rs_3', summary: [{ type: 'summary_text', text: 'summarised' }], provider_data: { gemini: { thoughtSignature: 'sig-3' } } },
      assistant('Hello'),
    ]);

    expect(result.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'summarised', thought: true, thoughtSignature: 'sig-3' }, { text: 'Hello' }],
    });
  });

  const image = { type: 'input_image' as const, image_url: 'data:image/png;base64,AA', detail: 'auto' as const };
  const message = (role: 'user' | 'assistant', content: Extract<Item, { type: 'message' }>['content']): Item => ({
    type: 'message',
    id: 'm',
    role,
    status: 'completed',
    content,
  });

  it.each<[string, Item[]]>([
    ['arguments that are not JSON', [call('call_1', 'f', '{"city":')]],
    ['arguments that are not an object', [call('call_1', 'f', '[1,2]')]],
    ['an output without its call', [output('call_missing', 'x')]],
    ['an image given by file id', [message('user', [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }])]],
    ['an image by a URL that is not http(s)', [message('user', [{ ...image, image_url: 'gs://bucket/cat.png' }])]],
    ['an image in an assistant message', [message('assistant', [image])]],
    ['an image in a function output', [call('call_1', 'f', '{}'), output('call_1', [image])]],
    ['a file given by file id', [message('user', [{ type: 'input_file', file_id: 'file-1' }])]],
  ])('rejects %s as an unsupported input', (_, items) => {
    const error = conversionError(items);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ param: 'input', message: expect.stringContaining("provider 'google'") });
  });
});
