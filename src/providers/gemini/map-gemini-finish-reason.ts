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
