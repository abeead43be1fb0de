import { hostedItemTypes, isHostedItemType } from '../items/hosted-items.js';
import type {
  CustomToolCallItem,
  CustomToolCallOutputItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  HostedItem,
  Item,
  MessageItem,
} from '../items/item.schemas.js';

/** The items every wire takes: what OpenAI's Responses API alone knows is rewritten (see toPortableItems). */
export type PortableItem = Exclude<Item, CustomToolCallItem | CustomToolCallOutputItem | HostedItem>;

/** Above this, a string field of a hosted item (an image's base64, a long tool output) is shown by its length only. */
const MAX_RENDERED_FIELD_CHARS = 16_384;

/**
 * A history as a wire without OpenAI's tool items takes it. A custom tool is a function with one
 * string parameter there (planning/plan-tools.ts), so its calls and outputs become function calls
 * and outputs; a hosted tool's item (a web search, an MCP call, …) becomes a text message in the
 * voice of whoever wrote it, naming the item and holding its fields as JSON, so the model still
 * knows what was searched or run and what came back.
 */
export function toPortableItems(items: Item[]): PortableItem[] {
  let changed = false;
  const portable = items.map((item) => {
    const mapped = toPortableItem(item);
    if (mapped !== item) changed = true;
    return mapped;
  });
  return changed ? portable : (items as PortableItem[]);
}

export function toPortableItem(item: Item): PortableItem {
  switch (item.type) {
    case 'custom_tool_call':
      return customCallAsFunctionCall(item);
    case 'custom_tool_call_output':
      return customOutputAsFunctionOutput(item);
    default:
      return isHostedItemType(item.type) ? hostedItemAsMessage(item as HostedItem) : (item as PortableItem);
  }
}

export function customCallAsFunctionCall(item: CustomToolCallItem): FunctionCallItem {
  return {
    type: 'function_call',
    id: item.id,
    call_id: item.call_id,
    name: item.name,
    arguments: JSON.stringify({ input: item.input }),
    status: item.status,
    ...(item.namespace ? { namespace: item.namespace } : {}),
    ...(item.provider_data ? { provider_data: item.provider_data } : {}),
  };
}

export function customOutputAsFunctionOutput(item: CustomToolCallOutputItem): FunctionCallOutputItem {
  return { type: 'function_call_output', id: item.id, call_id: item.call_id, output: item.output, status: item.status };
}

export function hostedItemAsMessage(item: HostedItem): MessageItem {
  const { type, id: _id, provider_data: _providerData, ...fields } = item;
  const text = `[${type}] ${JSON.stringify(fields, abbreviateLongStrings)}`;
  return hostedItemTypes[type].by === 'model'
    ? { type: 'message', id: item.id, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] }
    : { type: 'message', id: item.id, role: 'user', status: 'completed', content: [{ type: 'input_text', text }] };
}

function abbreviateLongStrings(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.length > MAX_RENDERED_FIELD_CHARS ? `[${value.length} characters left out]` : value;
}
