import { parseProviderErrorBody, safeJsonParse } from '../call-provider.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { ProviderError } from '../provider-error.js';
import { openAIResponsesResponseSchema } from './openai-responses.api.js';
import { malformedUpstreamResponseError } from './openai-responses-error.js';
import { OpenAIResponsesStreamMapper } from './openai-responses-stream.js';

const TERMINAL_EVENTS: Record<string, string> = {
  completed: 'response.completed',
  incomplete: 'response.incomplete',
  failed: 'response.failed',
};

/**
 * Converts a non-streamed Response body (a server that ignored `stream: true`) into the parts its
 * stream would have produced. The body is replayed through the stream mapper as `response.created`
 * plus the terminal event of its status; the mapper reads every output item from that final
 * snapshot, so both paths share one mapping.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function convertOpenAIResponsesResponse(text: string, provider: string): ModelStreamPart[] {
  const parsed = safeJsonParse(text);
  if (!parsed.ok) {
    throw malformedUpstreamResponseError(provider, parsed.error);
  }
  const result = openAIResponsesResponseSchema.safeParse(parsed.value);
  if (!result.success) {
    throw malformedUpstreamResponseError(provider, result.error);
  }
  const response = result.data;
  const terminal = TERMINAL_EVENTS[response.status ?? ''];
  if (!terminal) {
    // Some proxies answer 200 with an error envelope instead of a Response.
    const details = response.status ? null : parseProviderErrorBody(parsed.value);
    if (details) {
      throw new ProviderError({ provider, message: details.message, providerCode: details.code, cause: parsed.value });
    }
    throw malformedUpstreamResponseError(provider, new Error(`response with status ${String(response.status)} is not final`));
  }
  const mapper = new OpenAIResponsesStreamMapper(provider);
  return [
    ...mapper.push({ type: 'response.created', response: { ...response, output: [], usage: null } }),
    ...mapper.push({ type: terminal, response }),
  ];
}
