import { readFileSync } from 'node:fs';
import { ModelCatalog } from '../../src/config/model-catalog.js';
import {
  AnthropicCacheEmulator,
  anthropicMinCacheTokens,
  findCacheControlError,
  findRetentionError,
  flattenAnthropicPrompt,
  geminiMinCacheTokens,
  OpenAICacheEmulator,
} from './prompt-cache.js';

/**
 * The mock upstream's cache emulation and config/models.json must tell the same story, or e2e tests
 * check the planner against a provider that does not exist: the same minimum cacheable prompt for
 * every vendor model id of test/fixtures/vendor-model-ids.json, and the TTLs / retentions the catalog
 * offers taken by the mock and kept for as long as they say.
 */
const catalog = ModelCatalog.load(null);
const fixture = JSON.parse(readFileSync(new URL('../fixtures/vendor-model-ids.json', import.meta.url), 'utf8')) as { models: Array<{ id: string }> };
const ids = (provider: string) => fixture.models.map((model) => model.id).filter((id) => id.startsWith(`${provider}/`));
const bare = (id: string) => id.slice(id.indexOf('/') + 1);

describe('the mock upstream and the model catalog agree', () => {
  it.each(ids('anthropic'))('on the minimum cacheable prompt of %s', (id) => {
    expect(anthropicMinCacheTokens(bare(id))).toBe(catalog.lookup(id).cache.minTokens);
  });

  it.each(ids('google'))('on the minimum cached prompt of %s', (id) => {
    expect(geminiMinCacheTokens(bare(id))).toBe(catalog.lookup(id).cache.minTokens);
  });

  it.each(ids('openai'))('on the minimum cached prefix of %s: nothing below it, the prefix from it', (id) => {
    const { minTokens } = catalog.lookup(id).cache;
    const cachedAfterRepeat = (tokens: number) => {
      const cache = new OpenAICacheEmulator();
      const prompt = { hashes: [`${id}:${tokens}`], tokens: [tokens], retention: 'in_memory' as const };
      cache.request({ ...prompt, now: 0 });
      return cache.request({ ...prompt, now: 1 }).cached;
    };
    expect(cachedAfterRepeat(minTokens - 1)).toBe(0);
    expect(cachedAfterRepeat(minTokens)).toBe(minTokens);
  });

  it.each(ids('anthropic'))('on the breakpoint TTLs of %s, and how long each keeps an entry', (id) => {
    const { ttls, minTokens } = catalog.lookup(id).cache;
    expect(ttls).toEqual(['5m', '1h']);
    for (const ttl of ttls) {
      const marked = flattenAnthropicPrompt({ system: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl } }] });
      expect(findCacheControlError(marked)).toBeNull();
      const lifetime = ttl === '5m' ? 5 * 60_000 : 60 * 60_000;
      const readAt = (now: number) => {
        const cache = new AnthropicCacheEmulator();
        const prompt = { hashes: ['h'], tokens: [minTokens], breakpoints: [{ index: 0, ttl }], minTokens };
        cache.request({ ...prompt, now: 0 });
        return cache.request({ ...prompt, now }).read;
      };
      expect(readAt(lifetime - 1)).toBe(minTokens);
      expect(readAt(lifetime)).toBe(0);
    }
  });

  it.each(ids('openai'))('on the prompt_cache_retention values %s takes, and 24h keeping a prefix a day', (id) => {
    for (const retention of catalog.lookup(id).cache.retention) expect(findRetentionError(retention)).toBeNull();
    const cache = new OpenAICacheEmulator();
    const prompt = { hashes: ['h'], tokens: [2048], retention: '24h' as const };
    cache.request({ ...prompt, now: 0 });
    expect(cache.request({ ...prompt, now: 24 * 60 * 60_000 - 1 }).cached).toBe(2048);
  });
});
