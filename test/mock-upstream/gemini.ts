// Gemini API wire (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`):
// JSON, SSE with `?alt=sse` (`data: <json>\r\n\r\n`, no `[DONE]`), or Google's default JSON array.
// It answers the same scenarios as the chat route, so one e2e test can run against either provider.
// How the chat-shaped scenario fields read here: `usage` overrides map onto Gemini's counts (see
// finalUsage); `finishReason` takes chat values or Gemini's own; `stream_error.error.code` may name
// a canonical status (`RESOURCE_EXHAUSTED`), else the failure is 503 UNAVAILABLE. Quirks other than
// `noUsage`, the reasoning `field`, `redactedThinking`, call `id`s and `argumentChunkSize` mean nothing
// to Gemini and are ignored. Only a request that passes Gemini's checks (findThinkingConfigError,
// findRequestError, thought signatures included) and fits the model's context window
// (context-window.ts) takes a scenario. `:countTokens` answers the `promptTokenCount` a create
// would report (measureGeminiPrompt).
// The explicit caches (`/v1beta/cachedContents`) live on the same server, as on Google's.
import { defaultChunkSize } from './chat-completions-shapes.js';
import { exceedsWindow, geminiContextExceededMessage } from './context-window.js';
import type { CacheError, CacheResult } from './gemini-caches.js';
import { cachedContentResource, cacheNotFound, withCachedPrefix } from './gemini-caches.js';
import type { GeminiCall, Json } from './gemini-shapes.js';
import {
  callKey,
  codeForStatus,
  echoedText,
  finalUsage,
  findRequestError,
  findThinkingConfigError,
  googleError,
  isObject,
  missingKeyMessage,
  responseChunk,
  runningUsage,
  thinkingOutput,
  toGeminiFinishReason,
  unparsableBodyMessage,
  writeGeminiEvent,
} from './gemini-shapes.js';
import { measureGeminiPrompt } from './input-tokens.js';
import { remember } from './issued-reasoning.js';
import { findGeminiLogprobsError, geminiLogprobsAsk, geminiLogprobsResult, mergeGeminiLogprobs } from './logprobs.js';
import type { Route, RouteContext, Scenario } from './mock-upstream.js';
import type { PromptUnit } from './prompt-cache.js';
import { geminiMinCacheTokens, hashUnits } from './prompt-cache.js';
import { countTokens, sendJson, sleep, splitText, startSse } from './wire.js';

const pathPattern = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const countPathPattern = /^\/v1beta\/models\/([^/:]+):countTokens$/;
const cachePathPattern = /^\/v1beta\/cachedContents\/([^/:]+)$/;

export const geminiRoutes: Route[] = [
  { handle: handleGenerateContent, matches: (path) => pathPattern.test(path), method: 'POST' },
  { handle: handleCountTokens, matches: (path) => countPathPattern.test(path), method: 'POST' },
];

export const geminiCachedContentRoutes: Route[] = [
  { handle: handleCachedContents, matches: (path) => path === '/v1beta/cachedContents', method: 'POST' },
  ...['GET', 'PATCH', 'DELETE'].map((method) => ({ handle: handleCachedContents, matches: (path: string) => cachePathPattern.test(path), method })),
];

/** The model a recorded Gemini call named in its path (`gemini-2.5-flash`), counts included, or undefined for other paths. */
export function geminiModelFromPath(path: string): string | undefined {
  const model = (pathPattern.exec(path) ?? countPathPattern.exec(path))?.[1];
  return model === undefined ? undefined : decodeURIComponent(model);
}

async function handleGenerateContent(context: RouteContext): Promise<void> {
  const { record, response } = context;
  const [, rawModel = '', method] = pathPattern.exec(record.path) ?? [];
  const model = decodeURIComponent(rawModel);
  const query = new URLSearchParams(record.url.split('?')[1] ?? '');
  const framing = method === 'generateContent' ? 'json' : query.get('alt') === 'sse' ? 'sse' : 'json-array';
  // Google wraps errors in an array exactly when the success answer would be one.
  const reject = (code: number, message?: string): void => {
    const body = googleError(code, message, model);
    sendJson(response, code, framing === 'json-array' ? [body] : body);
  };

  const body: unknown = record.body;
  if (!isObject(body)) {
    reject(400, unparsableBodyMessage);
    return;
  }
  if (missingApiKey(context, query)) {
    reject(403, missingKeyMessage);
    return;
  }
  const explicit = context.caches.gemini.resolve(body, model);
  if (explicit.error) {
    reject(explicit.error.code, explicit.error.message);
    return;
  }
  // The model reads the cache's system instruction, tools and contents first; the checks see all of it.
  const prompt = explicit.cache ? withCachedPrefix(body, explicit.cache) : body;
  // An invalid request is refused before a scenario is taken, as the real API refuses it before generating.
  const signatures = context.issued.gemini;
  const requestError = findGeminiLogprobsError(body['generationConfig']) ?? findThinkingConfigError(body, model) ?? findRequestError(prompt, signatures, model);
  if (requestError) {
    reject(400, requestError);
    return;
  }
  // Standard unless the request asked for Flex or Priority (this mock has capacity for both).
  const tier = body['serviceTier'] ?? body['service_tier'] ?? 'standard';
  if (!['standard', 'flex', 'priority'].includes(String(tier))) {
    reject(400, `Invalid value at 'service_tier' (type.googleapis.com/google.ai.generativelanguage.v1beta.ServiceTier), "${String(tier)}"`);
    return;
  }
  response.setHeader('x-gemini-service-tier', String(tier));

  const measured = measureGeminiPrompt(prompt);
  const window = context.contextWindow(model);
  if (exceedsWindow(measured.inputTokens, window)) {
    reject(400, geminiContextExceededMessage(measured.inputTokens, window));
    return;
  }

  const sequence = context.nextSequence();
  const echo = `echo: ${echoedText(prompt)}`;
  const scenario: Scenario = context.takeScenario() ?? { kind: 'text', text: echo };
  const call: GeminiCall = {
    // An error scenario stands for a request refused before the prompt was processed: no cache effect.
    cachedTokens: explicit.cache?.tokens ?? (scenario.kind === 'error' ? 0 : implicitCacheHit(context, model, measured.units)),
    framing,
    model,
    promptTokens: measured.inputTokens,
    responseId: `mockresp${String(sequence).padStart(6, '0')}`,
    sequence,
    logprobs: geminiLogprobsAsk(body['generationConfig']),
  };

  switch (scenario.kind) {
    case 'text': {
      const noUsage = scenario.quirks?.noUsage ?? false;
      const usage = noUsage ? undefined : finalUsage(call, countTokens(scenario.text), 0, scenario.usage);
      const finish = { reason: toGeminiFinishReason(scenario.finishReason), usage };
      await answer(context, call, textChunks(call, scenario.text, { chunkSize: scenario.chunkSize, finish, noUsage }), scenario.delayMs);
      return;
    }
    case 'tool_calls': {
      // Gemini has no call ids (`id` of a scenario call is ignored) and sends all calls of a turn in
      // one chunk; like Gemini 3, only the first call carries a thought signature. Thought
      // summaries come first when the request asks for them (thinkingOutput).
      const signature = signatureFor(call);
      signatures.all.add(signature);
      const calls = scenario.calls.map(({ name, arguments: text }, index) => {
        const args = parseArguments(text);
        remember(signatures.byCall, callKey(name, args), index === 0 ? signature : '');
        if (index > 0) return { functionCall: { name, args } };
        return { functionCall: { name, args }, thoughtSignature: signature };
      });
      const { chunkSize } = scenario;
      const output = thinkingOutput(body);
      const reasoning = output.thinks ? (scenario.reasoning ?? '') : '';
      const generated = (scenario.text ?? '') + scenario.calls.map((toolCall) => toolCall.name + toolCall.arguments).join('');
      const usage = finalUsage(call, countTokens(generated), countTokens(reasoning), scenario.usage);
      const chunks = output.thoughts && reasoning !== '' ? textChunks(call, reasoning, { chunkSize, thought: true }) : [];
      if (scenario.text !== undefined) chunks.push(...textChunks(call, scenario.text, { chunkSize }));
      chunks.push(responseChunk(call, calls, { finishReason: 'STOP', usage }));
      await answer(context, call, chunks, scenario.delayMs);
      return;
    }
    case 'reasoning': {
      // Thought summaries (`thought: true`) come when the request asks for them (thinkingOutput);
      // thinking is counted either way, unless turned off. The signature rides on the first answer
      // part, as Gemini 2.5 sends it.
      const output = thinkingOutput(body);
      const reasoning = output.thinks ? scenario.reasoning : '';
      const usage = finalUsage(call, countTokens(scenario.text), countTokens(reasoning), scenario.usage);
      const { chunkSize } = scenario;
      const signature = signatureFor(call);
      signatures.all.add(signature);
      const chunks = output.thoughts && reasoning !== '' ? textChunks(call, reasoning, { chunkSize, thought: true }) : [];
      chunks.push(...textChunks(call, scenario.text, { chunkSize, signature, finish: { reason: 'STOP', usage } }));
      await answer(context, call, chunks, scenario.delayMs);
      return;
    }
    case 'error': {
      const headers = scenario.headers ?? {};
      if (typeof scenario.body === 'string') {
        response.writeHead(scenario.status, { 'content-type': 'text/plain', ...headers });
        response.end(scenario.body);
        return;
      }
      const errorBody = scenario.body ?? googleError(scenario.status, scenario.message, model);
      sendJson(response, scenario.status, framing === 'json-array' && scenario.body === undefined ? [errorBody] : errorBody, headers);
      return;
    }
    case 'stream_error': {
      const code = (scenario.error?.code && codeForStatus(scenario.error.code)) || 503;
      const failure = googleError(code, scenario.error?.message, model);
      // Without a stream to break, the same failure surfaces as an HTTP error.
      if (framing !== 'sse') {
        sendJson(response, code, framing === 'json-array' ? [failure] : failure);
        return;
      }
      const chunks = echoChunks(call, scenario.text ?? echo).slice(0, scenario.afterChunks);
      await streamEvents(context, [...chunks, failure], scenario.delayMs);
      return;
    }
    case 'drop': {
      if (framing === 'sse') {
        startSse(response);
        await writeEvents(context, echoChunks(call, scenario.text ?? echo).slice(0, scenario.afterChunks), scenario.delayMs);
      }
      context.dropConnection();
      return;
    }
    case 'hang': {
      if (framing === 'sse' && scenario.afterChunks !== undefined) {
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
      const truncated = `{"candidates": [{"content": {"parts": [{"text": "ech`;
      if (!(scenario.stream ?? framing === 'sse')) {
        response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        response.end(truncated);
        return;
      }
      await streamEvents(context, [...echoChunks(call, echo).slice(0, 1), truncated]);
      return;
    }
    case 'raw_sse': {
      await streamEvents(context, scenario.lines, scenario.delayMs);
      return;
    }
    default: {
      sendJson(response, 500, googleError(500, `the Gemini route does not play scenario kind '${(scenario as { kind: string }).kind}'`));
      return;
    }
  }
}

/**
 * `:countTokens`, given `{contents}` or `{generateContentRequest}` (which wins when both come):
 * `totalTokens` is the `promptTokenCount` a create with that request would report, an explicit cache
 * it names included (and shown apart, as `cachedContentTokenCount`). It never takes a scenario nor
 * touches the implicit cache; naming a cache only reads it.
 */
async function handleCountTokens(context: RouteContext): Promise<void> {
  const { record, response } = context;
  const model = decodeURIComponent(countPathPattern.exec(record.path)?.[1] ?? '');
  const reject = (code: number, message?: string): void => sendJson(response, code, googleError(code, message, model));
  const body: unknown = record.body;
  if (!isObject(body)) {
    reject(400, unparsableBodyMessage);
    return;
  }
  if (missingApiKey(context, new URLSearchParams(record.url.split('?')[1] ?? ''))) {
    reject(403, missingKeyMessage);
    return;
  }
  // CountTokensRequest has these two fields only; the API refuses a generateContent body sent as it is.
  const unknown = Object.keys(body).find((key) => key !== 'contents' && key !== 'generateContentRequest');
  if (unknown !== undefined) {
    reject(400, `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
    return;
  }
  const request = isObject(body['generateContentRequest']) ? body['generateContentRequest'] : { contents: body['contents'] };
  const explicit = context.caches.gemini.resolve(request, model);
  if (explicit.error) {
    reject(explicit.error.code, explicit.error.message);
    return;
  }
  const total = measureGeminiPrompt(explicit.cache ? withCachedPrefix(request, explicit.cache) : request).inputTokens;
  const cached = explicit.cache?.tokens ?? 0;
  sendJson(response, 200, {
    totalTokens: total,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }],
    ...(cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }] } : {}),
  });
}

/** `cachedContents` create (POST), get, patch and delete: the resource, `{}` for a delete, or Google's error. */
async function handleCachedContents(context: RouteContext): Promise<void> {
  const { record, response } = context;
  const store = context.caches.gemini;
  const reject = (error: CacheError): void => sendJson(response, error.code, googleError(error.code, error.message));
  if (missingApiKey(context, new URLSearchParams(record.url.split('?')[1] ?? ''))) {
    reject({ code: 403, message: missingKeyMessage });
    return;
  }
  const body: unknown = record.body;
  if ((record.method === 'POST' || record.method === 'PATCH') && !isObject(body)) {
    reject({ code: 400, message: unparsableBodyMessage });
    return;
  }
  const name = `cachedContents/${decodeURIComponent(cachePathPattern.exec(record.path)?.[1] ?? '')}`;
  const answer = (result: CacheResult): void => {
    if ('error' in result) reject(result.error);
    else sendJson(response, 200, cachedContentResource(result.cache));
  };
  switch (record.method) {
    case 'POST':
      answer(store.create(body as Json));
      return;
    case 'PATCH':
      answer(store.update(name, body as Json));
      return;
    case 'GET': {
      const cache = store.get(name);
      answer(cache ? { cache } : { error: cacheNotFound });
      return;
    }
    default:
      if (store.delete(name)) sendJson(response, 200, {});
      else reject(cacheNotFound);
  }
}

/** Reads and writes the server's implicit Gemini cache; the tokens read. */
function implicitCacheHit(context: RouteContext, model: string, units: PromptUnit[]): number {
  const minTokens = context.cacheMinTokens ?? geminiMinCacheTokens(model);
  return context.caches.geminiImplicit.request({ ...hashUnits(`gemini:${model}`, units), minTokens, now: context.now() }).cached;
}

/** Gemini takes the key in `x-goog-api-key` or the `key` query parameter. */
function missingApiKey(context: RouteContext, query: URLSearchParams): boolean {
  return context.requireAuthorization && typeof context.record.headers['x-goog-api-key'] !== 'string' && !query.get('key');
}

interface TextChunkOptions {
  chunkSize?: number | undefined;
  /** Thought summary parts instead of answer text. */
  thought?: boolean;
  /** Put on the first part. */
  signature?: string;
  /** On the last chunk; without it the answer goes on in further chunks. */
  finish?: { reason: string; usage: Json | undefined };
  noUsage?: boolean;
}

/** Text in pieces of `chunkSize` code points, one part per chunk, each chunk with running usage. */
function textChunks(call: GeminiCall, text: string, options: TextChunkOptions = {}): Json[] {
  const pieces = splitText(text, options.chunkSize ?? defaultChunkSize);
  if (pieces.length === 0) pieces.push('');
  return pieces.map((piece, index) => {
    const part: Json = { text: piece };
    if (options.thought) part['thought'] = true;
    if (index === 0 && options.signature) part['thoughtSignature'] = options.signature;
    // Each piece of answer text is one token; thoughts carry none here.
    const logprobs = call.logprobs && !options.thought && piece !== '' ? geminiLogprobsResult([piece], call.logprobs, index) : undefined;
    const finish = index === pieces.length - 1 ? options.finish : undefined;
    if (finish) return responseChunk(call, [part], { finishReason: finish.reason, usage: finish.usage, logprobs });
    return responseChunk(call, [part], { usage: options.noUsage ? undefined : runningUsage(call), logprobs });
  });
}

/** The chunks of a plain echo-style answer, for scenarios that fail part-way through it. */
function echoChunks(call: GeminiCall, text: string): Json[] {
  return textChunks(call, text, { finish: { reason: 'STOP', usage: finalUsage(call, countTokens(text), 0) } });
}

/** A deterministic stand-in for Gemini's opaque base64 signature, unique per answer. */
function signatureFor(call: GeminiCall): string {
  return Buffer.from(`mock-thought-signature:${call.responseId}`).toString('base64');
}

function parseArguments(text: string): Json {
  const value: unknown = JSON.parse(text === '' ? '{}' : text);
  if (!isObject(value)) throw new Error(`tool call arguments must be a JSON object: ${text}`);
  return value;
}

/** Sends the chunks as the method asks: SSE events, one JSON array, or one merged response. */
async function answer(context: RouteContext, call: GeminiCall, chunks: Json[], delayMs?: number): Promise<void> {
  if (call.framing === 'sse') {
    await streamEvents(context, chunks, delayMs);
    return;
  }
  // Google streams the array too, but a client only sees it whole; one write is enough.
  sendJson(context.response, 200, call.framing === 'json-array' ? chunks : mergeChunks(call, chunks));
}

/** What `generateContent` returns for the same answer: one response, consecutive text merged. */
function mergeChunks(call: GeminiCall, chunks: Json[]): Json {
  const parts: Json[] = [];
  let finishReason: string | undefined;
  let usage: Json | undefined;
  const logprobs: Json[] = [];
  for (const chunk of chunks) {
    const [candidate] = chunk['candidates'] as Json[];
    if (isObject(candidate?.['logprobsResult'])) logprobs.push(candidate['logprobsResult']);
    for (const part of (candidate?.['content'] as { parts: Json[] } | undefined)?.parts ?? []) {
      const previous = parts.at(-1);
      // Text of the same kind continues the part before it; a signature starts a part of its own.
      const continues = previous && typeof previous['text'] === 'string' && typeof part['text'] === 'string';
      if (continues && previous['thought'] === part['thought'] && part['thoughtSignature'] === undefined) {
        previous['text'] = `${previous['text']}${part['text']}`;
      } else {
        parts.push({ ...part });
      }
    }
    finishReason = (candidate?.['finishReason'] as string | undefined) ?? finishReason;
    usage = (chunk['usageMetadata'] as Json | undefined) ?? usage;
  }
  return responseChunk(call, parts, { finishReason, usage, logprobs: mergeGeminiLogprobs(logprobs) });
}

/** Starts the SSE answer, writes the events, then ends the body (Gemini sends no `[DONE]`). */
async function streamEvents(context: RouteContext, events: unknown[], delayMs = 0): Promise<void> {
  startSse(context.response);
  if (await writeEvents(context, events, delayMs)) context.response.end();
}

/** Writes events with `delayMs` between them; `false` when the client went away first. */
async function writeEvents(context: RouteContext, events: unknown[], delayMs = 0): Promise<boolean> {
  for (const [index, event] of events.entries()) {
    if (index > 0 && !(await sleep(delayMs, context.signal))) return false;
    if (!writeGeminiEvent(context.response, typeof event === 'string' ? event : JSON.stringify(event))) return false;
  }
  return true;
}
