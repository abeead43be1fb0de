import { ApiError } from '../common/api-error.js';
import type { RequestLimits } from '../config/env.schema.js';
import type { CreateResponseBody } from '../items/responses.schemas.js';

/**
 * The deployment's limits on one create (MAX_INPUT_ITEMS, MAX_TOOLS, MAX_INPUT_FILES), refused as
 * OpenAI refuses an array over its maximum: 400 `array_above_max_length`, naming the param.
 */
export function checkRequestLimits(body: CreateResponseBody, limits: RequestLimits): void {
  const input = Array.isArray(body.input) ? body.input : [];
  tooLong('input', input.length, limits.maxInputItems);
  tooLong('tools', body.tools?.length ?? 0, limits.maxTools);
  const files = input.reduce((count, item) => count + filePartsOf(item), 0);
  if (files > limits.maxInputFiles)
    throw new ApiError(
      400,
      `Invalid 'input': too many images and files. Expected at most ${limits.maxInputFiles} per request, but got ${files} instead.`,
      'invalid_request_error',
      'input',
      'array_above_max_length',
    );
}

function tooLong(param: string, length: number, max: number): void {
  if (length <= max) return;
  throw new ApiError(
    400,
    `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${length} instead.`,
    'invalid_request_error',
    param,
    'array_above_max_length',
  );
}

/** Images and files an input item carries: the parts of a message, and those of a tool's output. */
function filePartsOf(item: unknown): number {
  const parts = (item as { content?: unknown; output?: unknown }).content ?? (item as { output?: unknown }).output;
  if (!Array.isArray(parts)) return 0;
  return parts.filter((part) => {
    const type = (part as { type?: unknown } | null)?.type;
    return type === 'input_image' || type === 'input_file';
  }).length;
}
