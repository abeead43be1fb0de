import { z } from 'zod';
import type { AnthropicRequestBody } from './anthropic.api.js';

/**
 * `POST /v1/messages/count_tokens` takes the prompt of a create and refuses the rest (`max_tokens:
 * Extra inputs are not permitted`). `output_config` (adaptive thinking's effort) and
 * `context_management` (compaction edits, under the same beta header as the create) are prompt
 * settings it takes too.
 * @see https://platform.claude.com/docs/en/api/messages/count_tokens
 */
export type AnthropicCountTokensBody = Pick<
  AnthropicRequestBody,
  'model' | 'messages' | 'system' | 'tools' | 'tool_choice' | 'thinking' | 'output_config' | 'context_management'
>;

/** `MessageTokensCount`: the whole prompt, cache markers or not. */
export const anthropicTokenCountSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
});

/**
 * The create body reduced to what count_tokens takes. Left out: `max_tokens`, `stream`,
 * `temperature`, `top_p`, `metadata`.
 */
export function toAnthropicCountTokensBody(body: AnthropicRequestBody): AnthropicCountTokensBody {
  const count: AnthropicCountTokensBody = { model: body.model, messages: body.messages };
  if (body.system !== undefined) count.system = body.system;
  if (body.tools !== undefined) count.tools = body.tools;
  if (body.tool_choice !== undefined) count.tool_choice = body.tool_choice;
  if (body.thinking !== undefined) count.thinking = body.thinking;
  if (body.output_config !== undefined) count.output_config = body.output_config;
  if (body.context_management !== undefined) count.context_management = body.context_management;
  return count;
}
