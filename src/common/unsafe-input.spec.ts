import { describeUnsafeInput, findUnsafeInput, MAX_INPUT_DEPTH } from './unsafe-input.js';

/** `levels` objects nested in one another, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

describe(findUnsafeInput.name, () => {
  it('lets ordinary values through: text, emoji (a surrogate pair), RTL, numbers, nulls', () => {
    const body = { model: 'm', input: [{ role: 'user', content: [{ type: 'input_text', text: 'héllo 😀 שלום' }] }], temperature: 0.2, user: null };
    expect(findUnsafeInput(body, '')).toBeNull();
    expect(findUnsafeInput(undefined, '')).toBeNull();
  });

  it(`allows ${MAX_INPUT_DEPTH} levels of nesting and refuses one more, naming the path`, () => {
    expect(findUnsafeInput(nested(MAX_INPUT_DEPTH), '')).toBeNull();
    const refused = findUnsafeInput(nested(MAX_INPUT_DEPTH + 1), '');
    expect(refused).toEqual({ param: Array.from({ length: MAX_INPUT_DEPTH }, () => 'a').join('.'), reason: 'depth' });
  });

  it('walks a value nested a hundred thousand levels deep without overflowing the stack', () => {
    let deep: unknown = [];
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(findUnsafeInput({ input: deep }, '')).toMatchObject({ reason: 'depth', param: `input${'[0]'.repeat(MAX_INPUT_DEPTH - 1)}` });
  });

  it('refuses the NUL character in a value or a key, with the param OpenAI would name', () => {
    const body = { input: [{ content: [{ text: 'ok' }, { text: 'a\u0000b' }] }] };
    expect(findUnsafeInput(body, '')).toEqual({ param: 'input[0].content[1].text', reason: 'nul' });
    expect(findUnsafeInput({ metadata: { 'k\u0000': 'v' } }, '')).toEqual({ param: 'metadata.k\u0000', reason: 'nul' });
    expect(findUnsafeInput({ id: 'resp_\u0000' }, '')).toEqual({ param: 'id', reason: 'nul' });
  });

  it('refuses unpaired UTF-16 surrogates, high or low or reversed, which UTF-8 cannot store', () => {
    for (const text of ['x\uD800', '\uD800y', 'x\uDC00y', '\uDC00\uD800'])
      expect(findUnsafeInput({ t: text }, '')).toEqual({ param: 't', reason: 'surrogate' });
    expect(findUnsafeInput({ t: '\uD83D\uDE00' }, '')).toBeNull();
  });

  it('reports the first unsafe place in document order', () => {
    expect(findUnsafeInput({ a: 'fine', b: ['x\u0000'], c: 'y\u0000' }, '')?.param).toBe('b[0]');
  });
});

describe(describeUnsafeInput.name, () => {
  it('names the place and the rule, and keeps the ends of a very long path', () => {
    expect(describeUnsafeInput({ param: 'metadata.a', reason: 'nul' })).toBe(
      "Invalid value for 'metadata.a': strings may not contain the NUL character (U+0000).",
    );
    expect(describeUnsafeInput({ param: '', reason: 'depth' })).toBe(
      `Invalid value for the request body: objects and arrays may nest at most ${MAX_INPUT_DEPTH} levels deep.`,
    );
    const long = describeUnsafeInput({ param: `input${'[0]'.repeat(100)}`, reason: 'depth' });
    expect(long).toContain('…');
    expect(long.length).toBeLessThan(300);
  });
});
