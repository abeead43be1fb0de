import { ModelCatalog } from '../config/model-catalog.js';
import { chooseRetention, gapsBetween, promptCacheKeyFor } from './thread-cache.js';

const catalog = ModelCatalog.load(null);

describe(promptCacheKeyFor.name, () => {
  it('is stable per thread, differs between threads and projects, and carries neither id', () => {
    const key = promptCacheKeyFor('proj_a', 'conv_123');
    expect(key).toBe(promptCacheKeyFor('proj_a', 'conv_123'));
    expect(key).not.toBe(promptCacheKeyFor('proj_a', 'conv_124'));
    expect(key).not.toBe(promptCacheKeyFor('proj_b', 'conv_123'));
    expect(key).toMatch(/^rs-[0-9a-f]{32}$/);
    expect(key).not.toContain('conv_123');
  });
});

describe(gapsBetween.name, () => {
  it('measures start to start, oldest first, ending with the gap up to now', () => {
    const at = (seconds: number) => new Date(seconds * 1000);
    expect(gapsBetween([at(100), at(10), at(40)], at(400))).toEqual([30_000, 60_000, 300_000]);
    expect(gapsBetween([], at(5))).toEqual([]);
  });
});

describe(chooseRetention.name, () => {
  it('asks for 24h only where the model offers a choice and caching is on', () => {
    const gpt5 = catalog.lookup('openai/gpt-5').cache;
    expect(chooseRetention('auto', gpt5)).toBe('24h');
    expect(chooseRetention('off', gpt5)).toBeNull();
    expect(chooseRetention('auto', catalog.lookup('openai/gpt-4o').cache)).toBeNull();
    expect(chooseRetention('auto', { ...gpt5, retention: ['24h'] })).toBeNull();
  });
});
