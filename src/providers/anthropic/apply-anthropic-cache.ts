import { type AdapterCachePlan, type CacheBreakpoint, DEFAULT_CHARS_PER_TOKEN, type PromptBlock } from '../../caching/cache-types.js';
import { type CacheSettings, planCache, plansBreakpoints } from '../../caching/plan-cache.js';
import type { AnthropicCacheControl, AnthropicRequestBody } from './anthropic.api.js';

type Marked = { cache_control?: AnthropicCacheControl };

interface Position {
  target: Marked;
  chars: number;
  cacheable: boolean;
  message: number | null;
}

/**
 * Plans and places `cache_control` breakpoints on an Anthropic request body (mutating it) and
 * returns the plan. Positions follow Anthropic's processing order: tools, system blocks, then each
 * content block of each message. Markers already on message blocks are the client's
 * (`prompt_cache_breakpoint`): the planner keeps the newest ones and gives them the thread's TTL;
 * the others are removed, as is every marker when caching is off. The previous request's tail is
 * found from the shape of the history: the last block of the message before the last assistant
 * reply, which is where that request's newest block was.
 */
export function applyAnthropicCache(body: AnthropicRequestBody, options: CacheSettings | null): AdapterCachePlan {
  const planning = options !== null && plansBreakpoints(options);
  if (planning && typeof body.system === 'string') body.system = [{ type: 'text', text: body.system }];

  const positions: Position[] = [];
  const push = (target: object, cacheable: boolean, message: number | null) =>
    positions.push({ target: target as Marked, chars: measure(target), cacheable, message });
  for (const tool of body.tools ?? []) push(tool, true, null);
  if (Array.isArray(body.system)) for (const block of body.system) push(block, block.text !== '', null);
  else if (body.system) push({ text: body.system }, true, null);
  body.messages.forEach((message, index) => {
    for (const block of message.content) {
      // Thinking and a server tool's blocks take no cache_control of their own; the next block marks them.
      const cacheable =
        block.type !== 'thinking' &&
        block.type !== 'redacted_thinking' &&
        block.type !== 'server_tool_use' &&
        block.type !== 'web_search_tool_result' &&
        !(block.type === 'text' && block.text === '');
      push(block, cacheable, index);
    }
  });

  const charsPerToken = options?.charsPerToken ?? DEFAULT_CHARS_PER_TOKEN;
  const blocks: PromptBlock[] = positions.map(({ target, chars, cacheable }) => ({
    tokens: estimateTokens(target, chars, charsPerToken),
    cacheable,
    ...(target.cache_control ? { client: true } : {}),
  }));
  const breakpoints: CacheBreakpoint[] =
    planning && options
      ? planCache({
          blocks,
          prefixEnd: positions.findLastIndex((position) => position.message === null),
          previousTail: findPreviousTail(body, positions),
          ...options,
        })
      : [];
  for (const position of positions) delete position.target.cache_control;
  for (const breakpoint of breakpoints) {
    positions[breakpoint.index]!.target.cache_control = breakpoint.ttl === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' };
  }
  const flat = positions.filter((position) => isFlat(position.target));
  return {
    promptChars: positions.reduce((sum, position) => sum + (isFlat(position.target) ? 0 : position.chars), 0),
    estimatedTokens: blocks.reduce((sum, block) => sum + block.tokens, 0),
    fixedTokens: flat.length * FLAT_TOKENS,
    breakpoints,
  };
}

function findPreviousTail(body: AnthropicRequestBody, positions: Position[]): number | null {
  const lastAssistant = body.messages.findLastIndex((message) => message.role === 'assistant');
  if (lastAssistant < 1) return null;
  const index = positions.findLastIndex((position) => position.message === lastAssistant - 1 && position.cacheable);
  return index === -1 ? null : index;
}

/** The block as sent, without a marker (markers move between turns; the content is what is billed). */
function measure(block: object): number {
  const { cache_control: _marker, ...content } = block as Marked & Record<string, unknown>;
  return JSON.stringify(content).length;
}

/** What Anthropic bills for a typical image or document page, whatever its base64 length. */
const FLAT_TOKENS = 1_600;

function isFlat(block: object): boolean {
  const { type, source } = block as { type?: string; source?: { type?: string } };
  // A plain-text document is billed as its text.
  return type === 'image' || (type === 'document' && source?.type !== 'text');
}

/** Close enough to decide thresholds. */
function estimateTokens(block: object, chars: number, charsPerToken: number): number {
  return isFlat(block) ? FLAT_TOKENS : Math.ceil(chars / charsPerToken);
}
