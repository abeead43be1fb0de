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

  it('sends a json_schema format as output_config.format, its objects closed, with no instruction in the prompt', () => {
    const schema = { type: 'object', properties: { city: { type: 'string', maxLength: 40 } }, required: ['city'] };
    const body = build({
      instructions: 'Extract the city.',
      textFormat: { type: 'json_schema', name: 'city', schema, description: null, strict: true },
      thinking: { kind: 'adaptive', effort: 'low' },
    });
    expect(body.output_config).toEqual({
      format: {
        type: 'json_schema',
        schema: { type: 'object', properties: { city: { type: 'string', description: '{maxLength: 40}' } }, required: ['city'], additionalProperties: false },
      },
      effort: 'low',
    });
    expect(body.system).toBe('Extract the city.');
  });

  it('asks for json_object in words (Anthropic has no open-object format), and sends nothing natively for a model without structured outputs', () => {
    expect(build({ textFormat: { type: 'json_object' } })).toMatchObject({ system: 'Respond with only a JSON object, with no text before or after it.' });
    expect(build({ textFormat: { type: 'json_object' } })).not.toHaveProperty('output_config');
    const schema = { type: 'object', properties: {} };
    const fallback = build({ structuredOutput: 'instruction', textFormat: { type: 'json_schema', name: 'x', schema, description: null, strict: null } });
    // The planner put the schema into the instructions; the adapter adds nothing.
    expect(fallback).not.toHaveProperty('output_config');
    expect(fallback).not.toHaveProperty('system');
  });

  it('sends a tool the client marked strict as a strict tool, only on a model with structured outputs', () => {
    const parameters = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] };
    const tools = [
      { name: 'pick', description: null, parameters, strict: true },
      { name: 'loose', description: null, parameters, strict: null },
    ];
    expect(build({ tools }).tools).toEqual([
      {
        name: 'pick',
        strict: true,
        input_schema: { type: 'object', properties: { n: { type: 'integer', description: '{minimum: 1}' } }, required: ['n'], additionalProperties: false },
      },
      { name: 'loose', input_schema: parameters },
    ]);
    expect(build({ tools, structuredOutput: 'instruction' }).tools).toEqual([
      { name: 'pick', input_schema: parameters },
      { name: 'loose', input_schema: parameters },
    ]);
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
