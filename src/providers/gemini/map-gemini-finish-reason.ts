import type { FinishReason } from '../model-adapter.js';

/**
 * Maps a candidate's `finishReason` to ours. Every reason that means "a filter stopped the output"
 * (safety, recitation, blocklists, PII, their image variants) is `content-filter`; the rest
 * (MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER, TOO_MANY_TOOL_CALLS, …) is `other`, with the raw value
 * kept by the caller.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGeminiFinishReason(finishReason: string): FinishReason {
  switch (finishReason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * The finish reason of a whole call. Gemini says STOP after function calls too (it has no
 * tool-calls reason), so calls seen turn STOP into `tool-calls`. A prompt blocked before any
 * candidate was generated (`promptFeedback.blockReason`) is `content-filter`, its raw value the
 * block reason.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 * @see https://ai.google.dev/api/generate-content#BlockReason
 */
export function resolveGeminiFinishReason(options: { finishReason: string | null; blockReason: string | null; sawToolCalls: boolean }): {
  unified: FinishReason;
  raw: string | null;
} {
  const { finishReason, blockReason, sawToolCalls } = options;
  if (finishReason === null) {
    return blockReason === null ? { unified: 'other', raw: null } : { unified: 'content-filter', raw: blockReason };
  }
  const unified = mapGeminiFinishReason(finishReason);
  return { unified: unified === 'stop' && sawToolCalls ? 'tool-calls' : unified, raw: finishReason };
}

/** Stops that mean Gemini's filters declined the request or its answer (recitation is a copyright stop, not a refusal). */
const REFUSALS = new Set(['SAFETY', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT']);

/**
 * The refusal to show when Gemini's safety filters stopped the answer or blocked the prompt: Gemini's
 * own words when it gave them (`finishMessage`, `blockReasonMessage`), else a sentence naming the
 * reason; null for any other stop.
 * @see https://ai.google.dev/gemini-api/docs/safety-settings
 */
export function geminiRefusalText(options: { finishReason: string | null; blockReason: string | null; message: string | null }): string | null {
  const reason = options.finishReason ?? options.blockReason;
  if (reason === null || !(REFUSALS.has(reason) || (options.finishReason === null && options.blockReason !== null))) return null;
  if (options.message) return options.message;
  return options.finishReason === null ? `Gemini blocked the prompt (${reason}).` : `Gemini stopped the answer: its safety filters blocked it (${reason}).`;
}
