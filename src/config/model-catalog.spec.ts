import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env.schema.js';
import { computeCacheSavings, computeCost, ModelCatalog } from './model-catalog.js';

describe(ModelCatalog.name, () => {
  const catalog = ModelCatalog.load(null);

  it('takes each field from the first matching entry, specific before provider-wide', () => {
    const sonnet = catalog.lookup('anthropic/claude-sonnet-4-5');
    expect(sonnet).toMatchObject({ maxOutputTokens: 64000, defaultMaxOutputTokens: 8192, contextWindow: 200000 });
    expect(sonnet.pricing).toEqual({ input: 3, cachedInput: 0.3, cacheWrite: 3.75, cacheWrite1h: 6, output: 15 });
    expect(sonnet.capabilities).toEqual({ tools: true, images: true, jsonSchema: true, reasoning: true, pdfInput: true });
    expect(catalog.lookup('openai/gpt-4o-mini-2024-07-18').pricing?.input).toBe(0.15);
    expect(catalog.lookup('openai/gpt-4o-2024-08-06').pricing?.input).toBe(2.5);
  });

  it("prices Claude Opus 4.5 and later at Anthropic's current $5 / $25, and Opus 4 and 4.1 at $15 / $75", () => {
    // https://platform.claude.com/docs/en/about-claude/pricing, checked 2026-12-07.
    const current = { input: 5, cachedInput: 0.5, cacheWrite: 6.25, cacheWrite1h: 10, output: 25 };
    for (const id of ['claude-opus-4-5-20251101', 'claude-opus-4-5', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8']) {
      expect(catalog.lookup(`anthropic/${id}`).pricing).toEqual(current);
    }
    const legacy = { input: 15, cachedInput: 1.5, cacheWrite: 18.75, cacheWrite1h: 30, output: 75 };
    for (const id of ['claude-opus-4-20250514', 'claude-opus-4-0', 'claude-opus-4-1-20250805', 'claude-opus-4-1']) {
      expect(catalog.lookup(`anthropic/${id}`).pricing).toEqual(legacy);
    }
  });

  it("finds Claude Haiku 3 and 3.5 by Anthropic's real ids: 2,048 tokens before a prompt caches", () => {
    for (const id of ['claude-3-haiku-20240307', 'claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest']) {
      const info = catalog.lookup(`anthropic/${id}`);
      expect(info.cache).toMatchObject({ kind: 'breakpoints', minTokens: 2048 });
      expect(info.capabilities.jsonSchema).toBe(false);
    }
    expect(catalog.lookup('anthropic/claude-sonnet-4-5').cache).toMatchObject({ minTokens: 1024 });
  });

  it('knows nothing it was not told: unknown models get capabilities but no prices or limits', () => {
    expect(catalog.lookup('vllm/qwen3-8b')).toEqual({
      contextWindow: null,
      defaultMaxOutputTokens: null,
      maxOutputTokens: null,
      capabilities: { tools: true, images: true, jsonSchema: true, reasoning: false, pdfInput: false },
      pricing: null,
      cache: {
        kind: 'automatic-prefix',
        minTokens: 1024,
        maxBreakpoints: 0,
        lookback: 20,
        ttls: [],
        retention: [],
        promptCacheKey: false,
        multipliers: { read: 0.1, write5m: 1, write1h: 1, storagePerHour: 0 },
      },
      thinking: { style: 'none', canDisable: true, budget: { min: 1024, max: 32000 }, levels: ['LOW', 'HIGH'] },
      compaction: null,
    });
  });

  it.each([
    ['openai/gpt-4o-mini', true],
    ['anthropic/claude-haiku-4-5', true],
    ['google/gemini-2.5-flash', true],
    ['vllm/qwen3-8b', false],
    ['openrouter/anthropic/claude-sonnet-4-5', false],
  ])('knows which models read PDFs sent as input_file: %s', (model, pdfInput) => {
    expect(catalog.lookup(model).capabilities.pdfInput).toBe(pdfInput);
  });

  it.each([
    ['openai/gpt-5.4', 'openai'],
    ['anthropic/claude-sonnet-4-6', 'anthropic'],
    ['anthropic/claude-opus-4-7', 'anthropic'],
    ['anthropic/claude-sonnet-4-5', null],
    ['google/gemini-2.5-flash', null],
  ])('knows which models compact natively: %s', (model, compaction) => {
    expect(catalog.lookup(model).compaction).toBe(compaction);
  });

  it('has cache capabilities per model, each field overridable on its own', () => {
    expect(catalog.lookup('anthropic/claude-sonnet-4-5').cache).toEqual({
      kind: 'breakpoints',
      minTokens: 1024,
      maxBreakpoints: 4,
      lookback: 20,
      ttls: ['5m', '1h'],
      retention: [],
      promptCacheKey: false,
      multipliers: { read: 0.1, write5m: 1.25, write1h: 2, storagePerHour: 0 },
    });
    expect(catalog.lookup('anthropic/claude-haiku-4-5').cache).toMatchObject({ kind: 'breakpoints', minTokens: 4096, maxBreakpoints: 4 });
    expect(catalog.lookup('openai/gpt-5-mini').cache).toMatchObject({
      kind: 'automatic-prefix',
      minTokens: 1024,
      retention: ['in_memory', '24h'],
      promptCacheKey: true,
    });
    expect(catalog.lookup('openai/gpt-4o').cache.retention).toEqual([]);
    expect(catalog.lookup('google/gemini-2.5-flash').cache).toMatchObject({ kind: 'gemini', minTokens: 1024 });
  });

  it('resolves aliases', () => {
    expect(catalog.resolveAlias('claude-sonnet')).toBe('anthropic/claude-sonnet-4-5');
    expect(catalog.resolveAlias('vllm/x')).toBe('vllm/x');
  });

  it('lets MODELS_FILE override prices and add aliases', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'models.json');
    writeFileSync(path, JSON.stringify({ aliases: { fast: 'vllm/qwen3-8b' }, models: [{ match: 'vllm/*', pricing: { input: 0.01, output: 0.02 } }] }));
    const overridden = ModelCatalog.load(path);
    expect(overridden.resolveAlias('fast')).toBe('vllm/qwen3-8b');
    expect(overridden.lookup('vllm/qwen3-8b').pricing).toEqual({ input: 0.01, output: 0.02 });
    expect(overridden.resolveAlias('claude-sonnet')).toBe('anthropic/claude-sonnet-4-5');
    writeFileSync(path, JSON.stringify({ models: [{ match: 'x', pricing: { input: -1, output: 1 } }] }));
    expect(() => ModelCatalog.load(path)).toThrow(ConfigError);
  });
});

describe(computeCacheSavings.name, () => {
  it('is the cost with every input token uncached minus the cost, negative when writes outweigh reads', () => {
    const pricing = { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 };
    const reading = { inputTokens: 1_000_000, cachedInputTokens: 900_000, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    expect(computeCacheSavings(pricing, reading)).toBeCloseTo(900_000 * (3 - 0.3) * 1e-6, 10);
    const writing = { ...reading, cachedInputTokens: 0, cacheWriteTokens: 1_000_000 };
    expect(computeCacheSavings(pricing, writing)).toBeCloseTo(-1_000_000 * 0.75 * 1e-6, 10);
    expect(computeCacheSavings(null, reading)).toBeNull();
  });
});

describe(computeCost.name, () => {
  it('bills uncached, cached, cache-write and output tokens at their own prices', () => {
    const pricing = { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 };
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 500_000, cacheWriteTokens: 100_000, outputTokens: 10_000, reasoningTokens: 0 };
    expect(computeCost(pricing, usage)).toBeCloseTo(400_000 * 3e-6 + 500_000 * 0.3e-6 + 100_000 * 3.75e-6 + 10_000 * 15e-6, 10);
    expect(computeCost(null, usage)).toBeNull();
  });

  it('bills 1 h cache writes at their own price, and the rest of the writes at the 5-minute one', () => {
    const pricing = { input: 3, cachedInput: 0.3, cacheWrite: 3.75, cacheWrite1h: 6, output: 15 };
    const usage = { inputTokens: 200_000, cachedInputTokens: 0, cacheWriteTokens: 150_000, cacheWrite1hTokens: 100_000, outputTokens: 0, reasoningTokens: 0 };
    expect(computeCost(pricing, usage)).toBeCloseTo(50_000 * 3e-6 + 50_000 * 3.75e-6 + 100_000 * 6e-6, 10);
    // The savings of a turn that only wrote are negative: a 1 h write costs 2x the input it replaces.
    expect(computeCacheSavings(pricing, usage)).toBeCloseTo(-(50_000 * 0.75e-6 + 100_000 * 3e-6), 10);
    // Without a 1 h price, 1 h writes cost what 5-minute ones do.
    expect(computeCost({ input: 3, cacheWrite: 3.75, output: 15 }, usage)).toBeCloseTo(50_000 * 3e-6 + 150_000 * 3.75e-6, 10);
  });
});
