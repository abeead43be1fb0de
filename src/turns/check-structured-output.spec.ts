import type { Item } from '../items/item.schemas.js';
import type { TextFormat } from '../planning/model-request.js';
import { checkStructuredOutput } from './check-structured-output.js';

const answer = (text: string): Item[] => [
  { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] },
];
const person: TextFormat = {
  type: 'json_schema',
  name: 'person',
  schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
    required: ['name', 'age'],
    additionalProperties: false,
  },
  description: null,
  strict: true,
};

describe(checkStructuredOutput.name, () => {
  it('passes an answer that matches the schema, and anything under text or with no answer yet', () => {
    expect(checkStructuredOutput(person, answer('{"name":"Ada","age":36}'))).toBeNull();
    expect(checkStructuredOutput({ type: 'text' }, answer('not json'))).toBeNull();
    expect(checkStructuredOutput(person, [{ type: 'function_call', id: 'fc_1', call_id: 'c', name: 'f', arguments: '{}', status: 'completed' }])).toBeNull();
  });

  it('names the first place an answer breaks the schema, including bounds a provider could not decode', () => {
    expect(checkStructuredOutput(person, answer('{"name":"Ada","age":-1}'))).toBe("the answer does not match the schema 'person': /age must be >= 0");
    expect(checkStructuredOutput(person, answer('{"name":"Ada"}'))).toBe("the answer does not match the schema 'person': / must have required property 'age'");
  });

  it('says when the answer is not JSON, or not an object for json_object', () => {
    expect(checkStructuredOutput(person, answer('Sure! {"name":"Ada"}'))).toMatch(/^the answer is not JSON \(Unexpected token/);
    expect(checkStructuredOutput({ type: 'json_object' }, answer('[1,2]'))).toBe('the answer is JSON but not an object');
    expect(checkStructuredOutput({ type: 'json_object' }, answer('{"a":1}'))).toBeNull();
  });

  it('does not hold a schema it cannot compile against the answer', () => {
    const broken: TextFormat = { ...person, schema: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } } } as TextFormat;
    expect(checkStructuredOutput(broken, answer('{"a":1}'))).toBeNull();
  });

  it('leaves a refusal alone: it is not an answer to check', () => {
    const refused: Item[] = [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: 'No.' }] }];
    expect(checkStructuredOutput(person, refused)).toBeNull();
  });
});
