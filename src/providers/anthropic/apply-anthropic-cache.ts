import type { CacheBreakpoint, PromptBlock } from '../../caching/cache-types.js';
import { type CacheSettings, planCache, plansBreakpoints } from '../../caching/plan-cache.js';
import type { AnthropicRequestBody } from './anthropic.api.js';

type Marked = { cache_control?: { type: 'ephemeral'; ttl?: '1h' } };

interface Position {
  target: Marked;
  tokens: number;
  cacheable: boolean;
  message: number | null;
}

/**
 * Plans and places `cache_control` breakpoints on an Anthropic request body (mutating it) and
 * returns the plan. Positions follow Anthropic's processing order: tools, system blocks, then each
 * content block of each message. The previous request's tail is found from the shape of the
 * history: the last block of the message before the last assistant reply, which is where that
 * request's newest block was.
 */
export function applyAnthropicCache(body: AnthropicRequestBody, options: CacheSettings): CacheBreakpoint[] {
  if (!plansBreakpoints(options)) return [];
  if (typeof body.system === 'string') body.system = [{ type: 'text', text: body.system }];

  const positions: Position[] = [];
  const push = (target: object, cacheable: boolean, message: number | null) =>
    positions.push({ target: target as Marked, tokens: estimateTokens(target), cacheable, message });
  for (const tool of body.tools ?? []) push(tool, true, null);
  for (const block of body.system ?? []) push(block, block.text !== '', null);
  body.messages.forEach((message, index) => {
    for (const block of message.content) {
      const cacheable = block.type !== 'thinking' && block.type !== 'redacted_thinking' && !(block.type === 'text' && block.text === '');
      push(block, cacheable, index);
    }
  });

  const blocks: PromptBlock[] = positions.map(({ target, tokens, cacheable }) => ({
    tokens,
    cacheable,
    ...(target.cache_control ? { clientTtl: target.cache_control.ttl === '1h' ? ('1h' as const) : ('5m' as const) } : {}),
  }));
  const plan = planCache({
    blocks,
    prefixEnd: positions.findLastIndex((position) => position.message === null),
    previousTail: findPreviousTail(body, positions),
    ...options,
  });
  for (const breakpoint of plan) {
    if (breakpoint.reason === 'client') continue;
    positions[breakpoint.index]!.target.cache_control = breakpoint.ttl === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' };
  }
  return plan;
}

function findPreviousTail(body: AnthropicRequestBody, positions: Position[]): number | null {
  const lastAssistant = body.messages.findLastIndex((message) => message.role === 'assistant');
  if (lastAssistant < 1) return null;
  const index = positions.findLastIndex((position) => position.message === lastAssistant - 1 && position.cacheable);
  return index === -1 ? null : index;
}

/**
 * Close enough to decide thresholds: about 4 characters of JSON per token for English text and
 * code; images count what Anthropic bills for a typical one.
 */
function estimateTokens(block: object): number {
  const { type } = block as { type?: string };
  if (type === 'image' || type === 'document') return 1_600;
  return Math.ceil(JSON.stringify(block).length / 4);
}
