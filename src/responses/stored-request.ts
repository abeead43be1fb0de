import type { PublicItem } from '../items/item.schemas.js';

/**
 * What `responses.request` keeps of a create request. A background run keeps it whole: a worker
 * plans from it and the admin API retries it. A foreground turn stores its input as items anyway
 * (with this response's id), so its request keeps only a mark in place of `input`, saying whether
 * the input came as a string or as items; the admin API puts the input back from the items. The
 * create request was the largest copy of a turn's text in `responses` (issue #14: the table must
 * stay within 2× of `items`).
 */
const INPUT_AS_ITEMS = '$input_as_items';

type InputMark = { [INPUT_AS_ITEMS]: 'string' | 'items' };

export function toStoredRequest(rawBody: unknown, background: boolean): unknown {
  if (background || !isRecord(rawBody) || rawBody['input'] === undefined || rawBody['input'] === null) return rawBody;
  const mark: InputMark = { [INPUT_AS_ITEMS]: typeof rawBody['input'] === 'string' ? 'string' : 'items' };
  // Entries in their order, so the admin view shows the request's keys as they came.
  return Object.fromEntries(Object.entries(rawBody).map(([key, value]) => [key, key === 'input' ? mark : value]));
}

/**
 * The request with its input put back from the response's input items: the text of a string input,
 * the items as stored otherwise. A turn that stored no items (the process died mid-turn) keeps the mark.
 */
export function restoreStoredRequest(request: unknown, inputItems: PublicItem[]): unknown {
  if (!isRecord(request) || !isRecord(request['input']) || !(INPUT_AS_ITEMS in request['input']) || inputItems.length === 0) return request;
  const form = request['input'][INPUT_AS_ITEMS];
  const input = form === 'string' ? stringInputOf(inputItems) : inputItems;
  return { ...request, input };
}

/** A string input became one user message with one input_text part. */
function stringInputOf(items: PublicItem[]): unknown {
  const [message] = items as Array<Record<string, unknown>>;
  const content = message?.['content'];
  if (items.length === 1 && Array.isArray(content) && content.length === 1 && isRecord(content[0]) && typeof content[0]['text'] === 'string')
    return content[0]['text'];
  return items;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
