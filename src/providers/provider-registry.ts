import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import type { ModelAdapter } from './model-adapter.js';
import { OpenAICompatibleAdapter } from './openai-compatible/openai-compatible.adapter.js';

export interface ResolvedModel {
  provider: string;
  /** The model name the upstream knows. */
  upstreamModel: string;
  adapter: ModelAdapter;
}

/** The provider a model name without a `provider/` prefix goes to (the SDK's own default). */
const DEFAULT_PROVIDER = 'openai';

/** Picks the adapter for `provider/model` names; adapters are built once from config. */
@Injectable()
export class ProviderRegistry {
  private readonly adapters = new Map<string, ModelAdapter>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const shared = {
      retry: { maxRetries: config.upstream.maxRetries },
      headersTimeoutMs: config.upstream.headersTimeoutMs,
      bodyTimeoutMs: config.upstream.bodyTimeoutMs,
    };
    this.adapters.set(
      'openai',
      new OpenAICompatibleAdapter({ provider: 'openai', baseUrl: config.openai.baseUrl, apiKey: config.openai.apiKey, dialect: 'openai', ...shared }),
    );
    for (const provider of config.compatibleProviders) {
      this.adapters.set(
        provider.name,
        new OpenAICompatibleAdapter({ provider: provider.name, baseUrl: provider.baseUrl, apiKey: provider.apiKey, dialect: 'generic', ...shared }),
      );
    }
  }

  resolve(model: string): ResolvedModel {
    const slash = model.indexOf('/');
    const provider = slash === -1 ? DEFAULT_PROVIDER : model.slice(0, slash);
    const upstreamModel = slash === -1 ? model : model.slice(slash + 1);
    const adapter = this.adapters.get(provider);
    if (!adapter || upstreamModel === '') {
      const known = [...this.adapters.keys()].join(', ');
      throw new ApiError(
        400,
        `The model '${model}' does not exist or you do not have access to it. Use 'provider/model' with one of the configured providers: ${known}.`,
        'invalid_request_error',
        'model',
        'model_not_found',
      );
    }
    return { provider, upstreamModel, adapter };
  }
}
