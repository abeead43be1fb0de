import type { MessageItem } from '../src/items/item.schemas.js';
import type { ModelRequest } from '../src/planning/model-request.js';

/** A user (or other role) text message as stored; every field can be overridden. */
export function newMessageItem(overrides: Partial<MessageItem> & { text?: string } = {}): MessageItem {
  const { text = 'Hi', ...rest } = overrides;
  return { type: 'message', id: 'msg_1', role: 'user', status: 'completed', content: [{ type: 'input_text', text }], ...rest };
}

/** A minimal ModelRequest with one user message and nothing else set. */
export function newModelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: 'gpt-4.1',
    instructions: null,
    items: [newMessageItem()],
    tools: [],
    toolChoice: 'auto',
    parallelToolCalls: null,
    maxOutputTokens: null,
    temperature: null,
    topP: null,
    textFormat: { type: 'text' },
    structuredOutput: 'native',
    checkOutput: false,
    reasoning: null,
    thinking: { kind: 'default' },
    includeThoughts: false,
    backfillReasoningContent: false,
    promptCacheKey: null,
    promptCacheRetention: null,
    promptCacheOptions: null,
    safetyIdentifier: null,
    serviceTier: null,
    verbosity: null,
    ...overrides,
  };
}
