import { newModelRequest as newBaseModelRequest, newMessageItem } from '../../../test/factories.js';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

const newModelRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest => newBaseModelRequest({ model: 'claude-sonnet-4-5', ...overrides });

function build(overrides: Partial<ModelRequest> = {}) {
  return toAnthropicRequest(newModelRequest(overrides), { provider: 'anthropic', defaultMaxOutputTokens: 4096 });
}

function buildError(overrides: Partial<ModelRequest>): unknown {
  try {
    build(overrides);
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to be rejected');
}

describe(toAnthropicRequest.name, () => {
  it('always streams and falls back to the default max_tokens, which Anthropic requires', () => {
    expect(build()).toMatchInlineSnapshot(`
      {
        "max_tokens": 4096,
        "messages": [
          {
            "content": [
              {
                "text": "Hi",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "model": "claude-sonnet-4-5",
        "stream": true,
      }
    `);
  });

  it('maps sampling, the limit, instructions and the safety identifier', () => {
    expect(
      build({ instructions: 'Be brief.', maxOutputTokens: 300, temperature: 0.2, safetyIdentifier: 'user-42', promptCacheKey: 'ignored' }),
    ).toMatchInlineSnapshot(`
      {
        "max_tokens": 300,
        "messages": [
          {
            "content": [
              {
                "text": "Hi",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "metadata": {
          "user_id": "user-42",
        },
        "model": "claude-sonnet-4-5",
        "stream": true,
        "system": "Be brief.",
        "temperature": 0.2,
      }
    `);
  });

  it('sends top_p alone, but only temperature when both are set', () => {
    expect(build({ topP: 0.9 })).toMatchObject({ top_p: 0.9 });
    const both = build({ temperature: 1, topP: 0.9 });
    expect(both).toMatchObject({ temperature: 1 });
    expect(both).not.toHaveProperty('top_p');
  });

  it('rejects temperature above 1 with param temperature', () => {
    const error = buildError({ temperature: 1.5 });
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ param: 'temperature', message: 'Anthropic models take temperature between 0 and 1' });
  });

  it('asks for JSON in the system prompt, after the folded system messages', () => {
    const body = build({
      instructions: 'Extract the city.',
      items: [newMessageItem({ role: 'developer', text: 'Lower case only.' }), newMessageItem({ text: 'I live in Paris' })],
      textFormat: {
        type: 'json_schema',
        name: 'city',
        schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        description: null,
        strict: true,
      },
    });
    expect(body.system).toMatchInlineSnapshot(`
      [
        {
          "text": "Extract the city.",
          "type": "text",
        },
        {
          "text": "Lower case only.",
          "type": "text",
        },
        {
          "text": "Respond with only a JSON object that matches this JSON Schema: {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}",
          "type": "text",
        },
      ]
    `);
    expect(build({ textFormat: { type: 'json_object' } }).system).toBe('Respond with only a JSON object, with no text before or after it.');
  });

  it('ignores reasoning settings (thinking is planned elsewhere)', () => {
    expect(build({ reasoning: { effort: 'high', summary: 'auto' } })).toEqual(build());
  });

  it('keeps the tools with tool_choice none when the history already holds tool blocks', () => {
    const body = build({
      tools: [{ name: 'f', description: null, parameters: null, strict: null }],
      toolChoice: 'none',
      items: [
        newMessageItem({ text: 'go' }),
        { type: 'function_call', id: 'fc_1', call_id: 'toolu_1', name: 'f', arguments: '{}', status: 'completed' },
        { type: 'function_call_output', id: 'fco_1', call_id: 'toolu_1', output: 'ok', status: 'completed' },
      ],
    });
    expect(body).toMatchObject({ tools: [{ name: 'f' }], tool_choice: { type: 'none' } });
    expect(build({ tools: [{ name: 'f', description: null, parameters: null, strict: null }], toolChoice: 'none' })).not.toHaveProperty('tools');
  });

  it('spells the planned thinking: a manual budget, adaptive with its effort, or disabled', () => {
    expect(build({ thinking: { kind: 'budget', budgetTokens: 2048 } })).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    const adaptive = build({ thinking: { kind: 'adaptive', effort: 'xhigh' } });
    expect(adaptive).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'xhigh' } });
    expect(build({ thinking: { kind: 'off' } }).thinking).toEqual({ type: 'disabled' });
    expect(build({ thinking: { kind: 'adaptive', effort: 'low' }, includeThoughts: true }).thinking).toEqual({ type: 'adaptive', display: 'summarized' });
    expect(build()).not.toHaveProperty('thinking');
  });
});
