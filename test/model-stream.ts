import type { FunctionCallItem, Item } from '../src/items/item.schemas.js';
import type { ModelStreamPart } from '../src/providers/model-adapter.js';

/** The usage a stream's closing `finish` part reports; throws when there is none, so a test cannot pass on a missing count. */
export function usageOf(parts: ModelStreamPart[]) {
  const finish = parts.at(-1);
  if (finish?.type !== 'finish' || !finish.usage) throw new Error('no usage reported');
  return finish.usage;
}

/**
 * The items a turn runner would store from one call's parts, in the order they appeared, enough to
 * replay them on the next call: reasoning with its provider data, the assistant's text as one
 * message, each tool call with its arguments. Ids are ours and carry `turn`, so several turns of
 * one history do not collide.
 */
export function itemsFromParts(parts: ModelStreamPart[], turn = 1): Item[] {
  const items: Item[] = [];
  const calls = new Map<number, FunctionCallItem>();
  let message: Extract<Item, { type: 'message' }> | null = null;
  let reasonings = 0;
  for (const part of parts) {
    if (part.type === 'reasoning-end') {
      items.push({
        type: 'reasoning',
        id: `rs_ours_${turn}_${reasonings++}`,
        summary: [],
        status: 'completed',
        ...(part.providerData ? { provider_data: part.providerData } : {}),
      });
    } else if (part.type === 'text-delta') {
      if (!message) {
        message = {
          type: 'message',
          id: `msg_ours_${turn}`,
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
        };
        items.push(message);
      }
      const [content] = message.content;
      if (content?.type === 'output_text') content.text += part.delta;
    } else if (part.type === 'tool-call-start') {
      const call = {
        type: 'function_call' as const,
        id: `fc_ours_${turn}_${part.index}`,
        call_id: part.callId,
        name: part.name,
        arguments: '',
        status: 'completed' as const,
        ...(part.providerData ? { provider_data: part.providerData } : {}),
      };
      calls.set(part.index, call);
      items.push(call);
    } else if (part.type === 'tool-call-delta') {
      const call = calls.get(part.index);
      if (!call) throw new Error(`tool-call-delta for index ${part.index} before its start`);
      call.arguments += part.delta;
    }
  }
  return items;
}

/** Only the tool calls among the items of `itemsFromParts`. */
export function functionCallsFromParts(parts: ModelStreamPart[], turn = 1): FunctionCallItem[] {
  return itemsFromParts(parts, turn).filter((item): item is FunctionCallItem => item.type === 'function_call');
}

/** One `function_call_output` answering each tool call among `items`, all with the same output. */
export function toolOutputsFor(items: Item[], output: string): Item[] {
  return items.flatMap((item): Item[] =>
    item.type === 'function_call' ? [{ type: 'function_call_output', id: `fco_${item.call_id}`, call_id: item.call_id, output, status: 'completed' }] : [],
  );
}
