import type { FinishReason } from '../model-adapter.js';

/**
 * Maps a Chat Completions `finish_reason` to ours. Values outside the spec (vLLM's `abort`, vendor
 * additions) become `other`; the caller keeps the raw value.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function mapOpenAICompatibleFinishReason(finishReason: string): FinishReason {
  switch (finishReason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * The finish reason of a whole call. Some servers (Ollama, several vLLM tool parsers) report `stop`
 * after emitting tool calls; the calls are what matters downstream, so they win. With no reason at
 * all (stream cut short), the tool calls seen decide.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function resolveOpenAICompatibleFinishReason(raw: string | null, sawToolCalls: boolean): { unified: FinishReason; raw: string | null } {
  if (raw === null) {
    return { unified: sawToolCalls ? 'tool-calls' : 'other', raw };
  }
  const unified = mapOpenAICompatibleFinishReason(raw);
  return { unified: unified === 'stop' && sawToolCalls ? 'tool-calls' : unified, raw };
}
