import { DEFAULT_CHARS_PER_TOKEN } from './cache-types.js';

/** Prompts this small are dominated by per-request overhead (tool-use system text, role markers): they would skew the ratio. */
const MIN_CALIBRATION_TOKENS = 1_024;
/** Weight of the newest observation: a few requests move the estimate, one outlier does not. */
const SMOOTHING = 0.2;

/**
 * Characters per token per model, learned from the input tokens providers report. No vendor ships
 * a tokenizer for its current models that runs here (Anthropic and Gemini have none; OpenAI's would
 * serve a provider that needs no counting), and thresholds only need to be right within a few
 * percent, so a calibrated ratio is enough. Kept per process: it converges within a few requests.
 * (No Nest decorator: it takes nothing to construct, and planning code stays free of the framework.)
 */
export class TokenCalibration {
  private readonly ratios = new Map<string, number>();

  charsPerToken(model: string): number {
    return this.ratios.get(model) ?? DEFAULT_CHARS_PER_TOKEN;
  }

  /** `promptChars` as the planner measured the prompt; `reportedTokens` the provider's count of the same text. */
  observe(model: string, promptChars: number, reportedTokens: number): void {
    if (reportedTokens < MIN_CALIBRATION_TOKENS || promptChars <= 0) return;
    const sample = Math.min(8, Math.max(1, promptChars / reportedTokens));
    const previous = this.ratios.get(model);
    this.ratios.set(model, previous === undefined ? sample : previous * (1 - SMOOTHING) + sample * SMOOTHING);
  }
}
