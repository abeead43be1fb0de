import type { ModelInfo } from '../config/model-catalog.js';
import type { UpstreamModel } from '../providers/list-models.js';

/**
 * OpenAI's Model object, with what the server's catalog knows of the model under `catalog` (our
 * extension): window, output limit, capabilities, prices in USD per million tokens, and for an
 * alias the model it stands for.
 * @see https://platform.openai.com/docs/api-reference/models/object
 */
export interface ModelObject {
  id: string;
  object: 'model';
  /** Unix seconds, as the provider says; 0 when it does not. */
  created: number;
  owned_by: string;
  catalog: {
    provider: string;
    alias_of: string | null;
    context_window: number | null;
    max_output_tokens: number | null;
    capabilities: { tools: boolean; images: boolean; json_schema: boolean; reasoning: boolean };
    /** As the server charges it: cache reads and writes cost `input` unless the catalog says otherwise. */
    pricing: { input: number; cached_input: number; cache_write: number; cache_write_1h: number; output: number } | null;
  };
}

export function toModelObject(provider: string, model: UpstreamModel, info: ModelInfo, aliasOf: string | null = null): ModelObject {
  const { capabilities, pricing } = info;
  return {
    id: aliasOf === null ? `${provider}/${model.id}` : model.id,
    object: 'model',
    created: model.created ?? 0,
    owned_by: model.ownedBy ?? provider,
    catalog: {
      provider,
      alias_of: aliasOf,
      context_window: info.contextWindow,
      max_output_tokens: info.maxOutputTokens,
      capabilities: { tools: capabilities.tools, images: capabilities.images, json_schema: capabilities.jsonSchema, reasoning: capabilities.reasoning },
      pricing: pricing
        ? {
            input: pricing.input,
            cached_input: pricing.cachedInput ?? pricing.input,
            cache_write: pricing.cacheWrite ?? pricing.input,
            cache_write_1h: pricing.cacheWrite1h ?? pricing.cacheWrite ?? pricing.input,
            output: pricing.output,
          }
        : null,
    },
  };
}
