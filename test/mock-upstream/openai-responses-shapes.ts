// The shapes of OpenAI Responses answers: the Response object, its output items, the streamed event
// sequence of responses-api.md §6.3/§6.4, usage, and the input checks OpenAI applies with `store: false`.
// They follow `Response` and `ResponseStreamEvent` in the OpenAPI spec and the openai package's types.
import type { ChatUsageOverride } from './chat-completions-shapes.js';
import { findResponsesInputFileError } from './file-inputs.js';
import { type LogprobsAsk, openAILogprobs } from './logprobs.js';
import { findCompactionItemError } from './openai-compaction.js';
import { servedOpenAITier, splitText } from './wire.js';

/** What every event and snapshot of one answer shares, taken from the request. */
export interface ResponsesCall {
  id: string;
  createdAt: number;
  model: string;
  sequence: number;
  stream: boolean;
  /** `include` asked for `reasoning.encrypted_content`. */
  includeEncryptedReasoning: boolean;
  /** `include` asked for `message.output_text.logprobs`, with `top_logprobs` alternatives. */
  logprobs?: LogprobsAsk | null;
  /** Delta events carry `obfuscation` unless `stream_options.include_obfuscation` is false. */
  obfuscation: boolean;
  /** Request settings the Response echoes back. */
  echo: Record<string, unknown>;
}

/** One output item the answer will contain, before ids and events exist. */
export type OutputPlan =
  | { kind: 'message'; text: string; chunkSize: number; status: 'completed' | 'incomplete' }
  | { kind: 'reasoning'; summary: string; chunkSize: number }
  | { kind: 'function_call'; callId: string; name: string; arguments: string; argumentChunkSize: number }
  /** A call of a `custom` tool the request declared: its raw input, streamed like arguments. */
  | { kind: 'custom_tool_call'; callId: string; name: string; input: string; argumentChunkSize: number }
  | { kind: 'compaction'; id: string; encryptedContent: string };

export type Terminal = { status: 'completed' } | { status: 'incomplete'; reason: 'max_output_tokens' | 'content_filter' };

export type ResponsesEvent = { type: string } & Record<string, unknown>;

/** Token usage as the Responses API reports it (2026 spec: `cache_write_tokens` included). */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The input side of an answer's usage: every input token, cache reads included, and the reads. */
export interface InputTokens {
  total: number;
  cached: number;
}

/**
 * Usage with the chat scenario's override applied under the Responses names: `prompt_tokens` is
 * `input_tokens`, `completion_tokens` is `output_tokens`, `cached_tokens` and `reasoning_tokens` keep
 * their names. An override of either input count replaces the emulated cache's numbers (cached
 * defaults to 0 then). `total_tokens` follows the other two unless given.
 */
export function buildResponsesUsage(inputTokens: InputTokens, outputTokens: number, reasoningTokens: number, override: ChatUsageOverride = {}): ResponsesUsage {
  const overridden = override.prompt_tokens !== undefined || override.prompt_tokens_details?.cached_tokens !== undefined;
  const input = override.prompt_tokens ?? inputTokens.total;
  const cached = overridden ? (override.prompt_tokens_details?.cached_tokens ?? 0) : inputTokens.cached;
  const output = override.completion_tokens ?? outputTokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: override.completion_tokens_details?.reasoning_tokens ?? reasoningTokens },
    total_tokens: override.total_tokens ?? input + output,
  };
}

/** Deterministic ids; the route records each `enc_<n>` it hands out as issued on `rs_mock_<n>`. */
export const reasoningId = (sequence: number): string => `rs_mock_${sequence}`;
export const encryptedContent = (sequence: number): string => `enc_${sequence}`;

/** The Response object with every key a real one carries (responses-api.md §5.2). */
export function responseSnapshot(call: ResponsesCall, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: call.id,
    object: 'response',
    created_at: call.createdAt,
    status: 'in_progress',
    background: false,
    completed_at: null,
    conversation: null,
    error: null,
    incomplete_details: null,
    max_tool_calls: null,
    output: [],
    previous_response_id: null,
    prompt_cache_retention: null,
    service_tier: 'default',
    store: false,
    top_logprobs: 0,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...call.echo,
    ...fields,
  };
}

/** The request settings a Response echoes, with OpenAI's defaults where the request left them out. */
export function echoedSettings(body: Record<string, unknown>): Record<string, unknown> {
  const reasoning = isObject(body['reasoning']) ? body['reasoning'] : {};
  const text = isObject(body['text']) ? body['text'] : {};
  return {
    instructions: body['instructions'] ?? null,
    max_output_tokens: body['max_output_tokens'] ?? null,
    model: body['model'],
    parallel_tool_calls: body['parallel_tool_calls'] ?? true,
    prompt_cache_key: body['prompt_cache_key'] ?? null,
    prompt_cache_retention: body['prompt_cache_retention'] ?? null,
    reasoning: { effort: reasoning['effort'] ?? null, summary: reasoning['summary'] ?? null },
    safety_identifier: body['safety_identifier'] ?? null,
    temperature: body['temperature'] ?? 1,
    text: { format: text['format'] ?? { type: 'text' }, verbosity: text['verbosity'] ?? 'medium' },
    tool_choice: body['tool_choice'] ?? 'auto',
    tools: body['tools'] ?? [],
    top_p: body['top_p'] ?? 1,
    top_logprobs: body['top_logprobs'] ?? 0,
    service_tier: servedOpenAITier(body['service_tier']),
  };
}

/**
 * The whole event sequence of one answer (sequence numbers are added when written) and the final
 * Response. Items follow each other at contiguous output indexes, as the SDK's accumulator requires.
 */
export function planResponse(
  call: ResponsesCall,
  outputs: OutputPlan[],
  terminal: Terminal,
  usage: ResponsesUsage | null,
): { events: ResponsesEvent[]; final: Record<string, unknown> } {
  const events: ResponsesEvent[] = [
    { type: 'response.created', response: responseSnapshot(call) },
    { type: 'response.in_progress', response: responseSnapshot(call) },
  ];
  const output = outputs.map((plan, index) => {
    const { events: itemEvents, item } = itemEventsFor(call, plan, index);
    events.push(...itemEvents);
    return item;
  });
  const final =
    terminal.status === 'completed'
      ? responseSnapshot(call, { status: 'completed', completed_at: call.createdAt + 1, output, usage })
      : responseSnapshot(call, { status: 'incomplete', incomplete_details: { reason: terminal.reason }, output, usage });
  events.push({ type: terminal.status === 'completed' ? 'response.completed' : 'response.incomplete', response: final });
  return { events, final };
}

function itemEventsFor(call: ResponsesCall, plan: OutputPlan, outputIndex: number): { events: ResponsesEvent[]; item: Record<string, unknown> } {
  const at = { output_index: outputIndex };
  const pad = (delta: string) => (call.obfuscation ? { obfuscation: obfuscation(delta) } : {});
  switch (plan.kind) {
    case 'message': {
      const id = `msg_mock${call.sequence}_${outputIndex}`;
      const empty = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      const deltas = splitText(plan.text, plan.chunkSize);
      // Each delta is one token; logprobs come only when included.
      const tokens = (delta: string, index: number) => (call.logprobs ? openAILogprobs([delta], call.logprobs, index) : []);
      const all = call.logprobs ? openAILogprobs(deltas, call.logprobs) : [];
      const part = { ...empty, text: plan.text, logprobs: all };
      const item = { id, type: 'message', status: plan.status, content: [part], role: 'assistant' };
      const where = { item_id: id, ...at, content_index: 0 };
      return {
        item,
        events: [
          { type: 'response.output_item.added', ...at, item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } },
          { type: 'response.content_part.added', ...where, part: empty },
          ...deltas.map((delta, index) => ({ type: 'response.output_text.delta', ...where, delta, logprobs: tokens(delta, index), ...pad(delta) })),
          { type: 'response.output_text.done', ...where, text: plan.text, logprobs: all },
          { type: 'response.content_part.done', ...where, part },
          { type: 'response.output_item.done', ...at, item },
        ],
      };
    }
    case 'reasoning': {
      const id = reasoningId(call.sequence);
      const part = { type: 'summary_text', text: plan.summary };
      // Encrypted content is only handed out when asked for, and only on the finished item.
      const encrypted = call.includeEncryptedReasoning ? { encrypted_content: encryptedContent(call.sequence) } : {};
      const item = { id, type: 'reasoning', summary: plan.summary ? [part] : [], ...encrypted };
      const where = { item_id: id, ...at, summary_index: 0 };
      // Without a summary (none asked for) OpenAI sends the item alone, with `summary: []`.
      const summaryEvents: ResponsesEvent[] = plan.summary
        ? [
            { type: 'response.reasoning_summary_part.added', ...where, part: { type: 'summary_text', text: '' } },
            ...splitText(plan.summary, plan.chunkSize).map((delta) => ({ type: 'response.reasoning_summary_text.delta', ...where, delta, ...pad(delta) })),
            { type: 'response.reasoning_summary_text.done', ...where, text: plan.summary },
            { type: 'response.reasoning_summary_part.done', ...where, part },
          ]
        : [];
      return {
        item,
        events: [
          { type: 'response.output_item.added', ...at, item: { id, type: 'reasoning', summary: [] } },
          ...summaryEvents,
          { type: 'response.output_item.done', ...at, item },
        ],
      };
    }
    case 'compaction': {
      // No compaction-specific event exists (research §1.4): the item is added, then done. Like a
      // reasoning item it gets its encrypted content only when done (INFERRED).
      const item = { id: plan.id, type: 'compaction', encrypted_content: plan.encryptedContent };
      return {
        item,
        events: [
          { type: 'response.output_item.added', ...at, item: { id: plan.id, type: 'compaction' } },
          { type: 'response.output_item.done', ...at, item },
        ],
      };
    }
    case 'function_call': {
      const id = `fc_mock${call.sequence}_${outputIndex}`;
      const started = { id, type: 'function_call', status: 'in_progress', arguments: '', call_id: plan.callId, name: plan.name };
      const item = { ...started, status: 'completed', arguments: plan.arguments };
      const where = { item_id: id, ...at };
      return {
        item,
        events: [
          { type: 'response.output_item.added', ...at, item: started },
          ...splitText(plan.arguments, plan.argumentChunkSize).map((delta) => ({
            type: 'response.function_call_arguments.delta',
            ...where,
            delta,
            ...pad(delta),
          })),
          { type: 'response.function_call_arguments.done', ...where, name: plan.name, arguments: plan.arguments },
          { type: 'response.output_item.done', ...at, item },
        ],
      };
    }
    case 'custom_tool_call': {
      const id = `ctc_mock${call.sequence}_${outputIndex}`;
      const started = { id, type: 'custom_tool_call', status: 'in_progress', call_id: plan.callId, input: '', name: plan.name };
      const item = { ...started, status: 'completed', input: plan.input };
      const where = { item_id: id, ...at };
      return {
        item,
        events: [
          { type: 'response.output_item.added', ...at, item: started },
          ...splitText(plan.input, plan.argumentChunkSize).map((delta) => ({ type: 'response.custom_tool_call_input.delta', ...where, delta, ...pad(delta) })),
          { type: 'response.custom_tool_call_input.done', ...where, input: plan.input },
          { type: 'response.output_item.done', ...at, item },
        ],
      };
    }
  }
}

/** OpenAI pads deltas with random characters so their sizes leak less; a fixed pad will do here. */
function obfuscation(delta: string): string {
  return 'mockpadding0123456789'.slice(0, Math.max(1, 16 - delta.length));
}

/** One refusal the way OpenAI words it: a 400, or the 404 for an item it never stored. */
export interface InputError {
  status: 400 | 404;
  message: string;
  param: string | null;
  code: string | null;
}

const notPersisted = (id: string): InputError => ({
  status: 404,
  message: `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
  param: 'input',
  code: null,
});

const invalid = (message: string, param: string | null = 'input', code: string | null = null): InputError => ({ status: 400, message, param, code });

/**
 * What OpenAI rejects in a stateless request, so tests prove the adapter's mapping is legal:
 * `store` other than false (a rule of this mock: our server keeps the state, never the upstream),
 * input items that reference ids OpenAI never stored (404), reasoning it cannot decrypt (encrypted
 * content this server never issued, or issued on another item: `issuedEncrypted` maps what it
 * issued to the reasoning item id), compaction items it cannot verify and a misplaced compaction
 * trigger (openai-compaction.ts), reasoning without an item after it, and tool outputs and calls
 * without their partner.
 */
export function findInputError(body: Record<string, unknown>, issuedEncrypted: ReadonlyMap<string, string>): InputError | null {
  if (body['store'] !== false) {
    return invalid(`Mock upstream: send \`store: false\` (got ${JSON.stringify(body['store'])}); the server owns the state.`, 'store');
  }
  return findItemsError(body['input'], issuedEncrypted);
}

/** The checks of findInputError on `input` alone, which counting its tokens makes too (nothing is stored then). */
export function findItemsError(input: unknown, issuedEncrypted: ReadonlyMap<string, string>): InputError | null {
  if (typeof input === 'string') return null;
  if (!Array.isArray(input)) return invalid("Invalid type for 'input': expected a string or an array of input items.", 'input', 'invalid_type');
  const compactionError = findCompactionItemError(input);
  if (compactionError) return compactionError;
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const [index, item] of input.entries()) {
    if (!isObject(item)) continue;
    const id = typeof item['id'] === 'string' ? item['id'] : null;
    if (id && (id.startsWith('msg_') || id.startsWith('fc_') || id.startsWith('ctc_'))) return notPersisted(id);
    switch (item['type']) {
      case 'message': {
        const fileError = findResponsesInputFileError(index, item);
        if (fileError) return invalid(fileError.message, fileError.param, 'invalid_value');
        break;
      }
      case 'item_reference':
        return notPersisted(String(id));
      case 'reasoning': {
        if (!id) return invalid(`Missing required parameter: 'input[${index}].id'.`, `input[${index}].id`, 'missing_required_parameter');
        const encrypted = item['encrypted_content'];
        if (typeof encrypted !== 'string') return notPersisted(id);
        if (issuedEncrypted.get(encrypted) !== id)
          return invalid(`The encrypted content for item ${id} could not be verified.`, null, 'invalid_encrypted_content');
        const next: unknown = input[index + 1];
        const followed =
          isObject(next) &&
          (next['type'] === 'function_call' ||
            next['type'] === 'custom_tool_call' ||
            next['type'] === 'reasoning' ||
            (next['type'] === 'message' && next['role'] === 'assistant'));
        if (!followed) return invalid(`Item '${id}' of type 'reasoning' was provided without its required following item.`);
        break;
      }
      case 'function_call':
      case 'custom_tool_call':
        if (typeof item['call_id'] !== 'string') {
          return invalid(`Missing required parameter: 'input[${index}].call_id'.`, `input[${index}].call_id`, 'missing_required_parameter');
        }
        calls.add(item['call_id']);
        break;
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = String(item['call_id']);
        const kind = item['type'] === 'function_call_output' ? 'function call' : 'custom tool call';
        if (!calls.has(callId)) return invalid(`No tool call found for ${kind} output with call_id ${callId}.`);
        answered.add(callId);
        break;
      }
    }
  }
  const unanswered = [...calls].find((callId) => !answered.has(callId));
  return unanswered ? invalid(`No tool output found for function call ${unanswered}.`) : null;
}

/**
 * Whether the answer carries reasoning, and its summary: none with `reasoning.effort: 'none'`; a
 * summary when `reasoning.summary` asks for one. A request without `reasoning` settings gets the
 * scenario's summary all the same (the scenario asks for it, as before these rules existed).
 */
export function reasoningOutput(body: Record<string, unknown>): { reasons: boolean; summary: boolean } {
  const reasoning = body['reasoning'];
  if (!isObject(reasoning)) return { reasons: true, summary: true };
  return { reasons: reasoning['effort'] !== 'none', summary: reasoning['summary'] !== undefined && reasoning['summary'] !== null };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
