import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { SERVER_HOSTED_ID_PREFIX } from '../items/hosted-items.js';
import type { ContentPart, HostedItem, Item, ProviderData } from '../items/item.schemas.js';
import type { InputItem } from '../items/responses.schemas.js';
import { ReasoningEnvelope } from './reasoning-envelope.js';

/** Looks up stored items for `item_reference` inputs; null when the id is unknown to the project. */
export type ItemLookup = (id: string) => Promise<Item | null>;

/** Opens one of our reasoning envelopes (`encrypted_content`); null when it was tampered with. */
export type EnvelopeOpener = (text: string) => ProviderData | null;

/**
 * Normalizes what a client sent into canonical items: a string becomes one user message, string
 * content becomes a text part, and every item gets a server id unless it brought one (clients that
 * resend earlier output keep the ids we gave them; ids are informative, never a lookup key). An
 * unknown `item_reference` is a 400 naming `<param>[i].id`. A reasoning item carrying one of our
 * envelopes gets its provider artifacts back, so a `store: false` client's reasoning is replayed; an
 * envelope that does not open is a 400.
 */
export async function toCanonicalInput(
  input: string | InputItem[] | null | undefined,
  lookup: ItemLookup,
  param: string,
  openEnvelope: EnvelopeOpener = () => null,
): Promise<Item[]> {
  if (input == null) return [];
  if (typeof input === 'string') {
    return [{ type: 'message', id: newId('msg'), role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }];
  }
  const items: Item[] = [];
  for (const [index, item] of input.entries()) {
    // A request control, not an item (the caller reads it): compact the context now.
    if (item.type === 'compaction_trigger') continue;
    if (item.type === 'item_reference') {
      const referenced = await lookup(item.id);
      if (!referenced) throw ApiError.invalidValue(`Item with id '${item.id}' not found.`, `${param}[${index}].id`);
      items.push(referenced);
    } else {
      items.push(toCanonicalItem(item, openEnvelope, `${param}[${index}]`));
    }
  }
  return items;
}

function toCanonicalItem(item: Exclude<InputItem, { type: 'item_reference' | 'compaction_trigger' }>, openEnvelope: EnvelopeOpener, path: string): Item {
  switch (item.type) {
    case 'message':
      return {
        type: 'message',
        id: item.id ?? newId('msg'),
        role: item.role,
        status: item.status ?? 'completed',
        content: typeof item.content === 'string' ? [textPart(item.role, item.content)] : item.content,
        ...(item.phase ? { phase: item.phase } : {}),
      };
    case 'function_call':
      return {
        type: 'function_call',
        id: item.id ?? newId('fc'),
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments,
        status: item.status ?? 'completed',
        ...(item.namespace ? { namespace: item.namespace } : {}),
      };
    case 'function_call_output':
      return { type: 'function_call_output', id: item.id ?? newId('fco'), call_id: item.call_id, output: item.output, status: item.status ?? 'completed' };
    case 'custom_tool_call':
      return {
        type: 'custom_tool_call',
        id: item.id ?? newId('ctc'),
        call_id: item.call_id,
        name: item.name,
        input: item.input,
        status: item.status ?? 'completed',
        ...(item.namespace ? { namespace: item.namespace } : {}),
      };
    case 'custom_tool_call_output':
      return { type: 'custom_tool_call_output', id: item.id ?? newId('ctco'), call_id: item.call_id, output: item.output, status: item.status ?? 'completed' };
    case 'compaction': {
      // Ours opens to its summary (or Anthropic's block); anything else is OpenAI's own, which only OpenAI reads.
      const providerData = ReasoningEnvelope.isEnvelope(item.encrypted_content)
        ? openOrRefuse(item.encrypted_content, openEnvelope, item.id ?? path, path)
        : { openai: { encrypted_content: item.encrypted_content } };
      return { type: 'compaction', id: item.id ?? newId('cmp'), encrypted_content: item.encrypted_content, provider_data: providerData };
    }
    case 'reasoning': {
      let providerData: ProviderData | null = null;
      if (item.encrypted_content && ReasoningEnvelope.isEnvelope(item.encrypted_content)) {
        providerData = openOrRefuse(item.encrypted_content, openEnvelope, item.id ?? path, path);
      }
      return {
        type: 'reasoning',
        id: item.id ?? newId('rs'),
        summary: item.summary,
        ...(item.content ? { content: item.content } : {}),
        ...(item.encrypted_content ? { encrypted_content: item.encrypted_content } : {}),
        status: item.status ?? 'completed',
        ...(providerData ? { provider_data: providerData } : {}),
      };
    }
    default:
      // A hosted tool's item, every field as sent; one without an id gets ours.
      return { ...item, id: item.id ?? newId(SERVER_HOSTED_ID_PREFIX) } as HostedItem;
  }
}

function openOrRefuse(text: string, openEnvelope: EnvelopeOpener, name: string, path: string): ProviderData {
  const providerData = openEnvelope(text);
  if (!providerData) {
    throw new ApiError(
      400,
      `The encrypted content for item ${name} could not be verified.`,
      'invalid_request_error',
      `${path}.encrypted_content`,
      'invalid_encrypted_content',
    );
  }
  return providerData;
}

/** Assistant text is output text; everything else a client writes is input text. */
function textPart(role: string, text: string): ContentPart {
  return role === 'assistant' ? { type: 'output_text', text, annotations: [], logprobs: [] } : { type: 'input_text', text };
}
