// The shapes of Gemini API answers (GenerateContentResponse chunks, usageMetadata, google.rpc.Status
// error bodies) and the request checks Gemini makes that our mapping must pass.
// They follow https://ai.google.dev/api/generate-content and the errors the API is known to return.
import type { ServerResponse } from 'node:http';

import type { ChatUsageOverride } from './chat-completions-shapes.js';
import { findGeminiMediaPartError } from './file-inputs.js';
import type { LogprobsAsk } from './logprobs.js';

export type Json = Record<string, unknown>;

/** What every chunk of one answer shares. */
export interface GeminiCall {
  model: string;
  responseId: string;
  /** The whole prompt, cached part included. */
  promptTokens: number;
  /** The part of the prompt read from a cache (explicit or implicit). */
  cachedTokens: number;
  sequence: number;
  /** `sse` for `?alt=sse`, `json-array` for `streamGenerateContent` without it, `json` for `generateContent`. */
  framing: 'sse' | 'json-array' | 'json';
  /** `responseLogprobs` was asked for, with `logprobs` alternatives. */
  logprobs?: LogprobsAsk | null;
}

/** Google ends every SSE event with CRLF pairs (the genai SDKs accept `\n\n`, `\r\r` and `\r\n\r\n`). */
export function writeGeminiEvent(response: ServerResponse, payload: string): boolean {
  if (response.destroyed || response.writableEnded) return false;
  const framed = /^(data|event|id|retry):/.test(payload) || payload.startsWith(':') ? payload : `data: ${payload}`;
  response.write(`${framed}\r\n\r\n`);
  return true;
}

/** One GenerateContentResponse, keys in Google's order. */
export function responseChunk(call: GeminiCall, parts: Json[], extra: { finishReason?: string; usage?: Json | undefined; logprobs?: Json | undefined }): Json {
  const candidate: Json = { content: { parts, role: 'model' } };
  if (extra.finishReason) candidate['finishReason'] = extra.finishReason;
  if (extra.logprobs) candidate['logprobsResult'] = extra.logprobs;
  // A safety stop names the category that blocked it, as Gemini does.
  if (extra.finishReason === 'SAFETY') candidate['safetyRatings'] = [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }];
  candidate['index'] = 0;
  return {
    candidates: [candidate],
    ...(extra.usage ? { usageMetadata: extra.usage } : {}),
    modelVersion: call.model,
    responseId: call.responseId,
  };
}

/** Usage of a chunk before the last: Google repeats the prompt counts with a running total. */
export function runningUsage(call: GeminiCall): Json {
  const prompt = call.promptTokens;
  const cached = call.cachedTokens;
  return {
    promptTokenCount: prompt,
    totalTokenCount: prompt,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    ...(cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }] } : {}),
  };
}

/**
 * The final usageMetadata. Chat-shaped overrides (the shared scenario union speaks OpenAI) map onto
 * Gemini's counts: `completion_tokens` is candidates + thoughts, `reasoning_tokens` the thoughts,
 * `cached_tokens` the cached part of the prompt, so every route reports the same usage to our API.
 * An override of either prompt count replaces the emulated cache's numbers (cached defaults to 0 then).
 */
export function finalUsage(call: GeminiCall, candidates: number, thoughts: number, override: ChatUsageOverride = {}): Json {
  const overridden = override.prompt_tokens !== undefined || override.prompt_tokens_details?.cached_tokens !== undefined;
  const prompt = override.prompt_tokens ?? call.promptTokens;
  const thoughtCount = override.completion_tokens_details?.reasoning_tokens ?? thoughts;
  const completion = override.completion_tokens ?? candidates + thoughts;
  const cached = overridden ? (override.prompt_tokens_details?.cached_tokens ?? 0) : call.cachedTokens;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: Math.max(0, completion - thoughtCount),
    totalTokenCount: override.total_tokens ?? prompt + completion,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    ...(cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }] } : {}),
    ...(thoughtCount > 0 ? { thoughtsTokenCount: thoughtCount } : {}),
  };
}

/** Chat finish reasons (the shared scenarios use them) in Gemini's words; Gemini's own pass through. */
export function toGeminiFinishReason(finishReason: string | undefined): string {
  switch (finishReason) {
    case undefined:
    case 'stop':
    case 'tool_calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return finishReason;
  }
}

// ---- errors -----------------------------------------------------------------------------------

// HTTP status → canonical status and the message Gemini sends with it.
const knownErrors: Record<number, [status: string, message: string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: [
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  ],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: [
    'NOT_FOUND',
    'models/{model} is not found for API version v1beta, or is not supported for generateContent. ' +
      'Call ListModels to see the list of available models and their supported methods.',
  ],
  429: [
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details. ' +
      'For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  ],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

/** The google.rpc.Status body Gemini answers errors with: `{error:{code, message, status}}`. */
export function googleError(code: number, message?: string, model = ''): { error: Json } {
  const [status, defaultMessage] = knownErrors[code] ?? [code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION', `Mock upstream error ${code}`];
  const error: Json = { code, message: message ?? defaultMessage.replace('{model}', model), status };
  // Quota errors say when to come back in the body (Google sends no Retry-After header).
  if (code === 429) error['details'] = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }];
  return { error };
}

/** The HTTP code of a canonical status name, for scenarios that name the status instead. */
export function codeForStatus(status: string): number | undefined {
  for (const [code, [name]] of Object.entries(knownErrors)) if (name === status) return Number(code);
  return undefined;
}

export const unparsableBodyMessage = 'Invalid JSON payload received. Unexpected token.';
export const missingKeyMessage =
  "Method doesn't allow unregistered callers (callers without established identity). " +
  'Please use API Key or other form of API consumer identity to call this API.';

// ---- request checks ---------------------------------------------------------------------------

export const functionResponseCountMessage =
  'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';

export function missingSignatureMessage(name: string, position: number): string {
  return (
    'Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, ' +
    `and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , ` +
    `position ${position}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`
  );
}

/** Identifies a function call by what it does, so a replayed call is found without its signature. */
export function callKey(name: unknown, args: unknown): string {
  return `${String(name)}\u0000${stableJson(args ?? {})}`;
}

export const corruptedSignatureMessage = 'Corrupted thought signature.';

/**
 * What Gemini documents for history it did not sign (another vendor's calls, hand-built input): a
 * call carrying one of these passes the signature check.
 */
export const signatureSentinels: readonly string[] = ['skip_thought_signature_validator', 'context_engineering_is_the_way_to_go'];

/** The signatures this mock issued: per `callKey` (`''` for a call it issued unsigned), and all of them. */
export interface IssuedSignatures {
  byCall: ReadonlyMap<string, ReadonlySet<string>>;
  all: ReadonlySet<string>;
}

/**
 * The first check Gemini fails for this body, as its 400 message; null when the body passes. Only
 * the rules our mapping could break are checked: roles, the opening turn, function responses paired
 * with the calls of the turn before, and signatures on the calls of the current turn (see
 * findSignatureError). `issued` holds the signatures this mock gave; `model` is the path's model.
 */
export function findRequestError(body: Json, issued: IssuedSignatures, model = ''): string | null {
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified\n';
  for (const [index, content] of contents.entries()) {
    if (!isObject(content) || !Array.isArray(content['parts']) || content['parts'].length === 0) {
      return `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n`;
    }
    // A missing role means `user`, as in single-turn requests.
    if (content['role'] !== undefined && content['role'] !== 'user' && content['role'] !== 'model') return 'Please use a valid role: user, model.';
    for (const [position, part] of (content['parts'] as unknown[]).entries()) {
      const mediaError = isObject(part) ? findGeminiMediaPartError(index, position, part) : null;
      if (mediaError) return mediaError;
    }
  }
  const turns = contents as Json[];
  if (roleOf(turns[0]) !== 'user') {
    return countParts(turns[0], 'functionCall') > 0
      ? 'Please ensure that function call turn comes immediately after a user turn or after a function response turn.'
      : 'Please ensure that multiturn requests alternate between user and model.';
  }
  for (const [index, turn] of turns.entries()) {
    const responses = countParts(turn, 'functionResponse');
    const previous = turns[index - 1];
    const calls = previous && roleOf(previous) === 'model' ? countParts(previous, 'functionCall') : 0;
    if (responses > 0 && calls === 0) return 'Please ensure that function response turn comes immediately after a function call turn.';
    if (calls > 0 && responses !== calls) return functionResponseCountMessage;
  }
  return findSignatureError(turns, issued, model);
}

/** True for Gemini 3 and later, which validate signatures (2.5 returns them but lets them go). */
export function validatesSignatures(model: string): boolean {
  return (geminiVersion(model) ?? 0) >= 3;
}

/**
 * Signatures in the current turn: the contents after the last user turn that holds more than
 * function responses (reference §5.2). A sentinel passes any call. Otherwise:
 * - a call this mock signed must come back with a signature (missing → Gemini's 400), and on
 *   Gemini 3 the first call of every step must carry one whoever made it (another vendor's calls
 *   need the sentinel); 2.5 models are held only to what the mock signed;
 * - a signature must be one the mock issued, for that call if it signed that call: anything else is
 *   `Corrupted thought signature.` (another model's, another conversation's, edited).
 */
function findSignatureError(turns: Json[], issued: IssuedSignatures, model: string): string | null {
  const lastUserTurn = turns.findLastIndex((turn) => roleOf(turn) === 'user' && partsOf(turn).some((part) => !('functionResponse' in part)));
  for (const [index, turn] of turns.entries()) {
    if (index <= lastUserTurn || roleOf(turn) !== 'model') continue;
    let callPosition = 0;
    for (const part of partsOf(turn)) {
      const call = part['functionCall'];
      if (!isObject(call)) continue;
      const first = callPosition++ === 0;
      const signature = part['thoughtSignature'];
      if (typeof signature === 'string' && signatureSentinels.includes(signature)) continue;
      const issuedForCall = issued.byCall.get(callKey(call['name'], call['args']));
      const signed = issuedForCall !== undefined && [...issuedForCall].some((value) => value !== '');
      if (typeof signature !== 'string' || signature === '') {
        const issuedUnsigned = issuedForCall?.has('') ?? false;
        if ((signed && !issuedUnsigned) || (first && validatesSignatures(model))) return missingSignatureMessage(String(call['name']), index + 1);
        continue;
      }
      const valid = signed ? (issuedForCall?.has(signature) ?? false) : issued.all.has(signature);
      if (!valid) return corruptedSignatureMessage;
    }
  }
  return null;
}

// ---- thinking configuration -------------------------------------------------------------------

/** The Gemini generation of a model id (`gemini-3.1-pro-preview` → 3.1), or undefined. */
function geminiVersion(model: string): number | undefined {
  const match = /gemini-(\d+)(?:\.(\d+))?/.exec(model);
  return match ? Number(`${match[1]}.${match[2] ?? 0}`) : undefined;
}

/** The thinkingBudget range of a 2.5 model (reference §5.2), or undefined where the mock checks none. */
function budgetRange(model: string): { min: number; max: number; canDisable: boolean } | undefined {
  if (/gemini-2\.5-pro/.test(model)) return { min: 128, max: 32_768, canDisable: false };
  if (/gemini-2\.5-flash-lite/.test(model)) return { min: 512, max: 24_576, canDisable: true };
  if (/gemini-2\.5-flash/.test(model)) return { min: 1, max: 24_576, canDisable: true };
  return undefined;
}

const thinkingLevels = ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'];

/** The levels a Gemini 3 model takes: 3 Pro LOW/HIGH, 3.1 Pro no MINIMAL, 3.7/3.8 Flash no MINIMAL. */
function allowedLevels(model: string): string[] {
  if (/gemini-3-pro/.test(model)) return ['LOW', 'HIGH'];
  if (/gemini-3\.1-pro/.test(model)) return ['LOW', 'MEDIUM', 'HIGH'];
  if (/gemini-3\.[78]-flash(?!-lite)/.test(model)) return ['LOW', 'MEDIUM', 'HIGH'];
  return thinkingLevels;
}

export const budgetAndLevelMessage = 'You can only set only one of thinking budget and thinking level.';
export const levelUnsupportedMessage = 'Thinking level is not supported for this model.';
export const budgetZeroMessage = 'Budget 0 is invalid. This model only works in thinking mode.';

export function levelNotAllowedMessage(level: string): string {
  return `Thinking level ${level} is not supported for this model. Please retry with other thinking level.`;
}

export function budgetInvalidMessage(budget: number): string {
  return `The thinking budget (${budget}) is invalid.`;
}

function thinkingConfigOf(body: Json): Json | undefined {
  const generation = body['generationConfig'];
  const config = isObject(generation) ? generation['thinkingConfig'] : undefined;
  return isObject(config) ? config : undefined;
}

/**
 * The first rule of `generationConfig.thinkingConfig` the request breaks (reference §5.2), as
 * Gemini words it, or null: not both `thinkingBudget` and `thinkingLevel`; a level only on Gemini 3
 * and later, and one the model takes (any case, as the REST API accepts it); a 2.5 budget within the
 * model's range, -1 (dynamic) or, where thinking can be turned off, 0.
 */
export function findThinkingConfigError(body: Json, model: string): string | null {
  const config = thinkingConfigOf(body);
  if (!config) return null;
  const budget = config['thinkingBudget'];
  const level = config['thinkingLevel'];
  if (budget !== undefined && level !== undefined) return budgetAndLevelMessage;
  if (level !== undefined) {
    if ((geminiVersion(model) ?? 0) < 3) return levelUnsupportedMessage;
    const upper = String(level).toUpperCase();
    if (!thinkingLevels.includes(upper)) {
      return `Invalid value at 'generation_config.thinking_config.thinking_level' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.ThinkingConfig.ThinkingLevel), ${JSON.stringify(level)}`;
    }
    if (!allowedLevels(model).includes(upper)) return levelNotAllowedMessage(upper);
  }
  if (budget !== undefined) {
    if (typeof budget !== 'number' || !Number.isInteger(budget))
      return `Invalid value at 'generation_config.thinking_config.thinking_budget' (TYPE_INT32), ${JSON.stringify(budget)}`;
    const range = budgetRange(model);
    if (range && budget !== -1) {
      if (budget === 0 && !range.canDisable) return budgetZeroMessage;
      if (budget !== 0 && (budget < range.min || budget > range.max)) return budgetInvalidMessage(budget);
    }
  }
  return null;
}

/**
 * What an answer shows of its thinking: `thinks` false when `thinkingBudget: 0` turned it off (no
 * thoughts, none counted), `thoughts` whether thought summaries (`thought: true` parts) come. They
 * come with `includeThoughts: true`; a request without `thinkingConfig` gets the scenario's
 * thoughts all the same (the scenario asks for them, as before these rules existed).
 */
export function thinkingOutput(body: Json): { thinks: boolean; thoughts: boolean } {
  const config = thinkingConfigOf(body);
  if (!config) return { thinks: true, thoughts: true };
  const thinks = config['thinkingBudget'] !== 0;
  return { thinks, thoughts: thinks && config['includeThoughts'] === true };
}

// ---- reading the request ----------------------------------------------------------------------

/** The text of the last user turn that has any, thoughts excluded. */
export function echoedText(body: Json): string {
  const contents = Array.isArray(body['contents']) ? (body['contents'] as unknown[]) : [];
  const texts = (content: unknown) => partsOf(content).filter((part) => typeof part['text'] === 'string' && part['thought'] !== true);
  const lastUser = contents.findLast((content) => roleOf(content) === 'user' && texts(content).length > 0);
  return texts(lastUser)
    .map((part) => part['text'])
    .join('');
}

function roleOf(content: unknown): unknown {
  return isObject(content) ? (content['role'] ?? 'user') : undefined;
}

function partsOf(content: unknown): Json[] {
  return isObject(content) && Array.isArray(content['parts']) ? content['parts'].filter(isObject) : [];
}

function countParts(content: unknown, kind: 'functionCall' | 'functionResponse'): number {
  return partsOf(content).filter((part) => kind in part).length;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
