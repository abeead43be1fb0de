import { z } from 'zod';
import type { PromptMessage, TextPrompt } from '../count-prompt-tokens.js';
import type { OpenAIResponsesContentPart, OpenAIResponsesInputItem, OpenAIResponsesRequestBody } from './openai-responses.api.js';

/**
 * `POST /responses/input_tokens` takes the prompt fields of a create (`TokenCountsBody`), not its
 * output, storage, sampling or cache settings. Fields of TokenCountsBody we never send
 * (`previous_response_id`, `conversation`, `truncation`, `personality`) have no place here either.
 * @see https://platform.openai.com/docs/api-reference/responses/input-tokens
 */
export type OpenAIResponsesInputTokensBody = Pick<
  OpenAIResponsesRequestBody,
  'model' | 'input' | 'instructions' | 'tools' | 'tool_choice' | 'parallel_tool_calls' | 'text' | 'reasoning'
>;

/** `TokenCountsResource`; `object` is not required, for servers that copy the endpoint loosely. */
export const openAIResponsesInputTokensSchema = z.looseObject({
  object: z.string().nullish(),
  input_tokens: z.number().int().nonnegative(),
});

/**
 * The create body reduced to what the count endpoint takes. Left out: `stream`, `store`, `include`,
 * `max_output_tokens`, `temperature`, `top_p`, `prompt_cache_key`, `prompt_cache_retention`,
 * `prompt_cache_options`, `safety_identifier`, `context_management`, and a `compaction_trigger`
 * input item: it asks the create to compact, and is no prompt to count.
 */
export function toOpenAIResponsesInputTokensBody(body: OpenAIResponsesRequestBody): OpenAIResponsesInputTokensBody {
  const input = body.input.filter((item) => item.type !== 'compaction_trigger');
  const count: OpenAIResponsesInputTokensBody = { model: body.model, input };
  if (body.instructions !== undefined) count.instructions = body.instructions;
  if (body.tools !== undefined) count.tools = body.tools;
  if (body.tool_choice !== undefined) count.tool_choice = body.tool_choice;
  if (body.parallel_tool_calls !== undefined) count.parallel_tool_calls = body.parallel_tool_calls;
  if (body.text !== undefined) count.text = body.text;
  if (body.reasoning !== undefined) count.reasoning = body.reasoning;
  return count;
}

/**
 * The create body as text, for a server without the count endpoint (count-prompt-tokens.ts counts
 * it). Encrypted reasoning and OpenAI's compaction items are opaque and left out: only OpenAI reads
 * them, and OpenAI has the endpoint.
 */
export function toOpenAIResponsesTextPrompt(body: OpenAIResponsesRequestBody): TextPrompt {
  const messages: PromptMessage[] = [];
  if (body.instructions) messages.push({ role: 'system', texts: [body.instructions], toolCalls: 0, media: 0 });
  for (const item of body.input) {
    const message = toPromptMessage(item);
    if (message) messages.push(message);
  }
  const definitions: string[] = [];
  if (body.tools && body.tools.length > 0) definitions.push(JSON.stringify(body.tools));
  if (body.text) definitions.push(JSON.stringify(body.text.format));
  return { messages, definitions };
}

function toPromptMessage(item: OpenAIResponsesInputItem): PromptMessage | null {
  switch (item.type) {
    case 'message':
      return { role: item.role, ...readParts(item.content), toolCalls: 0 };
    case 'function_call':
      return { role: 'assistant', texts: [item.name, item.arguments], toolCalls: 1, media: 0 };
    case 'function_call_output':
    case 'custom_tool_call_output':
      return typeof item.output === 'string'
        ? { role: 'tool', texts: [item.output], toolCalls: 0, media: 0 }
        : { role: 'tool', ...readParts(item.output), toolCalls: 0 };
    case 'reasoning':
      return { role: 'assistant', texts: item.summary.map((part) => part.text), toolCalls: 0, media: 0 };
    case 'custom_tool_call':
      return { role: 'assistant', texts: [item.name, item.input], toolCalls: 1, media: 0 };
    case 'compaction':
    case 'compaction_trigger':
      return null;
    default: {
      // A hosted tool's item: counted as its JSON, which is about what the model reads of it.
      const { type: _type, ...fields } = item;
      return { role: 'assistant', texts: [JSON.stringify(fields)], toolCalls: 0, media: 0 };
    }
  }
}

function readParts(parts: OpenAIResponsesContentPart[]): { texts: string[]; media: number } {
  const texts: string[] = [];
  let media = 0;
  for (const part of parts) {
    if (part.type === 'input_image' || part.type === 'input_file') media++;
    else if (typeof part['text'] === 'string') texts.push(part['text']);
    else if (typeof part['refusal'] === 'string') texts.push(part['refusal']);
  }
  return { texts, media };
}
