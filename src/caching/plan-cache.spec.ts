import { ModelCatalog } from '../config/model-catalog.js';
import { usesThreadRhythm } from './plan-cache.js';

const catalog = ModelCatalog.load(null);

describe(usesThreadRhythm.name, () => {
  it('is true where the gaps decide something: Anthropic with 1h on offer, Gemini explicit caches', () => {
    expect(usesThreadRhythm(catalog.lookup('anthropic/claude-sonnet-4-5').cache)).toBe(true);
    expect(usesThreadRhythm(catalog.lookup('google/gemini-2.5-pro').cache)).toBe(true);
  });

  it('is false for automatic prefix caching (OpenAI, OpenAI-compatible servers)', () => {
    expect(usesThreadRhythm(catalog.lookup('openai/gpt-4o-mini').cache)).toBe(false);
    expect(usesThreadRhythm(catalog.lookup('vllm/some-model').cache)).toBe(false);
  });

  it('is true for breakpoints with only the 5 minute TTL (whether to write at all), false without breakpoints', () => {
    const anthropic = catalog.lookup('anthropic/claude-sonnet-4-5').cache;
    expect(usesThreadRhythm({ ...anthropic, ttls: ['5m'] })).toBe(true);
    expect(usesThreadRhythm({ ...anthropic, maxBreakpoints: 0 })).toBe(false);
  });
});
