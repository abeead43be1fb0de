// Anthropic Messages wire (`POST …/v1/messages`), JSON and SSE (`event: <type>\ndata: <json>`).
// It answers the same scenarios as the chat route, so one e2e test can run against either provider.
// Before taking a scenario it refuses what Anthropic refuses: malformed turns (findRequestError), a
// `thinking` configuration the model does not take (findThinkingConfigError), and thinking sent back
// dropped, altered or never issued here (findThinkingReplayError), then a prompt that does not fit the
// model's context window (context-window.ts). `POST …/v1/messages/count_tokens` answers the input
// tokens a create with the same body would report (measureAnthropicPrompt), caching aside. Server-side
// compaction (beta `compact-2026-01-12`, the `compact_20260112` edit) is emulated as described in
// anthropic-compaction.ts.
import { fixtureEvents } from '../fixture-replay.js';
import type { AnthropicCompaction } from './anthropic-compaction.js';
import {
  compactEditOf,
  compactionBlock,
  compactPrompt,
  findCompactionBlockError,
  findContextManagementError,
  usageWithIterations,
} from './anthropic-compaction.js';
import type { AnthropicCall, AnthropicUsage, ContentBlock } from './anthropic-messages-shapes.js';
import {
  anthropicError,
  buildAnthropicUsage,
  closingEvents,
  compactionBlockEvents,
  defaultErrorMessage,
  errorTypeForStatus,
  findCountTokensError,
  findRequestError,
  findThinkingConfigError,
  findThinkingReplayError,
  frame,
  messageObject,
  openingEvents,
  redactedThinkingBlockEvents,
  textBlockEvents,
  thinkingBlockEvents,
  thinkingDisplay,
  toolInput,
  toolUseBlockEvents,
  toStopReason,
} from './anthropic-messages-shapes.js';

import { findAnthropicContextError } from './context-window.js';
import type { MeasuredPrompt } from './input-tokens.js';
import { measureAnthropicPrompt } from './input-tokens.js';
import { remember } from './issued-reasoning.js';
import type { Route, RouteContext } from './mock-upstream.js';
import type { AnthropicPosition, CacheUsage } from './prompt-cache.js';
import { anthropicBreakpoints, anthropicMinCacheTokens, findCacheControlError, hashUnits } from './prompt-cache.js';
import { countTokens, sendJson, sleep, startSse, writeSseEvent } from './wire.js';

const defaultChunkSize = 4;
const defaultArgumentChunkSize = 8;

export const anthropicMessagesRoutes: Route[] = [
  // Any prefix, so a proxy path in front of `/v1/messages` works too.
  { handle: handleMessages, matches: (path) => path.endsWith('/v1/messages'), method: 'POST' },
  { handle: handleCountTokens, matches: (path) => path.endsWith('/v1/messages/count_tokens'), method: 'POST' },
];

// Count calls take no number from the id sequence, so a create's ids do not depend on the counts before it.
const countRequestId = 'req_mockcount';

/**
 * Reads an Anthropic `*.chunks.txt` fixture (SSE text, events separated by blank lines, `#` lines
 * skipped) into whole `event:`/`data:` events, ready for a `raw_sse` scenario.
 */
export function loadAnthropicFixture(path: string | URL): string[] {
  return fixtureEvents(path);
}

/**
 * `POST /v1/messages/count_tokens`: `{"input_tokens": N}`, N being what a create with the same body
 * reports as input (uncached, cache reads and cache writes together), so `cache_control` markers do
 * not change it. It checks what a create checks of the prompt, refuses create-only fields such as
 * `max_tokens` and `stream`, and never takes a scenario nor touches the prompt cache. Compaction
 * blocks sent back prune what comes before them as on a create; with `context_management` in the
 * body (beta) it also answers `context_management.original_input_tokens`, the count before that
 * pruning. It never compacts.
 */
async function handleCountTokens(context: RouteContext): Promise<void> {
  const headers = { 'request-id': countRequestId };
  const reject = rejecter(context, countRequestId, headers);
  const body = checkedBody(context, reject);
  if (!body) return;
  const betas = String(context.record.headers['anthropic-beta'] ?? '').split(',');
  const requestError = findCountTokensError(body) ?? findContextManagementError(body, betas) ?? findCompactionBlockError(body);
  if (requestError) {
    reject(400, requestError);
    return;
  }
  const prompt = measureAnthropicPrompt(body);
  const cacheControlError = findCacheControlError(prompt.units);
  if (cacheControlError) {
    reject(400, cacheControlError);
    return;
  }
  const managed = isObject(body['context_management'])
    ? { context_management: { original_input_tokens: measureAnthropicPrompt(body, { compacted: false }).inputTokens } }
    : {};
  sendJson(context.response, 200, { input_tokens: prompt.inputTokens, ...managed }, headers);
}

type Reject = (status: number, message: string) => void;

/** Answers Anthropic's error envelope with the call's request id. */
function rejecter(context: RouteContext, requestId: string, headers: Record<string, string>): Reject {
  return (status, message) => sendJson(context.response, status, anthropicError(errorTypeForStatus(status), message, requestId), headers);
}

/** The JSON body once the checks every route makes pass (body, key, version), else undefined after refusing. */
function checkedBody(context: RouteContext, reject: Reject): Record<string, unknown> | undefined {
  const { record } = context;
  const body: unknown = record.body;
  if (!isObject(body)) {
    reject(400, 'There was an issue with the request body: it is not valid JSON.');
    return undefined;
  }
  if (context.requireAuthorization && typeof record.headers['x-api-key'] !== 'string') {
    reject(401, 'x-api-key header is required');
    return undefined;
  }
  if (typeof record.headers['anthropic-version'] !== 'string') {
    reject(400, 'anthropic-version: header is required');
    return undefined;
  }
  return body;
}

async function handleMessages(context: RouteContext): Promise<void> {
  const { record, response } = context;
  const sequence = context.nextSequence();
  const requestId = `req_mock${String(sequence).padStart(6, '0')}`;
  const headers = { 'request-id': requestId };
  const reject = rejecter(context, requestId, headers);
  const body = checkedBody(context, reject);
  if (!body) return;
  const betas = String(record.headers['anthropic-beta'] ?? '').split(',');
  const issued = context.issued.anthropic;
  const requestError =
    findRequestError(body) ??
    findContextManagementError(body, betas) ??
    findCompactionBlockError(body) ??
    findThinkingConfigError(body, betas) ??
    findThinkingReplayError(body, issued);
  if (requestError) {
    reject(400, requestError);
    return;
  }
  const prompt = measureAnthropicPrompt(body);
  const cacheControlError = findCacheControlError(prompt.units);
  if (cacheControlError) {
    reject(400, cacheControlError);
    return;
  }
  const model = body['model'] as string;
  const contextError = findAnthropicContextError(prompt.inputTokens, body['max_tokens'] as number, context.contextWindow(model));
  if (contextError) {
    reject(400, contextError);
    return;
  }

  const messages = body['messages'] as unknown[];
  const echo = `echo: ${echoedText(messages)}`;
  const scenario = context.takeScenario() ?? { kind: 'text', text: echo };
  const edit = compactEditOf(body);
  // Only an answer compacts; the failure scenarios play as they do without compaction.
  const answers = scenario.kind === 'text' || scenario.kind === 'tool_calls' || scenario.kind === 'reasoning';
  const compaction = edit && answers && prompt.inputTokens > edit.trigger ? compactPrompt(body, prompt.units) : null;
  const call: AnthropicCall = {
    id: `msg_mock${String(sequence).padStart(6, '0')}`,
    model,
    // An error scenario stands for a request refused before the prompt was processed: no cache effect.
    // A compacting request's message pass reads the summary, uncached (anthropic-compaction.ts).
    input: scenario.kind === 'error' ? uncached(prompt) : compaction ? uncachedTokens(compaction.contextTokens) : promptCache(context, model, prompt.units),
    sequence,
    stream: body['stream'] === true,
  };
  // The usage as answered: with iterations once a compaction edit is configured.
  const finalUsage = (usage: AnthropicUsage): AnthropicUsage => (edit ? usageWithIterations(usage, compaction, false) : usage);
  const leading: PlannedBlock[] = compaction ? [{ type: 'compaction', content: compaction.summary }] : [];

  if (compaction && edit?.pauseAfterCompaction) {
    await answerPause(context, call, compaction, headers);
    return;
  }

  switch (scenario.kind) {
    case 'text': {
      const usage = finalUsage(buildAnthropicUsage(call.input, countTokens(scenario.text), scenario.usage));
      const stopReason = toStopReason(scenario.finishReason ?? 'stop');
      if (!call.stream) {
        const content = [...leading.map(blockJson), ...(scenario.text === '' ? [] : [{ type: 'text', text: scenario.text }])];
        sendJson(response, 200, messageObject(call, content, stopReason, usage), headers);
        return;
      }
      const chunkSizes = { text: scenario.chunkSize ?? defaultChunkSize, arguments: defaultArgumentChunkSize };
      const events = [
        ...openingEvents(call, usage),
        ...leading.flatMap((block, index) => blockEvents(block, index, chunkSizes)),
        ...textBlockEvents(leading.length, scenario.text, chunkSizes.text),
        ...closingEvents(stopReason, usage),
      ];
      await streamEvents(context, events, headers, scenario.delayMs);
      return;
    }
    case 'tool_calls':
    case 'reasoning': {
      const chunkSizes = {
        text: scenario.chunkSize ?? defaultChunkSize,
        arguments: (scenario.kind === 'tool_calls' && scenario.argumentChunkSize) || defaultArgumentChunkSize,
      };
      const blocks: PlannedBlock[] = [...leading];
      const reasoning = scenario.reasoning;
      // Thinking shows unless the request turned it off; `display: 'omitted'` empties its text, not its signature.
      const display = thinkingDisplay(body);
      if (reasoning !== undefined && display !== null) {
        // Deterministic, so a test can assert the exact signature replayed on the next call.
        const thinking = { type: 'thinking' as const, thinking: display === 'omitted' ? '' : reasoning, signature: `sig_${sequence}` };
        remember(issued.signatures, thinking.signature, thinking.thinking);
        blocks.push(thinking);
      }
      if (scenario.kind === 'tool_calls' && scenario.redactedThinking && display !== null) {
        const data = Buffer.from(`mock-redacted-thinking:${call.id}`).toString('base64');
        issued.redacted.add(data);
        blocks.push({ type: 'redacted_thinking', data });
      }
      if (scenario.text !== undefined) blocks.push({ type: 'text', text: scenario.text });
      const calls =
        scenario.kind === 'tool_calls' ? scenario.calls.map((toolCall, index) => ({ ...toolCall, id: toolCall.id ?? `toolu_mock${sequence}_${index}` })) : [];
      blocks.push(...calls.map(({ id, name, arguments: args }) => ({ type: 'tool_use' as const, id, name, arguments: args })));
      // A scenario may give two answers the same call id: the latest answer decides. The answer
      // opens after its compaction block, if it compacted.
      const opening = blocks.find((block) => block.type !== 'compaction');
      const openedWithThinking = opening?.type === 'thinking' || opening?.type === 'redacted_thinking';
      for (const { id } of calls) {
        if (openedWithThinking) issued.openedWithThinking.add(id);
        else issued.openedWithThinking.delete(id);
      }

      // Thinking is billed as output whether or not its text is shown.
      const generated = (scenario.text ?? '') + calls.map((toolCall) => toolCall.name + toolCall.arguments).join('');
      const thinkingTokens = reasoning !== undefined && display !== null ? countTokens(reasoning) : 0;
      const usage = finalUsage(buildAnthropicUsage(call.input, thinkingTokens + countTokens(generated), scenario.usage));
      const stopReason = scenario.kind === 'tool_calls' ? 'tool_use' : 'end_turn';
      if (!call.stream) {
        sendJson(response, 200, messageObject(call, blocks.map(blockJson), stopReason, usage), headers);
        return;
      }
      const events = [
        ...openingEvents(call, usage),
        ...blocks.flatMap((block, index) => blockEvents(block, index, chunkSizes)),
        ...closingEvents(stopReason, usage),
      ];
      await streamEvents(context, events, headers, scenario.delayMs);
      return;
    }
    case 'error': {
      const errorHeaders = { ...headers, ...scenario.headers };
      if (typeof scenario.body === 'string') {
        response.writeHead(scenario.status, { 'content-type': 'text/plain', ...errorHeaders });
        response.end(scenario.body);
        return;
      }
      const message = scenario.message ?? defaultErrorMessage(scenario.status, call.model);
      sendJson(response, scenario.status, scenario.body ?? anthropicError(errorTypeForStatus(scenario.status), message, requestId), errorHeaders);
      return;
    }
    case 'stream_error': {
      const type = scenario.error?.type ?? 'overloaded_error';
      const error = anthropicError(type, scenario.error?.message ?? 'Overloaded');
      // Without a stream to break, the same failure surfaces as an HTTP error.
      if (!call.stream) {
        sendJson(response, type === 'overloaded_error' ? 529 : 500, { ...error, request_id: requestId }, headers);
        return;
      }
      const events = echoEvents(call, scenario.text ?? echo).slice(0, scenario.afterChunks);
      await streamEvents(context, [...events, frame(error)], headers, scenario.delayMs);
      return;
    }
    case 'drop': {
      if (call.stream) {
        startSse(response, headers);
        await writeEvents(context, echoEvents(call, scenario.text ?? echo).slice(0, scenario.afterChunks), scenario.delayMs);
      }
      context.dropConnection();
      return;
    }
    case 'hang': {
      if (call.stream && scenario.afterChunks !== undefined) {
        startSse(response, headers);
        await writeEvents(context, echoEvents(call, scenario.text ?? echo).slice(0, scenario.afterChunks), scenario.delayMs);
      }
      // Answer nothing more until the client gives up or the server closes.
      await new Promise<void>((resolve) => {
        if (context.signal.aborted) resolve();
        else context.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return;
    }
    case 'malformed': {
      const truncated = `{"type":"content_block_start","index":0,"content_block":{"type":"text",`;
      if (!(scenario.stream ?? call.stream)) {
        response.writeHead(200, { 'content-type': 'application/json', ...headers });
        response.end(`{"id":"${call.id}","type":"message","content":[`);
        return;
      }
      const [messageStart = ''] = echoEvents(call, '');
      await streamEvents(context, [messageStart, `event: content_block_start\ndata: ${truncated}`], headers);
      return;
    }
    case 'raw_sse': {
      await streamEvents(context, scenario.lines, headers, scenario.delayMs);
      return;
    }
  }
}

/**
 * The answer of a request that compacted with `pause_after_compaction`: the compaction block alone,
 * `stop_reason: 'compaction'`, top-level usage zero and the compaction pass in `iterations`.
 */
async function answerPause(context: RouteContext, call: AnthropicCall, compaction: AnthropicCompaction, headers: Record<string, string>): Promise<void> {
  const usage = usageWithIterations(buildAnthropicUsage(call.input, 0), compaction, true);
  if (!call.stream) {
    sendJson(context.response, 200, messageObject(call, [compactionBlock(compaction.summary)], 'compaction', usage), headers);
    return;
  }
  await streamEvents(context, [...openingEvents(call, usage), ...compactionBlockEvents(0, compaction.summary), ...closingEvents('compaction', usage)], headers);
}

/** One content block of an answer, before it is written as JSON or as stream events. */
type PlannedBlock =
  | { type: 'compaction'; content: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; arguments: string };

function blockJson(block: PlannedBlock): ContentBlock {
  if (block.type === 'compaction') return compactionBlock(block.content);
  if (block.type !== 'tool_use') return block;
  return { type: 'tool_use', id: block.id, name: block.name, input: toolInput(block.arguments) };
}

function blockEvents(block: PlannedBlock, index: number, chunkSizes: { text: number; arguments: number }): string[] {
  switch (block.type) {
    case 'compaction':
      return compactionBlockEvents(index, block.content);
    case 'thinking':
      return thinkingBlockEvents(index, block.thinking, block.signature, chunkSizes.text);
    case 'redacted_thinking':
      return redactedThinkingBlockEvents(index, block.data);
    case 'text':
      return textBlockEvents(index, block.text, chunkSizes.text);
    case 'tool_use':
      return toolUseBlockEvents(index, block.id, block.name, block.arguments, chunkSizes.arguments);
  }
}

/** Reads and writes the server's Anthropic cache at the request's breakpoints. */
function promptCache(context: RouteContext, model: string, positions: AnthropicPosition[]): CacheUsage {
  return context.caches.anthropic.request({
    ...hashUnits(`anthropic:${model}`, positions),
    breakpoints: anthropicBreakpoints(positions),
    minTokens: context.cacheMinTokens ?? anthropicMinCacheTokens(model),
    now: context.now(),
  });
}

function uncached(prompt: MeasuredPrompt): CacheUsage {
  return uncachedTokens(prompt.inputTokens);
}

function uncachedTokens(tokens: number): CacheUsage {
  return { read: 0, write5m: 0, write1h: 0, uncached: tokens };
}

/** The events of a plain echo-style stream, for scenarios that fail part-way through it. */
function echoEvents(call: AnthropicCall, text: string): string[] {
  const usage = buildAnthropicUsage(call.input, countTokens(text));
  return [...openingEvents(call, usage), ...textBlockEvents(0, text, defaultChunkSize), ...closingEvents('end_turn', usage)];
}

/** Starts the SSE answer, writes the events and ends it (Anthropic sends no terminator after message_stop). */
async function streamEvents(context: RouteContext, events: string[], headers: Record<string, string>, delayMs = 0): Promise<void> {
  startSse(context.response, headers);
  if (await writeEvents(context, events, delayMs)) context.response.end();
}

/** Writes events, one `write()` each, with `delayMs` between them; `false` when the client went away first. */
async function writeEvents(context: RouteContext, events: string[], delayMs = 0): Promise<boolean> {
  for (const [index, event] of events.entries()) {
    if (index > 0 && !(await sleep(delayMs, context.signal))) return false;
    if (!writeSseEvent(context.response, event)) return false;
  }
  return true;
}

/** The text of the last user message that has any (a tool-result-only message is skipped, like chat's `tool` role). */
function echoedText(messages: unknown[]): string {
  const texts = messages.filter((message) => isObject(message) && message['role'] === 'user').map(messageText);
  return texts.findLast((text) => text !== '') ?? '';
}

/** Text of string content or of the `text` blocks of a block array. */
function messageText(message: unknown): string {
  const content = isObject(message) ? message['content'] : undefined;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block: unknown) => (isObject(block) && block['type'] === 'text' && typeof block['text'] === 'string' ? block['text'] : '')).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
