import { ProviderError } from '../../common/provider-error.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { type CallProvider, callProvider, callSettings, type ProviderResponse, type UpstreamCallOptions } from '../call-provider.js';
import { countPromptTokens } from '../count-prompt-tokens.js';
import { listOpenAIModels, type UpstreamModel } from '../list-models.js';
import type { InputTokenCount, ModelAdapter, ModelStreamPart } from '../model-adapter.js';
import { readProviderStream } from '../read-provider-stream.js';
import { requestProviderJson } from '../request-provider-json.js';
import { isEncryptedContentUnsupportedError } from './openai-responses-error.js';
import { openAIResponsesInputTokensSchema, toOpenAIResponsesInputTokensBody, toOpenAIResponsesTextPrompt } from './openai-responses-input-tokens.js';
import { convertOpenAIResponsesResponse } from './openai-responses-response.js';
import { mapOpenAIResponsesStream } from './openai-responses-stream.js';
import { toOpenAIResponsesRequest } from './to-openai-responses-request.js';

export interface OpenAIResponsesAdapterOptions extends UpstreamCallOptions {
  /** Provider name as configured (`openai`, `azure`, `vllm`, …). */
  provider: string;
  /** Includes the version path, e.g. `https://api.openai.com/v1`; requests go to `{baseUrl}/responses`. */
  baseUrl: string;
  /** Sent as a Bearer token (Azure's `/openai/v1` takes its keys that way too); null for servers without auth. */
  apiKey: string | null;
}

/**
 * The Responses API (`POST {baseUrl}/responses`) for upstreams that speak it themselves: OpenAI,
 * Azure OpenAI, vLLM's Responses server. Our server owns the conversation, so every call is
 * stateless: `store: false`, the whole history as input, streamed unless the client waits for the
 * whole answer, with encrypted reasoning asked for so reasoning items can be replayed on the next turn.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export class OpenAIResponsesAdapter implements ModelAdapter {
  readonly provider: string;
  private readonly callProvider: CallProvider;
  /** Models that answered `include: ["reasoning.encrypted_content"]` with a 400 (models that do not reason). */
  private readonly modelsWithoutEncryptedReasoning = new Set<string>();

  constructor(private readonly options: OpenAIResponsesAdapterOptions) {
    this.provider = options.provider;
    this.callProvider = options.callProvider ?? callProvider;
  }

  // The reader itself, not a generator delegating to it: each layer of `yield*` costs every part
  // of a stream a promise and a turn of the microtask queue.
  stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart, void, undefined> {
    const { provider } = this.options;
    return readProviderStream({
      provider,
      signal,
      send: () => this.send(request, signal),
      fromEvents: (events) => mapOpenAIResponsesStream(events, provider),
      fromJson: (text) => convertOpenAIResponsesResponse(text, provider),
      streamed: request.stream !== false,
    });
  }

  /** The models the server lists (`GET {baseUrl}/models`). */
  listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    return listOpenAIModels(this.callProvider, this.options, signal);
  }

  /**
   * Counts the prompt `stream(request)` sends (`POST {baseUrl}/responses/input_tokens`): the same
   * create body, reduced to the fields the endpoint takes. A server without the endpoint (vLLM's
   * Responses server answers 404 or 405) gets the tokenizer or the estimate of count-prompt-tokens.ts.
   * @see https://platform.openai.com/docs/api-reference/responses/input-tokens
   */
  async countInputTokens(request: ModelRequest, signal: AbortSignal): Promise<InputTokenCount> {
    const { provider } = this.options;
    const body = toOpenAIResponsesRequest(request, { includeEncryptedReasoning: false });
    try {
      const answer = await requestProviderJson({
        callProvider: this.callProvider,
        call: {
          provider,
          url: `${this.options.baseUrl.replace(/\/+$/, '')}/responses/input_tokens`,
          headers: {
            accept: 'application/json',
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          body: toOpenAIResponsesInputTokensBody(body),
          signal,
          ...callSettings(this.options, { wholeAnswer: false }),
        },
        schema: openAIResponsesInputTokensSchema,
      });
      return { inputTokens: answer.input_tokens, source: 'provider' };
    } catch (error) {
      if (!isMissingEndpointError(error)) throw error;
      return countPromptTokens(request.model, toOpenAIResponsesTextPrompt(body), { charsPerToken: request.cache?.charsPerToken, signal });
    }
  }

  /**
   * Sends the request, asking for encrypted reasoning unless the model is known to refuse it. Models
   * that do not reason (gpt-4.1, gpt-4o, and Azure deployments of them, whose names tell nothing)
   * reject that `include` with a 400; the first such answer is remembered per model and the request
   * sent again without it, which costs one extra round trip per model and process.
   */
  private async send(request: ModelRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const includeEncryptedReasoning = !this.modelsWithoutEncryptedReasoning.has(request.model);
    try {
      return await this.post(request, includeEncryptedReasoning, signal);
    } catch (error) {
      if (!includeEncryptedReasoning || !isEncryptedContentUnsupportedError(error)) {
        throw error;
      }
      this.modelsWithoutEncryptedReasoning.add(request.model);
      return this.post(request, false, signal);
    }
  }

  private post(request: ModelRequest, includeEncryptedReasoning: boolean, signal: AbortSignal): Promise<ProviderResponse> {
    const streamed = request.stream !== false;
    return this.callProvider({
      provider: this.options.provider,
      url: `${this.options.baseUrl.replace(/\/+$/, '')}/responses`,
      headers: {
        accept: streamed ? 'text/event-stream' : 'application/json',
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      },
      body: toOpenAIResponsesRequest(request, { includeEncryptedReasoning }),
      signal,
      ...callSettings(this.options, { wholeAnswer: !streamed, trace: request.trace }),
    });
  }
}

/** The server has no count endpoint; OpenAI's 404 for a model it does not know is not that. */
function isMissingEndpointError(error: unknown): boolean {
  return error instanceof ProviderError && (error.status === 404 || error.status === 405) && error.providerCode !== 'model_not_found';
}
