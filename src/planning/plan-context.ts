import { ApiError } from '../common/api-error.js';
import type { HistoryEntry, Item } from '../items/item.schemas.js';
import type { TruncationMode } from '../items/policies.js';

export type { HistoryEntry };

/**
 * What the thread's previous turn sent and what the provider counted for it: the start of its
 * history, our estimate of its prompt, and the input tokens the provider reported (null when it
 * reported none). The next turn keeps that start while the prompt fits, and anchors its own count
 * to the reported one.
 */
export interface ContextAnchor {
  startSeq: number | null;
  /** The thread's newest compaction item: nothing before it is sent again, whatever the truncation. */
  floorSeq: number | null;
  estimatedTokens: number;
  reportedTokens: number | null;
  /** `provider/model` the counts belong to: another model's tokenizer counts differently. */
  model: string;
}

export interface PlanContextInput {
  /** The stored history from the anchor's start on, oldest first. */
  history: HistoryEntry[];
  /** This turn's new items: always sent, never cut. */
  input: Item[];
  /** Tokens of what every request carries besides items: instructions, tools, output format. */
  fixedTokens: number;
  /** The model's context window, and what stays free for the answer (output limit, thinking budget). */
  window: number;
  outputReserve: number;
  truncation: TruncationMode;
  anchor: ContextAnchor | null;
  model: string;
  /** Tokens of one item (see estimate-tokens.ts). */
  tokensOf: (item: Item) => number;
}

/** What the turn sends of its history, as stored on the response (snake_case: operators read it as it is). */
export interface ContextPlanRecord {
  model: string;
  window: number;
  output_reserve: number;
  /** `window - output_reserve`: what the prompt may take. */
  budget: number;
  truncation: TruncationMode;
  /** The first history seq sent (everything before it was left out); null when there was no history. */
  start_seq: number | null;
  /** The newest compaction item of the thread (it stands for everything before it); null before any. */
  floor_seq?: number | null;
  /** History items sent (this turn's input not counted). */
  history_items: number;
  /** Our estimate of the whole prompt, and that estimate anchored to the previous turn's reported usage. */
  estimated_tokens: number;
  expected_tokens: number;
  /** Set when this turn moved the start: what it left out that the previous turn still sent. */
  cut: { reason: 'budget' | 'upstream'; dropped_items: number; dropped_tokens: number; from_seq: number | null } | null;
  /**
   * Set when the turn asked for compaction (`context_management`, `compaction_trigger`) or had to
   * compact: who compacts (`openai`, `anthropic` natively; `server`: our own summary), the
   * threshold, and for ours what was summarized and kept. `compacted` is set once the output
   * holds a compaction item; `start_seq` is then that item.
   */
  compaction?: {
    mode: 'openai' | 'anthropic' | 'server';
    threshold: number | null;
    summarized_items: number | null;
    retained_items: number | null;
    compacted?: boolean;
  };
}

export interface ContextPlan {
  /** The history kept, then the input. */
  items: Item[];
  /** The history kept, with its seqs (a further cut needs them). */
  kept: HistoryEntry[];
  input: Item[];
  record: ContextPlanRecord;
}

/**
 * After a cut the prompt is brought down to this share of the budget, so the next turns append to
 * an unchanged prefix (and read it from the provider's cache) for a while before the next cut.
 */
export const TRUNCATION_TARGET = 0.7;

/**
 * Which history a turn sends so the prompt fits the model's window (pure). The start of the
 * previous turn is kept while everything fits, so the prefix stays byte-stable and cached. When it
 * no longer fits, `disabled` refuses (400 `context_length_exceeded`) and `auto` drops the oldest
 * items in one large step, down to `TRUNCATION_TARGET` of the budget: whole turns where it can
 * (the kept history starts at a user, system or developer message), whole model steps inside a
 * long tool loop otherwise; never a function call without its output, never a reasoning item
 * apart from what follows it, never the new input.
 */
export function planContext(input: PlanContextInput): ContextPlan {
  const { history, window, outputReserve, truncation } = input;
  const budget = Math.max(0, window - outputReserve);
  const tokens = history.map((entry) => input.tokensOf(entry.item));
  const inputTokens = input.input.reduce((sum, item) => sum + input.tokensOf(item), 0);
  // suffix[i]: tokens of history[i..]
  const suffix = new Array<number>(history.length + 1).fill(0);
  for (let index = history.length - 1; index >= 0; index--) suffix[index] = suffix[index + 1]! + tokens[index]!;
  const estimateFrom = (index: number) => input.fixedTokens + suffix[index]! + inputTokens;

  const anchor = input.anchor;
  const expectedFrom = (index: number): number => anchoredTokens(estimateFrom(index), index === 0 ? (history[0]?.seq ?? null) : -1, anchor, input.model);

  const record = (start: number, cut: ContextPlanRecord['cut']): ContextPlan => ({
    items: [...history.slice(start).map((entry) => entry.item), ...input.input],
    kept: history.slice(start),
    input: input.input,
    record: {
      model: input.model,
      window,
      output_reserve: outputReserve,
      budget,
      truncation,
      start_seq: start < history.length ? history[start]!.seq : history.length > 0 ? history.at(-1)!.seq + 1 : (anchor?.startSeq ?? null),
      history_items: history.length - start,
      estimated_tokens: estimateFrom(start),
      expected_tokens: expectedFrom(start),
      cut,
    },
  });

  if (expectedFrom(0) <= budget) return record(0, null);
  if (truncation === 'disabled') throw ApiError.contextLengthExceeded();
  const start = chooseCut(history, input.input, (index) => expectedFrom(index), budget);
  if (start === null) throw ApiError.contextLengthExceeded('The newest input alone does not fit, even with every earlier item left out.');
  return record(start, { reason: 'budget', dropped_items: start, dropped_tokens: suffix[0]! - suffix[start]!, from_seq: history[0]?.seq ?? null });
}

/**
 * Cuts further after the provider refused a prompt our count said would fit (pure): drops the
 * oldest items so that at most `TRUNCATION_TARGET` of `share` of what was sent is left. Null when
 * nothing can be dropped.
 */
export function shrinkContext(plan: ContextPlan, tokensOf: (item: Item) => number, share = 0.7): ContextPlan | null {
  const { kept, input } = plan;
  if (kept.length === 0) return null;
  const prefix = [0];
  for (const entry of kept) prefix.push(prefix.at(-1)! + tokensOf(entry.item));
  const total = prefix.at(-1)! + input.reduce((sum, item) => sum + tokensOf(item), 0);
  const start = chooseCut(kept, input, (index) => total - prefix[index]!, Math.floor(total * share)) ?? validCuts(kept, input).at(-1) ?? null;
  if (start === null) return null;
  const dropped = prefix[start]!;
  const previousCut = plan.record.cut;
  return {
    items: [...kept.slice(start).map((entry) => entry.item), ...input],
    kept: kept.slice(start),
    input,
    record: {
      ...plan.record,
      start_seq: kept[start]?.seq ?? kept.at(-1)!.seq + 1,
      history_items: kept.length - start,
      estimated_tokens: plan.record.estimated_tokens - dropped,
      expected_tokens: Math.max(0, plan.record.expected_tokens - dropped),
      cut: {
        reason: 'upstream',
        dropped_items: (previousCut?.dropped_items ?? 0) + start,
        dropped_tokens: (previousCut?.dropped_tokens ?? 0) + dropped,
        from_seq: previousCut?.from_seq ?? plan.record.start_seq,
      },
    },
  };
}

/**
 * The first cut whose prompt fits `TRUNCATION_TARGET` of the budget, else the first that fits at
 * all: turn boundaries first, model-step boundaries only when no turn boundary fits.
 */
function chooseCut(history: HistoryEntry[], input: Item[], expectedFrom: (index: number) => number, budget: number): number | null {
  const cuts = validCuts(history, input);
  const target = Math.floor(budget * TRUNCATION_TARGET);
  const turnCuts = cuts.filter((index) => index === history.length || startsTurn(history[index]!.item));
  for (const candidates of [turnCuts, cuts]) {
    const fitsTarget = candidates.find((index) => expectedFrom(index) <= target);
    if (fitsTarget !== undefined) return fitsTarget;
    const fits = candidates.find((index) => expectedFrom(index) <= budget);
    if (fits !== undefined) return fits;
  }
  return null;
}

/**
 * Indices where the kept history may start (1..n; n keeps none of it): not between a function call
 * and its output, not after a reasoning item (it goes with what follows it), not at an output.
 */
export function validCuts(history: HistoryEntry[], input: Item[]): number[] {
  const n = history.length;
  const all = [...history.map((entry) => entry.item), ...input];
  // crossing[i] > 0: some call sits before i and its output at or after i.
  const crossing = new Array<number>(n + 2).fill(0);
  const callAt = new Map<string, number>();
  all.forEach((item, index) => {
    if (item.type === 'function_call') callAt.set(item.call_id, index);
    else if (item.type === 'function_call_output') {
      const call = callAt.get(item.call_id);
      if (call !== undefined && call < index) {
        crossing[call + 1]! += 1;
        crossing[Math.min(index, n) + 1]! -= 1;
      }
    }
  });
  const cuts: number[] = [];
  let open = 0;
  for (let index = 1; index <= n; index++) {
    open += crossing[index]!;
    if (open > 0) continue;
    if (history[index - 1]!.item.type === 'reasoning') continue;
    cuts.push(index);
  }
  return cuts;
}

function startsTurn(item: Item): boolean {
  return item.type === 'message' && item.role !== 'assistant';
}

/**
 * Our estimate of a prompt, anchored to what the provider counted for the thread's previous turn
 * (pure): with the same start, the provider's count plus our count of what was added since; with
 * another start, our estimate scaled by how far off it was last time. Another model's count is
 * not used. `startSeq` -1 means "not the previous start".
 */
export function anchoredTokens(estimate: number, startSeq: number | null, anchor: ContextAnchor | null, model: string): number {
  if (anchor === null || anchor.model !== model || anchor.reportedTokens === null || anchor.estimatedTokens <= 0) return estimate;
  const ratio = clamp(anchor.reportedTokens / anchor.estimatedTokens, 0.5, 2);
  if (startSeq === -1 || (startSeq !== null && startSeq !== anchor.startSeq)) return Math.round(estimate * ratio);
  return Math.max(0, Math.round(anchor.reportedTokens + (estimate - anchor.estimatedTokens) * ratio));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
