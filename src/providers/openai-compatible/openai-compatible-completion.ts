import type { ModelStreamPart } from '../model-adapter.js';
import { safeJsonParse } from '../read-body.js';
import { servedTier, withTier } from '../served-tier.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { resolveOpenAICompatibleFinishReason } from './map-openai-compatible-finish-reason.js';
import { openAICompatibleCompletionSchema } from './openai-compatible.api.js';
import { toOpenAICompatibleInBandError } from './openai-compatible-error.js';
import { chatTextDelta, fallbackToolCallId } from './openai-compatible-stream.js';
import { convertOpenAICompatibleUsage } from './openai-compatible-usage.js';

/**
 * Converts a non-streamed `chat.completion` body into the part sequence a stream of the same answer
 * would have produced, so callers only ever consume a stream.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function convertOpenAICompatibleCompletion(text: string, provider: string): ModelStreamPart[] {
  const parsed = safeJsonParse(text);
  if (!parsed.ok) {
    throw malformedUpstreamResponseError(provider, parsed.error);
  }
  const result = openAICompatibleCompletionSchema.safeParse(parsed.value);
  if (!result.success) {
    throw malformedUpstreamResponseError(provider, result.error);
  }
  const completion = result.data;
  // Some servers answer 200 with an error body instead of an error status.
  if (completion.error) {
    throw toOpenAICompatibleInBandError(provider, { error: completion.error });
  }

  const parts: ModelStreamPart[] = [{ type: 'response-metadata', id: completion.id || null, model: completion.model || null }];
  const choice = completion.choices?.find((candidate) => (candidate.index ?? 0) === 0);
  const message = choice?.message;
  const reasoning = message?.reasoning_content || message?.reasoning;
  if (reasoning) {
    // Marked as this provider's, as the stream marks it, so only it gets it back as `reasoning_content`.
    parts.push({ type: 'reasoning-delta', delta: reasoning }, { type: 'reasoning-end', providerData: { chat: { provider } } });
  }
  if (message?.content) {
    parts.push(chatTextDelta(message.content, choice?.logprobs?.content));
  }
  if (message?.refusal) {
    parts.push({ type: 'refusal-delta', delta: message.refusal });
  }
  const toolCalls = message?.tool_calls ?? [];
  toolCalls.forEach((toolCall, index) => {
    if (!toolCall.function.name) {
      throw malformedUpstreamResponseError(provider, new Error('tool call without a function name'));
    }
    parts.push({ type: 'tool-call-start', index, callId: toolCall.id || fallbackToolCallId(), name: toolCall.function.name });
    if (toolCall.function.arguments) {
      parts.push({ type: 'tool-call-delta', index, delta: toolCall.function.arguments });
    }
  });
  parts.push({
    type: 'finish',
    reason: resolveOpenAICompatibleFinishReason(choice?.finish_reason ?? null, toolCalls.length > 0),
    usage: convertOpenAICompatibleUsage(completion.usage),
    ...withTier(servedTier(completion.service_tier)),
  });
  return parts;
}
