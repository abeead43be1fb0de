/** Weight of the newest observation. */
const SMOOTHING = 0.2;
/** Only a request sent this soon after its thread's previous one could have hit (the implicit cache keeps prefixes minutes). */
const HIT_POSSIBLE_MS = 5 * 60_000;
/** Prompts this small are below every model's caching minimum: they say nothing. */
const MIN_TOKENS = 1_024;
/** Models remembered at once. */
const MODELS_KEPT = 1_000;

/**
 * How much of a repeated prompt a provider's implicit cache actually reads (Gemini: "no cost saving
 * guarantee"), per model, learned from the usage of the requests the server left to it: of the
 * prompts that followed their thread's previous request within minutes, the share of what that
 * request had already sent (the planner's estimate) reported as cached. The planner weighs an
 * explicit cache (guaranteed, but billed for creation and storage) against it. Kept per process:
 * a few requests teach it.
 * (No Nest decorator: it takes nothing to construct, and planning code stays free of the framework.)
 */
export class ImplicitCacheStats {
  private readonly shares = new Map<string, number>();

  /** The learned share of input tokens read from the implicit cache; null before any observation. */
  share(model: string): number | null {
    return this.shares.get(model) ?? null;
  }

  /** `repeatedTokens`: the estimated tokens of the prompt an earlier request of the thread had sent. */
  observe(model: string, call: { cachedTokens: number; repeatedTokens: number; gapMs: number }): void {
    if (call.gapMs > HIT_POSSIBLE_MS || call.repeatedTokens < MIN_TOKENS) return;
    const sample = Math.min(1, Math.max(0, call.cachedTokens / call.repeatedTokens));
    const previous = this.shares.get(model);
    if (previous === undefined && this.shares.size >= MODELS_KEPT) this.shares.clear();
    this.shares.set(model, previous === undefined ? sample : previous * (1 - SMOOTHING) + sample * SMOOTHING);
  }
}
