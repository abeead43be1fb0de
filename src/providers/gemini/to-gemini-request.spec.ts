import { newMessageItem, newModelRequest } from '../../../test/factories.js';
import { toGeminiRequest } from './to-gemini-request.js';

const options = { provider: 'google' };

const fullRequest = newModelRequest({
  model: 'gemini-2.5-flash',
  instructions: 'Answer as JSON.',
  items: [newMessageItem({ role: 'developer', text: 'Never guess.' }), newMessageItem({ text: 'Weather in Paris?', id: 'msg_2' })],
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
    schema: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'], additionalProperties: false },
    description: null,
    strict: true,
  },
  reasoning: { effort: 'low', summary: 'auto' },
  promptCacheKey: 'user-42',
  safetyIdentifier: 'hash-42',
});

describe(toGeminiRequest.name, () => {
  it('sends only contents for a minimal request', () => {
    expect(toGeminiRequest(newModelRequest({ model: 'gemini-2.5-flash' }), options)).toMatchInlineSnapshot(`
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
  ],
}
`);
  });

  it('maps every setting it can, and nothing Gemini has no field for', () => {
    expect(toGeminiRequest(fullRequest, options)).toMatchInlineSnapshot(`
{
  "contents": [
    {
      "parts": [
        {
          "text": "Weather in Paris?",
        },
      ],
      "role": "user",
    },
  ],
  "generationConfig": {
    "maxOutputTokens": 1024,
    "responseJsonSchema": {
      "additionalProperties": false,
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
    "responseMimeType": "application/json",
    "temperature": 0.2,
    "topP": 0.9,
  },
  "systemInstruction": {
    "parts": [
      {
        "text": "Answer as JSON.",
      },
      {
        "text": "Never guess.",
      },
    ],
  },
  "toolConfig": {
    "functionCallingConfig": {
      "allowedFunctionNames": [
        "get_weather",
      ],
      "mode": "ANY",
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
      ],
    },
  ],
}
`);
  });

  it('asks for JSON without a schema for json_object', () => {
    expect(toGeminiRequest(newModelRequest({ textFormat: { type: 'json_object' } }), options).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('sends temperature 0 (a set value, not a missing one)', () => {
    expect(toGeminiRequest(newModelRequest({ temperature: 0 }), options).generationConfig).toEqual({ temperature: 0 });
  });

  it('spells the planned thinking as a budget or a level, never both, with thoughts when asked', () => {
    expect(toGeminiRequest(newModelRequest({ thinking: { kind: 'budget', budgetTokens: 0 } }), options).generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(toGeminiRequest(newModelRequest({ thinking: { kind: 'level', level: 'LOW' }, includeThoughts: true }), options).generationConfig).toEqual({
      thinkingConfig: { thinkingLevel: 'LOW', includeThoughts: true },
    });
    expect(toGeminiRequest(newModelRequest(), options)).not.toHaveProperty('generationConfig');
  });
});

describe(`${toGeminiRequest.name} log probabilities`, () => {
  it('sets responseLogprobs, and logprobs only when alternatives are asked for', () => {
    expect(toGeminiRequest(newModelRequest({ logprobs: { top: 4 } }), options).generationConfig).toEqual({ responseLogprobs: true, logprobs: 4 });
    expect(toGeminiRequest(newModelRequest({ logprobs: { top: 0 } }), options).generationConfig).toEqual({ responseLogprobs: true });
  });

  it('sets neither when none are asked for', () => {
    expect(toGeminiRequest(newModelRequest({ logprobs: null }), options)).not.toHaveProperty('generationConfig');
  });
});
