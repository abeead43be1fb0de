import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Item } from '../items/item.schemas.js';
import type { TextFormat } from '../planning/model-request.js';

// One validator for every schema: compiled schemas are kept (bounded), since a client sends the same one turn after turn.
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
const compiled = new Map<string, ValidateFunction | Error>();
const COMPILED_KEPT = 256;

/**
 * Whether the answer is what `text.format` asked for, where the provider did not enforce it (see
 * ModelRequest.checkOutput): the text of the last message parses as JSON, is an object for
 * `json_object`, and matches the schema for `json_schema`. Returns why not, or null when it is.
 * A schema that does not compile is not held against the answer.
 */
export function checkStructuredOutput(format: TextFormat, output: readonly Item[]): string | null {
  if (format.type === 'text') return null;
  const message = output.findLast((item) => item.type === 'message');
  // A turn that ended in tool calls has no answer yet; a refusal is not an answer to check.
  if (!message || message.content.some((part) => part.type === 'refusal')) return null;
  const text = message.content.map((part) => (part.type === 'output_text' ? part.text : '')).join('');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `the answer is not JSON (${(error as Error).message})`;
  }
  if (format.type === 'json_object')
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'the answer is JSON but not an object';
  const validate = validatorFor(format.schema);
  if (validate instanceof Error || validate(value)) return null;
  const [first] = validate.errors ?? [];
  return `the answer does not match the schema '${format.name}': ${first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'it is invalid'}`;
}

function validatorFor(schema: Record<string, unknown>): ValidateFunction | Error {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    // A draft named by `$schema` that this validator does not load would fail the compile; the keywords are what count.
    const { $schema: _draft, ...rest } = schema;
    try {
      validate = ajv.compile(rest);
    } catch (error) {
      validate = error instanceof Error ? error : new Error(String(error));
    }
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}
