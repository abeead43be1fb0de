// OpenAI Responses' native compaction (docs/research/context-management-apis.md §1): the
// `context_management` request parameter, the `compaction` output and input item, the
// `compaction_trigger` input item and `POST /v1/responses/compact`. The routes live in
// openai-responses.ts; this file holds the rules they share with the token count (input-tokens.ts).
//
// What the mock does, and where each rule comes from:
// - `context_management: [{type: 'compaction', compact_threshold?: integer ≥ 1000 | null}]` (spec
//   `ContextManagementParam`). A request compacts when its input tokens (measureResponsesPrompt,
//   pruned as below, exactly what its usage and `/input_tokens` report) EXCEED the threshold (the
//   guide: "crosses the configured threshold"; equal does not compact). OpenAI documents no default
//   for an omitted or null threshold; the mock uses 80% of the model's context window (rounded
//   down), or 200,000 tokens for a model without one (the figure OpenRouter's and TrueFoundry's
//   examples use). With several entries the smallest threshold wins. A prompt beyond the window is
//   refused before any compaction (context-window.ts): the compaction pass has to read it.
// - A compacting answer's output starts with the item `{id: 'cmp_mock<seq>', type: 'compaction',
//   encrypted_content}` (spec `CompactionBody`; no `status`, and no `created_by`, which the spec
//   leaves optional and undescribed), then the normal reply. Streamed, it is one
//   `response.output_item.added` (the item without `encrypted_content`, as a reasoning item starts)
//   and one `response.output_item.done` (the whole item) at output_index 0, and no other event: the
//   spec has no compaction-specific event (research §1.4).
// - Usage of a compacting answer: `input_tokens` stays the request's whole input (what the
//   compaction pass read; the reply pass reads less, and is not added), so `/input_tokens` still
//   answers the create's `input_tokens`; `output_tokens` adds the summary the pass wrote to the
//   reply's. Research §1.5: OpenAI folds the pass into `response.usage` without saying how.
// - The summary of `S` summarized tokens is worth `ceil(S / 10)` tokens (at least 1). `S` is the
//   input ITEMS' tokens (instructions and tools are sent again with every request, so they are not
//   summarized), counted after pruning as below.
// - `encrypted_content` is `mockcmp1.<base64url JSON {summarized_tokens, issued_at_seq}>.<HMAC>`,
//   signed with a per-process secret: no reset() and no other server forgets it, so items issued in
//   one test stay valid in the next, and anything the mock did not issue (or altered) fails. Read it
//   with readMockCompaction / isMockCompaction (exported by mock-upstream.ts).
// - A `compaction` input item (`{type, encrypted_content, id?}`, spec `CompactionSummaryItemParam`)
//   whose content does not verify is a 400 `invalid_encrypted_content` with `param: null`: "The
//   encrypted content for item cmp_… could not be verified. Reason: Encrypted content could not be
//   decrypted or parsed." (openai/codex#35334, 2026-07). Without an id the message names the
//   content abbreviated to its first and last four characters ("The encrypted content gAAA...DQ==
//   could not be verified.", openai/codex#8145; with the same reason in edison7009/EchoBird#255).
// - Everything before the LAST compaction input item is ignored for counting, for the context
//   window and for the compaction threshold (the guide: the client "can drop items that came before
//   the most recent compaction item", and the server "prunes context"; INFERRED that the server
//   ignores them, research §1.1). The compaction item itself counts as its summary, ceil(S / 10).
//   Those items are still checked (tool call pairs, reasoning) as before.
// - `{type: 'compaction_trigger'}` (spec `CompactionTriggerItemParam`: "Must be the final input
//   item") makes the answer exactly one compaction item, no message, status completed. It is a
//   request control and is not counted. Refusals (param `input`, code null): a second trigger, "Only
//   one 'compaction_trigger' item may be provided."; a trigger not last, "The 'compaction_trigger'
//   item must be the final input item." (live probe in a third-party qualification report, and
//   Wei-Shaw/sub2api#6366); with `max_output_tokens` below 20,000 (param `max_output_tokens`),
//   "'compaction_trigger' requires 'max_output_tokens' to be at least 20000 when specified.". The
//   count, order and budget rules and their wording come from a third-party emulator's test suite
//   that says it runs the same matrix live against OpenAI.
// - `context_management` of the wrong shape is refused with OpenAI's usual validation wording, the
//   param naming the offending path (`context_management`, `context_management[0]`,
//   `context_management[0].compact_threshold`…): see findContextManagementError. Same third-party
//   source; the message for an unknown entry type is phrased by the mock.
// - `POST /v1/responses/compact` (spec `CompactResource`; the SDK: "a list of all user messages,
//   followed by a single compaction item"): see compactedOutput. The user messages are returned
//   without `id` (the spec example shows `msg_` ids, but this mock refuses `msg_` ids sent back as
//   never persisted with `store: false`, and the SDK says to send the output back as input).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { InputError } from './openai-responses-shapes.js';
import type { PromptUnit } from './prompt-cache.js';
import { responsesPromptUnits } from './prompt-cache.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---- encrypted content ----------------------------------------------------------------------

/** What a compaction item's `encrypted_content` carries, signed. */
export interface MockCompactionPayload {
  /** The input item tokens the compaction pass summarized. */
  summarized_tokens: number;
  /** The server's id sequence number of the call that issued it. */
  issued_at_seq: number;
}

const encryptedVersion = 'mockcmp1';
// One per process: a reset() or another server of the same test run keeps accepting what was issued.
const secret = randomBytes(32);

function signature(body: string): string {
  return createHmac('sha256', secret).update(`${encryptedVersion}.${body}`).digest('base64url');
}

/** Signs a payload into the opaque `encrypted_content` of a compaction item. */
export function issueCompaction(payload: MockCompactionPayload): string {
  const body = Buffer.from(JSON.stringify({ summarized_tokens: payload.summarized_tokens, issued_at_seq: payload.issued_at_seq })).toString('base64url');
  return `${encryptedVersion}.${body}.${signature(body)}`;
}

/** The payload of `encrypted_content` this process's mock issued, or null (forged, altered, foreign). */
export function readMockCompaction(encrypted: unknown): MockCompactionPayload | null {
  if (typeof encrypted !== 'string') return null;
  const parts = encrypted.split('.');
  if (parts.length !== 3 || parts[0] !== encryptedVersion) return null;
  const [, body = '', mac = ''] = parts;
  const expected = Buffer.from(signature(body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!isObject(payload) || !Number.isInteger(payload['summarized_tokens']) || !Number.isInteger(payload['issued_at_seq'])) return null;
    return { summarized_tokens: payload['summarized_tokens'] as number, issued_at_seq: payload['issued_at_seq'] as number };
  } catch {
    return null;
  }
}

/** True when `encrypted` is a compaction item's content that the mock issued, unaltered. */
export function isMockCompaction(encrypted: unknown): boolean {
  return readMockCompaction(encrypted) !== null;
}

/** What a summary of `summarizedTokens` tokens is worth: a tenth, rounded up, at least 1. */
export function compactionSummaryTokens(summarizedTokens: number): number {
  return Math.max(1, Math.ceil(summarizedTokens / 10));
}

export const compactionItemId = (sequence: number): string => `cmp_mock${sequence}`;

// ---- what the input counts as -----------------------------------------------------------------

const isCompactionItem = (item: unknown): item is Json => isObject(item) && item['type'] === 'compaction';
const isTrigger = (item: unknown): boolean => isObject(item) && item['type'] === 'compaction_trigger';

/** The input items OpenAI reads: from the last compaction item on, without the compaction trigger. */
export function effectiveResponsesInput(input: unknown[]): unknown[] {
  const lastCompaction = input.findLastIndex(isCompactionItem);
  return input.slice(Math.max(0, lastCompaction)).filter((item) => !isTrigger(item));
}

/**
 * The prompt units of a Responses body as counted (instructions, tools, input items), the input
 * pruned by effectiveResponsesInput and a compaction item worth its summary (the JSON estimate
 * for content the mock did not issue, which a create refuses anyway).
 */
export function compactedResponsesUnits(body: Json): PromptUnit[] {
  const input = body['input'];
  if (!Array.isArray(input)) return responsesPromptUnits(body);
  const kept = effectiveResponsesInput(input);
  const units = responsesPromptUnits({ ...body, input: kept });
  const first = units.length - kept.length;
  return units.map((unit, index) => {
    const item = kept[index - first];
    if (index < first || !isCompactionItem(item)) return unit;
    const payload = readMockCompaction(item['encrypted_content']);
    return payload ? { ...unit, tokens: compactionSummaryTokens(payload.summarized_tokens) } : unit;
  });
}

/** The tokens a compaction pass over this input summarizes: its items as counted, nothing else. */
export function summarizedInputTokens(input: unknown): number {
  return compactedResponsesUnits({ input }).reduce((sum, unit) => sum + unit.tokens, 0);
}

// ---- the request checks ---------------------------------------------------------------------

const invalid = (message: string, param: string | null, code: string | null): InputError => ({ status: 400, message, param, code });

/** OpenAI's words for a JSON value's type in `Invalid type for …: expected X, but got Y instead.` */
function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}

const invalidType = (path: string, expected: string, value: unknown): InputError =>
  invalid(`Invalid type for '${path}': expected ${expected}, but got ${typeName(value)} instead.`, path, 'invalid_type');

export const minimumCompactThreshold = 1000;

/**
 * The first rule `context_management` breaks, as OpenAI words it, or null (absent or null is fine):
 * an array of at least one object with only `type` (a string, only 'compaction' supported) and
 * `compact_threshold` (an integer ≥ 1000, or null).
 */
export function findContextManagementError(value: unknown): InputError | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return invalidType('context_management', 'an array of objects', value);
  if (value.length === 0) {
    return invalid(
      "Invalid 'context_management': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'context_management',
      'empty_array',
    );
  }
  for (const [index, entry] of value.entries()) {
    const path = `context_management[${index}]`;
    if (!isObject(entry)) return invalidType(path, 'an object', entry);
    const unknown = Object.keys(entry).find((key) => key !== 'type' && key !== 'compact_threshold');
    if (unknown !== undefined) return invalid(`Unknown parameter: '${path}.${unknown}'.`, `${path}.${unknown}`, 'unknown_parameter');
    const type = entry['type'];
    if (type === undefined) return invalid(`Missing required parameter: '${path}.type'.`, `${path}.type`, 'missing_required_parameter');
    if (typeof type !== 'string') return invalidType(`${path}.type`, 'a string', type);
    const threshold = entry['compact_threshold'];
    if (threshold !== undefined && threshold !== null) {
      if (typeof threshold !== 'number' || !Number.isInteger(threshold)) return invalidType(`${path}.compact_threshold`, 'an integer', threshold);
      if (threshold < minimumCompactThreshold) {
        return invalid(
          `Invalid '${path}.compact_threshold': integer below minimum value. Expected a value >= ${minimumCompactThreshold}, but got ${threshold} instead.`,
          `${path}.compact_threshold`,
          'integer_below_min_value',
        );
      }
    }
    // Phrased by the mock: OpenAI's exact words for an unknown entry type are not on record.
    if (type !== 'compaction')
      return invalid(`Invalid context management type: '${type}'. Currently only 'compaction' is supported.`, 'context_management', null);
  }
  return null;
}

/** The checks on compaction items and the trigger inside `input` (findItemsError runs them), or null. */
export function findCompactionItemError(input: unknown[]): InputError | null {
  const triggers = input.filter(isTrigger).length;
  if (triggers > 1) return invalid("Only one 'compaction_trigger' item may be provided.", 'input', null);
  if (triggers === 1 && !isTrigger(input.at(-1))) return invalid("The 'compaction_trigger' item must be the final input item.", 'input', null);
  for (const [index, item] of input.entries()) {
    if (!isCompactionItem(item)) continue;
    const encrypted = item['encrypted_content'];
    if (typeof encrypted !== 'string') {
      return invalid(`Missing required parameter: 'input[${index}].encrypted_content'.`, `input[${index}].encrypted_content`, 'missing_required_parameter');
    }
    if (!isMockCompaction(encrypted)) return unverifiedCompaction(item['id'], encrypted);
  }
  return null;
}

const unverifiedReason = 'Reason: Encrypted content could not be decrypted or parsed.';

function unverifiedCompaction(id: unknown, encrypted: string): InputError {
  const named = typeof id === 'string' && id !== '' ? `for item ${id}` : abbreviated(encrypted);
  return invalid(`The encrypted content ${named} could not be verified. ${unverifiedReason}`, null, 'invalid_encrypted_content');
}

/** How OpenAI shows encrypted content in an error: its first and last four characters. */
function abbreviated(encrypted: string): string {
  return encrypted.length <= 11 ? encrypted : `${encrypted.slice(0, 4)}...${encrypted.slice(-4)}`;
}

export const triggerMinimumOutputTokens = 20_000;

/** A create's `max_output_tokens` too small for the compaction a trigger asks for, or null. */
export function findTriggerBudgetError(body: Json): InputError | null {
  const input = body['input'];
  const budget = body['max_output_tokens'];
  if (!Array.isArray(input) || !input.some(isTrigger) || typeof budget !== 'number' || budget >= triggerMinimumOutputTokens) return null;
  return invalid(`'compaction_trigger' requires 'max_output_tokens' to be at least ${triggerMinimumOutputTokens} when specified.`, 'max_output_tokens', null);
}

// ---- when a create compacts -------------------------------------------------------------------

export const noWindowCompactThreshold = 200_000;

/** The threshold of an entry without one: 80% of the window (rounded down), or 200,000 without a window. */
export function defaultCompactThreshold(window: number | undefined): number {
  return window === undefined ? noWindowCompactThreshold : Math.floor(window * 0.8);
}

/** The request's compaction threshold (the smallest of its entries), or undefined without `context_management`. */
export function compactThresholdOf(body: Json, window: number | undefined): number | undefined {
  const entries = body['context_management'];
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  return Math.min(
    ...entries.map((entry) => {
      const threshold = isObject(entry) ? entry['compact_threshold'] : undefined;
      return typeof threshold === 'number' ? threshold : defaultCompactThreshold(window);
    }),
  );
}

/** True when the input ends with a compaction trigger (findCompactionItemError allows it nowhere else). */
export function endsWithTrigger(input: unknown): boolean {
  return Array.isArray(input) && isTrigger(input.at(-1));
}

/** The compaction a call produces: its item, and what the summary adds to the output tokens. */
export interface ResponsesCompaction {
  id: string;
  encryptedContent: string;
  summaryTokens: number;
  /** A compaction trigger asked for it: the answer is this item alone. */
  only: boolean;
}

/** Issues the compaction of `input` for the call numbered `sequence`. */
export function compactInput(input: unknown, sequence: number, only: boolean): ResponsesCompaction {
  const summarized = summarizedInputTokens(input);
  return {
    id: compactionItemId(sequence),
    encryptedContent: issueCompaction({ summarized_tokens: summarized, issued_at_seq: sequence }),
    summaryTokens: compactionSummaryTokens(summarized),
    only,
  };
}

export function compactionItem(compaction: ResponsesCompaction): Json {
  return { id: compaction.id, type: 'compaction', encrypted_content: compaction.encryptedContent };
}

/**
 * The `output` of `POST /v1/responses/compact`: every user message of the input (a string input is
 * one; string content becomes an `input_text` part), in order, then the compaction item.
 */
export function compactedOutput(input: unknown, compaction: ResponsesCompaction): Json[] {
  const userMessage = (content: unknown): Json => ({
    type: 'message',
    status: 'completed',
    content: typeof content === 'string' ? [{ type: 'input_text', text: content }] : content,
    role: 'user',
  });
  const items =
    typeof input === 'string' ? [userMessage(input)] : Array.isArray(input) ? input.filter(isUserMessage).map((item) => userMessage(item['content'])) : [];
  return [...items, compactionItem(compaction)];
}

const isUserMessage = (item: unknown): item is Json => isObject(item) && (item['type'] ?? 'message') === 'message' && item['role'] === 'user';
