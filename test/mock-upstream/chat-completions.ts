// OpenAI Chat Completions wire (`POST …/chat/completions`), JSON and SSE, plus the quirks of
// OpenAI-compatible vendors (DeepSeek, vLLM, …) that adapters must survive, and DeepSeek's and
// Kimi's rules for `reasoning_content` sent back (findReasoningReplayError), by model name, and the
// model's context window (context-window.ts).

import type { ChatCall, ChatStreamQuirks, ChatToolCall, ChatUsageOverride, Delta } from './chat-completions-shapes.js';
import {
  buildUsage,
  chatThinkingOf,
  completion,
  defaultChunkSize,
  defaultErrorBody,
  findReasoningReplayError,
  missingKeyMessage,
  planChunks,
  textDeltas,
  unparsableBodyMessage,
} from './chat-completions-shapes.js';
import { chatContextError, exceedsWindow } from './context-window.js';
import { findChatContentError } from './file-inputs.js';
import { measureChatPrompt } from './input-tokens.js';
import { findTopLogprobsError } from './logprobs.js';
import type { Route, RouteContext } from './mock-upstream.js';
import { findRetentionError, hashUnits, openAIPartition, retentionOf } from './prompt-cache.js';
import { countTokens, openAiError, sendJson, servedOpenAITier, sleep, splitText, startSse, writeSseEvent } from './wire.js';

export type { ChatStreamQuirks, ChatToolCall, ChatUsage, ChatUsageOverride } from './chat-completions-shapes.js';

/**
 * What the next call to the mock should do. `delayMs` is the pause between SSE events;
 * `afterChunks` counts SSE events written before the failure (0 = right after the headers).
 * Without `text`, the failure scenarios stream the default echo reply.
 */
export type ChatScenario =
  | {
      kind: 'text';
      text: string;
      chunkSize?: number;
      usage?: ChatUsageOverride;
      finishReason?: string;
      quirks?: ChatStreamQuirks;
      delayMs?: number;
    }
  | {
      kind: 'tool_calls';
      calls: ChatToolCall[];
      /** Content streamed before the calls. */
      text?: string;
      /**
       * The thinking before the calls, in each vendor's form: `reasoning_content` (chat), a
       * signed thinking block (Anthropic), a reasoning item with encrypted content (Responses),
       * thought parts and a signed first call (Gemini). Counted as reasoning tokens everywhere.
       * A request that turns thinking off gets none (see each route).
       */
      reasoning?: string;
      /** Anthropic only: a `redacted_thinking` block after the thinking block. */
      redactedThinking?: boolean;
      /** Chat only: DeepSeek and Kimi say `reasoning_content` (the default), vLLM and OpenRouter `reasoning`. */
      field?: 'reasoning_content' | 'reasoning';
      chunkSize?: number;
      argumentChunkSize?: number;
      usage?: ChatUsageOverride;
      delayMs?: number;
    }
  | {
      kind: 'reasoning';
      reasoning: string;
      text: string;
      /** DeepSeek says `reasoning_content`, vLLM ≥ 0.10 and OpenRouter say `reasoning`. */
      field?: 'reasoning_content' | 'reasoning';
      chunkSize?: number;
      usage?: ChatUsageOverride;
      delayMs?: number;
    }
  | {
      kind: 'error';
      status: number;
      /** Sent as JSON; a string is sent verbatim (e.g. a proxy's HTML page). Defaults to OpenAI's envelope. */
      body?: unknown;
      /** Replaces the message of the default body. */
      message?: string;
      headers?: Record<string, string>;
    }
  | {
      kind: 'stream_error';
      afterChunks: number;
      error?: { message?: string; type?: string; code?: string | null; param?: string | null };
      text?: string;
      delayMs?: number;
    }
  | { kind: 'drop'; afterChunks: number; text?: string; delayMs?: number }
  | { kind: 'hang'; afterChunks?: number; text?: string; delayMs?: number }
  | { kind: 'malformed'; stream?: boolean }
  | { kind: 'raw_sse'; lines: string[]; delayMs?: number };

const defaultArgumentChunkSize = 8;

export const chatCompletionsRoutes: Route[] = [
  // Any prefix, so vendor base URLs such as `/v1beta/openai` or `/compatible-mode/v1` work too.
  { handle: handleChatCompletions, matches: (path) => path.endsWith('/chat/completions'), method: 'POST' },
];

async function handleChatCompletions(context: RouteContext): Promise<void> {
  const { record, response } = context;
  const body: unknown = record.body;
  if (!isObject(body)) {
    sendJson(response, 400, openAiError(unparsableBodyMessage, 'invalid_request_error'));
    return;
  }
  const authorization = record.headers['authorization'];
  if (context.requireAuthorization && !(typeof authorization === 'string' && /^Bearer \S/.test(authorization))) {
    sendJson(response, 401, openAiError(missingKeyMessage, 'invalid_request_error'));
    return;
  }
  const retentionError = findRetentionError(body['prompt_cache_retention']);
  if (retentionError) {
    sendJson(response, 400, openAiError(retentionError, 'invalid_request_error', 'invalid_value', 'prompt_cache_retention'));
    return;
  }
  const logprobsError = findTopLogprobsError(body, 'chat');
  if (logprobsError) {
    sendJson(response, logprobsError.status, openAiError(logprobsError.message, 'invalid_request_error', logprobsError.code, logprobsError.param));
    return;
  }
  const contentError = findChatContentError(body);
  if (contentError) {
    sendJson(response, 400, openAiError(contentError.message, 'invalid_request_error', 'invalid_value', contentError.param));
    return;
  }
  // Refused before a scenario is taken, as the vendor refuses it before generating.
  const replayError = findReasoningReplayError(body);
  if (replayError) {
    sendJson(response, 400, openAiError(replayError.message, 'invalid_request_error', replayError.code));
    return;
  }
  const model = typeof body['model'] === 'string' ? body['model'] : 'gpt-mock';
  const prompt = measureChatPrompt(body);
  // Streamed or not, OpenAI refuses a prompt that does not fit with a 400 before anything else.
  const window = context.contextWindow(model);
  if (exceedsWindow(prompt.inputTokens, window)) {
    sendJson(response, 400, chatContextError(prompt.inputTokens, window));
    return;
  }
  // A request that turns thinking off gets no reasoning, whatever the scenario holds.
  const thinking = chatThinkingOf(body);
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const streamOptions = isObject(body['stream_options']) ? body['stream_options'] : {};
  const sequence = context.nextSequence();
  const echo = `echo: ${echoedText(messages)}`;
  const scenario = context.takeScenario() ?? { kind: 'text', text: echo };
  const call: ChatCall = {
    created: Math.floor(Date.now() / 1000),
    serviceTier: servedOpenAITier(body['service_tier']),
    id: `chatcmpl-mock${String(sequence).padStart(6, '0')}`,
    includeUsage: streamOptions['include_usage'] === true,
    model,
    // An error scenario stands for a request refused before the prompt was processed: no cache effect.
    prompt:
      scenario.kind === 'error'
        ? { total: prompt.inputTokens, cached: 0 }
        : context.caches.openai.request({
            ...hashUnits(openAIPartition(body), prompt.units),
            retention: retentionOf(body['prompt_cache_retention']),
            now: context.now(),
          }),
    sequence,
    stream: body['stream'] === true,
    logprobs: body['logprobs'] === true ? { top: typeof body['top_logprobs'] === 'number' ? body['top_logprobs'] : 0 } : null,
  };

  switch (scenario.kind) {
    case 'text': {
      const usage = buildUsage(call.prompt, countTokens(scenario.text), 0, scenario.usage);
      const finishReason = scenario.finishReason ?? 'stop';
      if (!call.stream) {
        const message = { role: 'assistant', content: scenario.text, refusal: null, annotations: [] };
        sendJson(response, 200, completion(call, message, finishReason, scenario.quirks?.noUsage ? undefined : usage));
        return;
      }
      const deltas = textDeltas(scenario.text, scenario.chunkSize, scenario.quirks ?? {});
      await streamChunks(context, planChunks(call, deltas, finishReason, usage, scenario.quirks ?? {}), scenario.delayMs);
      return;
    }
    case 'tool_calls': {
      const calls = scenario.calls.map((toolCall, index) => ({ ...toolCall, id: toolCall.id ?? `call_mock${sequence}_${index}` }));
      const reasoning = thinking.enabled ? scenario.reasoning : undefined;
      const field = scenario.field ?? 'reasoning_content';
      const reasoningTokens = countTokens(reasoning ?? '');
      const generated = (scenario.text ?? '') + calls.map((toolCall) => toolCall.name + toolCall.arguments).join('');
      const usage = buildUsage(call.prompt, reasoningTokens + countTokens(generated), reasoningTokens, scenario.usage);
      if (!call.stream) {
        const toolCalls = calls.map(({ id, name, arguments: args }) => ({ id, type: 'function', function: { name, arguments: args } }));
        const message = {
          role: 'assistant',
          content: scenario.text ?? null,
          ...(reasoning === undefined ? {} : { [field]: reasoning }),
          refusal: null,
          annotations: [],
          tool_calls: toolCalls,
        };
        sendJson(response, 200, completion(call, message, 'tool_calls', usage));
        return;
      }
      const chunkSize = scenario.chunkSize ?? defaultChunkSize;
      // DeepSeek's shape: the role with an empty reasoning, the reasoning, then the calls.
      const deltas: Delta[] =
        reasoning === undefined
          ? []
          : [{ role: 'assistant', content: null, [field]: '' }, ...splitText(reasoning, chunkSize).map((fragment) => ({ content: null, [field]: fragment }))];
      if (scenario.text !== undefined) {
        const text = textDeltas(scenario.text, scenario.chunkSize, {});
        deltas.push(...(reasoning === undefined ? text : text.slice(1).map((delta) => ({ content: delta['content'], [field]: null }))));
      }
      calls.forEach(({ id, name, arguments: args }, index) => {
        deltas.push({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] });
        for (const fragment of splitText(args, scenario.argumentChunkSize ?? defaultArgumentChunkSize)) {
          deltas.push({ tool_calls: [{ index, function: { arguments: fragment } }] });
        }
      });
      // Without text or reasoning OpenAI puts the role on the first call's chunk instead of a chunk of its own.
      if (scenario.text === undefined && reasoning === undefined && deltas[0]) deltas[0] = { role: 'assistant', content: null, ...deltas[0], refusal: null };
      await streamChunks(context, planChunks(call, deltas, 'tool_calls', usage, {}), scenario.delayMs);
      return;
    }
    case 'reasoning': {
      const field = scenario.field ?? 'reasoning_content';
      if (!thinking.enabled) {
        // Thinking turned off: the answer alone, as a text scenario would send it.
        const usage = buildUsage(call.prompt, countTokens(scenario.text), 0, scenario.usage);
        if (!call.stream) {
          sendJson(response, 200, completion(call, { role: 'assistant', content: scenario.text, refusal: null, annotations: [] }, 'stop', usage));
          return;
        }
        await streamChunks(context, planChunks(call, textDeltas(scenario.text, scenario.chunkSize, {}), 'stop', usage, {}), scenario.delayMs);
        return;
      }
      const reasoningTokens = countTokens(scenario.reasoning);
      const usage = buildUsage(call.prompt, reasoningTokens + countTokens(scenario.text), reasoningTokens, scenario.usage);
      if (!call.stream) {
        const message = { role: 'assistant', content: scenario.text, [field]: scenario.reasoning, refusal: null };
        sendJson(response, 200, completion(call, message, 'stop', usage));
        return;
      }
      const chunkSize = scenario.chunkSize ?? defaultChunkSize;
      // DeepSeek's shape: each delta names both fields, the idle one as null.
      const deltas: Delta[] = [
        { role: 'assistant', content: null, [field]: '' },
        ...splitText(scenario.reasoning, chunkSize).map((fragment) => ({ content: null, [field]: fragment })),
        ...splitText(scenario.text, chunkSize).map((fragment) => ({ content: fragment, [field]: null })),
      ];
      await streamChunks(context, planChunks(call, deltas, 'stop', usage, {}), scenario.delayMs);
      return;
    }
    case 'error': {
      const headers = scenario.headers ?? {};
      if (typeof scenario.body === 'string') {
        response.writeHead(scenario.status, { 'content-type': 'text/plain', ...headers });
        response.end(scenario.body);
        return;
      }
      sendJson(response, scenario.status, scenario.body ?? defaultErrorBody(scenario.status, call.model, scenario.message), headers);
      return;
    }
    case 'stream_error': {
      const error = {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
        ...scenario.error,
      };
      // Without a stream to break, the same failure surfaces as an HTTP error.
      if (!call.stream) {
        sendJson(response, 500, { error });
        return;
      }
      const chunks = echoChunks(call, scenario.text ?? echo).slice(0, scenario.afterChunks);
      await streamChunks(context, [...chunks, { error }], scenario.delayMs, false);
      return;
    }
    case 'drop': {
      if (call.stream) {
        const chunks = echoChunks(call, scenario.text ?? echo).slice(0, scenario.afterChunks);
        startSse(response);
        await writeEvents(context, chunks, scenario.delayMs);
      }
      context.dropConnection();
      return;
    }
    case 'hang': {
      if (call.stream && scenario.afterChunks !== undefined) {
        startSse(response);
        await writeEvents(context, echoChunks(call, scenario.text ?? echo).slice(0, scenario.afterChunks), scenario.delayMs);
      }
      // Answer nothing more until the client gives up or the server closes.
      await new Promise<void>((resolve) => {
        if (context.signal.aborted) resolve();
        else context.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return;
    }
    case 'malformed': {
      const truncated = `{"id":"${call.id}","object":"chat.completion${call.stream ? '.chunk' : ''}","choices":[{"index":0,`;
      if (!(scenario.stream ?? call.stream)) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(truncated);
        return;
      }
      await streamChunks(context, [...echoChunks(call, '').slice(0, 1), truncated]);
      return;
    }
    case 'raw_sse': {
      await streamChunks(context, scenario.lines, scenario.delayMs, false);
      return;
    }
  }
}

/** The chunks of a plain echo-style stream, for scenarios that fail part-way through it. */
function echoChunks(call: ChatCall, text: string): Record<string, unknown>[] {
  const usage = buildUsage(call.prompt, countTokens(text), 0);
  return planChunks(call, textDeltas(text, defaultChunkSize, {}), 'stop', usage, {});
}

/** Starts the SSE answer, writes the events and, unless told otherwise, `[DONE]`. */
async function streamChunks(context: RouteContext, events: unknown[], delayMs = 0, done = true): Promise<void> {
  startSse(context.response);
  if (await writeEvents(context, done ? [...events, '[DONE]'] : events, delayMs)) context.response.end();
}

/** Writes events with `delayMs` between them; `false` when the client went away first. */
async function writeEvents(context: RouteContext, events: unknown[], delayMs = 0): Promise<boolean> {
  for (const [index, event] of events.entries()) {
    if (index > 0 && !(await sleep(delayMs, context.signal))) return false;
    if (!writeSseEvent(context.response, typeof event === 'string' ? event : JSON.stringify(event))) return false;
  }
  return true;
}

/** The text of the last user message, string content or its text parts run together. */
function echoedText(messages: unknown[]): string {
  const lastUser = messages.findLast((message) => isObject(message) && message['role'] === 'user');
  return contentText(lastUser);
}

function contentText(message: unknown): string {
  if (!isObject(message)) return '';
  const content = message['content'];
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isObject(part) && part['type'] === 'text' && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
