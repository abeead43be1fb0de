import { SERVER_HOSTED_ID_PREFIX } from '../../items/hosted-items.js';
import type { ContentPart, FunctionCallOutputItem, Item, MessageItem, ReasoningItem } from '../../items/item.schemas.js';
import {
  type OpenAIResponsesContentPart,
  type OpenAIResponsesInputItem,
  type OpenAIResponsesMessageInput,
  openAIResponsesReasoningDataSchema,
} from './openai-responses.api.js';

/**
 * Converts our items to Responses input items for a stateless (`store: false`) call. Our items are
 * the public Responses items already, so this is mostly a matter of what to leave out:
 * - `id`: the ids on our items are ours (`msg_…`, `fc_…`) and mean nothing upstream; with
 *   `store: false` OpenAI answers an input item id it does not know with ``400 Item with id 'x' not
 *   found. Items are not persisted when `store` is set to false``. Items are sent by value instead.
 * - `status`: output bookkeeping, not input.
 * - `prompt_cache_breakpoint` on input parts, unless the model takes explicit breakpoints (GPT-5.6+):
 *   a conversation may move to an older model or another server, which would reject it.
 * - reasoning items without OpenAI encrypted content, and reasoning items with nothing after them
 *   that the model produced (see {@link dropOrphanReasoning}).
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 * @see https://platform.openai.com/docs/guides/reasoning#keeping-reasoning-items-in-context
 */
export function convertToOpenAIResponsesInput(items: Item[], options: { cacheBreakpoints: boolean } = { cacheBreakpoints: false }): OpenAIResponsesInputItem[] {
  const keep = (part: ContentPart) => (options.cacheBreakpoints || !('prompt_cache_breakpoint' in part) ? part : withoutBreakpoint(part));
  return dropOrphanReasoning(items.flatMap((item) => convertItem(item, keep)));
}

function convertItem(item: Item, keep: (part: ContentPart) => ContentPart): OpenAIResponsesInputItem[] {
  switch (item.type) {
    case 'message':
      return [convertMessage({ ...item, content: item.content.map(keep) })];
    case 'function_call':
      // Passed through byte for byte: re-serializing would change what the model sees on replay.
      return [{ type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments }];
    case 'function_call_output':
      return [{ type: 'function_call_output', call_id: item.call_id, output: convertToolOutput(item.output, keep) }];
    case 'reasoning':
      return convertReasoning(item);
    case 'compaction': {
      // Only OpenAI reads its own compaction; any other was rendered as a summary by the planner.
      const openai = item.provider_data?.['openai'] as { encrypted_content?: string } | undefined;
      return openai?.encrypted_content ? [{ type: 'compaction', encrypted_content: openai.encrypted_content }] : [];
    }
    // Like function calls, without our ids: OpenAI would look stored items up by them.
    case 'custom_tool_call':
      return [{ type: 'custom_tool_call', call_id: item.call_id, name: item.name, input: item.input }];
    case 'custom_tool_call_output':
      return [{ type: 'custom_tool_call_output', call_id: item.call_id, output: convertToolOutput(item.output, keep) }];
    default: {
      // A hosted tool's item goes back as it was written, with OpenAI's or the client's id; one we
      // gave it (`item_`, the client sent none, or a search Anthropic or Gemini ran) is ours alone,
      // and OpenAI would look it up.
      const { provider_data: providerData, ...fields } = item;
      if (item.id.startsWith(`${SERVER_HOSTED_ID_PREFIX}_`) || providerData?.['anthropic'] || providerData?.['gemini']) delete (fields as { id?: string }).id;
      return [fields];
    }
  }
}

function convertMessage(item: MessageItem): OpenAIResponsesMessageInput {
  const message: OpenAIResponsesMessageInput = {
    type: 'message',
    role: item.role,
    content: item.content.map((part) => (item.role === 'assistant' ? toAssistantPart(part) : toInputPart(part))),
  };
  // Newer models want `phase` back on every assistant message they produced.
  if (item.phase) {
    message.phase = item.phase;
  }
  return message;
}

/**
 * Assistant content goes back as output parts, the way OpenAI's own clients replay it without ids.
 * Logprobs of a past answer are useless as input and can be large, so they are left empty.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
function toAssistantPart(part: ContentPart): OpenAIResponsesContentPart {
  return part.type === 'output_text' ? { ...part, logprobs: [] } : withoutNullish(part);
}

/**
 * Output parts are only valid in assistant messages; elsewhere their text is input text.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
function toInputPart(part: ContentPart): OpenAIResponsesContentPart {
  switch (part.type) {
    case 'output_text':
      return { type: 'input_text', text: part.text };
    case 'refusal':
      return { type: 'input_text', text: part.refusal };
    default:
      return withoutNullish(part);
  }
}

function convertToolOutput(output: FunctionCallOutputItem['output'], keep: (part: ContentPart) => ContentPart): string | OpenAIResponsesContentPart[] {
  return typeof output === 'string' ? output : output.map((part) => withoutNullish(keep(part)));
}

/**
 * A reasoning item is replayed only with the encrypted content OpenAI gave us, under its original
 * `rs_` id (the content is bound to it); an id alone is a dangling reference with `store: false`.
 */
function convertReasoning(item: ReasoningItem): OpenAIResponsesInputItem[] {
  const data = openAIResponsesReasoningDataSchema.safeParse(item.provider_data?.['openai']);
  if (!data.success) {
    // The reasoning policy (reasoning/plan-reasoning-replay.ts) chose which reasoning comes this far;
    // one without OpenAI encrypted content (another provider's) is unreadable to OpenAI and is
    // dropped, which OpenAI always accepts. Not done: sending foreign reasoning as a summary.
    return [];
  }
  return [{ type: 'reasoning', id: data.data.id, summary: item.summary, encrypted_content: data.data.encrypted_content }];
}

/**
 * OpenAI rejects a reasoning item that is not followed by the item the model produced after it
 * (``400 Item 'rs_…' of type 'reasoning' was provided without its required following item``). That
 * happens when a turn failed or was cut off after reasoning; such a reasoning item is dropped.
 * @see https://platform.openai.com/docs/guides/reasoning#keeping-reasoning-items-in-context
 */
export function dropOrphanReasoning(input: OpenAIResponsesInputItem[]): OpenAIResponsesInputItem[] {
  const kept: OpenAIResponsesInputItem[] = [];
  let next: OpenAIResponsesInputItem | undefined;
  for (let index = input.length - 1; index >= 0; index--) {
    const item = input[index]!;
    if (item.type === 'reasoning' && !isModelOutput(next)) {
      continue;
    }
    kept.push(item);
    next = item;
  }
  return kept.reverse();
}

function isModelOutput(item: OpenAIResponsesInputItem | undefined): boolean {
  return item?.type === 'function_call' || item?.type === 'reasoning' || (item?.type === 'message' && item.role === 'assistant');
}

/** Our parts hold absent optional fields as null; OpenAI types several of them as string-only. */
function withoutBreakpoint(part: ContentPart): ContentPart {
  const { prompt_cache_breakpoint: _breakpoint, ...rest } = part as ContentPart & { prompt_cache_breakpoint?: unknown };
  return rest as ContentPart;
}

function withoutNullish(part: ContentPart): OpenAIResponsesContentPart {
  return Object.fromEntries(Object.entries(part).filter(([, value]) => value !== null && value !== undefined)) as OpenAIResponsesContentPart;
}
