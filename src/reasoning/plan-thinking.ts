import type { ThinkingCapabilities } from '../config/model-catalog.js';
import type { AnthropicEffort, GeminiLevel, ReasoningSettings, ThinkingPlan, ToolChoice } from '../planning/model-request.js';

export interface ThinkingInput {
  reasoning: ReasoningSettings | null;
  capabilities: ThinkingCapabilities;
  /** The output limit the request will carry (the client's, else the catalog default), and the model's ceiling. */
  maxOutputTokens: number | null;
  modelMaxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  toolChoice: ToolChoice;
}

export interface ThinkingResult {
  thinking: ThinkingPlan;
  /** Ask for thought summaries (Gemini `includeThoughts`), because the client asked for a summary. */
  includeThoughts: boolean;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  toolChoice: ToolChoice;
  /** What was changed to make the request legal, for the client and the operator. */
  warnings: string[];
}

/** Anthropic manual budgets and Gemini 2.5 budgets per effort, clamped to the model's range. */
const BUDGETS: Record<string, number> = { minimal: 1_024, low: 2_048, medium: 8_192, high: 16_384, xhigh: 24_576, max: 32_000 };
/** Room left for the answer when a budget has to fit under `max_tokens`. */
const ANSWER_ROOM = 1_024;

/**
 * Maps `reasoning` (effort, summary) onto what the model takes, and applies the guards thinking
 * needs: Anthropic thinking takes no temperature other than 1, `top_p` of 0.95 or more, no forced
 * tool use in manual mode, and a budget below `max_tokens`. Every change is reported as a warning.
 */
export function planThinking(input: ThinkingInput): ThinkingResult {
  const { capabilities: caps, reasoning } = input;
  const result: ThinkingResult = {
    thinking: { kind: 'default' },
    includeThoughts: reasoning?.summary != null,
    maxOutputTokens: input.maxOutputTokens,
    temperature: input.temperature,
    topP: input.topP,
    toolChoice: input.toolChoice,
    warnings: [],
  };
  // An effort, or a summary alone (which asks for thinking at the default effort).
  const effort = reasoning?.effort ?? (reasoning?.summary != null ? 'medium' : null);
  if (effort === null) return result;
  const off = effort === 'none';

  switch (caps.style) {
    case 'anthropic-manual':
    case 'anthropic-adaptive': {
      if (off) {
        result.thinking = caps.canDisable ? { kind: 'off' } : { kind: 'adaptive', effort: 'low' };
        if (!caps.canDisable) result.warnings.push('reasoning.effort "none": this model always thinks; it thinks at low effort.');
        return result;
      }
      const forced = input.toolChoice === 'required' || typeof input.toolChoice === 'object';
      // Models that take adaptive thinking get it (the manual form is deprecated there, or refused).
      const adaptive = caps.style === 'anthropic-adaptive';
      result.thinking = adaptive ? { kind: 'adaptive', effort: toAnthropicEffort(effort) } : { kind: 'budget', budgetTokens: clampBudget(effort, caps) };
      if (!adaptive && forced) {
        result.toolChoice = 'auto';
        result.warnings.push('tool_choice: this model cannot think while a tool is forced; tool_choice was sent as "auto".');
      }
      if (result.temperature !== null && result.temperature !== 1) {
        result.warnings.push(`temperature ${result.temperature} was not sent: Anthropic models take only 1 while thinking.`);
        result.temperature = null;
      }
      if (result.topP !== null && result.topP < 0.95) {
        result.warnings.push(`top_p ${result.topP} was raised to 0.95, the lowest Anthropic models take while thinking.`);
        result.topP = 0.95;
      }
      if (result.thinking.kind === 'budget') fitBudget(result, input.modelMaxOutputTokens, caps);
      return result;
    }
    case 'gemini-budget':
      result.thinking = off
        ? caps.canDisable
          ? { kind: 'budget', budgetTokens: 0 }
          : { kind: 'budget', budgetTokens: caps.budget.min }
        : { kind: 'budget', budgetTokens: clampBudget(effort, caps) };
      if (off && !caps.canDisable)
        result.warnings.push(`reasoning.effort "none": this model always thinks; it thinks with the smallest budget (${caps.budget.min}).`);
      return result;
    case 'gemini-level':
      result.thinking = { kind: 'level', level: toGeminiLevel(effort, caps.levels) };
      return result;
    case 'deepseek':
      result.thinking = off ? { kind: 'off' } : { kind: 'effort', effort: effort === 'xhigh' || effort === 'max' ? 'max' : 'high' };
      return result;
    case 'effort':
      result.thinking = reasoning?.effort ? { kind: 'effort', effort: reasoning.effort } : { kind: 'default' };
      return result;
    case 'none':
      return result;
  }
}

function toAnthropicEffort(effort: string): AnthropicEffort {
  if (effort === 'minimal' || effort === 'low') return 'low';
  return effort === 'medium' || effort === 'high' || effort === 'xhigh' || effort === 'max' ? effort : 'medium';
}

function toGeminiLevel(effort: string, levels: GeminiLevel[]): GeminiLevel {
  const wanted: GeminiLevel[] =
    effort === 'none' || effort === 'minimal' ? ['MINIMAL', 'LOW'] : effort === 'low' ? ['LOW', 'MEDIUM'] : effort === 'medium' ? ['MEDIUM', 'HIGH'] : ['HIGH'];
  return wanted.find((level) => levels.includes(level)) ?? levels.at(-1) ?? 'HIGH';
}

function clampBudget(effort: string, caps: ThinkingCapabilities): number {
  return Math.min(caps.budget.max, Math.max(caps.budget.min, BUDGETS[effort] ?? BUDGETS['medium']!));
}

/**
 * Anthropic counts thinking inside `max_tokens` and wants the budget below it: the limit is raised
 * to budget + the answer's limit (within the model's ceiling); if the ceiling is too low, the budget
 * shrinks, and below the minimum thinking is turned off.
 */
function fitBudget(result: ThinkingResult, ceiling: number | null, caps: ThinkingCapabilities): void {
  if (result.thinking.kind !== 'budget') return;
  const answer = result.maxOutputTokens ?? ANSWER_ROOM;
  let budget = result.thinking.budgetTokens;
  let limit = budget + answer;
  if (ceiling !== null && limit > ceiling) {
    limit = ceiling;
    budget = Math.min(budget, limit - ANSWER_ROOM);
  }
  if (budget < caps.budget.min) {
    result.thinking = { kind: 'default' };
    result.warnings.push(`max_output_tokens leaves no room for the minimum thinking budget (${caps.budget.min}); the model answered without thinking.`);
    return;
  }
  result.thinking = { kind: 'budget', budgetTokens: budget };
  result.maxOutputTokens = limit;
}
