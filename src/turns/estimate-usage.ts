import type { Item } from '../items/item.schemas.js';
import type { Usage } from '../items/usage.js';
import type { ModelRequest } from '../planning/model-request.js';

/** Rough characters per token for English text and JSON; good enough for an abort's bill estimate. */
const CHARACTERS_PER_TOKEN = 4;

/**
 * Usage for a call cut short before the provider reported any (client gone, cancel, upstream
 * dropped): providers still bill what they processed, and an agent that budgets its context needs
 * a number. Input is everything sent; output is what arrived before the cut.
 */
export function estimateUsage(request: ModelRequest, output: Item[]): Usage {
  const input = JSON.stringify({ instructions: request.instructions, items: request.items, tools: request.tools });
  const produced = output.map(visibleText).join('');
  const inputTokens = Math.ceil(input.length / CHARACTERS_PER_TOKEN);
  const outputTokens = Math.ceil(produced.length / CHARACTERS_PER_TOKEN);
  const reasoningTokens = Math.ceil(
    output
      .filter((item) => item.type === 'reasoning')
      .map(visibleText)
      .join('').length / CHARACTERS_PER_TOKEN,
  );
  return { inputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens, reasoningTokens };
}

function visibleText(item: Item): string {
  switch (item.type) {
    case 'message':
      return item.content.map((part) => ('text' in part ? part.text : 'refusal' in part ? part.refusal : '')).join('');
    case 'function_call':
      return item.name + item.arguments;
    case 'reasoning':
      return (item.content ?? []).map((part) => part.text).join('') + item.summary.map((part) => part.text).join('');
    case 'custom_tool_call':
      return item.name + item.input;
    default:
      // Tool outputs are input; a hosted tool's item is the provider's work, not the model's text.
      return '';
  }
}
