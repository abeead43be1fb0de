import { ApiError } from '../common/api-error.js';

/**
 * OpenAI's rule for item ids: one request's input never holds two items with the same id, nor an
 * item already in the context it continues (the previous response's chain, or the conversation):
 * 400 "Duplicate item found with id …", which clients that resend earlier output already expect.
 * `existing`: ids of the history the input is added to.
 */
export function checkDuplicateIds(input: ReadonlyArray<{ id?: string | null }>, existing: ReadonlySet<string>, param: string): void {
  const seen = new Set<string>();
  for (const [index, item] of input.entries()) {
    const id = item.id;
    if (typeof id !== 'string') continue;
    if (seen.has(id) || existing.has(id))
      throw ApiError.invalidRequest(`Duplicate item found with id ${id}. Remove duplicate items from your input and try again.`, `${param}[${index}].id`);
    seen.add(id);
  }
}
