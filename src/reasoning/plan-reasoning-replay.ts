import type { Item } from '../items/item.schemas.js';

import type { ReasoningPolicy } from '../items/policies.js';

type Level = Exclude<ReasoningPolicy, 'auto'>;

/** How a request reaches its model, as far as replaying reasoning is concerned. */
export interface ReplayTarget {
  wire: 'anthropic' | 'gemini' | 'openai-responses' | 'chat';
  /** The catalog's thinking style of the model. */
  style: 'anthropic-manual' | 'anthropic-adaptive' | 'gemini-budget' | 'gemini-level' | 'effort' | 'deepseek' | 'none';
  /** Whether this request has the model think (explicitly, or by the model's default). */
  thinking: boolean;
}

export interface ReplayPlan {
  items: Item[];
  /** The policy applied after `auto` and the legal minimum. */
  applied: Level;
  /**
   * Thinking must be off for this request: Anthropic checks that the tool loop in progress starts
   * with its own thinking, and another model made it. Thinking resumes with the next user turn.
   */
  suspendThinking: boolean;
  warnings: string[];
}

const ORDER: Level[] = ['clear', 'current_turn', 'tool_turns', 'preserve'];

/** `auto` per target: replay everything where the provider reads it back, only tool turns where the rest is ignored. */
function autoLevel(target: ReplayTarget): Level {
  if (target.wire === 'chat') return target.style === 'deepseek' ? 'tool_turns' : 'clear';
  return 'preserve';
}

/**
 * The least a provider accepts, given the history: Anthropic with thinking on wants the thinking
 * of the tool loop in progress back; Gemini 3 checks the current turn's signatures (they sit on
 * the function calls, which are always sent, but their thought parts travel with the reasoning);
 * DeepSeek V4 wants `reasoning_content` on every tool-call turn. Elsewhere nothing is required.
 */
function legalMinimum(target: ReplayTarget, inToolLoop: boolean): { level: Level; why: string } | null {
  if (!target.thinking) return null;
  if ((target.style === 'anthropic-manual' || target.style === 'anthropic-adaptive') && inToolLoop) {
    return { level: 'current_turn', why: 'Anthropic requires the thinking blocks of a tool loop in progress' };
  }
  if (target.style === 'gemini-level' && inToolLoop) return { level: 'current_turn', why: 'Gemini 3 validates the thought signatures of the current turn' };
  if (target.style === 'deepseek') return { level: 'tool_turns', why: 'DeepSeek requires reasoning_content on every turn that called tools' };
  return null;
}

export function planReasoningReplay(items: Item[], policy: ReasoningPolicy, target: ReplayTarget): ReplayPlan {
  const lastUser = items.findLastIndex((item) => item.type === 'message' && item.role === 'user');
  const inToolLoop = items.slice(lastUser + 1).some(isCallOutput);
  const requested: Level = policy === 'auto' ? autoLevel(target) : policy;
  const minimum = legalMinimum(target, inToolLoop);
  const warnings: string[] = [];
  let applied = requested;
  if (minimum && ORDER.indexOf(requested) < ORDER.indexOf(minimum.level)) {
    applied = minimum.level;
    warnings.push(`reasoning_policy "${requested}" was raised to "${applied}": ${minimum.why}.`);
  }
  const keep = (index: number): boolean => {
    switch (applied) {
      case 'preserve':
        return true;
      case 'clear':
        return false;
      case 'current_turn':
        return index > lastUser;
      case 'tool_turns':
        return index > lastUser || callsToolsAfter(items, index);
    }
  };
  let kept = items.filter((item, index) => item.type !== 'reasoning' || keep(index));

  // Switching models mid-loop: what the new model cannot verify is made legal, or thinking waits.
  let suspendThinking = false;
  if (target.thinking && inToolLoop && (target.style === 'anthropic-manual' || target.style === 'anthropic-adaptive')) {
    const firstStep = items.slice(lastUser + 1).find((item) => !isCallOutput(item));
    if (firstStep && !(firstStep.type === 'reasoning' && hasProviderData(firstStep, 'anthropic'))) {
      suspendThinking = true;
      warnings.push('thinking was off for this request: the tool loop in progress was started by another model, whose steps Anthropic cannot verify.');
    }
  }
  // Gemini 3 checks every current-turn step; a thinking Gemini 2.5 checks the calls it signed, which
  // come back unsigned from a client that keeps its own history (store: false, as Codex does).
  if (target.style === 'gemini-level' || (target.style === 'gemini-budget' && target.thinking)) {
    const signed = signForeignCalls(kept);
    if (signed.count > 0) {
      kept = signed.items;
      warnings.push(
        `${signed.count} function call(s) of the current turn without a Gemini signature (another model's, or sent back by the client without it) were sent with Gemini's skip_thought_signature_validator.`,
      );
    }
  }
  return { items: kept, applied, suspendThinking, warnings };
}

/**
 * Gemini 3 wants a thought signature on the first function call of every step of the current turn.
 * Calls another model made have none; Google documents a sentinel that skips the check for them.
 * `replace` also overwrites signatures already there (after Gemini refused them).
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function signForeignCalls(items: Item[], replace = false): { items: Item[]; count: number } {
  const lastUser = items.findLastIndex((item) => item.type === 'message' && item.role === 'user');
  let count = 0;
  const signed = items.map((item, index) => {
    const firstOfStep = isCall(item) && !isCall(items[index - 1]);
    if (index <= lastUser || !firstOfStep || (!replace && hasProviderData(item, 'gemini'))) return item;
    count++;
    return { ...item, provider_data: { ...item.provider_data, gemini: { thoughtSignature: GEMINI_SKIP_SIGNATURE } } };
  });
  return { items: signed, count };
}

const GEMINI_SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** A custom tool's call and output count as a function's: they are one on every wire but OpenAI's. */
function isCall(item: Item | undefined): boolean {
  return item?.type === 'function_call' || item?.type === 'custom_tool_call';
}

function isCallOutput(item: Item): boolean {
  return item.type === 'function_call_output' || item.type === 'custom_tool_call_output';
}

function hasProviderData(item: Item, family: string): boolean {
  return item.provider_data?.[family] !== undefined;
}

/** Whether the model step this reasoning item belongs to (up to the next user input) called a tool. */
function callsToolsAfter(items: Item[], index: number): boolean {
  for (let next = index + 1; next < items.length; next++) {
    const item = items[next]!;
    if (isCall(item)) return true;
    if (isCallOutput(item) || (item.type === 'message' && item.role !== 'assistant')) return false;
  }
  return false;
}
