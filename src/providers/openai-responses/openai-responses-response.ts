import { ProviderError } from '../../common/provider-error.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { safeJsonParse } from '../read-body.js';
import { malformedUpstreamResponseError, parseProviderErrorBody } from '../upstream-errors.js';
import { isOpenAIResponsesResponse, type OpenAIResponsesResponse, openAIResponsesResponseSchema } from './openai-responses.api.js';
import { OpenAIResponsesStreamMapper } from './openai-responses-stream.js';

const FINAL_STATUSES = new Set(['completed', 'incomplete', 'failed']);

/**
 * Converts a non-streamed Response body (a server that ignored `stream: true`) into the parts its
 * stream would have produced. The stream mapper reads it as the final snapshot of a terminal event
 * of its status (every output item from that snapshot), so both paths share one mapping.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function convertOpenAIResponsesResponse(text: string, provider: string): ModelStreamPart[] {
  const parsed = safeJsonParse(text);
  if (!parsed.ok) {
    throw malformedUpstreamResponseError(provider, parsed.error);
  }
  let response: OpenAIResponsesResponse;
  if (isOpenAIResponsesResponse(parsed.value)) {
    response = parsed.value;
  } else {
    const result = openAIResponsesResponseSchema.safeParse(parsed.value);
    if (!result.success) {
      throw malformedUpstreamResponseError(provider, result.error);
    }
    response = result.data;
  }
  const status = response.status ?? '';
  if (!FINAL_STATUSES.has(status)) {
    // Some proxies answer 200 with an error envelope instead of a Response.
    const details = response.status ? null : parseProviderErrorBody(parsed.value);
    if (details) {
      throw new ProviderError({ provider, message: details.message, providerCode: details.code, cause: parsed.value });
    }
    throw malformedUpstreamResponseError(provider, new Error(`response with status ${String(response.status)} is not final`));
  }
  return new OpenAIResponsesStreamMapper(provider).pushWhole(response, status as 'completed' | 'incomplete' | 'failed');
}
