import { newModelRequest } from '../../../test/factories.js';
import { type ToRequestOptions, toOpenAICompatibleRequest } from './to-openai-compatible-request.js';

const openai: ToRequestOptions = { provider: 'openai', dialect: 'openai', maxTokensField: 'max_completion_tokens', stream: true };
const generic: ToRequestOptions = { provider: 'vllm', dialect: 'generic', maxTokensField: 'max_tokens', stream: true };

const fullRequest = newModelRequest({
  instructions: 'Answer as JSON.',
  items: [
    { type: 'message', id: 'msg_1', role: 'developer', status: 'completed', content: [{ type: 'input_text', text: 'Never guess.' }] },
    { type: 'message', id: 'msg_2', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
  ],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      strict: true,
    },
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
  reasoning: { effort: 'low', summary: null },
  thinking: { kind: 'effort', effort: 'low' },
  promptCacheKey: 'user-42',
  safetyIdentifier: 'hash-42',
});

describe(toOpenAICompatibleRequest.name, () => {
  it('sends a minimal streamed text request', () => {
    expect(toOpenAICompatibleRequest(newModelRequest(), openai)).toMatchInlineSnapshot(`
{
  "messages": [
    {
      "content": "Hi",
      "role": "user",
    },
  ],
  "model": "gpt-4.1",
  "stream": true,
  "stream_options": {
    "include_usage": true,
  },
}
`);
  });

  it('maps every setting for dialect openai', () => {
    expect(toOpenAICompatibleRequest(fullRequest, openai)).toMatchInlineSnapshot(`
{
  "max_completion_tokens": 1024,
  "messages": [
    {
      "content": "Answer as JSON.",
      "role": "system",
    },
    {
      "content": "Never guess.",
      "role": "developer",
    },
    {
      "content": "Weather in Paris?",
      "role": "user",
    },
  ],
  "model": "gpt-4.1",
  "parallel_tool_calls": false,
  "prompt_cache_key": "user-42",
  "reasoning_effort": "low",
  "response_format": {
    "json_schema": {
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
    },
    "type": "json_schema",
  },
  "safety_identifier": "hash-42",
  "stream": true,
  "stream_options": {
    "include_usage": true,
  },
  "temperature": 0.2,
  "tool_choice": {
    "function": {
      "name": "get_weather",
    },
    "type": "function",
  },
  "tools": [
    {
      "function": {
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
      },
      "type": "function",
    },
  ],
  "top_p": 0.9,
}
`);
  });

  it('leaves out OpenAI-only fields and uses max_tokens and system for dialect generic', () => {
    expect(toOpenAICompatibleRequest(fullRequest, generic)).toMatchInlineSnapshot(`
{
  "max_tokens": 1024,
  "messages": [
    {
      "content": "Answer as JSON.",
      "role": "system",
    },
    {
      "content": "Never guess.",
      "role": "system",
    },
    {
      "content": "Weather in Paris?",
      "role": "user",
    },
  ],
  "model": "gpt-4.1",
  "parallel_tool_calls": false,
  "reasoning_effort": "low",
  "response_format": {
    "json_schema": {
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
    },
    "type": "json_schema",
  },
  "stream": true,
  "stream_options": {
    "include_usage": true,
  },
  "temperature": 0.2,
  "tool_choice": {
    "function": {
      "name": "get_weather",
    },
    "type": "function",
  },
  "tools": [
    {
      "function": {
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
      },
      "type": "function",
    },
  ],
  "top_p": 0.9,
}
`);
  });

  it('honours an explicit maxTokensField', () => {
    const body = toOpenAICompatibleRequest(newModelRequest({ maxOutputTokens: 50 }), { ...generic, maxTokensField: 'max_completion_tokens' });
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('sends json_object as is and keeps a json_schema description', () => {
    expect(toOpenAICompatibleRequest(newModelRequest({ textFormat: { type: 'json_object' } }), openai).response_format).toEqual({
      type: 'json_object',
    });
    expect(
      toOpenAICompatibleRequest(newModelRequest({ textFormat: { type: 'json_schema', name: 'n', schema: {}, description: 'd', strict: null } }), openai)
        .response_format,
    ).toEqual({ type: 'json_schema', json_schema: { name: 'n', schema: {}, description: 'd' } });
  });

  it('omits stream fields for a non-streamed request', () => {
    const body = toOpenAICompatibleRequest(newModelRequest(), { ...openai, stream: false });
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('stream_options');
  });

  it('keeps temperature 0 and a zero token limit rather than dropping falsy values', () => {
    const body = toOpenAICompatibleRequest(newModelRequest({ temperature: 0, topP: 0, maxOutputTokens: 0 }), openai);
    expect(body).toMatchObject({ temperature: 0, top_p: 0, max_completion_tokens: 0 });
  });

  it('turns off a model that thinks by default when the plan says so (DeepSeek)', () => {
    const body = toOpenAICompatibleRequest(newModelRequest({ thinking: { kind: 'off' } }), { ...openai, dialect: 'generic' });
    expect(body.thinking).toEqual({ type: 'disabled' });
    expect(body).not.toHaveProperty('reasoning_effort');
  });
});

describe(`${toOpenAICompatibleRequest.name} log probabilities`, () => {
  it('sends logprobs: true, and top_logprobs only when alternatives are asked for', () => {
    expect(toOpenAICompatibleRequest(newModelRequest({ logprobs: { top: 2 } }), generic)).toMatchObject({ logprobs: true, top_logprobs: 2 });
    const withoutAlternatives = toOpenAICompatibleRequest(newModelRequest({ logprobs: { top: 0 } }), openai);
    expect(withoutAlternatives.logprobs).toBe(true);
    expect(withoutAlternatives).not.toHaveProperty('top_logprobs');
  });

  it('sends neither when none are asked for', () => {
    const body = toOpenAICompatibleRequest(newModelRequest(), generic);
    expect(body).not.toHaveProperty('logprobs');
    expect(body).not.toHaveProperty('top_logprobs');
  });
});
