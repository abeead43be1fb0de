import { toAnthropicOutputSchema } from './anthropic-output-schema.js';

describe(toAnthropicOutputSchema.name, () => {
  it('leaves a schema Anthropic decodes as it is, and says nothing was relaxed', () => {
    const schema = {
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 }, when: { type: 'string', format: 'date' } },
      required: ['tags', 'when'],
      additionalProperties: false,
    };
    expect(toAnthropicOutputSchema(schema)).toEqual({ schema, relaxed: false });
  });

  it('closes every object, nested in properties, items, anyOf and $defs, without relaxing anything', () => {
    const { schema, relaxed } = toAnthropicOutputSchema({
      type: 'object',
      properties: { list: { type: 'array', items: { type: 'object', properties: { x: { anyOf: [{ type: 'object', properties: {} }, { type: 'null' }] } } } } },
      $defs: { node: { properties: { id: { type: 'string' } } } },
    });
    expect(relaxed).toBe(false);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        list: {
          type: 'array',
          items: {
            type: 'object',
            properties: { x: { anyOf: [{ type: 'object', properties: {}, additionalProperties: false }, { type: 'null' }] } },
            additionalProperties: false,
          },
        },
      },
      $defs: { node: { properties: { id: { type: 'string' } }, additionalProperties: false } },
      additionalProperties: false,
    });
  });

  it('moves bounds Anthropic cannot decode into the description, keeps the rest, and says the answer needs a check', () => {
    const input = {
      type: 'object',
      properties: {
        age: { type: 'integer', minimum: 0, maximum: 150, description: 'Years.' },
        picks: { type: 'array', items: { type: 'string', maxLength: 3 }, minItems: 2, maxItems: 4 },
        extra: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['age'],
      additionalProperties: false,
    };
    const before = structuredClone(input);
    const { schema, relaxed } = toAnthropicOutputSchema(input);
    expect(relaxed).toBe(true);
    expect(schema['properties']).toEqual({
      age: { type: 'integer', description: 'Years. {minimum: 0, maximum: 150}' },
      picks: { type: 'array', items: { type: 'string', description: '{maxLength: 3}' }, description: '{minItems: 2, maxItems: 4}' },
      extra: { type: 'object', additionalProperties: false, description: '{additionalProperties: {"type":"string"}}' },
    });
    expect(input).toEqual(before);
  });
});
