import { ProviderError } from '../common/provider-error.js';
import { ModelCatalog } from '../config/model-catalog.js';
import type { UpstreamModel } from '../providers/list-models.js';
import type { ModelAdapter } from '../providers/model-adapter.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import { ModelsService } from './models.service.js';

const catalog = new ModelCatalog({
  aliases: { fast: 'vllm/qwen3', smart: 'anthropic/claude-x' },
  models: [{ match: 'vllm/qwen3*', contextWindow: 32_768, pricing: { input: 0.1, output: 0.2 } }],
});

function adapter(listModels?: () => Promise<UpstreamModel[]>): ModelAdapter {
  return { provider: 'x', stream: () => (async function* () {})(), ...(listModels ? { listModels } : {}) } as unknown as ModelAdapter;
}

function service(adapters: Record<string, ModelAdapter>) {
  const registry = { listable: () => Object.entries(adapters).map(([provider, a]) => ({ provider, adapter: a })) } as unknown as ProviderRegistry;
  return new ModelsService(registry, catalog);
}

describe(ModelsService.name, () => {
  it('lists what each provider lists, with the catalog’s facts, and aliases only of providers that listed', async () => {
    const models = service({
      vllm: adapter(async () => [{ id: 'qwen3-8b', created: 1_700_000_000, ownedBy: 'vllm' }]),
      anthropic: adapter(async () => {
        throw new ProviderError({ provider: 'anthropic', message: 'overloaded', status: 529 });
      }),
    });
    const { data } = await models.list();
    expect(data.map((model) => model.id)).toEqual(['fast', 'vllm/qwen3-8b']);
    expect(data[1]).toEqual({
      id: 'vllm/qwen3-8b',
      object: 'model',
      created: 1_700_000_000,
      owned_by: 'vllm',
      catalog: {
        provider: 'vllm',
        alias_of: null,
        context_window: 32_768,
        max_output_tokens: null,
        capabilities: { tools: true, images: true, json_schema: true, reasoning: true },
        pricing: { input: 0.1, cached_input: 0.1, cache_write: 0.1, cache_write_1h: 0.1, output: 0.2 },
      },
    });
    expect(data[0]).toMatchObject({ id: 'fast', created: 0, owned_by: 'vllm', catalog: { alias_of: 'vllm/qwen3' } });
  });

  it('asks a provider once while its list is fresh, and a provider without a list endpoint lists nothing', async () => {
    let calls = 0;
    const listModels = async () => {
      calls++;
      return [{ id: 'm', created: null, ownedBy: null }];
    };
    const models = service({ vllm: adapter(listModels), other: adapter() });
    await Promise.all([models.list(), models.list()]);
    await models.list();
    expect(calls).toBe(1);
    expect((await models.list()).data.map((model) => model.id)).toEqual(['fast', 'vllm/m']);
  });

  it('answers 404 model_not_found for an id nobody lists', async () => {
    await expect(service({}).retrieve('vllm/none')).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });
});
