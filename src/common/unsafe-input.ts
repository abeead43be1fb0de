/**
 * What the server refuses in any request value before it is read, validated or stored: nesting
 * deeper than anything the API needs (deep values overflow the stack of every recursive reader,
 * from schema conversion to logging), and strings PostgreSQL cannot hold (the NUL character in
 * text and JSONB, UTF-16 with an unpaired surrogate, which JSON can carry but UTF-8 cannot).
 */
export interface UnsafeInput {
  /** Where, in OpenAI's param style: `input[0].content[1].text`; a key itself is named by its path. */
  param: string;
  reason: 'depth' | 'nul' | 'surrogate';
}

/** Levels of objects and arrays a request may nest: a JSON schema of a tool or a response format fits many times over. */
export const MAX_INPUT_DEPTH = 64;

/** The first unsafe place in `value` (walked without recursion, so any depth is safe to inspect), or null. */
export function findUnsafeInput(value: unknown, root: string, maxDepth = MAX_INPUT_DEPTH): UnsafeInput | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unsafeString(current);
      if (reason) return { param: path, reason };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return { param: path, reason: 'depth' };
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push({ value: current[index], path: `${path}[${index}]`, depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(current);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, inner] = entries[index]!;
      const innerPath = path === '' ? key : `${path}.${key}`;
      const reason = unsafeString(key);
      if (reason) return { param: innerPath, reason };
      stack.push({ value: inner, path: innerPath, depth: depth + 1 });
    }
  }
  return null;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units: no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unsafeString(text: string): UnsafeInput['reason'] | null {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'surrogate';
  return null;
}

/** The message for a refused place, naming it as OpenAI names a bad parameter. */
export function describeUnsafeInput({ param, reason }: UnsafeInput): string {
  const where = param === '' ? 'the request body' : `'${clip(param)}'`;
  switch (reason) {
    case 'depth':
      return `Invalid value for ${where}: objects and arrays may nest at most ${MAX_INPUT_DEPTH} levels deep.`;
    case 'nul':
      return `Invalid value for ${where}: strings may not contain the NUL character (U+0000).`;
    case 'surrogate':
      return `Invalid value for ${where}: strings must be valid Unicode (an unpaired UTF-16 surrogate was found).`;
  }
}

/** A path 64 levels deep is long; the message keeps its ends. */
function clip(param: string): string {
  return param.length <= 200 ? param : `${param.slice(0, 120)}…${param.slice(-60)}`;
}
