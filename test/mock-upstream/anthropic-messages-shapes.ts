// The shapes of Anthropic Messages answers: Message objects, stream events framed as
// `event: <type>\ndata: <json>`, usage, error envelopes, and the request checks the real API applies.
// They follow https://platform.claude.com/docs/en/api/messages and .../build-with-claude/streaming.
import type { IterationUsage } from './anthropic-compaction.js';
import type { ChatUsageOverride } from './chat-completions-shapes.js';
import { findAnthropicMediaBlockError } from './file-inputs.js';
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
  /** Each sampling pass, once a compaction edit is configured (anthropic-compaction.ts). */
  iterations?: IterationUsage[];
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
    ...refusalDetails(stopReason),
    usage: { ...usage, service_tier: 'standard' },
  };
}

/** One SSE event as Anthropic frames it: the event name repeats the payload's `type`. */
export function frame(payload: Record<string, unknown>): string {
  return `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}`;
}

/** message_start, then a ping, as the API sends them; the iterations come with the final message_delta only. */
export function openingEvents(call: AnthropicCall, usage: AnthropicUsage): string[] {
  const { iterations: _passes, ...counts } = usage;
  const message = { ...messageObject(call, [], '', { ...counts, output_tokens: 1 }), stop_reason: null };
  return [frame({ type: 'message_start', message }), frame({ type: 'ping' })];
}

/** message_delta with the stop reason and the cumulative usage (the counts only, as the API sends them), then message_stop. */
export function closingEvents(stopReason: string, usage: AnthropicUsage): string[] {
  const { cache_creation: _perTtl, ...counts } = usage;
  const delta = { stop_reason: stopReason, stop_sequence: null, ...refusalDetails(stopReason) };
  return [frame({ type: 'message_delta', delta, usage: counts }), frame({ type: 'message_stop' })];
}

/**
 * A refusal's `stop_details`, worded as Anthropic's documentation shows it.
 * @see https://platform.claude.com/docs/en/test-and-evaluate/strengthen-guardrails/handle-streaming-refusals
 */
function refusalDetails(stopReason: string): { stop_details?: Record<string, string> } {
  if (stopReason !== 'refusal') return {};
  return { stop_details: { type: 'refusal', category: 'cyber', explanation: 'This request was declined because it could enable cyber harm.' } };
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

/** A compaction block: null content at the start, the whole summary in one compaction_delta (research §2.3). */
export function compactionBlockEvents(index: number, summary: string): string[] {
  return [
    frame({ type: 'content_block_start', index, content_block: { type: 'compaction', content: null, encrypted_content: null } }),
    frame({ type: 'content_block_delta', index, delta: { type: 'compaction_delta', content: summary, encrypted_content: null } }),
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
  if (body['service_tier'] !== undefined && body['service_tier'] !== 'auto' && body['service_tier'] !== 'standard_only') {
    return "service_tier: Input should be 'auto' or 'standard_only'";
  }
  return findToolError(body) ?? findPromptError(body);
}

/**
 * A tool Anthropic would not take: a client tool needs `input_schema`; a server tool is named by a
 * known `type` (web search's versions) with its fixed name.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool
 */
function findToolError(body: Json): string | null {
  for (const [index, tool] of (Array.isArray(body['tools']) ? body['tools'] : []).entries()) {
    if (!isObject(tool)) return `tools.${index}: Input should be a valid dictionary`;
    const type = tool['type'];
    if (type === undefined || type === 'custom') {
      if (!isObject(tool['input_schema'])) return `tools.${index}.custom.input_schema: Field required`;
    } else if (type === 'web_search_20250305' || type === 'web_search_20260209') {
      if (tool['name'] !== 'web_search') return `tools.${index}.${String(type)}.name: Input should be 'web_search'`;
      if (tool['allowed_domains'] !== undefined && tool['blocked_domains'] !== undefined) {
        return `tools.${index}.${String(type)}: allowed_domains and blocked_domains cannot be used together`;
      }
    } else {
      return `tools.${index}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags`;
    }
  }
  return null;
}

/** The fields `POST /v1/messages/count_tokens` takes; it refuses any other (max_tokens, stream, temperature…). */
const countTokensFields = new Set([
  'cache_control',
  'context_management',
  'mcp_servers',
  'messages',
  'model',
  'output_config',
  'output_format',
  'system',
  'thinking',
  'tool_choice',
  'tools',
]);

/**
 * What count_tokens refuses: a field only a create takes (`max_tokens: Extra inputs are not
 * permitted`, seen when a client sent its create body as it was: Wei-Shaw/sub2api#4913), then
 * everything findRequestError checks but `max_tokens`.
 */
export function findCountTokensError(body: Json): string | null {
  if (typeof body['model'] !== 'string') return 'model: Field required';
  const extra = Object.keys(body).find((key) => !countTokensFields.has(key));
  if (extra !== undefined) return `${extra}: Extra inputs are not permitted`;
  return findPromptError(body);
}

/** The checks both routes make once the model is named: the turns (and a create's temperature). */
function findPromptError(body: Json): string | null {
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
    const mediaError = findAnthropicMediaBlockError(`messages.${index}.content.${position}`, block);
    if (mediaError) return mediaError;
    if (type === 'tool_result' && Array.isArray(block['content'])) {
      for (const [inner, part] of (block['content'] as unknown[]).entries()) {
        const innerError = isObject(part) ? findAnthropicMediaBlockError(`messages.${index}.content.${position}.tool_result.content.${inner}`, part) : null;
        if (innerError) return innerError;
      }
    }
    if (type === 'text' && block['text'] === '') return 'messages: text content blocks must be non-empty';
    if ((type === 'tool_use' || type === 'tool_result') && !hasTools) return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
    if (type === 'tool_use' && !isObject(block['input'])) return `messages.${index}.content.${position}.tool_use.input: Input should be a valid dictionary`;
    // A search Anthropic ran comes back as it was: its result right after it, encrypted content and all.
    if (type === 'server_tool_use') {
      const result = blocks[position + 1];
      if (result?.['type'] !== 'web_search_tool_result' || result['tool_use_id'] !== block['id']) {
        return `messages.${index}.content.${position}: \`server_tool_use\` block ${String(block['id'])} must be followed by its \`web_search_tool_result\` block`;
      }
    }
    if (type === 'web_search_tool_result') {
      const results = block['content'];
      if (Array.isArray(results) && results.some((entry) => !isObject(entry) || typeof entry['encrypted_content'] !== 'string')) {
        return `messages.${index}.content.${position}.web_search_tool_result.content: encrypted_content: Field required`;
      }
    }
    if (type === 'tool_result' && types.slice(0, position).some((earlier) => earlier !== 'tool_result')) {
      return `messages.${index}: \`tool_result\` blocks must come first in the content of a user message, before any other content`;
    }
  }
  // A compaction block opens the answer that compacted, before its thinking (anthropic-compaction.ts).
  const replyTypes = types.filter((type) => type !== 'compaction');
  const firstThinking = replyTypes.findIndex((type) => type === 'thinking' || type === 'redacted_thinking');
  if (firstThinking > 0) {
    return (
      `messages.${index}.content.0: If an assistant message contains any thinking blocks, ` +
      `the first block must be thinking or redacted_thinking. Found ${String(replyTypes[0])}.`
    );
  }
  return null;
}

// ---- thinking ---------------------------------------------------------------------------------

export type AnthropicThinkingMode = 'enabled' | 'adaptive' | 'disabled';

/** What a model allows of `thinking` (reference §5.1, model matrix). */
interface ModelThinkingRules {
  /** `{type: 'enabled'}` is a 400 (Opus 4.7 and later). */
  rejectsEnabled: boolean;
  /** `{type: 'disabled'}` is a 400 (thinking cannot be turned off). */
  rejectsDisabled: boolean;
  /** Thinks without a `thinking` field (adaptive). */
  onByDefault: boolean;
  /** Thinking text comes back empty unless `display: 'summarized'` (signature still sent). */
  omittedByDefault: boolean;
}

const modelThinkingRules: Array<[pattern: RegExp, rules: ModelThinkingRules]> = [
  [/claude-opus-5-5/, { rejectsEnabled: true, rejectsDisabled: true, onByDefault: true, omittedByDefault: true }],
  [/claude-(fable|mythos)-5/, { rejectsEnabled: true, rejectsDisabled: true, onByDefault: true, omittedByDefault: false }],
  [/claude-opus-4-[78]/, { rejectsEnabled: true, rejectsDisabled: false, onByDefault: false, omittedByDefault: true }],
];
const defaultThinkingRules: ModelThinkingRules = { rejectsEnabled: false, rejectsDisabled: false, onByDefault: false, omittedByDefault: false };

function thinkingRules(model: unknown): ModelThinkingRules {
  return modelThinkingRules.find(([pattern]) => pattern.test(String(model)))?.[1] ?? defaultThinkingRules;
}

/** How the request thinks: its `thinking.type`, or the model's default without one. */
export function anthropicThinkingMode(body: Json): AnthropicThinkingMode {
  const thinking = body['thinking'];
  if (!isObject(thinking)) return thinkingRules(body['model']).onByDefault ? 'adaptive' : 'disabled';
  const type = thinking['type'];
  return type === 'enabled' || type === 'adaptive' ? type : 'disabled';
}

/**
 * Whether an answer shows thinking, and how: `null` when the request turned thinking off (no block
 * at all), `'omitted'` for empty thinking text (the signature still comes), else `'summarized'`.
 * A request without `thinking` on a model that does not think by default gets the scenario's
 * thinking all the same (the scenario asks for it, as before these rules existed).
 */
export function thinkingDisplay(body: Json): 'summarized' | 'omitted' | null {
  const thinking = body['thinking'];
  const rules = thinkingRules(body['model']);
  if (!isObject(thinking)) return rules.omittedByDefault && rules.onByDefault ? 'omitted' : 'summarized';
  if (thinking['type'] === 'disabled') return null;
  const display = thinking['display'];
  if (display === 'omitted' || display === 'summarized') return display;
  return rules.omittedByDefault ? 'omitted' : 'summarized';
}

const docs = 'https://docs.claude.com/en/docs/build-with-claude/extended-thinking';
const efforts = ['low', 'medium', 'high', 'xhigh', 'max'];

export const forcedToolChoiceMessage = 'Thinking may not be enabled when tool_choice forces tool use.';
export const budgetBelowMinimumMessage = 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
export const budgetNotBelowMaxTokensMessage = `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${docs}#max-tokens-and-context-window-size`;
export const temperatureWithThinkingMessage =
  '`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://platform.claude.com/docs/en/build-with-claude/extended-thinking';
export const topKWithThinkingMessage = `\`top_k\` must be unset when thinking is enabled. Please consult our documentation at ${docs}#important-considerations-when-using-extended-thinking`;
/** Phrased by the mock: the API's exact words for a low `top_p` with thinking are not on record. */
export const topPWithThinkingMessage = `\`top_p\` must be greater than or equal to 0.95 or unset when thinking is enabled. Please consult our documentation at ${docs}#important-considerations-when-using-extended-thinking`;

export function unsupportedThinkingTypeMessage(type: 'enabled' | 'disabled'): string {
  return `"thinking.type.${type}" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`;
}

/** Keywords Anthropic's constrained decoding refuses (its structured outputs' JSON Schema limits). */
const undecodable = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'maxItems', 'uniqueItems'];

/**
 * What Anthropic says of a schema its structured outputs cannot decode: an object not closed with
 * `additionalProperties: false`, or a keyword outside its subset; null for one it takes.
 * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations
 */
function decodableSchemaError(schema: unknown, path: string): string | null {
  if (Array.isArray(schema)) {
    for (const entry of schema) {
      const problem = decodableSchemaError(entry, path);
      if (problem) return problem;
    }
    return null;
  }
  if (!isObject(schema)) return null;
  if ((schema['type'] === 'object' || isObject(schema['properties'])) && schema['additionalProperties'] !== false) {
    return `${path}: For 'object' type, 'additionalProperties' must be explicitly set to false`;
  }
  const keyword = undecodable.find((key) => key in schema);
  if (keyword) return `${path}: Property '${keyword}' is not supported`;
  for (const key of ['properties', '$defs', 'definitions']) {
    const children = schema[key];
    if (isObject(children)) {
      const problem = decodableSchemaError(Object.values(children), path);
      if (problem) return problem;
    }
  }
  for (const key of ['items', 'anyOf', 'allOf']) {
    const problem = decodableSchemaError(schema[key], path);
    if (problem) return problem;
  }
  return null;
}

/**
 * The first rule of Anthropic's `thinking` configuration the request breaks (reference §5.1), or
 * null: the shape (`enabled` needs `budget_tokens` ≥ 1024, `output_config.effort` one of the five
 * levels), what the model accepts (Opus 4.7/4.8 reject `enabled`; Opus 5.5, Fable 5 and Mythos 5
 * reject `enabled` and `disabled`), `budget_tokens` < `max_tokens` (unless the interleaved-thinking
 * beta lets the budget span the turn), and, with thinking on, `temperature` 1 or unset, no `top_k`,
 * `top_p` ≥ 0.95, and no forced `tool_choice` in manual mode. `betas` is the `anthropic-beta` header.
 */
export function findThinkingConfigError(body: Json, betas: string[] = []): string | null {
  const thinking = body['thinking'];
  if (thinking !== undefined && thinking !== null) {
    if (!isObject(thinking)) return 'thinking: Input should be a valid dictionary or object to extract fields from';
    const type = thinking['type'];
    if (type !== 'enabled' && type !== 'adaptive' && type !== 'disabled') {
      return `thinking: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: 'adaptive', 'disabled', 'enabled'`;
    }
    if (type === 'enabled') {
      const budget = thinking['budget_tokens'];
      if (budget === undefined) return 'thinking.enabled.budget_tokens: Field required';
      if (typeof budget !== 'number' || !Number.isInteger(budget)) return 'thinking.enabled.budget_tokens: Input should be a valid integer';
      if (budget < 1024) return budgetBelowMinimumMessage;
    }
    const display = thinking['display'];
    if (type !== 'disabled' && display !== undefined && display !== 'summarized' && display !== 'omitted') {
      return `thinking.${type}.display: Input should be 'summarized' or 'omitted'`;
    }
  }
  const outputConfig = body['output_config'];
  const effort = isObject(outputConfig) ? outputConfig['effort'] : undefined;
  if (effort !== undefined && !efforts.includes(String(effort))) return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'";
  const format = isObject(outputConfig) ? outputConfig['format'] : undefined;
  if (format !== undefined) {
    if (!isObject(format) || format['type'] !== 'json_schema' || !isObject(format['schema']))
      return 'output_config.format: Input should be a valid json_schema format';
    const problem = decodableSchemaError(format['schema'], 'output_config.format.schema');
    if (problem) return problem;
  }
  for (const [index, tool] of (Array.isArray(body['tools']) ? body['tools'] : []).entries()) {
    if (isObject(tool) && tool['strict'] === true) {
      const problem = decodableSchemaError(tool['input_schema'], `tools.${index}.custom.input_schema`);
      if (problem) return problem;
    }
  }

  const rules = thinkingRules(body['model']);
  const type = isObject(thinking) ? thinking['type'] : undefined;
  if (type === 'enabled' && rules.rejectsEnabled) return unsupportedThinkingTypeMessage('enabled');
  if (type === 'disabled' && rules.rejectsDisabled) return unsupportedThinkingTypeMessage('disabled');
  if (type === 'enabled' && isObject(thinking)) {
    const interleaved = betas.some((beta) => beta.trim().startsWith('interleaved-thinking-'));
    if (!interleaved && (thinking['budget_tokens'] as number) >= (body['max_tokens'] as number)) return budgetNotBelowMaxTokensMessage;
  }
  if (anthropicThinkingMode(body) === 'disabled') return null;
  const temperature = body['temperature'];
  if (temperature !== undefined && temperature !== null && temperature !== 1) return temperatureWithThinkingMessage;
  if (body['top_k'] !== undefined && body['top_k'] !== null) return topKWithThinkingMessage;
  const topP = body['top_p'];
  if (typeof topP === 'number' && topP < 0.95) return topPWithThinkingMessage;
  const toolChoice = body['tool_choice'];
  if (type === 'enabled' && isObject(toolChoice) && (toolChoice['type'] === 'any' || toolChoice['type'] === 'tool')) return forcedToolChoiceMessage;
  return null;
}

/** What findThinkingReplayError needs to know of what this server issued. */
export interface IssuedThinking {
  /** `signature` → every thinking text it was issued with. */
  signatures: ReadonlyMap<string, ReadonlySet<string>>;
  redacted: ReadonlySet<string>;
  /** `tool_use` ids of answers that opened with thinking. */
  openedWithThinking: ReadonlySet<string>;
}

const isThinking = (block: Json): boolean => block['type'] === 'thinking' || block['type'] === 'redacted_thinking';

export function missingThinkingMessage(index: number, found: unknown): string {
  return (
    `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(found)}\`. ` +
    'When `thinking` is enabled, a final `assistant` message must start with a thinking block ' +
    '(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. ' +
    `To avoid this requirement, disable \`thinking\`. Please consult our documentation at ${docs}`
  );
}

export function modifiedThinkingMessage(index: number, position: number): string {
  return (
    `messages.${index}.content.${position}: \`thinking\` or \`redacted_thinking\` blocks in the latest assistant message cannot be modified. ` +
    'These blocks must remain as they were in the original response.'
  );
}

export function invalidSignatureMessage(index: number, position: number): string {
  return `messages.${index}.content.${position}: Invalid \`signature\` in \`thinking\` block.`;
}

/** Phrased by the mock after the signature message: the API's words for forged redacted data are not on record. */
export function invalidRedactedDataMessage(index: number, position: number): string {
  return `messages.${index}.content.${position}: Invalid \`data\` in \`redacted_thinking\` block.`;
}

export function thinkingWhileDisabledMessage(index: number, position: number): string {
  return (
    `messages.${index}.content.${position}: When thinking is disabled, an \`assistant\` message in the final position cannot contain \`thinking\`. ` +
    'To use thinking blocks, enable `thinking` in your request.'
  );
}

/**
 * The first rule for thinking sent back that the request breaks (reference §5.1 rules 1–2), or
 * null. For a body that passed findRequestError and findThinkingConfigError.
 *
 * With thinking off, only an assistant message in the final position (a prefill) may not hold
 * thinking; earlier thinking blocks are ignored, as the API strips them. With thinking on, inside a
 * tool loop (the last message holds tool results), the current assistant turn (every message since
 * the last user message without tool results) is checked:
 * - in manual mode (`enabled`) it must open with a thinking or redacted_thinking block;
 * - every thinking block must carry a signature this server issued, with its text unchanged, and
 *   every redacted_thinking block data this server issued.
 * Stricter than the API in one respect, because the mock knows what it issued: an assistant message
 * whose answer opened with thinking must still open with it, in any mode and at any step of the
 * loop, so a server that drops thinking is caught even where the API could not tell.
 * Thinking in completed turns is not checked (most models strip or ignore it).
 */
export function findThinkingReplayError(body: Json, issued: IssuedThinking): string | null {
  const messages = (body['messages'] as unknown[]).filter(isObject);
  const lastIndex = messages.length - 1;
  const last = messages[lastIndex]!;
  const mode = anthropicThinkingMode(body);
  if (mode === 'disabled') {
    const position = last['role'] === 'assistant' ? blocksOf(last).findIndex(isThinking) : -1;
    return position >= 0 ? thinkingWhileDisabledMessage(lastIndex, position) : null;
  }
  if (last['role'] === 'assistant') {
    return blocksOf(last).at(-1) && isThinking(blocksOf(last).at(-1)!)
      ? `messages.${lastIndex}: The final block in an assistant message cannot be \`thinking\`.`
      : null;
  }
  const inToolLoop = blocksOf(last).some((block) => block['type'] === 'tool_result');
  if (!inToolLoop) return null;
  const turnStart = messages.findLastIndex((message) => message['role'] === 'user' && !blocksOf(message).some((block) => block['type'] === 'tool_result'));
  for (let index = turnStart + 1; index < lastIndex; index++) {
    const message = messages[index]!;
    if (message['role'] !== 'assistant') continue;
    const blocks = blocksOf(message);
    const issuedWithThinking = blocks.some((block) => block['type'] === 'tool_use' && issued.openedWithThinking.has(String(block['id'])));
    const mustOpenWithThinking = (mode === 'enabled' && index === turnStart + 1) || issuedWithThinking;
    // The answer opens after its compaction block, if it compacted.
    const opening = blocks.find((block) => block['type'] !== 'compaction');
    if (mustOpenWithThinking && !(opening && isThinking(opening))) return missingThinkingMessage(index, opening?.['type']);
    for (const [position, block] of blocks.entries()) {
      if (block['type'] === 'thinking') {
        const texts = issued.signatures.get(String(block['signature']));
        if (!texts) return invalidSignatureMessage(index, position);
        if (!texts.has(String(block['thinking']))) return modifiedThinkingMessage(index, position);
      } else if (block['type'] === 'redacted_thinking' && !issued.redacted.has(String(block['data']))) {
        return invalidRedactedDataMessage(index, position);
      }
    }
  }
  return null;
}

/** A redacted_thinking block: its opaque data arrives whole in content_block_start. */
export function redactedThinkingBlockEvents(index: number, data: string): string[] {
  return [frame({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data } }), frame({ type: 'content_block_stop', index })];
}
