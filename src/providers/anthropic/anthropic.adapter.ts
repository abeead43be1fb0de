import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, callProvider, callSettings, type UpstreamCallOptions } from '../call-provider.js';
import type { FetchInputFile } from '../fetch-input-file.js';
import { anthropicModelListSchema, fromAnthropicModelList, type UpstreamModel } from '../list-models.js';
import type { InputTokenCount, ModelAdapter, ModelStreamPart } from '../model-adapter.js';
import { readProviderStream } from '../read-provider-stream.js';
import { requestProviderJson } from '../request-provider-json.js';
import { hasUnfetchedFiles, resolveInputFiles } from '../resolve-input-files.js';
import { ANTHROPIC_VERSION, type AnthropicRequestBody } from './anthropic.api.js';
import { anthropicTokenCountSchema, toAnthropicCountTokensBody } from './anthropic-count-tokens.js';
import { convertAnthropicMessage } from './anthropic-message.js';
import { mapAnthropicStream } from './anthropic-stream.js';
import { applyAnthropicCache } from './apply-anthropic-cache.js';
import { anthropicFileReader } from './to-anthropic-messages.js';
import { anthropicBetas, toAnthropicRequest } from './to-anthropic-request.js';

export interface AnthropicAdapterOptions extends UpstreamCallOptions {
  /** Provider name as configured (the `anthropic` of `anthropic/claude-sonnet-4-5`). */
  provider: string;
  /** The origin, e.g. `https://api.anthropic.com`; requests go to `{baseUrl}/v1/messages`. */
  baseUrl: string;
  /** Sent as `x-api-key`; null for a proxy that adds its own. */
  apiKey: string | null;
  /** `max_tokens` when the request sets no limit; Anthropic requires one on every call. */
  defaultMaxOutputTokens: number;
  /** Fetches the `file_url`s Claude cannot fetch itself (see resolve-input-files.ts); without it those are a 400. */
  fetchFile?: FetchInputFile;
}

/**
 * Anthropic Messages (`POST {baseUrl}/v1/messages`), streamed upstream unless the client waits for
 * a short whole answer.
 * @see https://platform.claude.com/docs/en/api/messages
 */
export class AnthropicAdapter implements ModelAdapter {
  readonly provider: string;
  private readonly callProvider: CallProvider;

  constructor(private readonly options: AnthropicAdapterOptions) {
    this.provider = options.provider;
    this.callProvider = options.callProvider ?? callProvider;
  }

  check(request: ModelRequest): void {
    if (!hasUnfetchedFiles(request))
      toAnthropicRequest(request, { provider: this.options.provider, defaultMaxOutputTokens: this.options.defaultMaxOutputTokens });
  }

  async *stream(original: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart, void, undefined> {
    const { provider } = this.options;
    const request = await this.resolveFiles(original, signal);
    const body = toAnthropicRequest(request, { provider, defaultMaxOutputTokens: this.options.defaultMaxOutputTokens });
    // Runs even without settings: it removes client markers, which only a planned request may carry.
    const plan = applyAnthropicCache(body, request.cache ?? null);
    if (request.cache) yield { type: 'cache-plan', plan };
    const streamed = body.stream === true;

    yield* readProviderStream({
      provider,
      signal,
      send: () =>
        this.callProvider({
          provider,
          url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1/messages`,
          headers: this.headers(body),
          body,
          signal,
          ...callSettings(this.options, { wholeAnswer: !streamed, trace: request.trace }),
        }),
      fromEvents: (events) => mapAnthropicStream(events, provider),
      fromJson: (text) => convertAnthropicMessage(text, provider),
      streamed,
    });
  }

  /**
   * Counts the prompt `stream(request)` sends (`POST {baseUrl}/v1/messages/count_tokens`): the same
   * body, cache markers removed (they do not change the count), reduced to the fields the endpoint
   * takes, with the same beta header.
   * @see https://platform.claude.com/docs/en/build-with-claude/token-counting
   */
  async countInputTokens(original: ModelRequest, signal: AbortSignal): Promise<InputTokenCount> {
    const { provider } = this.options;
    const request = await this.resolveFiles(original, signal);
    const body = toAnthropicRequest(request, { provider, defaultMaxOutputTokens: this.options.defaultMaxOutputTokens });
    // Without settings it removes every cache marker, a client's too: they change nothing counted.
    applyAnthropicCache(body, null);
    const answer = await requestProviderJson({
      callProvider: this.callProvider,
      call: {
        provider,
        url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1/messages/count_tokens`,
        headers: this.headers(body),
        body: toAnthropicCountTokensBody(body),
        signal,
        ...callSettings(this.options, { wholeAnswer: false }),
      },
      schema: anthropicTokenCountSchema,
    });
    return { inputTokens: answer.input_tokens, source: 'provider' };
  }

  /** The models Anthropic serves (`GET {baseUrl}/v1/models`, one page of up to 1,000). */
  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    const { provider } = this.options;
    const list = await requestProviderJson({
      callProvider: this.callProvider,
      call: {
        provider,
        url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1/models?limit=1000`,
        method: 'GET',
        headers: { 'anthropic-version': ANTHROPIC_VERSION, ...(this.options.apiKey ? { 'x-api-key': this.options.apiKey } : {}) },
        body: undefined,
        signal,
        ...callSettings(this.options, { wholeAnswer: false }),
      },
      schema: anthropicModelListSchema,
    });
    return fromAnthropicModelList(list);
  }

  /** The request with the files Claude cannot fetch itself fetched (see resolve-input-files.ts). */
  private resolveFiles(request: ModelRequest, signal: AbortSignal): Promise<ModelRequest> {
    const reader = anthropicFileReader(this.options.provider, request.inputFiles?.pdf ?? true);
    return resolveInputFiles(request, reader, this.options.fetchFile, signal);
  }

  /** What every call sends: the API version, the key, and the betas the body uses (compaction). */
  private headers(body: AnthropicRequestBody): Record<string, string> {
    const betas = anthropicBetas(body);
    return {
      'anthropic-version': ANTHROPIC_VERSION,
      'content-type': 'application/json',
      ...(betas.length > 0 ? { 'anthropic-beta': betas.join(',') } : {}),
      ...(this.options.apiKey ? { 'x-api-key': this.options.apiKey } : {}),
    };
  }
}
