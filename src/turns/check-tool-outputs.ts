import { ApiError } from '../common/api-error.js';
import type { Item } from '../items/item.schemas.js';

const KINDS = { function_call: { name: 'function call' }, custom_tool_call: { name: 'custom tool call' } } as const;

/**
 * Every function or custom tool call in the context needs its output before the model can continue,
 * and every output must answer a call the model made; providers reject both with opaque errors
 * (a custom call is a function call off OpenAI's Responses API), so we answer with OpenAI's own
 * 400s first.
 */
export function checkToolOutputs(history: Item[], input: Item[]): void {
  const calls = new Map<string, (typeof KINDS)[keyof typeof KINDS]>();
  const outputs = new Set<string>();
  for (const item of [...history, ...input]) {
    if (item.type === 'function_call' || item.type === 'custom_tool_call') calls.set(item.call_id, KINDS[item.type]);
    else if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
      if (!calls.has(item.call_id)) {
        const name = item.type === 'function_call_output' ? 'function call' : 'custom tool call';
        throw ApiError.invalidRequest(`No tool call found for ${name} output with call_id ${item.call_id}.`, 'input');
      }
      outputs.add(item.call_id);
    }
  }
  for (const [callId, kind] of calls) {
    if (!outputs.has(callId)) throw ApiError.invalidRequest(`No tool output found for ${kind.name} ${callId}.`, 'input');
  }
}
