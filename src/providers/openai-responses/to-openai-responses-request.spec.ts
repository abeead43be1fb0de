import { newMessageItem, newModelRequest } from '../../../test/factories.js';
import type { Item } from '../../items/item.schemas.js';
import { toOpenAIResponsesRequest } from './to-openai-responses-request.js';

const withInclude = { includeEncryptedReasoning: true };

const fullRequest = newModelRequest({
  model: 'gpt-5',
  instructions: 'Answer as JSON.',
  items: [newMessageItem({ id: 'msg_1', role: 'developer', text: 'Never guess.' }), newMessageItem({ id: 'msg_2', text: 'Weather in Paris?' })],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      strict: true,
    },
    { name: 'ping', description: null, parameters: null, strict: null },
  ],
  toolChoice: { type: 'function', name: 'get_weather' },
  parallelToolCalls: false,
  maxOutputTokens: 1024,
  temperature: 0.2,
  topP: 0.9,
  textFormat: {
    type: 'json_schema',
    name: 'weather',
    schema: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
    description: null,
    strict: true,
  },
  reasoning: { effort: 'low', summary: 'auto' },
  promptCacheKey: 'user-42',
  safetyIdentifier: 'hash-42',
});

/** Turn 2 of a tool loop: the model reasoned, called a tool, got its output and answered; the user asks again. */
const toolRoundTrip: Item[] = [
  newMessageItem({ id: 'msg_u1', text: 'Weather in Zürich?' }),
  {
    type: 'reasoning',
    id: 'rs_ours_1',
    summary: [{ type: 'summary_text', text: 'Need the weather tool.' }],
    content: [{ type: 'reasoning_text', text: 'Need the weather tool.' }],
    status: 'completed',
    provider_data: { openai: { id: 'rs_68b5a6a7d4e08193', encrypted_content: 'gAAAAABotaaq3xV1' } },
  },
  {
    type: 'function_call',
    id: 'fc_ours_1',
    call_id: 'call_Qw8XyZ3k',
    name: 'get_weather',
    // Key order and spacing as the model wrote them; must reach the upstream unchanged.
    arguments: '{"city": "Zürich", "2":1,"1":2}',
    status: 'completed',
  },
  { type: 'function_call_output', id: 'fco_ours_1', call_id: 'call_Qw8XyZ3k', output: '{"temp_c":21}', status: 'completed' },
  {
    type: 'message',
    id: 'msg_ours_2',
    role: 'assistant',
    status: 'completed',
    phase: 'final_answer',
    content: [{ type: 'output_text', text: 'It is 21 °C.', annotations: [], logprobs: [] }],
  },
  newMessageItem({ id: 'msg_u2', text: 'And tomorrow?' }),
];

describe(toOpenAIResponsesRequest.name, () => {
  it('sends a minimal stateless streamed request', () => {
    expect(toOpenAIResponsesRequest(newModelRequest(), withInclude)).toMatchInlineSnapshot(`
{
  "include": [
    "reasoning.encrypted_content",
  ],
  "input": [
    {
      "content": [
        {
          "text": "Hi",
          "type": "input_text",
        },
      ],
      "role": "user",
      "type": "message",
    },
  ],
  "model": "gpt-4.1",
  "store": false,
  "stream": true,
}
`);
  });

  it('maps every setting', () => {
    expect(toOpenAIResponsesRequest(fullRequest, withInclude)).toMatchInlineSnapshot(`
{
  "include": [
    "reasoning.encrypted_content",
  ],
  "input": [
    {
      "content": [
        {
          "text": "Never guess.",
          "type": "input_text",
        },
      ],
      "role": "developer",
      "type": "message",
    },
    {
      "content": [
        {
          "text": "Weather in Paris?",
          "type": "input_text",
        },
      ],
      "role": "user",
      "type": "message",
    },
  ],
  "instructions": "Answer as JSON.",
  "max_output_tokens": 1024,
  "model": "gpt-5",
  "parallel_tool_calls": false,
  "prompt_cache_key": "user-42",
  "reasoning": {
    "effort": "low",
    "summary": "auto",
  },
  "safety_identifier": "hash-42",
  "store": false,
  "stream": true,
  "temperature": 0.2,
  "text": {
    "format": {
      "name": "weather",
      "schema": {
        "properties": {
          "summary": {
            "type": "string",
          },
        },
        "required": [
          "summary",
        ],
        "type": "object",
      },
      "strict": true,
      "type": "json_schema",
    },
  },
  "tool_choice": {
    "name": "get_weather",
    "type": "function",
  },
  "tools": [
    {
      "description": "Current weather for a city",
      "name": "get_weather",
      "parameters": {
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
      "strict": true,
      "type": "function",
    },
    {
      "name": "ping",
      "parameters": null,
      "strict": false,
      "type": "function",
    },
  ],
  "top_p": 0.9,
}
`);
  });

  it('replays a tool round trip by value: no ids, raw arguments, the reasoning item under its upstream id', () => {
    expect(toOpenAIResponsesRequest(newModelRequest({ items: toolRoundTrip }), withInclude).input).toMatchInlineSnapshot(`
[
  {
    "content": [
      {
        "text": "Weather in Zürich?",
        "type": "input_text",
      },
    ],
    "role": "user",
    "type": "message",
  },
  {
    "encrypted_content": "gAAAAABotaaq3xV1",
    "id": "rs_68b5a6a7d4e08193",
    "summary": [
      {
        "text": "Need the weather tool.",
        "type": "summary_text",
      },
    ],
    "type": "reasoning",
  },
  {
    "arguments": "{"city": "Zürich", "2":1,"1":2}",
    "call_id": "call_Qw8XyZ3k",
    "name": "get_weather",
    "type": "function_call",
  },
  {
    "call_id": "call_Qw8XyZ3k",
    "output": "{"temp_c":21}",
    "type": "function_call_output",
  },
  {
    "content": [
      {
        "annotations": [],
        "logprobs": [],
        "text": "It is 21 °C.",
        "type": "output_text",
      },
    ],
    "phase": "final_answer",
    "role": "assistant",
    "type": "message",
  },
  {
    "content": [
      {
        "text": "And tomorrow?",
        "type": "input_text",
      },
    ],
    "role": "user",
    "type": "message",
  },
]
`);
  });

  it('leaves out include for models that refuse encrypted reasoning', () => {
    expect(toOpenAIResponsesRequest(newModelRequest(), { includeEncryptedReasoning: false })).not.toHaveProperty('include');
  });

  it('sends only the reasoning fields that are set, and no reasoning object when none is', () => {
    expect(toOpenAIResponsesRequest(newModelRequest({ reasoning: { effort: null, summary: 'detailed' } }), withInclude).reasoning).toEqual({
      summary: 'detailed',
    });
    expect(toOpenAIResponsesRequest(newModelRequest({ reasoning: { effort: null, summary: null } }), withInclude)).not.toHaveProperty('reasoning');
  });

  it('sends json_object as text.format and plain text as nothing', () => {
    expect(toOpenAIResponsesRequest(newModelRequest({ textFormat: { type: 'json_object' } }), withInclude).text).toEqual({
      format: { type: 'json_object' },
    });
    expect(toOpenAIResponsesRequest(newModelRequest({ textFormat: { type: 'text' } }), withInclude)).not.toHaveProperty('text');
  });

  it('sends no instructions when they are empty', () => {
    expect(toOpenAIResponsesRequest(newModelRequest({ instructions: '' }), withInclude)).not.toHaveProperty('instructions');
  });

  it('sends the cache key, retention and options it is given, and none of them otherwise', () => {
    const body = toOpenAIResponsesRequest(
      newModelRequest({ promptCacheKey: 'rs-abc', promptCacheRetention: '24h', promptCacheOptions: { ttl: '30m' } }),
      withInclude,
    );
    expect(body).toMatchObject({ prompt_cache_key: 'rs-abc', prompt_cache_retention: '24h', prompt_cache_options: { ttl: '30m' } });
    const plain = toOpenAIResponsesRequest(newModelRequest(), withInclude);
    expect(plain).not.toHaveProperty('prompt_cache_key');
    expect(plain).not.toHaveProperty('prompt_cache_retention');
    expect(plain).not.toHaveProperty('prompt_cache_options');
  });
});

describe(`${toOpenAIResponsesRequest.name} log probabilities`, () => {
  it('includes message.output_text.logprobs and sends top_logprobs when logprobs are asked for', () => {
    const body = toOpenAIResponsesRequest(newModelRequest({ logprobs: { top: 3 } }), withInclude);
    expect(body.include).toEqual(['reasoning.encrypted_content', 'message.output_text.logprobs']);
    expect(body.top_logprobs).toBe(3);
    expect(toOpenAIResponsesRequest(newModelRequest({ logprobs: { top: 0 } }), { includeEncryptedReasoning: false })).toMatchObject({
      include: ['message.output_text.logprobs'],
      top_logprobs: 0,
    });
  });

  it('sends neither when none are asked for', () => {
    const body = toOpenAIResponsesRequest(newModelRequest({ logprobs: null }), { includeEncryptedReasoning: false });
    expect(body).not.toHaveProperty('include');
    expect(body).not.toHaveProperty('top_logprobs');
  });
});
