import { isOpenAIResponsesResponse, openAIResponsesResponseSchema } from './openai-responses.api.js';

/** A Response with every field the schema reads, as api.openai.com sends them. */
const complete = {
  id: 'resp_1',
  object: 'response',
  model: 'gpt-5',
  status: 'completed',
  error: null,
  incomplete_details: null,
  output: [
    { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think.' }], encrypted_content: 'enc' },
    {
      id: 'msg_1',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
        { type: 'output_text', text: 'Hi', annotations: [] },
        { type: 'refusal', refusal: 'No' },
      ],
    },
    { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'save', arguments: '{}' },
    { id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q' } },
  ],
  usage: {
    input_tokens: 20,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: 30,
    output_tokens_details: { reasoning_tokens: 10 },
    total_tokens: 50,
  },
};

/** Every value reachable in `value`, by path, with the ways to make it wrong (or still right). */
function* variants(value: unknown, path: (string | number)[] = []): Generator<{ path: (string | number)[]; replacement: unknown }> {
  for (const replacement of [undefined, null, 'text', 7, Number.NaN, true, {}, [], [{}]]) yield { path, replacement };
  if (Array.isArray(value)) for (const [index, entry] of value.entries()) yield* variants(entry, [...path, index]);
  else if (typeof value === 'object' && value !== null) for (const [key, entry] of Object.entries(value)) yield* variants(entry, [...path, key]);
}

function replaced(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = replacement;
  return copy;
}

describe(isOpenAIResponsesResponse.name, () => {
  it('accepts a complete Response, and returns it as zod would (nothing to copy)', () => {
    expect(isOpenAIResponsesResponse(complete)).toBe(true);
    expect(openAIResponsesResponseSchema.parse(complete)).toEqual(complete);
  });

  it('agrees with the schema on every field replaced by every kind of value', () => {
    let rejected = 0;
    let checked = 0;
    for (const { path, replacement } of variants(complete)) {
      const value = replaced(complete, path, replacement);
      const expected = openAIResponsesResponseSchema.safeParse(value).success;
      expect({ path: path.join('.'), replacement, accepted: isOpenAIResponsesResponse(value) }).toEqual({
        path: path.join('.'),
        replacement,
        accepted: expected,
      });
      if (!expected) rejected++;
      checked++;
    }
    // The variants reach both answers, many times over: the comparison is not vacuous.
    expect(checked).toBeGreaterThan(400);
    expect(rejected).toBeGreaterThan(100);
  });
});
