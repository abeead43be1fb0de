import { ProviderError } from '../common/provider-error.js';
import type { Item } from '../items/item.schemas.js';
import type { ModelRequest } from '../planning/model-request.js';
import { signForeignCalls } from './plan-reasoning-replay.js';

export interface Recovery {
  request: ModelRequest;
  /** What was changed, for the logs. */
  change: string;
}

/**
 * The provider errors about reasoning that one changed request can fix (cache-and-thinking.md
 * §6.4). Each is tried once; a second failure reaches the client with the provider's message.
 * Null for any other error.
 */
export function recoverFromReasoningError(error: unknown, request: ModelRequest): Recovery | null {
  if (!(error instanceof ProviderError) || error.status !== 400) return null;
  const message = error.message;
  // Anthropic: thinking blocks missing, modified, or signed for another conversation or model.
  if (
    /Expected `thinking` or `redacted_thinking`|blocks in the latest assistant message cannot be modified|Invalid `signature` in `thinking` block|bound to a different conversation/.test(
      message,
    )
  ) {
    return {
      request: { ...request, thinking: { kind: 'default' }, items: withoutReasoning(request.items) },
      change: 'sent without thinking and without earlier thinking blocks',
    };
  }
  if (/"thinking\.type\.enabled" is not supported/.test(message) && request.thinking.kind === 'budget') {
    return { request: { ...request, thinking: { kind: 'adaptive', effort: 'medium' } }, change: 'sent with adaptive thinking instead of a budget' };
  }
  if (/Thinking may not be enabled when tool_choice forces tool use/.test(message)) {
    return { request: { ...request, toolChoice: 'auto' }, change: 'sent with tool_choice auto' };
  }
  // Gemini 3: a function call of the current turn without a valid thought signature.
  if (/missing a `?thought_signature`?|Corrupted thought signature|Invalid thought signature/i.test(message)) {
    return {
      request: { ...request, items: signForeignCalls(request.items, true).items },
      change: 'sent with skip_thought_signature_validator on the current turn’s calls',
    };
  }
  // DeepSeek V4, Kimi: an assistant tool-call message without reasoning_content.
  if (
    /reasoning_content` in the thinking mode must be passed back|reasoning_content is missing in assistant tool call message/.test(message) &&
    !request.backfillReasoningContent
  ) {
    return { request: { ...request, backfillReasoningContent: true }, change: 'sent with reasoning_content on every tool-call message' };
  }
  // OpenAI: a reasoning item without its following item, or one known only by id.
  if (/of type 'reasoning' was provided without its required following item|Item with id 'rs_[^']*' not found/.test(message)) {
    return { request: { ...request, items: withoutReasoning(request.items) }, change: 'sent without reasoning items' };
  }
  return null;
}

function withoutReasoning(items: Item[]): Item[] {
  return items.filter((item) => item.type !== 'reasoning');
}
