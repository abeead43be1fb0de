import type { FinishReason } from '../model-adapter.js';

/**
 * Maps an Anthropic `stop_reason` to ours; the caller keeps the raw value. `pause_turn` (a server
 * tool loop paused, the turn may be continued) and unknown future values become `other`.
 * @see https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons
 */
export function mapAnthropicStopReason(stopReason: string | null): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
