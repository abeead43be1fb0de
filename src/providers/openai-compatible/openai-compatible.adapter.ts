import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, callProvider, callSettings, type UpstreamCallOptions } from '../call-provider.js';
import type { FetchInputFile } from '../fetch-input-file.js';
import { listOpenAIModels, type UpstreamModel } from '../list-models.js';
import type { InputTokenCount, ModelAdapter, ModelStreamPart } from '../model-adapter.js';
import { readProviderStream } from '../read-provider-stream.js';
import { hasUnfetchedFiles, resolveInputFiles } from '../resolve-input-files.js';
import { countChatTokens } from './count-chat-tokens.js';
import type { OpenAICompatibleDialect } from './openai-compatible.api.js';
import { convertOpenAICompatibleCompletion } from './openai-compatible-completion.js';
import { mapOpenAICompatibleStream } from './openai-compatible-stream.js';
import { chatFileReader } from './to-openai-compatible-messages.js';
import { toOpenAICompatibleRequest } from './to-openai-compatible-request.js';

export interface OpenAICompatibleAdapterOptions extends UpstreamCallOptions {
  /** Provider name as configured (the `vllm` of `vllm/qwen3-8b`). */
  provider: string;
  /** Includes the version path, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent as a Bearer token; null for servers without auth. */
  apiKey: string | null;
  dialect: OpenAICompatibleDialect;
  /** Defaults to `max_completion_tokens` for dialect `openai`, `max_tokens` otherwise. */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  /** False sends non-streamed requests (for servers whose streaming is broken); defaults to true. */
  upstreamStreaming?: boolean;
  /** Fetches `file_url`s, which Chat Completions cannot take but for images (see resolve-input-files.ts); without it those are a 400. */
  fetchFile?: FetchInputFile;
}

/**
 * Chat Completions (`POST {baseUrl}/chat/completions`) for OpenAI itself and any compatible server.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export class OpenAICompatibleAdapter implements ModelAdapter {
  readonly provider: string;
  private readonly callProvider: CallProvider;

  constructor(private readonly options: OpenAICompatibleAdapterOptions) {
    this.provider = options.provider;
    this.callProvider = options.callProvider ?? callProvider;
  }

  check(request: ModelRequest): void {
    if (!hasUnfetchedFiles(request)) this.body(request);
  }

  async *stream(original: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart, void, undefined> {
    const { provider } = this.options;
    const request = await this.resolveFiles(original, signal);
    const body = this.body(request);
    const streaming = body.stream === true;

    yield* readProviderStream({
      provider,
      signal,
      send: () =>
        this.callProvider({
          provider,
          url: `${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`,
          headers: {
            accept: streaming ? 'text/event-stream' : 'application/json',
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          body,
          signal,
          ...callSettings(this.options, { wholeAnswer: !streaming, trace: request.trace }),
        }),
      fromEvents: (events) => mapOpenAICompatibleStream(events, provider),
      fromJson: (text) => convertOpenAICompatibleCompletion(text, provider),
      streamed: streaming,
    });
  }

  /** The models the server lists (`GET {baseUrl}/models`). */
  listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    return listOpenAIModels(this.callProvider, this.options, signal);
  }

  /**
   * Counts the prompt `stream(request)` sends. Chat Completions has no counting endpoint, so this
   * makes no call: OpenAI models are counted with OpenAI's tokenizer, other models estimated from
   * characters at the model's calibrated characters per token (see count-chat-tokens.ts).
   */
  async countInputTokens(original: ModelRequest, signal: AbortSignal): Promise<InputTokenCount> {
    const { provider, dialect } = this.options;
    const request = await this.resolveFiles(original, signal);
    const body = toOpenAICompatibleRequest(request, {
      provider,
      dialect,
      maxTokensField: this.options.maxTokensField ?? (dialect === 'openai' ? 'max_completion_tokens' : 'max_tokens'),
      stream: this.options.upstreamStreaming ?? true,
    });
    return countChatTokens(body, { charsPerToken: request.cache?.charsPerToken, signal });
  }

  /** The chat-completions body `stream` sends, and `check` builds to find what the server cannot take. */
  private body(request: ModelRequest) {
    const { provider, dialect } = this.options;
    return toOpenAICompatibleRequest(request, {
      provider,
      dialect,
      maxTokensField: this.options.maxTokensField ?? (dialect === 'openai' ? 'max_completion_tokens' : 'max_tokens'),
      stream: (this.options.upstreamStreaming ?? true) && request.stream !== false,
    });
  }

  /** The request with the `file_url`s the server must read fetched (see resolve-input-files.ts). */
  private resolveFiles(request: ModelRequest, signal: AbortSignal): Promise<ModelRequest> {
    const { provider, dialect } = this.options;
    const reader = chatFileReader(provider, dialect, request.inputFiles?.pdf ?? dialect === 'openai');
    return resolveInputFiles(request, reader, this.options.fetchFile, signal);
  }
}
