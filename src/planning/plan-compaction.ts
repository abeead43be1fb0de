import type { CompactionItem, HistoryEntry, Item, MessageItem } from '../items/item.schemas.js';
import { readableCompaction } from '../items/item.schemas.js';
import type { ReplayTarget } from '../reasoning/plan-reasoning-replay.js';
import { TRUNCATION_TARGET, validCuts } from './plan-context.js';

export type CompactionMode = 'openai' | 'anthropic' | 'server';

/**
 * The instructions of the server's own compaction call. Kept in code, versioned with it: changing
 * them changes every later summary (never the ones already stored).
 */
export const COMPACTION_INSTRUCTIONS = [
  'You are compacting a conversation so that it can go on within a limited context window.',
  'Write a summary that will replace everything said so far. Keep what the rest of the conversation needs:',
  "the user's goals, instructions and preferences; decisions made and why; facts, names, numbers, file paths",
  'and code identifiers established; the tool calls made and, briefly, what they returned; open questions and',
  'unfinished work. Write plain text in the language of the conversation, with no preamble.',
].join(' ');

/** The last message of the compaction call. */
export const COMPACTION_REQUEST = 'Write the summary of the conversation above now.';

/** How the summary is put in front of any model: a user message, the form every provider takes first. */
export const SUMMARY_PREFIX = 'This conversation was compacted. This summary stands for everything said before it:';

/** What a request whose history starts mid-conversation gets first, on wires that want a user message first. */
export const GAP_NOTICE = '(Earlier messages of this conversation are left out here.)';

/** Our compaction keeps the newest items verbatim, up to this share of the threshold (or of the budget, if smaller). */
const RETAINED_SHARE = 0.3;

/** Anthropic refuses a compaction trigger below this many tokens: smaller thresholds are served by our own compaction. */
export const ANTHROPIC_MIN_TRIGGER = 50_000;

/**
 * Whether the target provider reads a compaction item itself: OpenAI its own opaque item, Anthropic
 * its own block. Any other is rendered from its readable summary.
 */
export function readsNatively(item: CompactionItem, wire: ReplayTarget['wire']): boolean {
  return (
    (wire === 'openai-responses' && item.provider_data?.['openai'] !== undefined) || (wire === 'anthropic' && item.provider_data?.['anthropic'] !== undefined)
  );
}

/**
 * The history from its newest compaction item on, as the target provider sees it (pure): the item
 * itself where the provider reads it natively, else its summary as a user message followed by the
 * items it kept. Items before the newest compaction are never sent. `unreadable` is set when the
 * newest compaction is another provider's opaque one (a switch after OpenAI compacted): only a
 * compaction of our own can carry that context on.
 */
export function fromNewestCompaction(
  history: HistoryEntry[],
  input: Item[],
  wire: ReplayTarget['wire'],
): { history: HistoryEntry[]; input: Item[]; unreadable: CompactionItem | null } {
  const inInput = input.findLastIndex((item) => item.type === 'compaction');
  if (inInput >= 0) {
    const item = input[inInput] as CompactionItem;
    const expanded = expand(item, wire);
    const seq = (history.at(-1)?.seq ?? -1) + 1;
    return {
      history: (expanded ?? []).map((expandedItem) => ({ seq, item: expandedItem })),
      input: input.slice(inInput + 1),
      unreadable: expanded ? null : item,
    };
  }
  const inHistory = history.findLastIndex((entry) => entry.item.type === 'compaction');
  if (inHistory < 0) return { history, input, unreadable: null };
  const entry = history[inHistory]!;
  const expanded = expand(entry.item as CompactionItem, wire);
  return {
    history: [...(expanded ?? []).map((item) => ({ seq: entry.seq, item })), ...history.slice(inHistory + 1)],
    input,
    unreadable: expanded ? null : (entry.item as CompactionItem),
  };
}

function expand(item: CompactionItem, wire: ReplayTarget['wire']): Item[] | null {
  if (readsNatively(item, wire)) return [item];
  const readable = readableCompaction(item);
  return readable ? [summaryMessage(item.id, readable.summary), ...readable.retained] : null;
}

export function summaryMessage(id: string, summary: string): MessageItem {
  return { type: 'message', id, role: 'user', status: 'completed', content: [{ type: 'input_text', text: `${SUMMARY_PREFIX}\n\n${summary}` }] };
}

/**
 * Where our compaction splits the context (pure): the newest items are kept verbatim, up to
 * `RETAINED_SHARE` of `limitBase` (the threshold, or the budget if smaller) and at a turn boundary where one fits (a model-step boundary
 * otherwise); everything before is summarized. The new input is always kept. Returns the index of
 * the first history entry kept.
 */
export function chooseRetained(history: HistoryEntry[], input: Item[], tokensOf: (item: Item) => number, limitBase: number): number {
  const limit = Math.floor(limitBase * RETAINED_SHARE);
  const inputTokens = input.reduce((sum, item) => sum + tokensOf(item), 0);
  const suffix = new Array<number>(history.length + 1).fill(0);
  for (let index = history.length - 1; index >= 0; index--) suffix[index] = suffix[index + 1]! + tokensOf(history[index]!.item);
  const cuts = validCuts(history, input);
  const turnCuts = cuts.filter((index) => index === history.length || startsTurn(history[index]!.item));
  for (const candidates of [turnCuts, cuts]) {
    const fits = candidates.find((index) => suffix[index]! + inputTokens <= limit);
    if (fits !== undefined) return fits;
  }
  // Not even the input fits the share: keep as little as the pairs allow.
  return cuts.at(-1) ?? 0;
}

/** The default threshold of our compaction when the client names none: most of the budget, before truncation would cut. */
export function defaultThreshold(budget: number): number {
  return Math.floor(budget * Math.max(TRUNCATION_TARGET, 0.8));
}

/**
 * Requests that start with something other than a user message (history cut or compacted mid-turn)
 * get a short notice first on wires that want a user message first (Anthropic, Gemini, most chat
 * templates). OpenAI's Responses API takes any order.
 */
export function withLeadingUser(items: Item[], wire: ReplayTarget['wire']): Item[] {
  if (wire === 'openai-responses') return items;
  const first = items.find((item) => !(item.type === 'message' && (item.role === 'system' || item.role === 'developer')));
  if (!first || (first.type === 'message' && first.role === 'user')) return items;
  const index = items.indexOf(first);
  const notice: MessageItem = { type: 'message', id: 'msg_gap', role: 'user', status: 'completed', content: [{ type: 'input_text', text: GAP_NOTICE }] };
  return [...items.slice(0, index), notice, ...items.slice(index)];
}

function startsTurn(item: Item): boolean {
  return item.type === 'message' && item.role !== 'assistant';
}
