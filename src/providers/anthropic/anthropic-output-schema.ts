/**
 * Keywords Anthropic's constrained decoding does not take. They are moved into the description, as
 * Anthropic's own SDKs do, so the model still reads them; the server then checks the answer against
 * the schema as the client wrote it (see turns/check-structured-output.ts).
 * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations
 */
const UNSUPPORTED = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;

/** Subschemas under these keys are schemas themselves (a map of them, a list of them, or one). */
const SCHEMA_MAPS = ['properties', '$defs', 'definitions', 'patternProperties'] as const;
const SCHEMA_LISTS = ['anyOf', 'allOf', 'oneOf', 'prefixItems'] as const;
const SCHEMA_SINGLES = ['items', 'not', 'contains', 'if', 'then', 'else'] as const;

export interface AnthropicOutputSchema {
  schema: Record<string, unknown>;
  /** Something the client asked for cannot be enforced by Anthropic: the answer must be checked. */
  relaxed: boolean;
}

/**
 * The client's JSON Schema in the form Anthropic's structured outputs take: every object closed
 * (`additionalProperties: false`, which Anthropic requires), `minItems` above 1 and the numeric,
 * length and count bounds moved into the description. The input is not changed.
 */
export function toAnthropicOutputSchema(schema: Record<string, unknown>): AnthropicOutputSchema {
  const state = { relaxed: false };
  return { schema: transform(schema, state) as Record<string, unknown>, relaxed: state.relaxed };
}

function transform(node: unknown, state: { relaxed: boolean }): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const moved: string[] = [];
  for (const [key, value] of Object.entries(source)) {
    if ((UNSUPPORTED as readonly string[]).includes(key) || (key === 'minItems' && typeof value === 'number' && value > 1)) {
      moved.push(`${key}: ${JSON.stringify(value)}`);
    } else if ((SCHEMA_MAPS as readonly string[]).includes(key) && isRecord(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, transform(sub, state)]));
    } else if ((SCHEMA_LISTS as readonly string[]).includes(key) && Array.isArray(value)) {
      out[key] = value.map((sub) => transform(sub, state));
    } else if ((SCHEMA_SINGLES as readonly string[]).includes(key) || key === 'additionalProperties') {
      out[key] = transform(value, state);
    } else {
      out[key] = value;
    }
  }
  if (isObjectSchema(source) && out['additionalProperties'] !== false) {
    // An open object (or one with a schema for extra keys) cannot be decoded: it is closed, and
    // the answer checked against the open one still passes.
    if (out['additionalProperties'] !== undefined) moved.push(`additionalProperties: ${JSON.stringify(source['additionalProperties'])}`);
    out['additionalProperties'] = false;
  }
  if (moved.length > 0) {
    state.relaxed = true;
    const note = `{${moved.join(', ')}}`;
    out['description'] = typeof out['description'] === 'string' && out['description'] !== '' ? `${out['description']} ${note}` : note;
  }
  return out;
}

function isObjectSchema(schema: Record<string, unknown>): boolean {
  const type = schema['type'];
  return type === 'object' || (Array.isArray(type) && type.includes('object')) || (type === undefined && isRecord(schema['properties']));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
