import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { ModelCatalog } from '../config/model-catalog.js';
import type { UpstreamModel } from '../providers/list-models.js';
import { ProviderRegistry } from '../providers/provider-registry.js';
import { type ModelObject, toModelObject } from './to-model-object.js';

/** How long a provider's list is kept; a failed one is asked for again sooner. */
const LIST_TTL_MS = 10 * 60_000;
const FAILED_LIST_TTL_MS = 60_000;
/** A provider that does not answer its model list in this time is left out of this listing. */
const LIST_TIMEOUT_MS = 10_000;

interface CachedList {
  expiresAt: number;
  /** Null when the provider could not list its models. */
  models: Promise<UpstreamModel[] | null>;
}

/**
 * `GET /v1/models`: what each listable provider says it serves (its own model list, kept for ten
 * minutes), named `provider/model`, and the catalog's aliases of providers that are listed. A
 * provider whose list fails is left out until it answers again; the others are still listed.
 */
@Injectable()
export class ModelsService {
  private readonly logger = new Logger(ModelsService.name);
  private readonly lists = new Map<string, CachedList>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly catalog: ModelCatalog,
  ) {}

  async list(): Promise<{ object: 'list'; data: ModelObject[] }> {
    const providers = this.registry.listable();
    const lists = await Promise.all(providers.map(({ provider, adapter }) => this.providerList(provider, adapter)));
    const data: ModelObject[] = [];
    const listed = new Set<string>();
    providers.forEach(({ provider }, index) => {
      const models = lists[index];
      if (!models) return;
      listed.add(provider);
      for (const model of models) data.push(toModelObject(provider, model, this.catalog.lookup(`${provider}/${model.id}`)));
    });
    for (const [alias, target] of Object.entries(this.catalog.aliases())) {
      const provider = target.slice(0, target.indexOf('/'));
      if (!listed.has(provider)) continue;
      data.push(toModelObject(provider, { id: alias, created: null, ownedBy: null }, this.catalog.lookup(target), target));
    }
    data.sort((a, b) => a.id.localeCompare(b.id));
    return { object: 'list', data };
  }

  /** One model of the list, by its id (`provider/model` or an alias); 404 for any other. */
  async retrieve(id: string): Promise<ModelObject> {
    const found = (await this.list()).data.find((model) => model.id === id);
    if (!found)
      throw new ApiError(404, `The model '${id}' does not exist or you do not have access to it.`, 'invalid_request_error', 'model', 'model_not_found');
    return found;
  }

  private providerList(provider: string, adapter: { listModels?(signal: AbortSignal): Promise<UpstreamModel[]> }): Promise<UpstreamModel[] | null> {
    const cached = this.lists.get(provider);
    if (cached && cached.expiresAt > Date.now()) return cached.models;
    if (!adapter.listModels) return Promise.resolve(null);
    const entry: CachedList = { expiresAt: Date.now() + LIST_TTL_MS, models: Promise.resolve(null) };
    entry.models = adapter.listModels(AbortSignal.timeout(LIST_TIMEOUT_MS)).catch((error: unknown) => {
      this.logger.warn(`provider '${provider}' did not list its models: ${error instanceof Error ? error.message : String(error)}`);
      entry.expiresAt = Date.now() + FAILED_LIST_TTL_MS;
      return null;
    });
    this.lists.set(provider, entry);
    return entry.models;
  }
}
