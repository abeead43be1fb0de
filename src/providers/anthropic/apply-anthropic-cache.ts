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
          ...turnShape(body, positions, options.capabilities.thinkingKept),
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

/** A user message that is more than tool results: a person (or the app) starts a turn there. */
const startsTurn = (message: AnthropicRequestBody['messages'][number]) =>
  message.role === 'user' && message.content.some((block) => block.type !== 'tool_result');

/**
 * Where the request stands in its turn, for the planner: whether a turn starts with it, where the
 * previous turn started (the newest block of its user message), and whether this turn's thinking
 * leaves the prompt at the next user message. It does when the model strips completed turns'
 * thinking (the catalog's `thinkingKept` is off), or when the completed turns sent here carry none
 * (the reasoning policy keeps it back).
 */
function turnShape(body: AnthropicRequestBody, positions: Position[], thinkingKept: boolean) {
  const last = body.messages.length - 1;
  const turnStart = last >= 0 && startsTurn(body.messages[last]!);
  const currentStart = body.messages.findLastIndex(startsTurn);
  const previousStart = body.messages.slice(0, Math.max(0, currentStart)).findLastIndex(startsTurn);
  const turnAnchor = previousStart < 0 ? -1 : positions.findLastIndex((position) => position.message === previousStart && position.cacheable);
  const thinkingOn = body.thinking !== undefined && body.thinking.type !== 'disabled';
  const earlierThinking = body.messages
    .slice(0, Math.max(0, currentStart))
    .some((message) => message.role === 'assistant' && message.content.some((block) => block.type === 'thinking' || block.type === 'redacted_thinking'));
  return {
    turnStart,
    turnAnchor: turnAnchor < 0 ? null : turnAnchor,
    thinkingEndsWithTurn: thinkingOn && (!thinkingKept || (previousStart >= 0 && !earlierThinking)),
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
