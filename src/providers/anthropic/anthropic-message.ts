import type { ModelStreamPart } from '../model-adapter.js';
import { safeJsonParse } from '../read-body.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { type AnthropicStreamEvent, anthropicMessageSchema } from './anthropic.api.js';
import { toAnthropicInBandError } from './anthropic-error.js';
import { AnthropicStreamMapper } from './anthropic-stream.js';

/**
 * Converts a non-streamed Message (what a proxy that ignores `stream: true` answers) into the parts
 * its stream would have produced, by replaying it as stream events through the same mapper.
 * @see https://platform.claude.com/docs/en/api/messages#response-content
 */
export function convertAnthropicMessage(text: string, provider: string): ModelStreamPart[] {
  const parsed = safeJsonParse(text);
  if (!parsed.ok) {
    throw malformedUpstreamResponseError(provider, parsed.error);
  }
  const result = anthropicMessageSchema.safeParse(parsed.value);
  if (!result.success) {
    throw malformedUpstreamResponseError(provider, result.error);
  }
  const message = result.data;
  if (message.type === 'error' || message.error) {
    throw toAnthropicInBandError(provider, message.error);
  }

  const events: AnthropicStreamEvent[] = [{ type: 'message_start', message: { id: message.id, model: message.model, usage: message.usage } }];
  (message.content ?? []).forEach((block, index) => {
    events.push({ type: 'content_block_start', index, content_block: block }, { type: 'content_block_stop', index });
  });
  events.push(
    { type: 'message_delta', delta: { stop_reason: message.stop_reason ?? null, stop_details: message.stop_details ?? null } },
    { type: 'message_stop' },
  );

  const mapper = new AnthropicStreamMapper(provider);
  return [...events.flatMap((event) => mapper.push(event)), ...mapper.finish()];
}
