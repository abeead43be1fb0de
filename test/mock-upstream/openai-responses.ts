import { fixtureEvents } from '../fixture-replay.js';
import { defaultChunkSize, defaultErrorBody, missingKeyMessage, unparsableBodyMessage } from './chat-completions-shapes.js';
import { exceedsWindow, responsesContextError, responsesContextExceededMessage } from './context-window.js';
import { measureResponsesPrompt } from './input-tokens.js';
import { findTopLogprobsError } from './logprobs.js';
import type { Route, RouteContext, Scenario } from './mock-upstream.js';
import type { ResponsesCompaction } from './openai-compaction.js';
import { compactedOutput, compactInput, compactThresholdOf, endsWithTrigger, findContextManagementError, findTriggerBudgetError } from './openai-compaction.js';
import type { InputTokens, OutputPlan, ResponsesCall, ResponsesEvent, Terminal } from './openai-responses-shapes.js';
import {
  buildResponsesUsage,
  echoedSettings,
  encryptedContent,
  findInputError,
  findItemsError,
  isObject,
  planResponse,
  reasoningId,
  reasoningOutput,
  responseSnapshot,
} from './openai-responses-shapes.js';
import { findRetentionError, hashUnits, openAIPartition, retentionOf } from './prompt-cache.js';
import { countTokens, openAiError, sendJson, sleep, startSse, writeSseEvent } from './wire.js';

export type { ResponsesUsage } from './openai-responses-shapes.js';

const defaultArgumentChunkSize = 8;

export const openAIResponsesRoutes: Route[] = [
  // Any prefix, so Azure's `/openai/v1/responses` and proxy paths work too.
  { handle: handleResponses, matches: (path) => path.endsWith('/v1/responses'), method: 'POST' },
  { handle: handleInputTokens, matches: (path) => path.endsWith('/v1/responses/input_tokens'), method: 'POST' },
  { handle: handleCompact, matches: (path) => path.endsWith('/v1/responses/compact'), method: 'POST' },
];

/**
 * Reads a Responses `*.chunks.txt` fixture (SSE text, `event:`/`data:` pairs separated by blank
 * lines, `#` lines skipped) into whole events, ready for a `raw_sse` scenario.
 */
export function loadResponsesFixture(path: string | URL): string[] {
  return fixtureEvents(path);
}

/**
 * `POST /v1/responses/input_tokens`: `{"object":"response.input_tokens","input_tokens":N}` for the
 * body of a create, N being the `usage.input_tokens` that create would report (cached tokens are
 * part of it, so `prompt_cache_key` and the cache change nothing). It checks the input items as a
 * create does, but not `store` (counting stores nothing), and never takes a scenario nor touches
 * the prompt cache.
 */
async function handleInputTokens(context: RouteContext): Promise<void> {
  const { response } = context;
  const body = checkedBody(context);
  if (!body) return;
  const inputError = findItemsError(body['input'], context.issued.openaiEncrypted);
  if (inputError) {
    sendJson(response, inputError.status, openAiError(inputError.message, 'invalid_request_error', inputError.code, inputError.param));
    return;
  }
  sendJson(response, 200, { object: 'response.input_tokens', input_tokens: measureResponsesPrompt(body).inputTokens });
}

/** The JSON body once it parses and the key is there (when required), else undefined after refusing. */
function checkedBody(context: RouteContext): Record<string, unknown> | undefined {
  const { record, response } = context;
  const body: unknown = record.body;
  if (!isObject(body)) {
    sendJson(response, 400, openAiError(unparsableBodyMessage, 'invalid_request_error'));
    return undefined;
  }
  const authorization = record.headers['authorization'];
  if (context.requireAuthorization && !(typeof authorization === 'string' && /^Bearer \S/.test(authorization))) {
    sendJson(response, 401, openAiError(missingKeyMessage, 'invalid_request_error'));
    return undefined;
  }
  return body;
}

async function handleResponses(context: RouteContext): Promise<void> {
  const { response } = context;
  const body = checkedBody(context);
  if (!body) return;
  const inputError =
    findContextManagementError(body['context_management']) ?? findInputError(body, context.issued.openaiEncrypted) ?? findTriggerBudgetError(body);
  if (inputError) {
    sendJson(response, inputError.status, openAiError(inputError.message, 'invalid_request_error', inputError.code, inputError.param));
    return;
  }
  const retentionError = findRetentionError(body['prompt_cache_retention']);
  if (retentionError) {
    sendJson(response, 400, openAiError(retentionError, 'invalid_request_error', 'invalid_value', 'prompt_cache_retention'));
    return;
  }
  const logprobsError = findTopLogprobsError(body, 'responses');
  if (logprobsError) {
    sendJson(response, logprobsError.status, openAiError(logprobsError.message, 'invalid_request_error', logprobsError.code, logprobsError.param));
    return;
  }

  const model = typeof body['model'] === 'string' ? body['model'] : 'gpt-mock';
  const prompt = measureResponsesPrompt(body);
  const window = context.contextWindow(model);
  const overflows = exceedsWindow(prompt.inputTokens, window);
  if (overflows && body['stream'] !== true) {
    sendJson(response, 400, responsesContextError());
    return;
  }

  const sequence = context.nextSequence();
  const include = Array.isArray(body['include']) ? body['include'] : [];
  const streamOptions = isObject(body['stream_options']) ? body['stream_options'] : {};
  const call: ResponsesCall = {
    createdAt: Math.floor(Date.now() / 1000),
    echo: echoedSettings({ ...body, model }),
    id: `resp_mock${String(sequence).padStart(6, '0')}`,
    includeEncryptedReasoning: include.includes('reasoning.encrypted_content'),
    logprobs: include.includes('message.output_text.logprobs') ? { top: typeof body['top_logprobs'] === 'number' ? body['top_logprobs'] : 0 } : null,
    model,
    obfuscation: streamOptions['include_obfuscation'] !== false,
    sequence,
    stream: body['stream'] === true,
  };
  // A stream has started (200, created, in_progress) by the time OpenAI finds the prompt too long.
  if (overflows) {
    await streamEvents(context, contextExceededEvents(call));
    return;
  }
  const echo = `echo: ${echoedText(body['input'])}`;
  const scenario = context.takeScenario() ?? { kind: 'text', text: echo };
  // An error scenario stands for a request refused before the prompt was processed: no cache effect.
  const inputTokens: InputTokens =
    scenario.kind === 'error'
      ? { total: prompt.inputTokens, cached: 0 }
      : context.caches.openai.request({
          ...hashUnits(openAIPartition(body), prompt.units),
          retention: retentionOf(body['prompt_cache_retention']),
          now: context.now(),
        });
  // Only an answer compacts; the failure scenarios play as they do without compaction.
  const compaction = answers(scenario) ? compactionOf(body, prompt.inputTokens, window, sequence) : null;
  // The compaction item leads the output; its summary counts as output.
  const leading: OutputPlan[] = compaction ? [{ kind: 'compaction', id: compaction.id, encryptedContent: compaction.encryptedContent }] : [];
  const summaryTokens = compaction?.summaryTokens ?? 0;

  // A compaction trigger asked for the compaction alone: the scenario's answer is not played.
  if (compaction?.only) {
    const usage = buildResponsesUsage(inputTokens, summaryTokens, 0);
    await answer(context, call, planResponse(call, leading, { status: 'completed' }, usage), 'delayMs' in scenario ? scenario.delayMs : undefined);
    return;
  }

  switch (scenario.kind) {
    case 'text': {
      const terminal = terminalFor(scenario.finishReason);
      const outputs: OutputPlan[] = [
        ...leading,
        {
          kind: 'message',
          text: scenario.text,
          chunkSize: scenario.chunkSize ?? defaultChunkSize,
          status: terminal.status === 'completed' ? 'completed' : 'incomplete',
        },
      ];
      // Of the chat quirks only `noUsage` means something here; the others shape chat chunks.
      const usage = scenario.quirks?.noUsage ? null : buildResponsesUsage(inputTokens, summaryTokens + countTokens(scenario.text), 0, scenario.usage);
      await answer(context, call, planResponse(call, outputs, terminal, usage), scenario.delayMs);
      return;
    }
    case 'tool_calls': {
      const chunkSize = scenario.chunkSize ?? defaultChunkSize;
      const reasoning = shownReasoning(context, call, body, scenario.reasoning, chunkSize);
      const outputs: OutputPlan[] = [...leading, ...(reasoning ? [reasoning.plan] : [])];
      if (scenario.text !== undefined) outputs.push({ kind: 'message', text: scenario.text, chunkSize, status: 'completed' });
      const customTools = customToolNames(body);
      scenario.calls.forEach((toolCall, index) => {
        const callId = toolCall.id ?? `call_mock${sequence}_${index}`;
        const argumentChunkSize = scenario.argumentChunkSize ?? defaultArgumentChunkSize;
        // A call of a declared custom tool is a custom_tool_call; its input is the `input` of the
        // scenario's arguments, so one scenario serves every wire (elsewhere the tool is a function).
        outputs.push(
          customTools.has(toolCall.name)
            ? { kind: 'custom_tool_call', callId, name: toolCall.name, input: customInput(toolCall.arguments), argumentChunkSize }
            : { kind: 'function_call', callId, name: toolCall.name, arguments: toolCall.arguments, argumentChunkSize },
        );
      });
      const generated = (scenario.text ?? '') + scenario.calls.map((toolCall) => toolCall.name + toolCall.arguments).join('');
      const reasoningTokens = reasoning?.tokens ?? 0;
      const usage = buildResponsesUsage(inputTokens, summaryTokens + reasoningTokens + countTokens(generated), reasoningTokens, scenario.usage);
      await answer(context, call, planResponse(call, outputs, { status: 'completed' }, usage), scenario.delayMs);
      return;
    }
    case 'reasoning': {
      const chunkSize = scenario.chunkSize ?? defaultChunkSize;
      const reasoning = shownReasoning(context, call, body, scenario.reasoning, chunkSize);
      const outputs: OutputPlan[] = [
        ...leading,
        ...(reasoning ? [reasoning.plan] : []),
        { kind: 'message', text: scenario.text, chunkSize, status: 'completed' },
      ];
      const reasoningTokens = reasoning?.tokens ?? 0;
      const usage = buildResponsesUsage(inputTokens, summaryTokens + reasoningTokens + countTokens(scenario.text), reasoningTokens, scenario.usage);
      await answer(context, call, planResponse(call, outputs, { status: 'completed' }, usage), scenario.delayMs);
      return;
    }
    case 'error': {
      sendErrorScenario(context, scenario, call.model);
      return;
    }
    case 'stream_error': {
      const error = {
        code: scenario.error?.code ?? 'server_error',
        message: scenario.error?.message ?? 'The server had an error while processing your request. Sorry about that!',
      };
      // Without a stream to break, the same failure surfaces as an HTTP error.
      if (!call.stream) {
        sendJson(
          response,
          500,
          openAiError(error.message, scenario.error?.type ?? 'server_error', scenario.error?.code ?? null, scenario.error?.param ?? null),
        );
        return;
      }
      const events = echoEvents(call, scenario.text ?? echo, inputTokens).slice(0, scenario.afterChunks);
      events.push({ type: 'response.failed', response: responseSnapshot(call, { status: 'failed', error }) });
      await streamEvents(context, events, scenario.delayMs);
      return;
    }
    case 'drop': {
      if (call.stream) {
        startSse(response);
        await writeEvents(context, echoEvents(call, scenario.text ?? echo, inputTokens).slice(0, scenario.afterChunks), scenario.delayMs);
      }
      context.dropConnection();
      return;
    }
    case 'hang': {
      if (call.stream && scenario.afterChunks !== undefined) {
        startSse(response);
        await writeEvents(context, echoEvents(call, scenario.text ?? echo, inputTokens).slice(0, scenario.afterChunks), scenario.delayMs);
      }
      // Answer nothing more until the client gives up or the server closes.
      await new Promise<void>((resolve) => {
        if (context.signal.aborted) resolve();
        else context.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return;
    }
    case 'malformed': {
      const truncated = `{"id":"${call.id}","object":"response","created_at":${call.createdAt},"status":`;
      if (!(scenario.stream ?? call.stream)) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(truncated);
        return;
      }
      const [created] = echoEvents(call, '', inputTokens);
      await streamEvents(context, [created!, `event: response.in_progress\ndata: {"type":"response.in_progress","sequence_number":1,"response":${truncated}`]);
      return;
    }
    case 'raw_sse': {
      await streamEvents(context, scenario.lines, scenario.delayMs);
      return;
    }
  }
}

/** An `error` scenario's answer: its body (text or JSON, OpenAI's default for the status without one). */
function sendErrorScenario(context: RouteContext, scenario: Extract<Scenario, { kind: 'error' }>, model: string): void {
  const headers = scenario.headers ?? {};
  if (typeof scenario.body === 'string') {
    context.response.writeHead(scenario.status, { 'content-type': 'text/plain', ...headers });
    context.response.end(scenario.body);
    return;
  }
  sendJson(context.response, scenario.status, scenario.body ?? defaultErrorBody(scenario.status, model, scenario.message), headers);
}

/** True for the scenarios that answer (text, tool calls, reasoning), as opposed to failing. */
function answers(scenario: Scenario): boolean {
  return scenario.kind === 'text' || scenario.kind === 'tool_calls' || scenario.kind === 'reasoning';
}

/**
 * The compaction a create makes, or null: a final `compaction_trigger` asks for it alone; else
 * `context_management` compacts when the input tokens exceed its threshold (openai-compaction.ts).
 */
function compactionOf(body: Record<string, unknown>, inputTokens: number, window: number | undefined, sequence: number): ResponsesCompaction | null {
  if (endsWithTrigger(body['input'])) return compactInput(body['input'], sequence, true);
  const threshold = compactThresholdOf(body, window);
  return threshold !== undefined && inputTokens > threshold ? compactInput(body['input'], sequence, false) : null;
}

/**
 * `POST /v1/responses/compact`: `{id, object: 'response.compaction', created_at, output, usage}`,
 * the output being every user message of the input then one compaction item (openai-compaction.ts).
 * `model` is required; `previous_response_id` names a response this stateless mock never stored
 * (400). The input is checked as a create checks it, and must fit the model's window. Usage: the
 * input tokens (instructions and pruned items) read, the summary written, no cache. It takes a
 * scenario like any model call: `error`, `drop` and `hang` play as on a create, any other kind
 * gets the compaction.
 */
async function handleCompact(context: RouteContext): Promise<void> {
  const { response } = context;
  const body = checkedBody(context);
  if (!body) return;
  const refuse = (error: { status: number; message: string; param: string | null; code: string | null }): void =>
    sendJson(response, error.status, openAiError(error.message, 'invalid_request_error', error.code, error.param));
  const model = body['model'];
  if (typeof model !== 'string' || model === '') {
    refuse({ status: 400, message: "Missing required parameter: 'model'.", param: 'model', code: 'missing_required_parameter' });
    return;
  }
  const previous = body['previous_response_id'];
  if (typeof previous === 'string') {
    refuse({ status: 400, message: `Previous response with id '${previous}' not found.`, param: 'previous_response_id', code: 'previous_response_not_found' });
    return;
  }
  const input = body['input'] ?? [];
  const inputError = findItemsError(input, context.issued.openaiEncrypted);
  if (inputError) {
    refuse(inputError);
    return;
  }
  const prompt = measureResponsesPrompt({ instructions: body['instructions'], input });
  if (exceedsWindow(prompt.inputTokens, context.contextWindow(model))) {
    sendJson(response, 400, responsesContextError());
    return;
  }
  const sequence = context.nextSequence();
  const scenario = context.takeScenario();
  if (scenario?.kind === 'error') {
    sendErrorScenario(context, scenario, model);
    return;
  }
  if (scenario?.kind === 'drop') {
    context.dropConnection();
    return;
  }
  if (scenario?.kind === 'hang') {
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      else context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return;
  }
  const compaction = compactInput(input, sequence, true);
  sendJson(response, 200, {
    id: `resp_mock${String(sequence).padStart(6, '0')}`,
    object: 'response.compaction',
    created_at: Math.floor(Date.now() / 1000),
    output: compactedOutput(input, compaction),
    usage: buildResponsesUsage({ total: prompt.inputTokens, cached: 0 }, compaction.summaryTokens, 0),
  });
}

/**
 * The reasoning item an answer starts with, or undefined when the scenario has none or the request
 * turned reasoning off (`effort: 'none'`). Its summary shows as the request asks (reasoningOutput);
 * its encrypted content, handed out when `include` asks for it, is recorded as issued on its id.
 */
function shownReasoning(
  context: RouteContext,
  call: ResponsesCall,
  body: Record<string, unknown>,
  reasoning: string | undefined,
  chunkSize: number,
): { plan: OutputPlan; tokens: number } | undefined {
  const output = reasoningOutput(body);
  if (reasoning === undefined || !output.reasons) return undefined;
  if (call.includeEncryptedReasoning) context.issued.openaiEncrypted.set(encryptedContent(call.sequence), reasoningId(call.sequence));
  const plan: OutputPlan = { kind: 'reasoning', summary: output.summary ? reasoning : '', chunkSize };
  return { plan, tokens: countTokens(reasoning) };
}

/**
 * How a Responses stream fails on a prompt beyond the window: the opening events, an `error` event
 * with the error nested (keys in the order OpenAI sends them), then `response.failed` (see context-window.ts).
 */
function contextExceededEvents(call: ResponsesCall): ResponsesEvent[] {
  const code = 'context_length_exceeded';
  const message = responsesContextExceededMessage;
  return [
    { type: 'response.created', response: responseSnapshot(call) },
    { type: 'response.in_progress', response: responseSnapshot(call) },
    { type: 'error', error: { type: 'invalid_request_error', code, message, param: 'input' } },
    { type: 'response.failed', response: responseSnapshot(call, { status: 'failed', error: { code, message } }) },
  ];
}

/** A chat `finish_reason` as the Responses terminal it stands for. */
function terminalFor(finishReason: string | undefined): Terminal {
  if (finishReason === 'length') return { status: 'incomplete', reason: 'max_output_tokens' };
  if (finishReason === 'content_filter') return { status: 'incomplete', reason: 'content_filter' };
  return { status: 'completed' };
}

/** The events of a plain echo-style answer, for scenarios that fail part-way through it. */
function echoEvents(call: ResponsesCall, text: string, inputTokens: InputTokens): ResponsesEvent[] {
  const outputs: OutputPlan[] = [{ kind: 'message', text, chunkSize: defaultChunkSize, status: 'completed' }];
  return planResponse(call, outputs, { status: 'completed' }, buildResponsesUsage(inputTokens, countTokens(text), 0)).events;
}

async function answer(context: RouteContext, call: ResponsesCall, plan: ReturnType<typeof planResponse>, delayMs?: number): Promise<void> {
  if (!call.stream) {
    sendJson(context.response, 200, plan.final);
    return;
  }
  await streamEvents(context, plan.events, delayMs);
}

/** Starts the SSE answer and writes the events; OpenAI ends a Responses stream without `[DONE]`. */
async function streamEvents(context: RouteContext, events: (ResponsesEvent | string)[], delayMs = 0): Promise<void> {
  startSse(context.response);
  if (await writeEvents(context, events, delayMs)) context.response.end();
}

/**
 * Writes events with `delayMs` between them, numbering them from 0 in the order written, `type`
 * first as OpenAI orders the keys; strings go out as they are. `false` when the client went away.
 */
async function writeEvents(context: RouteContext, events: (ResponsesEvent | string)[], delayMs = 0): Promise<boolean> {
  for (const [index, event] of events.entries()) {
    if (index > 0 && !(await sleep(delayMs, context.signal))) return false;
    if (!writeSseEvent(context.response, typeof event === 'string' ? event : frame(event, index))) return false;
  }
  return true;
}

function frame(event: ResponsesEvent, sequenceNumber: number): string {
  const { type, ...fields } = event;
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequenceNumber, ...fields })}`;
}

/** The text of the last user message: string input, or the last user message item's text parts. */
function echoedText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  const lastUser = input.findLast((item) => isObject(item) && (item['type'] ?? 'message') === 'message' && item['role'] === 'user');
  return isObject(lastUser) ? contentText(lastUser['content']) : '';
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      isObject(part) && (part['type'] === 'input_text' || part['type'] === 'output_text') && typeof part['text'] === 'string' ? part['text'] : '',
    )
    .join('');
}

/** The names of the request's `custom` tools. */
function customToolNames(body: Record<string, unknown>): Set<string> {
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  return new Set(tools.filter((tool): tool is { type: 'custom'; name: string } => isObject(tool) && tool['type'] === 'custom').map((tool) => tool.name));
}

/** A custom tool's raw input from a scenario's arguments: their `input` when they are `{"input": …}`, else the text itself. */
function customInput(argumentsText: string): string {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (isObject(parsed) && typeof parsed['input'] === 'string') return parsed['input'];
  } catch {
    // Not JSON: the raw input itself.
  }
  return argumentsText;
}
