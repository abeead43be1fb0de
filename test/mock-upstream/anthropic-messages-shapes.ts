// The shapes of Anthropic Messages answers: Message objects, stream events framed as
// `event: <type>\ndata: <json>`, usage, error envelopes, and the request checks the real API applies.
// They follow https://platform.claude.com/docs/en/api/messages and .../build-with-claude/streaming.
import type { ChatUsageOverride } from './chat-completions-shapes.js';
import type { CacheUsage } from './prompt-cache.js';
import { splitText } from './wire.js';

/** What every event of one answer shares. */
export interface AnthropicCall {
  id: string;
  model: string;
  /** How the prompt cache took the input: read, written (per TTL) and the uncached rest. */
  input: CacheUsage;
  sequence: number;
  stream: boolean;
}

export interface AnthropicUsage {
  /** The uncached input only: after the last breakpoint, or all of it without a cache. */
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
}

export type ContentBlock = Record<string, unknown>;

/**
 * Usage as Anthropic reports it: the emulated cache's split of the input, unless the scenario
 * overrides the input side in the shared chat terms. There `prompt_tokens` is the whole input and
 * `cached_tokens` the cache reads, so `input_tokens` is what is left (Anthropic's uncached tail) and
 * nothing is written; an adapter that normalizes correctly reports the same numbers as for the chat route.
 */
export function buildAnthropicUsage(input: CacheUsage, outputTokens: number, override: ChatUsageOverride = {}): AnthropicUsage {
  const overridden = override.prompt_tokens !== undefined || override.prompt_tokens_details?.cached_tokens !== undefined;
  const total = input.read + input.write5m + input.write1h + input.uncached;
  const cacheRead = overridden ? (override.prompt_tokens_details?.cached_tokens ?? 0) : input.read;
  const [write5m, write1h] = overridden ? [0, 0] : [input.write5m, input.write1h];
  return {
    input_tokens: overridden ? Math.max(0, (override.prompt_tokens ?? total) - cacheRead) : input.uncached,
    cache_creation_input_tokens: write5m + write1h,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
    output_tokens: override.completion_tokens ?? outputTokens,
  };
}

/** Chat finish reasons (the shared scenario vocabulary) as stop reasons; anything else passes through. */
export function toStopReason(finishReason: string): string {
  const stopReasons: Record<string, string> = { content_filter: 'refusal', length: 'max_tokens', stop: 'end_turn', tool_calls: 'tool_use' };
  return stopReasons[finishReason] ?? finishReason;
}

/** A non-streamed Message. */
export function messageObject(call: AnthropicCall, content: ContentBlock[], stopReason: string, usage: AnthropicUsage): Record<string, unknown> {
  return {
    id: call.id,
    type: 'message',
    role: 'assistant',
    model: call.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { ...usage, service_tier: 'standard' },
  };
}

/** One SSE event as Anthropic frames it: the event name repeats the payload's `type`. */
export function frame(payload: Record<string, unknown>): string {
  return `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}`;
}

/** message_start, then a ping, as the API sends them. */
export function openingEvents(call: AnthropicCall, usage: AnthropicUsage): string[] {
  const message = { ...messageObject(call, [], '', { ...usage, output_tokens: 1 }), stop_reason: null };
  return [frame({ type: 'message_start', message }), frame({ type: 'ping' })];
}

/** message_delta with the stop reason and the cumulative usage (the counts only, as the API sends them), then message_stop. */
export function closingEvents(stopReason: string, usage: AnthropicUsage): string[] {
  const { cache_creation: _perTtl, ...counts } = usage;
  return [
    frame({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: counts }),
    frame({ type: 'message_stop' }),
  ];
}

export function textBlockEvents(index: number, text: string, chunkSize: number): string[] {
  return [
    frame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }),
    ...splitText(text, chunkSize).map((fragment) => frame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: fragment } })),
    frame({ type: 'content_block_stop', index }),
  ];
}

/** A tool_use block whose input streams as input_json_delta fragments, the first one empty. */
export function toolUseBlockEvents(index: number, id: string, name: string, args: string, chunkSize: number): string[] {
  const fragments = ['', ...splitText(args, chunkSize)];
  return [
    frame({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } }),
    ...fragments.map((partial) => frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } })),
    frame({ type: 'content_block_stop', index }),
  ];
}

/** A thinking block: thinking_delta fragments, then one signature_delta just before the stop. */
export function thinkingBlockEvents(index: number, thinking: string, signature: string, chunkSize: number): string[] {
  return [
    frame({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    ...splitText(thinking, chunkSize).map((fragment) => frame({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: fragment } })),
    frame({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } }),
    frame({ type: 'content_block_stop', index }),
  ];
}

/** The tool input object a tool_use block carries; arguments that do not parse become `{}`. */
export function toolInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

/** Anthropic's error envelope. */
export function anthropicError(type: string, message: string, requestId?: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, ...(requestId ? { request_id: requestId } : {}) };
}

/** @see https://platform.claude.com/docs/en/api/errors */
export function errorTypeForStatus(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    503: 'overloaded_error',
    529: 'overloaded_error',
  };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function defaultErrorMessage(status: number, model: string): string {
  const messages: Record<number, string> = {
    400: 'Invalid request.',
    401: 'invalid x-api-key',
    403: 'Your API key does not have permission to use the specified resource.',
    404: `model: ${model}`,
    413: 'Request exceeds the maximum allowed number of bytes.',
    429: 'Number of request tokens has exceeded your per-minute rate limit. Please try again later.',
    500: 'Internal server error',
    503: 'Overloaded',
    529: 'Overloaded',
  };
  return messages[status] ?? `Mock upstream error ${status}`;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function blocksOf(message: Json): Json[] {
  const content = message['content'];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

/**
 * The first rule of the Messages API a request breaks, as Anthropic words it where known, or null.
 * Stricter than today's API in one respect: it still requires alternating roles starting with a
 * user turn (the API now merges consecutive turns, older versions and compatible endpoints do not),
 * so an e2e test passing here proves the adapter's mapping is legal everywhere.
 */
export function findRequestError(body: Json): string | null {
  if (typeof body['model'] !== 'string') return 'model: Field required';
  if (typeof body['max_tokens'] !== 'number') return 'max_tokens: Field required';
  if (typeof body['temperature'] === 'number' && body['temperature'] > 1) return 'temperature: Input should be less than or equal to 1';
  const messages = body['messages'];
  if (!Array.isArray(messages)) return 'messages: Field required';
  if (messages.length === 0) return 'messages: at least one message is required';
  const hasTools = Array.isArray(body['tools']) && body['tools'].length > 0;
  let previousRole: unknown = null;
  let previousToolUseIds: string[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isObject(message) || (message['role'] !== 'user' && message['role'] !== 'assistant')) {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    const role = message['role'];
    if (index === 0 && role !== 'user') return 'messages: first message must use the "user" role';
    if (role === previousRole) return `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`;
    const blocks = blocksOf(message);
    if (blocks.length === 0 && !(role === 'assistant' && index === messages.length - 1)) {
      return `messages.${index}: all messages must have non-empty content except for the optional final assistant message`;
    }
    const blockError = findBlockError(index, blocks, hasTools);
    if (blockError) return blockError;
    const toolResultIds = blocks.filter((block) => block['type'] === 'tool_result').map((block) => String(block['tool_use_id']));
    const unexpected = toolResultIds.filter((id) => !previousToolUseIds.includes(id));
    if (unexpected.length > 0) {
      return (
        `messages.${index}.content.0: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. ` +
        'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.'
      );
    }
    const unanswered = previousToolUseIds.filter((id) => !toolResultIds.includes(id));
    if (role === 'user' && unanswered.length > 0) {
      return (
        `messages.${index - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. ` +
        'Each `tool_use` block must have a corresponding `tool_result` block in the next message.'
      );
    }
    previousToolUseIds = blocks.filter((block) => block['type'] === 'tool_use').map((block) => String(block['id']));
    previousRole = role;
  }
  return null;
}

function findBlockError(index: number, blocks: Json[], hasTools: boolean): string | null {
  const types = blocks.map((block) => block['type']);
  for (const [position, block] of blocks.entries()) {
    const type = block['type'];
    if (type === 'text' && block['text'] === '') return 'messages: text content blocks must be non-empty';
    if ((type === 'tool_use' || type === 'tool_result') && !hasTools) return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
    if (type === 'tool_use' && !isObject(block['input'])) return `messages.${index}.content.${position}.tool_use.input: Input should be a valid dictionary`;
    if (type === 'tool_result' && types.slice(0, position).some((earlier) => earlier !== 'tool_result')) {
      return `messages.${index}: \`tool_result\` blocks must come first in the content of a user message, before any other content`;
    }
  }
  const firstThinking = types.findIndex((type) => type === 'thinking' || type === 'redacted_thinking');
  if (firstThinking > 0) {
    return (
      `messages.${index}.content.0: If an assistant message contains any thinking blocks, ` +
      `the first block must be thinking or redacted_thinking. Found ${String(types[0])}.`
    );
  }
  return null;
}
