import type { z } from 'zod';
import { ApiError } from './api-error.js';

/** `['input', 1, 'content']` → `input[1].content`, the way OpenAI names nested params. */
export function formatParamPath(path: ReadonlyArray<PropertyKey>): string | null {
  let result = '';
  for (const segment of path) {
    if (typeof segment === 'number') result += `[${segment}]`;
    else result += result === '' ? String(segment) : `.${String(segment)}`;
  }
  return result === '' ? null : result;
}

/** Parses untrusted input; the first issue becomes a 400 that names the offending param. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, paramPrefix?: string): z.infer<S> {
  // With the input on each issue, a value of the wrong type is told apart from a missing one.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0] ? deepestIssue(result.error.issues[0]) : undefined;
  const path = [...(paramPrefix ? [paramPrefix] : []), ...(issue?.path ?? [])];
  const param = formatParamPath(path);
  const message = issue ? describeIssue(issue, param) : 'Invalid request.';
  throw ApiError.invalidValue(message, param ?? paramPrefix ?? 'body');
}

/**
 * A union failure (`input` is a string or an array of items) is reported by zod at the union; the
 * client is better served by the branch that got furthest, e.g. `input[0].role`, and among branches
 * as far, by one whose `type` matched (its complaint is about the rest, not about being another branch).
 */
function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue = issue;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const candidate = deepestIssue({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue);
    if (rank(candidate) > rank(best)) best = candidate;
  }
  return best;
}

function rank(issue: z.core.$ZodIssue): number {
  const otherBranch = issue.path.at(-1) === 'type' && (issue.code === 'invalid_value' || issue.code === 'custom');
  return issue.path.length * 2 + (otherBranch ? 0 : 1);
}

function describeIssue(issue: z.core.$ZodIssue, param: string | null): string {
  const where = param ? `'${param}'` : 'the request body';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `Missing required parameter: ${where}.`;
  return `Invalid value for ${where}: ${issue.message}`;
}
