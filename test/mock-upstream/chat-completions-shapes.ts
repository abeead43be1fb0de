// The shapes of OpenAI Chat Completions answers: chat.completion objects, chat.completion.chunk
// sequences (with the quirks of OpenAI-compatible vendors), usage and error envelopes.
// They follow CreateChatCompletionResponse / CreateChatCompletionStreamResponse in the OpenAPI spec.
import { type LogprobsAsk, openAILogprobs } from './logprobs.js';
import { openAiError, splitText } from './wire.js';

/** Token usage as OpenAI reports it; every count is in tokens. */
export interface ChatUsage {
  completion_tokens: number;
  completion_tokens_details: {
    accepted_prediction_tokens: number;
    audio_tokens: number;
    reasoning_tokens: number;
    rejected_prediction_tokens: number;
  };
  prompt_tokens: number;
  prompt_tokens_details: { audio_tokens: number; cached_tokens: number };
  total_tokens: number;
}

/** Overrides merged over the computed usage; `total_tokens` follows the other two unless given. */
export interface ChatUsageOverride {
  completion_tokens?: number;
  completion_tokens_details?: Partial<ChatUsage['completion_tokens_details']>;
  prompt_tokens?: number;
  prompt_tokens_details?: Partial<ChatUsage['prompt_tokens_details']>;
  total_tokens?: number;
}

/** Deviations from OpenAI's chunk sequence seen at OpenAI-compatible vendors. */
export interface ChatStreamQuirks {
  /** The first chunk carries role and the first text, instead of a role-only chunk. */
  contentInFirstChunk?: boolean;
  /** The first chunk has no role; it arrives with the second chunk. */
  roleInSecondChunk?: boolean;
  /** Usage rides on the finish chunk (whether or not `include_usage` was asked for). */
  usageWithFinishChunk?: boolean;
  /** vLLM: the finish chunk has `delta: { content: '' }` and `stop_reason: null`. */
  emptyContentLastChunk?: boolean;
  /** No usage at all, even when `include_usage` was asked for (and none in a JSON answer). */
  noUsage?: boolean;
}

export interface ChatToolCall {
  /** Defaults to a deterministic `call_mock…` id. */
  id?: string;
  name: string;
  /** JSON text, streamed in fragments of `argumentChunkSize` characters. */
  arguments: string;
}

export type Delta = Record<string, unknown>;

/** What every chunk of one answer shares. */
export interface ChatCall {
  created: number;
  /** The tier OpenAI would report as serving the request (servedOpenAITier). */
  serviceTier?: string;
  id: string;
  includeUsage: boolean;
  model: string;
  /** Every prompt token, cache reads included, and the reads. */
  prompt: { total: number; cached: number };
  sequence: number;
  stream: boolean;
  /** `logprobs: true` was asked for, with `top_logprobs` alternatives. */
  logprobs?: LogprobsAsk | null;
}

export const defaultChunkSize = 4;

const systemFingerprint = 'fp_mock0001';

/** Content deltas with the role placed where OpenAI (or a quirky vendor) puts it. */
export function textDeltas(text: string, chunkSize = defaultChunkSize, quirks: ChatStreamQuirks): Delta[] {
  const deltas: Delta[] = splitText(text, chunkSize).map((content) => ({ content }));
  if (!quirks.contentInFirstChunk || deltas.length === 0) deltas.unshift({ content: '' });
  const roleIndex = quirks.roleInSecondChunk ? 1 : 0;
  while (deltas.length <= roleIndex) deltas.push({ content: '' });
  deltas[roleIndex] = { role: 'assistant', ...deltas[roleIndex], refusal: null };
  return deltas;
}

/** Wraps deltas in chunks and appends the finish chunk and, when asked for, the usage chunk. */
export function planChunks(call: ChatCall, deltas: Delta[], finishReason: string, usage: ChatUsage, quirks: ChatStreamQuirks): Record<string, unknown>[] {
  const separateUsage = call.includeUsage && !quirks.noUsage && !quirks.usageWithFinishChunk;
  // OpenAI sends `usage: null` on every chunk but the last once include_usage is on.
  const pendingUsage = separateUsage ? { usage: null } : {};
  // With logprobs asked for, each content delta is one token (refusal tokens have none here).
  let position = 0;
  const logprobsOf = (delta: Delta) => {
    const content = delta['content'];
    if (!call.logprobs || typeof content !== 'string' || content === '') return call.logprobs ? { content: [], refusal: null } : null;
    return { content: openAILogprobs([content], call.logprobs, position++), refusal: null };
  };
  const chunks = deltas.map((delta) => chunk(call, [{ index: 0, delta, logprobs: logprobsOf(delta), finish_reason: null }], pendingUsage));
  const finishChoice = quirks.emptyContentLastChunk
    ? { index: 0, delta: { content: '' }, logprobs: null, finish_reason: finishReason, stop_reason: null }
    : { index: 0, delta: {}, logprobs: null, finish_reason: finishReason };
  chunks.push(chunk(call, [finishChoice], quirks.usageWithFinishChunk && !quirks.noUsage ? { usage } : pendingUsage));
  if (separateUsage) chunks.push(chunk(call, [], { usage }));
  return chunks;
}

function chunk(call: ChatCall, choices: unknown[], extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id: call.id,
    object: 'chat.completion.chunk',
    created: call.created,
    model: call.model,
    service_tier: call.serviceTier ?? 'default',
    system_fingerprint: systemFingerprint,
    choices,
    ...extra,
  };
}

export function completion(call: ChatCall, message: unknown, finishReason: string, usage: ChatUsage | undefined): Record<string, unknown> {
  return {
    id: call.id,
    object: 'chat.completion',
    created: call.created,
    model: call.model,
    choices: [{ index: 0, message, logprobs: completionLogprobs(call, message), finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
    service_tier: call.serviceTier ?? 'default',
    system_fingerprint: systemFingerprint,
  };
}

/** A whole answer's logprobs when asked for: its content in the pieces a stream of it would send, one token each. */
function completionLogprobs(call: ChatCall, message: unknown): Record<string, unknown> | null {
  if (!call.logprobs) return null;
  const content = (message as { content?: unknown }).content;
  const pieces = typeof content === 'string' ? splitText(content, defaultChunkSize) : [];
  return { content: openAILogprobs(pieces, call.logprobs), refusal: null };
}

/**
 * Usage from the prompt's counts and the scenario's override; an override of either prompt count
 * replaces the emulated cache's numbers (cached defaults to 0 then).
 */
export function buildUsage(promptTokens: ChatCall['prompt'], completionTokens: number, reasoningTokens: number, override: ChatUsageOverride = {}): ChatUsage {
  const overridden = override.prompt_tokens !== undefined || override.prompt_tokens_details?.cached_tokens !== undefined;
  const prompt = override.prompt_tokens ?? promptTokens.total;
  const cached = overridden ? 0 : promptTokens.cached;
  const completionCount = override.completion_tokens ?? completionTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completionCount,
    total_tokens: override.total_tokens ?? prompt + completionCount,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0, ...override.prompt_tokens_details },
    completion_tokens_details: {
      reasoning_tokens: reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
      ...override.completion_tokens_details,
    },
  };
}

export function defaultErrorBody(status: number, model: string, message: string | undefined) {
  const [defaultMessage, type, code] = knownErrors[status] ?? [`Mock upstream error ${status}`, status >= 500 ? 'server_error' : 'invalid_request_error', null];
  return openAiError(message ?? defaultMessage.replace('{model}', model), type, code);
}

// Messages as OpenAI words them, so adapters' error mapping sees realistic text.
const knownErrors: Record<number, [message: string, type: string, code: string | null]> = {
  400: ['Invalid request.', 'invalid_request_error', null],
  401: [
    'Incorrect API key provided: sk-mock***. You can find your API key at https://platform.openai.com/account/api-keys.',
    'invalid_request_error',
    'invalid_api_key',
  ],
  403: ['You are not allowed to sample from this model', 'invalid_request_error', null],
  404: ['The model `{model}` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'],
  429: ['Rate limit reached for requests per min (RPM). Please try again in 1s.', 'requests', 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
  503: ['The engine is currently overloaded, please try again later.', 'server_error', null],
};

export const unparsableBodyMessage =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

export const missingKeyMessage =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

// ---- thinking and its replay (DeepSeek, Kimi) ---------------------------------------------------

/** Whose replay rules a model follows; `other` has none (OpenAI, vLLM, …). */
export type ChatReasoningFamily = 'deepseek-v4' | 'deepseek-r1' | 'kimi' | 'other';

export interface ChatThinking {
  family: ChatReasoningFamily;
  /** Whether the model thinks on this request: the model's default unless `thinking.type` says otherwise. */
  enabled: boolean;
}

/** The model id without a vendor prefix (`moonshotai/Kimi-K2.6` → `kimi-k2.6`), lowercased. */
function bareModel(model: unknown): string {
  return (typeof model === 'string' ? model : '').split('/').at(-1)!.toLowerCase();
}

/**
 * How the model of a chat request thinks (reference §5.4). DeepSeek V4 (`deepseek-v4-pro`, `-flash`)
 * thinks unless `thinking: {type: 'disabled'}`; `deepseek-reasoner` (R1) always thinks. Kimi K3 and
 * K2.7-code always think; K2.5, K2.6 and K2-thinking think unless disabled; the older K2 releases
 * (0711, 0905, turbo) do not think. Any other model thinks unless disabled: the scenario decides.
 */
export function chatThinkingOf(body: Record<string, unknown>): ChatThinking {
  const model = bareModel(body['model']);
  const thinking = body['thinking'];
  const disabled = typeof thinking === 'object' && thinking !== null && (thinking as Record<string, unknown>)['type'] === 'disabled';
  if (model.startsWith('deepseek-v4')) return { family: 'deepseek-v4', enabled: !disabled };
  if (model.startsWith('deepseek-reasoner')) return { family: 'deepseek-r1', enabled: true };
  if (/^kimi-k3|^kimi-k2\.7-code/.test(model)) return { family: 'kimi', enabled: true };
  if (/^kimi-k2(\.[56]|-thinking)/.test(model)) return { family: 'kimi', enabled: !disabled };
  if (model.startsWith('kimi-k2')) return { family: 'kimi', enabled: false };
  return { family: 'other', enabled: !disabled };
}

/** One 400 as the vendor words it (type `invalid_request_error`). */
export interface ChatInputError {
  message: string;
  code: string | null;
}

export const deepSeekMissingReasoningMessage = 'The `reasoning_content` in the thinking mode must be passed back to the API.';

export const deepSeekReasonerReplayMessage =
  'The reasoning_content is an intermediate result for display purposes only and will not be included in the context for inference. ' +
  'Please remove the reasoning_content from your message to reduce network traffic.';

export function kimiMissingReasoningMessage(index: number): string {
  return `thinking is enabled but reasoning_content is missing in assistant tool call message at index ${index}`;
}

/**
 * The vendors' rules for reasoning sent back, by model (reference §5.4), or null:
 * - DeepSeek V4 in thinking mode: every assistant message with `tool_calls` carries its
 *   `reasoning_content` (a string, `""` when it had none), in all later requests;
 * - DeepSeek R1 (`deepseek-reasoner`): no `reasoning_content` before the last user message (the
 *   reasoning of the tool loop after it may come back);
 * - Kimi with thinking on: every assistant message with `tool_calls` keeps its `reasoning_content`.
 * Only `reasoning_content` counts: `reasoning` (vLLM's name) is not what these vendors read.
 */
export function findReasoningReplayError(body: Record<string, unknown>): ChatInputError | null {
  const { family, enabled } = chatThinkingOf(body);
  if (family === 'other' || !enabled) return null;
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const isMessage = (message: unknown): message is Record<string, unknown> => typeof message === 'object' && message !== null;
  const hasReasoning = (message: Record<string, unknown>) => typeof message['reasoning_content'] === 'string';
  const callsTools = (message: Record<string, unknown>) => Array.isArray(message['tool_calls']) && message['tool_calls'].length > 0;
  if (family === 'deepseek-r1') {
    const lastUser = messages.findLastIndex((message) => isMessage(message) && message['role'] === 'user');
    const replayed = messages.slice(0, Math.max(0, lastUser)).some((message) => isMessage(message) && message['role'] === 'assistant' && hasReasoning(message));
    return replayed ? { message: deepSeekReasonerReplayMessage, code: 'invalid_request_error' } : null;
  }
  for (const [index, message] of messages.entries()) {
    if (!isMessage(message) || message['role'] !== 'assistant' || !callsTools(message) || hasReasoning(message)) continue;
    return family === 'kimi'
      ? { message: kimiMissingReasoningMessage(index), code: null }
      : { message: deepSeekMissingReasoningMessage, code: 'invalid_request_error' };
  }
  return null;
}
