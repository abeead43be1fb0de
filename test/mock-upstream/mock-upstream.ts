// A real HTTP server that stands in for the model vendors in tests (house style §6.6). It speaks
// each vendor's wire format, records every call, and answers from a FIFO of scenarios.
// Besides the create routes it serves the vendors' token counting routes (Anthropic
// `POST /v1/messages/count_tokens`, Gemini `POST /v1beta/models/{model}:countTokens`, OpenAI
// `POST /v1/responses/input_tokens`), which answer what the create route's usage would report as
// input tokens for the same body (input-tokens.ts); they are recorded like any call, but never take
// a scenario nor touch a prompt cache. Models may have a context window (context-window.ts).
// The vendors' native server-side compaction is emulated too: OpenAI Responses' `context_management`,
// `compaction`/`compaction_trigger` items and `POST /v1/responses/compact` (openai-compaction.ts), and
// Anthropic's `compact_20260112` edit with its `compaction` blocks (anthropic-compaction.ts); both
// count a request as the vendor does after pruning what comes before the last compaction.
// `GET /files/{name}` serves files a test registered with `serveFile` (file-inputs.ts), for
// `input_file.file_url`s the server fetches; the checks each vendor applies to files in a request
// are there too.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { anthropicMessagesRoutes } from './anthropic-messages.js';
import type { ChatScenario } from './chat-completions.js';
import { chatCompletionsRoutes } from './chat-completions.js';
import { contextWindowOf } from './context-window.js';
import { fileRoutes, type MockFile } from './file-inputs.js';
import { geminiCachedContentRoutes, geminiRoutes } from './gemini.js';
import { GeminiCacheStore } from './gemini-caches.js';
import type { IssuedReasoning } from './issued-reasoning.js';
import { forgetRequirements, newIssuedReasoning } from './issued-reasoning.js';
import { modelListRoutes } from './model-lists.js';
import { offeredToolCall } from './offered-tools.js';
import { openAIResponsesRoutes } from './openai-responses.js';
import { AnthropicCacheEmulator, GeminiImplicitCacheEmulator, geminiMinCacheTokens, OpenAICacheEmulator } from './prompt-cache.js';
import { openAiError, sendJson, waitFor } from './wire.js';

export {
  compactBeta,
  compactionNeedsStrategyMessage,
  defaultCompactionTrigger,
  emptyCompactionMessage,
  extraContextManagementMessage,
  minimumCompactionTrigger,
  triggerBelowMinimumMessage,
} from './anthropic-compaction.js';
export type {
  ChatScenario,
  ChatStreamQuirks,
  ChatToolCall,
  ChatUsage,
  ChatUsageOverride,
} from './chat-completions.js';
export { contextWindowOf } from './context-window.js';
export type { GeminiCacheRecord } from './gemini-caches.js';
export type { MeasuredPrompt } from './input-tokens.js';
export { measureAnthropicPrompt, measureChatPrompt, measureGeminiPrompt, measureResponsesPrompt } from './input-tokens.js';
export type { IssuedReasoning } from './issued-reasoning.js';
export type { MockCompactionPayload } from './openai-compaction.js';
export { compactionSummaryTokens, defaultCompactThreshold, isMockCompaction, readMockCompaction } from './openai-compaction.js';
export { loadChunkFixture, openAiError, waitFor } from './wire.js';

/**
 * Every scenario any route understands; each route plays it in its own wire format. A `tool_calls`
 * scenario with `reasoning` is the thinking step of a tool loop on every route (Anthropic thinking
 * block, Responses reasoning item, DeepSeek/Kimi `reasoning_content`, Gemini thought parts and a
 * signed first call), and each route then enforces its vendor's rules for replaying it.
 */
export type Scenario = ChatScenario;

/** One call that reached the mock, recorded before it was answered. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** The request target as sent, query string included. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** `rawBody` parsed as JSON, or `undefined` when it is empty or does not parse. */
  body: any;
  /** The scenario that answered it; `undefined` for the default behaviour or a rejected request. */
  scenario: Scenario | undefined;
  /** True when the client closed the connection before the answer was complete. */
  aborted: boolean;
  /** True once the whole answer was written. */
  finished: boolean;
}

export type MockUpstreamEvent = 'request' | 'abort' | 'end';

export interface MockUpstream {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `origin + '/v1'`, the OpenAI base URL convention. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queues scenarios; each request consumes one, FIFO. When empty the default behaviour applies. */
  enqueue(...scenarios: Scenario[]): void;
  /**
   * Clears the recorded requests, the queue, the id sequence and every prompt cache. Signatures and
   * encrypted reasoning issued before stay valid (see IssuedReasoning), and so do OpenAI compaction
   * items (signed with a per-process secret, see isMockCompaction); which calls must come back
   * signed, and which answers opened with thinking, are forgotten.
   */
  reset(): void;
  /**
   * Gemini's explicit caches on this server: `live()` lists the unexpired ones (name, model,
   * tokens, expireTime, what they hold), `deleted` the ones removed by DELETE, oldest first.
   */
  readonly geminiCaches: Pick<GeminiCacheStore, 'live' | 'deleted'>;
  /**
   * `request` fires when a call is recorded (before the answer), `abort` when the client goes
   * away mid-answer, `end` when the exchange is over either way. Returns an unsubscribe function.
   */
  on(event: MockUpstreamEvent, listener: (request: RecordedRequest) => void): () => void;
  /** The exported `waitFor`, at hand on the server: `await upstream.waitFor(() => upstream.requests[0]?.aborted)`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number, description?: string): Promise<T>;
  /** Resolves with the `count`-th recorded request (1-based) once it has arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest>;
  /**
   * Serves `body` at `GET /files/{name}` (with `contentType` as `Content-Type`, none when null;
   * `chunked` leaves out `Content-Length`) and returns its URL. reset() keeps served files.
   */
  serveFile(name: string, file: { body: string | Buffer; contentType?: string | null; chunked?: boolean }): string;
  /** Destroys open sockets (hanging requests included) and stops listening. */
  close(): Promise<void>;
}

export interface MockUpstreamOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * With no scenario queued, a request that offers function tools gets a call of the first one
   * (see offered-tools.ts) instead of the echo. Off by default; the compliance run turns it on.
   */
  callOfferedTools?: boolean;
  /** Answer 401 like OpenAI when `Authorization: Bearer <key>` is missing. Off by default. */
  requireAuthorization?: boolean;
  /**
   * The prompt caches' clock, in epoch ms (default `Date.now`): a test advances it to expire cache
   * entries without sleeping. Cache timestamps (Gemini's `expireTime`) come from it too.
   */
  now?: () => number;
  /**
   * Replaces every model's minimum cacheable prompt for Anthropic and Gemini (implicit and explicit
   * caches), so tests can cache tiny prompts. OpenAI keeps its fixed 1,024 tokens and 128-token steps.
   */
  cacheMinTokens?: number;
  /**
   * Context windows in tokens, by model name as sent on the wire (the body's `model`, or the model in
   * a Gemini path): `{ 'gpt-4o-mini': 128_000 }`. Without an entry, a model whose name contains
   * `-ctx<digits>` (`gpt-4o-mini-ctx4000`, `claude-sonnet-4-5-ctx4000`, `gemini-2.5-flash-ctx4000`,
   * `qwen-ctx4000`) has that window, and any other model has none (no limit). A create request whose
   * input tokens (exactly the total input its usage would report, cache reads and writes included)
   * exceed the window is refused as the vendor refuses it, before a scenario is taken: a 400 with the
   * vendor's body, also for streams, except OpenAI Responses, whose streams fail in-band with an
   * `error` event and `response.failed` (`context_length_exceeded`), as the real API does. Anthropic
   * also refuses input + `max_tokens` above the window. The exact bodies: context-window.ts. Input
   * before the last compaction item (OpenAI) or block (Anthropic) does not count, so a conversation
   * that compacted fits again. OpenAI's default `compact_threshold` is 80% of this window.
   */
  contextWindows?: Record<string, number>;
}

/** The prompt caches of one server; reset() replaces them. */
export interface PromptCaches {
  anthropic: AnthropicCacheEmulator;
  openai: OpenAICacheEmulator;
  geminiImplicit: GeminiImplicitCacheEmulator;
  gemini: GeminiCacheStore;
}

/** What a route handler gets for one call. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  record: RecordedRequest;
  /** Fires when the connection closes, whoever closed it, so streams stop writing. */
  signal: AbortSignal;
  requireAuthorization: boolean;
  /** Takes the next queued scenario and notes it on the record. */
  takeScenario(): Scenario | undefined;
  /** A per-server counter for deterministic ids; `reset()` restarts it. */
  nextSequence(): number;
  /** Cuts the connection on purpose (a `drop` scenario); the record is not marked aborted. */
  dropConnection(): void;
  /** The server's clock for the prompt caches. */
  now(): number;
  caches: PromptCaches;
  /** The `cacheMinTokens` option: when set, it replaces the per-model minimum. */
  cacheMinTokens: number | undefined;
  /** The context window of a model as named on the wire, or undefined for none (see `contextWindows`). */
  contextWindow(model: string): number | undefined;
  /** The signatures and encrypted reasoning this server issued (reset() keeps them, see issued-reasoning.ts). */
  issued: IssuedReasoning;
  /** What `GET /files/{name}` serves, by name (see serveFile). */
  files: ReadonlyMap<string, MockFile>;
}

export interface Route {
  method: string;
  matches(path: string): boolean;
  handle(context: RouteContext): Promise<void>;
}

const routes: Route[] = [
  ...anthropicMessagesRoutes,
  ...chatCompletionsRoutes,
  ...geminiRoutes,
  ...geminiCachedContentRoutes,
  ...openAIResponsesRoutes,
  ...modelListRoutes,
  ...fileRoutes,
];

export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const queue: Scenario[] = [];
  const sockets = new Set<Socket>();
  const listeners = new Map<MockUpstreamEvent, Set<(request: RecordedRequest) => void>>();
  let sequence = 0;
  const now = options.now ?? Date.now;
  const newCaches = (): PromptCaches => ({
    anthropic: new AnthropicCacheEmulator(),
    openai: new OpenAICacheEmulator(),
    geminiImplicit: new GeminiImplicitCacheEmulator(),
    gemini: new GeminiCacheStore(now, (model) => options.cacheMinTokens ?? geminiMinCacheTokens(model)),
  });
  let caches = newCaches();
  const issued = newIssuedReasoning();
  const files = new Map<string, MockFile>();
  let closing = false;
  let closed: Promise<void> | undefined;

  const emit = (event: MockUpstreamEvent, record: RecordedRequest): void => {
    for (const listener of listeners.get(event) ?? []) listener(record);
  };

  const server = createServer((request, response) => {
    void handleRequest(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const record: RecordedRequest = {
      aborted: false,
      body: undefined,
      finished: false,
      headers: { ...request.headers },
      method: request.method ?? 'GET',
      path: url.split('?')[0] ?? url,
      rawBody: '',
      scenario: undefined,
      url,
    };
    const connection = new AbortController();
    let droppedByServer = false;
    // 'finish' fires once the last byte is handed to the OS, before the client can see it.
    response.once('finish', () => {
      record.finished = true;
    });
    response.once('close', () => {
      connection.abort();
      if (!record.finished && !droppedByServer && !closing) {
        record.aborted = true;
        emit('abort', record);
      }
      emit('end', record);
    });

    try {
      await readBody(request, record);
    } catch {
      // The client gave up while still uploading; keep what arrived so the test can see it.
      requests.push(record);
      emit('request', record);
      return;
    }
    record.body = parseJson(record.rawBody);
    requests.push(record);
    emit('request', record);

    const route = routes.find((candidate) => candidate.method === record.method && candidate.matches(record.path));
    if (!route) {
      sendJson(response, 404, openAiError(`Invalid URL (${record.method} ${record.path})`, 'invalid_request_error'));
      return;
    }
    const context: RouteContext = {
      cacheMinTokens: options.cacheMinTokens,
      caches,
      contextWindow: (model) => contextWindowOf(model, options.contextWindows),
      issued,
      files,
      dropConnection: () => {
        droppedByServer = true;
        response.destroy();
        request.socket.destroy();
      },
      nextSequence: () => ++sequence,
      now,
      record,
      request,
      requireAuthorization: options.requireAuthorization ?? false,
      response,
      signal: connection.signal,
      takeScenario: () => {
        // A model told not to call tools does not: a queued tool-call step waits for a call that allows them.
        if (queue[0]?.kind === 'tool_calls' && forbidsTools(record.body)) return undefined;
        record.scenario = queue.shift() ?? (options.callOfferedTools && !forbidsTools(record.body) ? offeredToolCall(record.body) : undefined);
        return record.scenario;
      },
    };
    try {
      await route.handle(context);
    } catch (error) {
      if (!response.headersSent) {
        sendJson(response, 500, openAiError(`mock upstream failed: ${String(error)}`, 'server_error'));
      } else {
        response.destroy();
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  return {
    baseUrl: `${origin}/v1`,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        // A hanging request would keep close() waiting forever; cut every connection instead.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
    enqueue: (...scenarios) => {
      queue.push(...scenarios);
    },
    get geminiCaches() {
      return caches.gemini;
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    origin,
    requests,
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      sequence = 0;
      caches = newCaches();
      forgetRequirements(issued);
    },
    serveFile: (name, file) => {
      files.set(name, {
        body: typeof file.body === 'string' ? Buffer.from(file.body) : file.body,
        contentType: file.contentType === undefined ? 'application/octet-stream' : file.contentType,
        chunked: file.chunked ?? false,
      });
      return `${origin}/files/${encodeURIComponent(name)}`;
    },
    waitFor,
    waitForRequests: (count, timeoutMs = 2000) => waitFor(() => requests[count - 1], timeoutMs, `${count} request(s) to arrive (have ${requests.length})`),
  };
}

/**
 * `tool_choice: "none"` on every wire: OpenAI (Responses and Chat) `"none"`, Anthropic
 * `{type: "none"}`, Gemini `toolConfig.functionCallingConfig.mode: "NONE"`.
 */
function forbidsTools(body: any): boolean {
  if (!body || typeof body !== 'object') return false;
  return body.tool_choice === 'none' || body.tool_choice?.type === 'none' || body.toolConfig?.functionCallingConfig?.mode === 'NONE';
}

/** Reads the body into `record.rawBody` as it arrives, so an interrupted upload still shows. */
function readBody(request: IncomingMessage, record: RecordedRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      record.rawBody = Buffer.concat(chunks).toString('utf8');
    });
    request.once('end', () => resolve());
    request.once('error', reject);
    request.once('aborted', () => reject(new Error('request aborted')));
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
