import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env.schema.js';
import { computeCacheSavings, computeCost, explicitCacheCost, ModelCatalog } from './model-catalog.js';

type CatalogRow = { match: string | string[]; pricing?: unknown; cache?: Record<string, unknown>; source?: { url: string | string[]; checked: string } };
type VendorModel = { id: string; family: string; input: number | null; output: number | null; minTokens?: number };

describe(ModelCatalog.name, () => {
  const catalog = ModelCatalog.load(null);

  it('takes each field from the first matching entry, specific before provider-wide', () => {
    const sonnet = catalog.lookup('anthropic/claude-sonnet-4-5');
    expect(sonnet).toMatchObject({ maxOutputTokens: 64000, defaultMaxOutputTokens: 8192, contextWindow: 200000 });
    expect(sonnet.pricing).toEqual({
      input: 3,
      cachedInput: 0.3,
      cacheWrite: 3.75,
      cacheWrite1h: 6,
      output: 15,
      longContext: { above: 200_000, input: 6, cachedInput: 0.6, cacheWrite: 7.5, cacheWrite1h: 12, output: 22.5 },
      // From the provider-wide entry: web search at $10 per 1,000 searches.
      perCall: { webSearch: 10 },
    });
    expect(sonnet.capabilities).toEqual({ tools: true, images: true, jsonSchema: true, reasoning: true, pdfInput: true });
    expect(catalog.lookup('openai/gpt-4o-mini-2024-07-18').pricing?.input).toBe(0.15);
    expect(catalog.lookup('openai/gpt-4o-2024-08-06').pricing?.input).toBe(2.5);
  });

  it("prices Claude Opus 4.5 and later at Anthropic's current $5 / $25, and Opus 4 and 4.1 at $15 / $75", () => {
    // https://platform.claude.com/docs/en/about-claude/pricing, checked 2026-12-07.
    const current = { input: 5, cachedInput: 0.5, cacheWrite: 6.25, cacheWrite1h: 10, output: 25, perCall: { webSearch: 10 } };
    for (const id of ['claude-opus-4-5-20251101', 'claude-opus-4-5', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8']) {
      expect(catalog.lookup(`anthropic/${id}`).pricing).toEqual(current);
    }
    const legacy = { input: 15, cachedInput: 1.5, cacheWrite: 18.75, cacheWrite1h: 30, output: 75, perCall: { webSearch: 10 } };
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
        thinkingKept: false,
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
      thinkingKept: false,
    });
    expect(catalog.lookup('anthropic/claude-haiku-4-5').cache).toMatchObject({ kind: 'breakpoints', minTokens: 4096, maxBreakpoints: 4 });
    expect(catalog.lookup('openai/gpt-5-mini').cache).toMatchObject({
      kind: 'automatic-prefix',
      minTokens: 1024,
      retention: ['in_memory', '24h'],
      promptCacheKey: true,
    });
    expect(catalog.lookup('openai/gpt-4o').cache.retention).toEqual([]);
    expect(catalog.lookup('google/gemini-2.5-flash').cache).toMatchObject({ kind: 'gemini', minTokens: 2048 });
  });

  it('names a vendor page and the day it was checked for every entry with a price or a cache figure', () => {
    const file = JSON.parse(readFileSync(new URL('../../config/models.json', import.meta.url), 'utf8')) as { models: CatalogRow[] };
    const figured = file.models.filter((entry) => entry.pricing !== undefined || Object.values(entry.cache ?? {}).some((value) => typeof value === 'number'));
    expect(figured.length).toBeGreaterThan(40);
    for (const entry of figured) {
      expect({ match: entry.match, source: entry.source }).toEqual({
        match: entry.match,
        source: { url: expect.anything(), checked: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      });
      const { url, checked } = entry.source!;
      expect(new Date(`${checked}T00:00:00Z`).toISOString().slice(0, 10)).toBe(checked);
      for (const page of [url].flat()) expect(new URL(page).protocol).toBe('https:');
    }
  });

  describe("finds every vendor's real model ids (dated and aliases) in their own family", () => {
    const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/vendor-model-ids.json', import.meta.url), 'utf8')) as { models: VendorModel[] };
    it.each(fixture.models.map((model) => [model.id, model] as const))('%s', (id, expected) => {
      const info = catalog.lookup(id);
      expect({ family: expected.family, input: info.pricing?.input ?? null, output: info.pricing?.output ?? null }).toEqual({
        family: expected.family,
        input: expected.input,
        output: expected.output,
      });
      if (expected.minTokens !== undefined) expect(info.cache.minTokens).toBe(expected.minTokens);
    });
  });

  it("has the context windows and output limits of the vendors' model pages", () => {
    // platform.claude.com/docs/en/models/opus-4-6/overview (1M, 128K); opus-4-8, sonnet-4-6, opus-5 overviews alike;
    // Opus 4.7 from Google Cloud's model page; Opus 4.5 and Sonnet 4.5: 200K, 64K.
    for (const id of ['claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8', 'claude-opus-5', 'claude-sonnet-4-6', 'claude-sonnet-5', 'claude-haiku-5-5']) {
      expect(catalog.lookup(`anthropic/${id}`)).toMatchObject({ contextWindow: 1_000_000, maxOutputTokens: 128_000 });
    }
    for (const id of ['claude-opus-4-5-20251101', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5']) {
      expect(catalog.lookup(`anthropic/${id}`)).toMatchObject({ contextWindow: 200_000, maxOutputTokens: 64_000 });
    }
    // developers.openai.com/api/docs/models/gpt-5.1: 400,000 context, 128,000 max output.
    expect(catalog.lookup('openai/gpt-5.1-2025-11-13')).toMatchObject({ contextWindow: 400_000, maxOutputTokens: 128_000 });
  });

  it('plans Gemini caches with the published read and storage prices (ai.google.dev pricing, checked 2026-12-07)', () => {
    // Reads: 2.5 Pro $0.125 of $1.25, 2.5 Flash $0.03 of $0.30, Flash-Lite $0.01 of $0.10, 3.1 Pro $0.20 of $2: 0.1x.
    // Storage per 1M tokens per hour: $4.50 / $1.25, $1.00 / $0.30, $1.00 / $0.10, $4.50 / $2.
    const multipliers = (id: string) => catalog.lookup(`google/${id}`).cache.multipliers;
    expect(multipliers('gemini-2.5-pro').read).toBeCloseTo(0.125 / 1.25, 12);
    expect(multipliers('gemini-2.5-pro').storagePerHour).toBeCloseTo(4.5 / 1.25, 12);
    expect(multipliers('gemini-2.5-flash').read).toBeCloseTo(0.03 / 0.3, 12);
    expect(multipliers('gemini-2.5-flash').storagePerHour).toBeCloseTo(1 / 0.3, 12);
    expect(multipliers('gemini-2.5-flash-lite').read).toBeCloseTo(0.01 / 0.1, 12);
    expect(multipliers('gemini-2.5-flash-lite').storagePerHour).toBeCloseTo(1 / 0.1, 12);
    expect(multipliers('gemini-3.1-pro-preview').read).toBeCloseTo(0.2 / 2, 12);
    expect(multipliers('gemini-3.1-pro-preview').storagePerHour).toBeCloseTo(4.5 / 2, 12);
    for (const id of ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3.1-pro-preview']) {
      const { pricing, cache } = catalog.lookup(`google/${id}`);
      expect(pricing!.cachedInput! / pricing!.input).toBeCloseTo(cache.multipliers.read, 12);
    }
    // Anthropic's footnoted read prices: Opus 5.5 at 0.05x ($0.20 of $4), Fable 5.1 at 0.025x ($0.25 of $10).
    expect(catalog.lookup('anthropic/claude-opus-5-5').cache.multipliers.read).toBeCloseTo(0.2 / 4, 12);
    expect(catalog.lookup('anthropic/claude-fable-5-1').cache.multipliers.read).toBeCloseTo(0.25 / 10, 12);
  });

  it('resolves aliases', () => {
    expect(catalog.resolveAlias('claude-sonnet')).toBe('anthropic/claude-sonnet-4-5');
    expect(catalog.resolveAlias('vllm/x')).toBe('vllm/x');
  });

  it('takes a name that is a property of every object (`__proto__`, `toString`) as a name, not an alias', () => {
    for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) expect(catalog.resolveAlias(name)).toBe(name);
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

/** Usage of one call; `inputTokens` counts every input token, cached and written ones too (src/items/usage.ts). */
const usage = (fields: { input: number; cached?: number; written?: number; written1h?: number; output?: number; reasoning?: number }) => ({
  inputTokens: fields.input,
  cachedInputTokens: fields.cached ?? 0,
  cacheWriteTokens: fields.written ?? 0,
  ...(fields.written1h === undefined ? {} : { cacheWrite1hTokens: fields.written1h }),
  outputTokens: fields.output ?? 0,
  reasoningTokens: fields.reasoning ?? 0,
});

describe('costs from the published prices, worked out by hand (config/models.json, sources checked 2026-12-07)', () => {
  const catalog = ModelCatalog.load(null);
  const pricing = (model: string) => catalog.lookup(model).pricing;

  describe('Anthropic (platform.claude.com/docs/en/about-claude/pricing)', () => {
    it('Sonnet 4.5 at 250k input tokens: $6/M input, $0.60 reads, $7.50 5m / $12 1h writes, $22.50/M output (long context, every token of the request)', () => {
      const call = usage({ input: 250_000, cached: 100_000, written: 50_000, written1h: 20_000, output: 2_000 });
      // 100,000 uncached x $6 = 0.60; 100,000 read x $0.60 = 0.06; 30,000 5m writes x $7.50 = 0.225;
      // 20,000 1h writes x $12 = 0.24; 2,000 output x $22.50 = 0.045.
      expect(computeCost(pricing('anthropic/claude-sonnet-4-5-20250929'), call)).toBeCloseTo(1.17, 12);
      // All 250,000 uncached at $6 = 1.50, plus output 0.045 = 1.545; minus 1.17.
      expect(computeCacheSavings(pricing('anthropic/claude-sonnet-4-5-20250929'), call)).toBeCloseTo(0.375, 12);
    });

    it('Sonnet 4 counts cache reads toward the 200K threshold: 150k uncached + 60k read is billed at $6 / $0.60 (pricing page, long context)', () => {
      const call = usage({ input: 210_000, cached: 60_000 });
      // 150,000 x $6 = 0.90; 60,000 x $0.60 = 0.036.
      expect(computeCost(pricing('anthropic/claude-sonnet-4-20250514'), call)).toBeCloseTo(0.936, 12);
      expect(computeCacheSavings(pricing('anthropic/claude-sonnet-4-20250514'), call)).toBeCloseTo(60_000 * (6 - 0.6) * 1e-6, 12);
    });

    it('Sonnet 4.5 at exactly 200,000 input tokens stays at $3 / $15; one token more and the whole request is $6 / $22.50', () => {
      // 200,000 x $3 = 0.60, 1,000 output x $15 = 0.015.
      expect(computeCost(pricing('anthropic/claude-sonnet-4-5'), usage({ input: 200_000, output: 1_000 }))).toBeCloseTo(0.615, 12);
      // 200,001 x $6 = 1.200006, 1,000 x $22.50 = 0.0225.
      expect(computeCost(pricing('anthropic/claude-sonnet-4-5'), usage({ input: 200_001, output: 1_000 }))).toBeCloseTo(1.222506, 12);
    });

    it('Sonnet 4.6 has no long-context premium at 500k input tokens: $3 / $15', () => {
      // 500,000 x $3 = 1.50, 1,000 x $15 = 0.015.
      expect(computeCost(pricing('anthropic/claude-sonnet-4-6'), usage({ input: 500_000, output: 1_000 }))).toBeCloseTo(1.515, 12);
    });

    it('Haiku 3: $0.25 input, $0.03 reads, $0.30 5m writes, $1.25 output (zh-CN pricing page)', () => {
      const call = usage({ input: 10_000, cached: 5_000, written: 2_000, output: 1_000 });
      // 3,000 x 0.25 = 0.00075; 5,000 x 0.03 = 0.00015; 2,000 x 0.30 = 0.0006; 1,000 x 1.25 = 0.00125.
      expect(computeCost(pricing('anthropic/claude-3-haiku-20240307'), call)).toBeCloseTo(0.00275, 12);
    });

    it('Haiku 3.5: $0.80 input, $0.08 reads, $1 5m writes, $1.60 1h writes, $4 output', () => {
      const call = usage({ input: 10_000, cached: 5_000, written: 2_000, written1h: 1_000, output: 1_000 });
      // 3,000 x 0.80 = 0.0024; 5,000 x 0.08 = 0.0004; 1,000 x 1 = 0.001; 1,000 x 1.60 = 0.0016; 1,000 x 4 = 0.004.
      expect(computeCost(pricing('anthropic/claude-3-5-haiku-20241022'), call)).toBeCloseTo(0.0094, 12);
      // Uncached: 10,000 x 0.80 + 0.004 = 0.012; saved 0.012 - 0.0094.
      expect(computeCacheSavings(pricing('anthropic/claude-3-5-haiku-20241022'), call)).toBeCloseTo(0.0026, 12);
    });

    it('Haiku 5.5 above 100,000 prompt tokens: $0.50 input, $0.625 5m writes, $2.50 output (haiku-5-5 overview); reads and 1h writes scaled 5x', () => {
      const call = usage({ input: 150_000, cached: 50_000, written: 30_000, written1h: 10_000, output: 1_000 });
      // 70,000 x 0.50 = 0.035; 50,000 x 0.05 = 0.0025; 20,000 x 0.625 = 0.0125; 10,000 x 1.00 = 0.01; 1,000 x 2.50 = 0.0025.
      expect(computeCost(pricing('anthropic/claude-haiku-5-5'), call)).toBeCloseTo(0.0625, 12);
      // At 100,000 tokens: $0.10 input, $0.01 reads, $0.50 output: 50,000 x 0.10 + 50,000 x 0.01 + 1,000 x 0.50.
      expect(computeCost(pricing('anthropic/claude-haiku-5-5'), usage({ input: 100_000, cached: 50_000, output: 1_000 }))).toBeCloseTo(0.006, 12);
    });

    it('web search: $10 per 1,000 searches (server_tool_use.web_search_requests) on top of the tokens (web-search-tool page)', () => {
      // Sonnet 4.5: 20,000 x 3 = 0.06; 500 x 15 = 0.0075; 2 searches x $0.01 = 0.02.
      expect(computeCost(pricing('anthropic/claude-sonnet-4-5'), { ...usage({ input: 20_000, output: 500 }), webSearchCalls: 2 })).toBeCloseTo(0.0875, 12);
    });

    it('Priority Tier has no per-token price (sold by commitment): billed at the standard prices', () => {
      const call = usage({ input: 10_000, output: 1_000 });
      expect(computeCost(pricing('anthropic/claude-sonnet-4-5'), call, 'priority')).toBeCloseTo(computeCost(pricing('anthropic/claude-sonnet-4-5'), call)!, 12);
    });

    it('Opus 5.5: $4 input, $0.20 reads (0.05x, footnote 2), $20 output', () => {
      // 10,000 x 4 = 0.04; 90,000 x 0.20 = 0.018; 1,000 x 20 = 0.02.
      expect(computeCost(pricing('anthropic/claude-opus-5-5'), usage({ input: 100_000, cached: 90_000, output: 1_000 }))).toBeCloseTo(0.078, 12);
    });
  });

  describe('OpenAI (developers.openai.com/api/docs/pricing)', () => {
    it('gpt-5.4 above 272K input tokens: $5 input, $0.50 cached, $22.50 output for the full request', () => {
      const call = usage({ input: 300_000, cached: 200_000, output: 10_000, reasoning: 6_000 });
      // 100,000 x 5 = 0.50; 200,000 x 0.50 = 0.10; 10,000 (reasoning included) x 22.50 = 0.225.
      expect(computeCost(pricing('openai/gpt-5.4'), call)).toBeCloseTo(0.825, 12);
      expect(computeCacheSavings(pricing('openai/gpt-5.4'), call)).toBeCloseTo(200_000 * (5 - 0.5) * 1e-6, 12);
      // At 272,000: $2.50 / $15. 272,000 x 2.50 = 0.68; 1,000 x 15 = 0.015.
      expect(computeCost(pricing('openai/gpt-5.4'), usage({ input: 272_000, output: 1_000 }))).toBeCloseTo(0.695, 12);
    });

    it('gpt-5.5 above 272K: $10 input, $1 cached, $45 output', () => {
      // 50,000 x 10 = 0.50; 250,000 x 1 = 0.25; 2,000 x 45 = 0.09.
      expect(computeCost(pricing('openai/gpt-5.5'), usage({ input: 300_000, cached: 250_000, output: 2_000 }))).toBeCloseTo(0.84, 12);
    });

    it('gpt-5-nano: $0.05 input, $0.005 cached, $0.40 output', () => {
      // 50,000 x 0.05 = 0.0025; 50,000 x 0.005 = 0.00025; 10,000 x 0.40 = 0.004.
      expect(computeCost(pricing('openai/gpt-5-nano-2025-08-07'), usage({ input: 100_000, cached: 50_000, output: 10_000 }))).toBeCloseTo(0.00675, 12);
    });

    it('o3: $2 input, $0.50 cached, $8 output; o4-mini: $1.10, $0.275, $4.40', () => {
      const call = usage({ input: 100_000, cached: 40_000, output: 20_000, reasoning: 15_000 });
      // o3: 60,000 x 2 = 0.12; 40,000 x 0.50 = 0.02; 20,000 x 8 = 0.16.
      expect(computeCost(pricing('openai/o3-2025-04-16'), call)).toBeCloseTo(0.3, 12);
      // o4-mini: 60,000 x 1.10 = 0.066; 40,000 x 0.275 = 0.011; 20,000 x 4.40 = 0.088.
      expect(computeCost(pricing('openai/o4-mini-2025-04-16'), call)).toBeCloseTo(0.165, 12);
    });

    it('service tiers as served: gpt-5 Flex at Batch rates (half: $0.625 / $0.0625 / $5), Priority at its own $2.50 / $0.25 / $20 (openai.com/api-priority-processing)', () => {
      const call = usage({ input: 100_000, cached: 60_000, output: 5_000 });
      // Standard: 40,000 x 1.25 = 0.05; 60,000 x 0.125 = 0.0075; 5,000 x 10 = 0.05.
      expect(computeCost(pricing('openai/gpt-5-2025-08-07'), call, 'default')).toBeCloseTo(0.1075, 12);
      expect(computeCost(pricing('openai/gpt-5-2025-08-07'), call, 'flex')).toBeCloseTo(0.05375, 12);
      // Priority: 40,000 x 2.50 = 0.10; 60,000 x 0.25 = 0.015; 5,000 x 20 = 0.10.
      expect(computeCost(pricing('openai/gpt-5-2025-08-07'), call, 'priority')).toBeCloseTo(0.215, 12);
      // Saved at Priority: 60,000 x (2.50 - 0.25).
      expect(computeCacheSavings(pricing('openai/gpt-5-2025-08-07'), call, 'priority')).toBeCloseTo(0.135, 12);
      // o4-mini Priority: $2 / $0.50 / $8. 40,000 x 2 = 0.08; 60,000 x 0.5 = 0.03; 5,000 x 8 = 0.04.
      expect(computeCost(pricing('openai/o4-mini'), call, 'priority')).toBeCloseTo(0.15, 12);
      // gpt-5-nano has no Priority price: billed at Standard.
      expect(computeCost(pricing('openai/gpt-5-nano'), call, 'priority')).toBeCloseTo(computeCost(pricing('openai/gpt-5-nano'), call)!, 12);
    });

    it('web search: $10 per 1,000 calls on top of the tokens, at any tier', () => {
      const call = { ...usage({ input: 10_000, output: 1_000 }), webSearchCalls: 3 };
      // gpt-4.1: 10,000 x 2 = 0.02; 1,000 x 8 = 0.008; 3 calls x $0.01 = 0.03.
      expect(computeCost(pricing('openai/gpt-4.1'), call)).toBeCloseTo(0.058, 12);
      // Flex halves the tokens, not the calls: 0.014 + 0.03.
      expect(computeCost(pricing('openai/gpt-4.1'), call, 'flex')).toBeCloseTo(0.044, 12);
      // The searches are not a cache matter: nothing saved.
      expect(computeCacheSavings(pricing('openai/gpt-4.1'), call)).toBeCloseTo(0, 12);
    });

    it('gpt-4o-2024-05-13: $5 input, $15 output, not the $2.50 of later gpt-4o snapshots', () => {
      // 10,000 x 5 = 0.05; 1,000 x 15 = 0.015.
      expect(computeCost(pricing('openai/gpt-4o-2024-05-13'), usage({ input: 10_000, output: 1_000 }))).toBeCloseTo(0.065, 12);
    });

    it('gpt-5.6-sol: cache writes at $5; above 272K input $8 (2x), writes and reads scaled alike, output $30 (1.5x)', () => {
      // 1,000 uncached x 4 = 0.004; 2,000 read x 0.40 = 0.0008; 1,000 written x 5 = 0.005; 100 output x 20 = 0.002.
      expect(computeCost(pricing('openai/gpt-5.6-sol'), usage({ input: 4_000, cached: 2_000, written: 1_000, output: 100 }))).toBeCloseTo(0.0118, 12);
      // 150,000 x 8 = 1.20; 100,000 x 0.80 = 0.08; 50,000 x 10 = 0.50; 1,000 x 30 = 0.03.
      expect(computeCost(pricing('openai/gpt-5.6-sol'), usage({ input: 300_000, cached: 100_000, written: 50_000, output: 1_000 }))).toBeCloseTo(1.81, 12);
    });
  });

  describe('Gemini (ai.google.dev/gemini-api/docs/pricing)', () => {
    it('2.5 Pro at 300k prompt tokens: $2.50 input, $0.25 cache reads, $15 output (thinking included)', () => {
      const call = usage({ input: 300_000, cached: 200_000, output: 5_000, reasoning: 3_000 });
      // 100,000 x 2.50 = 0.25; 200,000 x 0.25 = 0.05; 5,000 x 15 = 0.075.
      expect(computeCost(pricing('google/gemini-2.5-pro'), call)).toBeCloseTo(0.375, 12);
      expect(computeCacheSavings(pricing('google/gemini-2.5-pro'), call)).toBeCloseTo(0.45, 12);
    });

    it('2.5 Pro up to 200k: $1.25 input, $0.125 cache reads, $10 output', () => {
      // 20,000 x 1.25 = 0.025; 80,000 x 0.125 = 0.01; 1,000 x 10 = 0.01.
      expect(computeCost(pricing('google/gemini-2.5-pro'), usage({ input: 100_000, cached: 80_000, output: 1_000 }))).toBeCloseTo(0.045, 12);
    });

    it('2.5 Flash: $0.30 input, $0.03 cache reads, $2.50 output; Flash-Lite: $0.10, $0.01, $0.40', () => {
      const call = usage({ input: 10_000, cached: 8_000, output: 500 });
      // 2,000 x 0.30 = 0.0006; 8,000 x 0.03 = 0.00024; 500 x 2.50 = 0.00125.
      expect(computeCost(pricing('google/gemini-2.5-flash-preview-09-2025'), call)).toBeCloseTo(0.00209, 12);
      expect(computeCacheSavings(pricing('google/gemini-2.5-flash'), call)).toBeCloseTo(8_000 * 0.27e-6, 12);
      // 2,000 x 0.10 = 0.0002; 8,000 x 0.01 = 0.00008; 500 x 0.40 = 0.0002.
      expect(computeCost(pricing('google/gemini-2.5-flash-lite'), call)).toBeCloseTo(0.00048, 12);
    });

    it('an explicit cache: creation bills its tokens once at the input price, storage $1.00 (2.5 Flash) / $4.50 (2.5 Pro) per million tokens per hour', () => {
      // Flash: 12,000 x $0.30 = 3,600 µ$; 2,000 token-hours x $1.00/M = 2,000 µ$.
      expect(explicitCacheCost(catalog.lookup('google/gemini-2.5-flash'), { tokens: 12_000, created: true, storageTokenHours: 2_000 })).toBeCloseTo(0.0056, 12);
      // Pro, an extension only: 1,400 token-hours x $4.50/M.
      expect(explicitCacheCost(catalog.lookup('google/gemini-2.5-pro'), { tokens: 12_000, created: false, storageTokenHours: 1_400 })).toBeCloseTo(0.0063, 12);
      expect(explicitCacheCost(catalog.lookup('vllm/qwen3-8b'), { tokens: 12_000, created: true, storageTokenHours: 2_000 })).toBe(0);
    });

    it('Flex at 50% off (optimization page), the long-context tier first: 2.5 Pro at 300k on Flex', () => {
      const call = usage({ input: 300_000, cached: 200_000, output: 5_000 });
      // Half of the 0.375 above.
      expect(computeCost(pricing('google/gemini-2.5-pro'), call, 'flex')).toBeCloseTo(0.1875, 12);
      // Priority has no exact price: standard.
      expect(computeCost(pricing('google/gemini-2.5-pro'), call, 'priority')).toBeCloseTo(0.375, 12);
    });

    it('3.1 Pro Preview above 200k: $4 input, $0.40 cache reads, $18 output', () => {
      // 200,000 x 4 = 0.80; 50,000 x 0.40 = 0.02; 2,000 x 18 = 0.036.
      expect(computeCost(pricing('google/gemini-3.1-pro-preview'), usage({ input: 250_000, cached: 50_000, output: 2_000 }))).toBeCloseTo(0.856, 12);
    });
  });
});
