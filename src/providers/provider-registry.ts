import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type CacheThreadRef } from '../caching/cache-types.js';
import { ApiError } from '../common/api-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, WireApi } from '../config/env.schema.js';
import { ModelCatalog, type ModelInfo } from '../config/model-catalog.js';
import type { ReplayTarget } from '../reasoning/plan-reasoning-replay.js';
import { AnthropicAdapter } from './anthropic/anthropic.adapter.js';
import { DEFAULT_RETRY } from './call-provider.js';
import { InputFileFetcher } from './fetch-input-file.js';
import { GeminiAdapter } from './gemini/gemini.adapter.js';
import type { ModelAdapter } from './model-adapter.js';
import { OpenAICompatibleAdapter } from './openai-compatible/openai-compatible.adapter.js';
import { OpenAIResponsesAdapter } from './openai-responses/openai-responses.adapter.js';
import { PrismaProviderCacheStore } from './provider-cache.store.js';
import { withInBandRetries } from './retry-in-band.js';

export interface ResolvedModel {
  provider: string;
  /** The model name the upstream knows. */
  upstreamModel: string;
  adapter: ModelAdapter;
  /** The wire protocol the adapter speaks: what reasoning it can replay, and how. */
  wire: ReplayTarget['wire'];
  /** What the catalog knows of the model (limits, capabilities, prices). */
  info: ModelInfo;
}

/** The provider a model name without a `provider/` prefix goes to (the SDK's own default). */
const DEFAULT_PROVIDER = 'openai';

/** Used only when neither the client nor the catalog sets a limit for a provider that needs one. */
const FALLBACK_MAX_OUTPUT_TOKENS = 4096;

/** Picks the adapter for `provider/model` names (after catalog aliases); adapters are built once from config. */
@Injectable()
export class ProviderRegistry implements OnApplicationShutdown {
  private readonly adapters = new Map<string, ModelAdapter>();
  /** Fetches `input_file` URLs for every adapter that needs it (FILE_FETCH_*). */
  private readonly files: InputFileFetcher;
  /** The vendors' own providers configured without a key (they cannot list their models). */
  private readonly keyless = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly catalog: ModelCatalog,
    caches: PrismaProviderCacheStore,
  ) {
    this.files = new InputFileFetcher(config.fileFetch);
    const shared = {
      retry: { maxRetries: config.upstream.maxRetries },
      headersTimeoutMs: config.upstream.headersTimeoutMs,
      bodyTimeoutMs: config.upstream.bodyTimeoutMs,
      fetchFile: this.files.fetch,
    };
    this.adapters.set('openai', openAIWire(config.openai.wireApi, { provider: 'openai', ...config.openai, ...shared }, 'openai'));
    this.adapters.set(
      'anthropic',
      new AnthropicAdapter({ provider: 'anthropic', ...config.anthropic, defaultMaxOutputTokens: FALLBACK_MAX_OUTPUT_TOKENS, ...shared }),
    );
    this.adapters.set('google', new GeminiAdapter({ provider: 'google', ...config.gemini, ...shared, caches }));
    for (const [name, apiKey] of [
      ['openai', config.openai.apiKey],
      ['anthropic', config.anthropic.apiKey],
      ['google', config.gemini.apiKey],
    ] as const) {
      if (!apiKey) this.keyless.add(name);
    }
    for (const provider of config.compatibleProviders) {
      this.adapters.set(
        provider.name,
        openAIWire(provider.wireApi, { provider: provider.name, baseUrl: provider.baseUrl, apiKey: provider.apiKey, ...shared }, 'generic'),
      );
    }
    const retry = { ...DEFAULT_RETRY, ...shared.retry };
    for (const [name, adapter] of this.adapters) this.adapters.set(name, withInBandRetries(adapter, retry));
  }

  /** Idle keep-alive sockets of the file fetcher would otherwise hold the process open after close. */
  async onApplicationShutdown(): Promise<void> {
    await this.files.close();
  }

  /** Releases a thread's provider-side caches everywhere (its conversation was deleted); failures are the adapters' to log. */
  async releaseCaches(thread: CacheThreadRef): Promise<void> {
    await Promise.all([...this.adapters.values()].map((adapter) => adapter.releaseCaches?.(thread)));
  }

  /**
   * The providers whose models can be listed: every OpenAI-compatible server, and OpenAI, Anthropic
   * and Gemini when they have a key (without one they are reached only through a proxy that adds it).
   */
  listable(): Array<{ provider: string; adapter: ModelAdapter }> {
    return [...this.adapters].filter(([provider]) => !this.keyless.has(provider)).map(([provider, adapter]) => ({ provider, adapter }));
  }

  resolve(requestedModel: string): ResolvedModel {
    const model = this.catalog.resolveAlias(requestedModel);
    const slash = model.indexOf('/');
    const provider = slash === -1 ? DEFAULT_PROVIDER : model.slice(0, slash);
    const upstreamModel = slash === -1 ? model : model.slice(slash + 1);
    const adapter = this.adapters.get(provider);
    if (!adapter || upstreamModel === '') {
      const known = [...this.adapters.keys()].join(', ');
      throw new ApiError(
        400,
        `The model '${requestedModel}' does not exist or you do not have access to it. Use 'provider/model' with one of the configured providers: ${known}.`,
        'invalid_request_error',
        'model',
        'model_not_found',
      );
    }
    return { provider, upstreamModel, adapter, wire: wireOf(adapter), info: this.catalog.lookup(`${provider}/${upstreamModel}`) };
  }
}

function wireOf(adapter: ModelAdapter): ReplayTarget['wire'] {
  if (adapter instanceof AnthropicAdapter) return 'anthropic';
  if (adapter instanceof GeminiAdapter) return 'gemini';
  return adapter instanceof OpenAIResponsesAdapter ? 'openai-responses' : 'chat';
}

type OpenAIWireOptions = { provider: string; baseUrl: string; apiKey: string | null } & Pick<
  ConstructorParameters<typeof OpenAICompatibleAdapter>[0],
  'retry' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'fetchFile'
>;

function openAIWire(wireApi: WireApi, { fetchFile, ...options }: OpenAIWireOptions, dialect: 'openai' | 'generic'): ModelAdapter {
  // The Responses wire passes files on as they are: the vendor fetches their URLs.
  return wireApi === 'responses'
    ? new OpenAIResponsesAdapter(options)
    : new OpenAICompatibleAdapter({ ...options, dialect, ...(fetchFile ? { fetchFile } : {}) });
}
