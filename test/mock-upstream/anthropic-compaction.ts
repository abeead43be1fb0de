// Anthropic's server-side compaction, beta `compact-2026-01-12` (docs/research/context-management-apis.md
// §2): the `compact_20260112` edit of `context_management`, the `compaction` content block, its
// stream events and `usage.iterations`. The route lives in anthropic-messages.ts; this file holds
// the rules it shares with the token count (input-tokens.ts).
//
// What the mock does, and where each rule comes from:
// - `context_management` needs the beta header `compact-2026-01-12` (or the context editing beta
//   `context-management-2025-06-27`); without either it is refused like any unknown field,
//   `context_management: Extra inputs are not permitted` (anthropics/claude-code#14135, BerriAI/
//   litellm#27532, Wei-Shaw/sub2api#2833). With only the context editing beta, a `compact_20260112`
//   edit is an unknown tag (pydantic's union wording, phrased by the mock). The clearing edits
//   (`clear_tool_uses_20250919`, `clear_thinking_20251015`) are not emulated: the mock refuses them
//   ("Mock upstream: …") rather than ignore them silently.
// - The edit: `{type: 'compact_20260112', trigger?: {type: 'input_tokens', value: N} | null,
//   pause_after_compaction?: boolean, instructions?: string | null}` (SDK `BetaCompact20260112Edit`).
//   Default trigger 150,000 input tokens; below 50,000 is a 400
//   `context_management.edits.0.compact_20260112: trigger.value must be at least 50000` (observed
//   in a live probe published in tdavison784/context-runtime, 2026-09, and in LionSR/TeXRA#2625).
//   Other shape errors use pydantic's wording, as the API's validation errors do. `instructions`
//   are accepted and do not change the mock's summary.
// - A request compacts when its input tokens (measureAnthropicPrompt: exactly what count_tokens
//   answers) EXCEED the trigger (the docs say "reaches"; the mock needs one token more, like
//   OpenAI's "crosses"). A prompt beyond the model's window is refused first (context-window.ts).
// - The answer's content starts with `{type: 'compaction', content: <summary>, encrypted_content:
//   null}` (SDK `BetaCompactionBlock`), then the normal reply. The summary is deterministic:
//   `Summary of <S> tokens: <the first user text after pruning, cut to 200 characters with '…'>`
//   (`Summary of <S> tokens.` without one), `S` being the summarized message tokens. With
//   `pause_after_compaction: true` the content is that block alone and `stop_reason: 'compaction'`.
//   Streamed: `content_block_start` with `{type: 'compaction', content: null, encrypted_content:
//   null}`, ONE `content_block_delta` `{type: 'compaction_delta', content: <summary>,
//   encrypted_content: null}`, `content_block_stop` (research §2.3: a single delta).
// - Usage: once the edit is configured, `usage.iterations` lists the sampling passes, keys in the
//   order a live probe shows them: `{input_tokens, output_tokens, cache_read_input_tokens,
//   cache_creation_input_tokens, cache_creation, type}`. A compaction pass reads the whole pruned
//   prompt and writes the summary (`countTokens(summary)`), with no cache (`cache_creation: null`);
//   the message pass reads tools + system + the summary. The top-level counts are the message pass
//   alone ("Top-level input_tokens and output_tokens do NOT include compaction costs"), and are all
//   zero when the answer pauses after compaction (observed in the same probe). Without a compaction
//   the list is the message pass alone (observed). A compacting request neither reads nor writes
//   the prompt cache (a simplification of the mock). In a stream, `message_start` carries the
//   top-level counts and the final `message_delta` the iterations too.
// - A `compaction` block sent back requires the edit: "messages.<i>.content.<j>: `compaction`
//   blocks require a `compact_20260112` strategy in `context_management.edits`." (observed in the
//   same probe); empty `content` is "messages.<i>.content.<j>.compaction.content: content cannot
//   be empty" (SDK: "Empty string content is not allowed"). `content: null` (a failed compaction)
//   is a no-op: it counts nothing and prunes nothing. The threshold block is unsigned and editable
//   (observed), so its text is not verified.
// - Everything before the LAST compaction block with content is ignored for counting, the window
//   and the trigger (docs: "The API automatically drops all message blocks prior to the compaction
//   block"); the block counts as `countTokens(content)`. Tools and system always count. count_tokens
//   applies it too, and with `context_management` in the body also answers
//   `context_management.original_input_tokens`, the count without pruning (SDK
//   `BetaMessageTokensCount`).
import type { AnthropicUsage } from './anthropic-messages-shapes.js';
import type { AnthropicPosition } from './prompt-cache.js';
import { countTokens } from './wire.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export const compactBeta = 'compact-2026-01-12';
export const contextEditingBeta = 'context-management-2025-06-27';
export const defaultCompactionTrigger = 150_000;
export const minimumCompactionTrigger = 50_000;
const compactEditType = 'compact_20260112';
const clearingEditTypes = ['clear_thinking_20251015', 'clear_tool_uses_20250919'];

/** The compaction a request configured. */
export interface CompactEdit {
  trigger: number;
  pauseAfterCompaction: boolean;
  instructions: string | null;
}

export const extraContextManagementMessage = 'context_management: Extra inputs are not permitted';
export const triggerBelowMinimumMessage = (index: number): string =>
  `context_management.edits.${index}.compact_20260112: trigger.value must be at least ${minimumCompactionTrigger}`;
export const compactionNeedsStrategyMessage = (message: number, block: number): string =>
  `messages.${message}.content.${block}: \`compaction\` blocks require a \`compact_20260112\` strategy in \`context_management.edits\`.`;
export const emptyCompactionMessage = (message: number, block: number): string =>
  `messages.${message}.content.${block}.compaction.content: content cannot be empty`;

const notADictionary = 'Input should be a valid dictionary or object to extract fields from';

/**
 * The first rule `context_management` breaks, or null (absent is fine). `betas` is the
 * `anthropic-beta` header split on commas.
 */
export function findContextManagementError(body: Json, betas: string[]): string | null {
  const value = body['context_management'];
  if (value === undefined) return null;
  const enabled = new Set(betas.map((beta) => beta.trim()));
  const compacts = enabled.has(compactBeta);
  const edits = enabled.has(contextEditingBeta);
  if (!compacts && !edits) return extraContextManagementMessage;
  if (value === null) return null;
  if (!isObject(value)) return `context_management: ${notADictionary}`;
  const extra = Object.keys(value).find((key) => key !== 'edits');
  if (extra !== undefined) return `context_management.${extra}: Extra inputs are not permitted`;
  const list = value['edits'];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) return 'context_management.edits: Input should be a valid list';
  const tags = [...(edits ? clearingEditTypes : []), ...(compacts ? [compactEditType] : [])];
  for (const [index, edit] of list.entries()) {
    const path = `context_management.edits.${index}`;
    if (!isObject(edit)) return `${path}: ${notADictionary}`;
    const type = edit['type'];
    if (type === undefined) return `${path}: Unable to extract tag using discriminator 'type'`;
    if (typeof type !== 'string' || !tags.includes(type)) {
      return `${path}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: ${tags.map((tag) => `'${tag}'`).join(', ')}`;
    }
    if (type !== compactEditType) return `Mock upstream: the context_management edit '${type}' is not emulated; only '${compactEditType}' is.`;
    const editError = findCompactEditError(edit, index);
    if (editError) return editError;
  }
  return null;
}

function findCompactEditError(edit: Json, index: number): string | null {
  const path = `context_management.edits.${index}.${compactEditType}`;
  const extra = Object.keys(edit).find((key) => !['type', 'trigger', 'pause_after_compaction', 'instructions'].includes(key));
  if (extra !== undefined) return `${path}.${extra}: Extra inputs are not permitted`;
  const trigger = edit['trigger'];
  if (trigger !== undefined && trigger !== null) {
    if (!isObject(trigger)) return `${path}.trigger: ${notADictionary}`;
    if (trigger['type'] === undefined) return `${path}.trigger.type: Field required`;
    if (trigger['type'] !== 'input_tokens') return `${path}.trigger.type: Input should be 'input_tokens'`;
    const value = trigger['value'];
    if (value === undefined) return `${path}.trigger.value: Field required`;
    if (typeof value !== 'number' || !Number.isInteger(value)) return `${path}.trigger.value: Input should be a valid integer`;
    if (value < minimumCompactionTrigger) return triggerBelowMinimumMessage(index);
  }
  const pause = edit['pause_after_compaction'];
  if (pause !== undefined && typeof pause !== 'boolean') return `${path}.pause_after_compaction: Input should be a valid boolean`;
  const instructions = edit['instructions'];
  if (instructions !== undefined && instructions !== null && typeof instructions !== 'string') return `${path}.instructions: Input should be a valid string`;
  return null;
}

/** The compaction a request that passed findContextManagementError configured, or null. */
export function compactEditOf(body: Json): CompactEdit | null {
  const value = body['context_management'];
  const edits = isObject(value) && Array.isArray(value['edits']) ? value['edits'] : [];
  const edit = edits.find((candidate): candidate is Json => isObject(candidate) && candidate['type'] === compactEditType);
  if (!edit) return null;
  const trigger = edit['trigger'];
  return {
    trigger: isObject(trigger) && typeof trigger['value'] === 'number' ? trigger['value'] : defaultCompactionTrigger,
    pauseAfterCompaction: edit['pause_after_compaction'] === true,
    instructions: typeof edit['instructions'] === 'string' ? edit['instructions'] : null,
  };
}

/** Every content block of the messages with where it sits (string content is one text block, path `messages.<i>.content`). */
function messageBlocks(body: Json): Array<{ message: number; block: number; path: string; role: unknown; value: Json }> {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  return messages.flatMap((message: unknown, index) => {
    if (!isObject(message)) return [];
    const content = message['content'];
    if (typeof content === 'string')
      return [{ message: index, block: 0, path: `messages.${index}.content`, role: message['role'], value: { type: 'text', text: content } }];
    const blocks: unknown[] = Array.isArray(content) ? content : [];
    return blocks.flatMap((value, block) =>
      isObject(value) ? [{ message: index, block, path: `messages.${index}.content.${block}`, role: message['role'], value }] : [],
    );
  });
}

/** The first compaction block the request may not send, or null: empty content, or no compaction edit. */
export function findCompactionBlockError(body: Json): string | null {
  const configured = compactEditOf(body) !== null;
  for (const { message, block, value } of messageBlocks(body)) {
    if (value['type'] !== 'compaction') continue;
    const content = value['content'];
    if (content === '') return emptyCompactionMessage(message, block);
    if (content !== undefined && content !== null && typeof content !== 'string')
      return `messages.${message}.content.${block}.compaction.content: Input should be a valid string`;
    if (!configured) return compactionNeedsStrategyMessage(message, block);
  }
  return null;
}

const hasSummary = (value: Json): boolean => value['type'] === 'compaction' && typeof value['content'] === 'string' && value['content'] !== '';
const blockPath = /^messages\.(\d+)\.content(?:\.(\d+))?$/;

/** Where a flattened position sits in the messages, or null for a tool or system block. */
function positionOf(path: string): { message: number; block: number } | null {
  const match = blockPath.exec(path);
  return match ? { message: Number(match[1]), block: Number(match[2] ?? 0) } : null;
}

/**
 * The positions as Anthropic counts them: a compaction block worth its content's tokens (nothing
 * for a null one), and, when `compacted`, no message block before the last compaction block that
 * has content. Tools and system blocks always stay.
 */
export function compactedAnthropicPositions(body: Json, positions: AnthropicPosition[], compacted: boolean): AnthropicPosition[] {
  const blocks = messageBlocks(body);
  const boundary = compacted ? blocks.findLast(({ value }) => hasSummary(value)) : undefined;
  const byPath = new Map(blocks.map((entry) => [entry.path, entry.value]));
  return positions.flatMap((position) => {
    const place = positionOf(position.path);
    if (!place) return [position];
    if (boundary && (place.message < boundary.message || (place.message === boundary.message && place.block < boundary.block))) return [];
    const value = byPath.get(position.path);
    if (value?.['type'] !== 'compaction') return [position];
    return [{ ...position, tokens: typeof value['content'] === 'string' ? countTokens(value['content']) : 0 }];
  });
}

/** What a compaction pass produces. */
export interface AnthropicCompaction {
  summary: string;
  /** What the compaction pass read: the whole pruned prompt. */
  readTokens: number;
  /** What it wrote: the summary. */
  summaryTokens: number;
  /** What the message pass reads: tools, system and the summary. */
  contextTokens: number;
}

const excerptLength = 200;

/**
 * The compaction of a request whose pruned prompt is `positions` (measureAnthropicPrompt): it
 * summarizes the message blocks and keeps tools and system.
 */
export function compactPrompt(body: Json, positions: AnthropicPosition[]): AnthropicCompaction {
  const readTokens = positions.reduce((sum, position) => sum + position.tokens, 0);
  const summarized = positions.filter((position) => positionOf(position.path) !== null).reduce((sum, position) => sum + position.tokens, 0);
  const kept = new Set(positions.map((position) => position.path));
  const firstUserText = messageBlocks(body).find(
    ({ path, role, value }) => role === 'user' && kept.has(path) && value['type'] === 'text' && typeof value['text'] === 'string' && value['text'] !== '',
  )?.value['text'] as string | undefined;
  const summary = firstUserText === undefined ? `Summary of ${summarized} tokens.` : `Summary of ${summarized} tokens: ${excerpt(firstUserText)}`;
  const summaryTokens = countTokens(summary);
  return { summary, readTokens, summaryTokens, contextTokens: readTokens - summarized + summaryTokens };
}

function excerpt(text: string): string {
  const codePoints = Array.from(text);
  return codePoints.length <= excerptLength ? text : `${codePoints.slice(0, excerptLength).join('')}…`;
}

/** One entry of `usage.iterations`, keys in the order the API sends them. */
export interface IterationUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: AnthropicUsage['cache_creation'] | null;
  type: 'compaction' | 'message';
}

/**
 * The usage of an answer once a compaction edit is configured: `iterations` added (the compaction
 * pass, if any, then the message pass unless the answer paused), the top-level counts being the
 * message pass, or zeros after a pause.
 */
export function usageWithIterations(usage: AnthropicUsage, compaction: AnthropicCompaction | null, paused: boolean): AnthropicUsage {
  const compactionPass: IterationUsage[] = compaction
    ? [
        {
          input_tokens: compaction.readTokens,
          output_tokens: compaction.summaryTokens,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_creation: null,
          type: 'compaction',
        },
      ]
    : [];
  if (paused) {
    const zeros = {
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 0,
    };
    return { ...zeros, iterations: compactionPass };
  }
  const messagePass: IterationUsage = {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    cache_creation: usage.cache_creation,
    type: 'message',
  };
  return { ...usage, iterations: [...compactionPass, messagePass] };
}

/** The compaction block of an answer. */
export function compactionBlock(summary: string): Json {
  return { type: 'compaction', content: summary, encrypted_content: null };
}
