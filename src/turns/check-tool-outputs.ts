import { ApiError } from '../common/api-error.js';
import type { Item } from '../items/item.schemas.js';

/**
 * Every function call in the context needs its output before the model can continue, and every
 * output must answer a call the model made; providers reject both with opaque errors, so we answer
 * with OpenAI's own 400s first.
 */
export function checkToolOutputs(history: Item[], input: Item[]): void {
  const calls = new Set<string>();
  const outputs = new Set<string>();
  for (const item of [...history, ...input]) {
    if (item.type === 'function_call') calls.add(item.call_id);
    else if (item.type === 'function_call_output') {
      if (!calls.has(item.call_id)) {
        throw ApiError.invalidRequest(`No tool call found for function call output with call_id ${item.call_id}.`, 'input');
      }
      outputs.add(item.call_id);
    }
  }
  for (const callId of calls) {
    if (!outputs.has(callId)) throw ApiError.invalidRequest(`No tool output found for function call ${callId}.`, 'input');
  }
}
