import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Usage } from '../items/usage.js';
import { ConfigError } from './env.schema.js';

/**
 * Higher prices for a request whose input passes `above` tokens (Anthropic Sonnet 4 / 4.5 above
 * 200K, Gemini 2.5 Pro above 200K, OpenAI's newest models above 272K): every token of the request,
 * output included, is then billed at these. The threshold counts all input tokens, cache reads and
 * writes included (`Usage.inputTokens`). A cache price left out is the base one scaled as `input` is.
 */
const longContextSchema = z.object({
  above: z.number().int().positive(),
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
  cacheWrite1h: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
});

const pricingSchema = z.object({
  /** USD per million uncached input tokens. */
  input: z.number().nonnegative(),
  /** USD per million input tokens read from the provider's cache; defaults to `input`. */
  cachedInput: z.number().nonnegative().optional(),
  /** USD per million input tokens written to the provider's cache (Anthropic: with the 5-minute TTL); defaults to `input`. */
  cacheWrite: z.number().nonnegative().optional(),
  /** USD per million input tokens written with a 1 h TTL (Anthropic: 2x input); defaults to `cacheWrite`. */
  cacheWrite1h: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
  /** The long-context tier, when the vendor prices long prompts apart. */
  longContext: longContextSchema.optional(),
});

/**
 * Where an entry's figures come from: the vendor page(s) and the day they were last compared with
 * it. Data for readers and for the catalog's own test; the server never reads it.
 */
const sourceSchema = z.object({
  url: z.union([z.url(), z.array(z.url()).min(1)]),
  checked: z.iso.date(),
});

const cacheSchema = z.object({
  /**
   * How the provider caches prompts: `breakpoints` (Anthropic: explicit `cache_control` markers),
   * `automatic-prefix` (OpenAI and compatible servers: longest cached prefix, optional key and
   * retention), `gemini` (implicit prefix caching plus explicit `cachedContents`).
   */
  kind: z.enum(['breakpoints', 'automatic-prefix', 'gemini']).optional(),
  /** Below this many prompt tokens the provider caches nothing (silently). */
  minTokens: z.number().int().nonnegative().optional(),
  /** Explicit breakpoints one request may carry (Anthropic: 4). */
  maxBreakpoints: z.number().int().nonnegative().optional(),
  /** Positions a breakpoint looks back for an earlier entry, counting itself (Anthropic: 20). */
  lookback: z.number().int().positive().optional(),
  /** Breakpoint TTLs the model takes. */
  ttls: z.array(z.enum(['5m', '1h'])).optional(),
  /** `prompt_cache_retention` values the model takes (OpenAI); with a choice, the policy asks for 24h. */
  retention: z.array(z.enum(['in_memory', '24h'])).optional(),
  /** The upstream takes `prompt_cache_key` (OpenAI): the server sends one per thread when the client sets none. */
  promptCacheKey: z.boolean().optional(),
  /** Price multipliers of base input, for planning: reads, and writes per TTL. */
  readMultiplier: z.number().nonnegative().optional(),
  write5mMultiplier: z.number().nonnegative().optional(),
  write1hMultiplier: z.number().nonnegative().optional(),
  /** Explicit caches (Gemini): storing tokens for one hour, as a multiple of their base input price. */
  storageMultiplier: z.number().nonnegative().optional(),
  /**
   * The provider keeps completed turns' thinking in the prompt (Anthropic: Opus 4.5+, Sonnet 4.6+).
   * Off, it strips it at the next user message, and the cache past a turn's first thinking block
   * is read only within that turn.
   */
  thinkingKept: z.boolean().optional(),
});

const thinkingSchema = z.object({
  /**
   * How the model is told to think: `anthropic-manual` (`thinking: {type: enabled, budget_tokens}`),
   * `anthropic-adaptive` (`thinking: {type: adaptive}` + `output_config.effort`), `gemini-budget`
   * (`thinkingBudget`, 2.5), `gemini-level` (`thinkingLevel`, 3+), `effort` (OpenAI
   * `reasoning.effort` / `reasoning_effort`), `deepseek` (`thinking: {type}` toggle, on by default),
   * `none` (no setting).
   */
  style: z.enum(['anthropic-manual', 'anthropic-adaptive', 'gemini-budget', 'gemini-level', 'effort', 'deepseek', 'none']).optional(),
  /** Whether thinking can be turned off. */
  canDisable: z.boolean().optional(),
  /** Thinking token budget range (Anthropic minimum 1,024; Gemini 2.5 per model). */
  budgetMin: z.number().int().nonnegative().optional(),
  budgetMax: z.number().int().positive().optional(),
  /** Gemini 3 `thinkingLevel` values the model takes. */
  levels: z.array(z.enum(['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'])).optional(),
});

/**
 * Prices of the service tiers other than the default, applied to the tier the vendor says served
 * the call: a multiple of every token price (OpenAI and Gemini Flex: Batch rates, 0.5), or the
 * tier's own input, cached-input and output prices (OpenAI Priority, per model; cache writes scale
 * as input does). A tier left out is billed at the default prices.
 */
const tierPricesSchema = z.union([
  z.number().positive(),
  z.object({ input: z.number().nonnegative(), cachedInput: z.number().nonnegative().optional(), output: z.number().nonnegative() }),
]);
const serviceTierPricingSchema = z.object({ flex: tierPricesSchema.optional(), priority: tierPricesSchema.optional() });

/** USD per 1,000 calls of a tool the provider runs and bills per call, on top of the tokens. */
const callPricingSchema = z.object({ webSearch: z.number().nonnegative().optional() });

const entrySchema = z.object({
  /** A `provider/model` glob, or several: the entry applies when any of them matches. */
  match: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Notes for readers: conflicts between sources, figures left out and why. */
  $comment: z.string().optional(),
  source: sourceSchema.optional(),
  contextWindow: z.number().int().positive().optional(),
  /** Sent when the client sets no limit, for providers that require one (Anthropic). */
  defaultMaxOutputTokens: z.number().int().positive().optional(),
  /** Requests asking for more are clamped to this. */
  maxOutputTokens: z.number().int().positive().optional(),
  capabilities: z
    .object({
      tools: z.boolean().optional(),
      images: z.boolean().optional(),
      jsonSchema: z.boolean().optional(),
      reasoning: z.boolean().optional(),
      /**
       * The model reads PDFs sent as `input_file`: Anthropic's and Gemini's documents, and Chat
       * Completions `file` parts, which OpenAI and some gateways take and most chat servers refuse.
       * Off, a PDF is a 400 (the Responses wire passes files on as they are).
       */
      pdfInput: z.boolean().optional(),
    })
    .optional(),
  pricing: pricingSchema.optional(),
  /** Each key from the first matching entry that sets it, like `cache`. */
  serviceTierPricing: serviceTierPricingSchema.optional(),
  callPricing: callPricingSchema.optional(),
  cache: cacheSchema.optional(),
  thinking: thinkingSchema.optional(),
  /**
   * Server-side compaction the provider runs itself: `openai` (Responses API `context_management`),
   * `anthropic` (`compact_20260112`, beta). Other models are compacted by the server's own summary.
   */
  compaction: z.enum(['openai', 'anthropic']).optional(),
});

const catalogFileSchema = z.object({
  aliases: z.record(z.string(), z.string()).default({}),
  models: z.array(entrySchema).default([]),
});
export type CatalogFile = z.infer<typeof catalogFileSchema>;
/** A model's prices as the catalog resolves them: its token prices, with the service tiers' and per-call tools' of any matching entry. */
export type Pricing = z.infer<typeof pricingSchema> & {
  serviceTiers?: z.infer<typeof serviceTierPricingSchema>;
  /** USD per 1,000 calls. */
  perCall?: z.infer<typeof callPricingSchema>;
};
export type CatalogEntry = z.infer<typeof entrySchema>;

/** What the catalog knows of one `provider/model`: every field from the first entry that sets it. */
export interface ModelInfo {
  contextWindow: number | null;
  defaultMaxOutputTokens: number | null;
  maxOutputTokens: number | null;
  capabilities: { tools: boolean; images: boolean; jsonSchema: boolean; reasoning: boolean; pdfInput: boolean };
  pricing: Pricing | null;
  cache: CacheCapabilities;
  thinking: ThinkingCapabilities;
  /** Native server-side compaction, when the provider offers it for this model. */
  compaction: 'openai' | 'anthropic' | null;
}

/** How a model takes reasoning settings; every field resolved (see config/models.json). */
export interface ThinkingCapabilities {
  style: 'anthropic-manual' | 'anthropic-adaptive' | 'gemini-budget' | 'gemini-level' | 'effort' | 'deepseek' | 'none';
  canDisable: boolean;
  budget: { min: number; max: number };
  levels: Array<'MINIMAL' | 'LOW' | 'MEDIUM' | 'HIGH'>;
}

/** What the cache planner needs to know of a model; every field resolved (see config/models.json). */
export interface CacheCapabilities {
  kind: 'breakpoints' | 'automatic-prefix' | 'gemini';
  minTokens: number;
  maxBreakpoints: number;
  lookback: number;
  ttls: Array<'5m' | '1h'>;
  retention: Array<'in_memory' | '24h'>;
  promptCacheKey: boolean;
  multipliers: { read: number; write5m: number; write1h: number; storagePerHour: number };
  /** Completed turns' thinking stays in the prompt (see the catalog's `thinkingKept`). */
  thinkingKept: boolean;
}

/** The model catalog: aliases and per-model facts, loaded from data (config/models.json, MODELS_FILE). */
export class ModelCatalog {
  private readonly entries: Array<CatalogEntry & { patterns: RegExp[] }>;

  constructor(private readonly file: CatalogFile) {
    this.entries = file.models.map((entry) => ({ ...entry, patterns: [entry.match].flat().map(globToRegExp) }));
  }

  /** Loads the built-in catalog; entries and aliases of `overridePath` come first and win. */
  static load(overridePath: string | null): ModelCatalog {
    const builtIn = readCatalogFile(new URL('../../config/models.json', import.meta.url));
    if (!overridePath) return new ModelCatalog(builtIn);
    const override = readCatalogFile(overridePath);
    return new ModelCatalog({ aliases: { ...builtIn.aliases, ...override.aliases }, models: [...override.models, ...builtIn.models] });
  }

  /** Every alias and the `provider/model` it stands for. */
  aliases(): Readonly<Record<string, string>> {
    return this.file.aliases;
  }

  /** `claude-sonnet` → `anthropic/claude-sonnet-4-5`; other names unchanged. */
  resolveAlias(model: string): string {
    // Own keys only: a model named `__proto__` or `toString` is no alias.
    return Object.hasOwn(this.file.aliases, model) ? this.file.aliases[model]! : model;
  }

  /**
   * The facts of a model, merged from every entry that matches it. Remembered per name (every
   * request asks), up to a bound, since names come from clients.
   */
  lookup(model: string): ModelInfo {
    let info = this.looked.get(model);
    if (!info) {
      if (this.looked.size >= LOOKUPS_KEPT) this.looked.clear();
      info = Object.freeze(this.merge(model));
      this.looked.set(model, info);
    }
    return info;
  }

  private readonly looked = new Map<string, ModelInfo>();

  private merge(model: string): ModelInfo {
    const matching = this.entries.filter((entry) => entry.patterns.some((pattern) => pattern.test(model)));
    const first = <K extends keyof z.infer<typeof entrySchema>>(key: K) => matching.find((entry) => entry[key] !== undefined)?.[key];
    const capability = (key: keyof ModelInfo['capabilities']) => matching.find((entry) => entry.capabilities?.[key] !== undefined)?.capabilities?.[key] ?? true;
    return {
      contextWindow: first('contextWindow') ?? null,
      defaultMaxOutputTokens: first('defaultMaxOutputTokens') ?? null,
      maxOutputTokens: first('maxOutputTokens') ?? null,
      capabilities: {
        tools: capability('tools'),
        images: capability('images'),
        jsonSchema: capability('jsonSchema'),
        reasoning: capability('reasoning'),
        pdfInput: capability('pdfInput'),
      },
      pricing: resolvePricing(matching),
      cache: resolveCache(matching.map((entry) => entry.cache)),
      thinking: resolveThinking(matching.map((entry) => entry.thinking)),
      compaction: first('compaction') ?? null,
    };
  }
}

/** Model names whose merged facts are remembered at once. */
const LOOKUPS_KEPT = 1_000;

/** The token prices of the first entry that has them, and each tier and per-call price from the first entry that sets it. */
function resolvePricing(matching: CatalogEntry[]): Pricing | null {
  const tokens = matching.find((entry) => entry.pricing !== undefined)?.pricing;
  if (!tokens) return null;
  const pick = <T extends object>(parts: Array<T | undefined>): Partial<T> => {
    const picked: Partial<T> = {};
    for (const part of parts)
      for (const [key, value] of Object.entries(part ?? {}) as Array<[keyof T, T[keyof T]]>)
        if (picked[key] === undefined && value !== undefined) picked[key] = value;
    return picked;
  };
  const serviceTiers = pick(matching.map((entry) => entry.serviceTierPricing));
  const perCall = pick(matching.map((entry) => entry.callPricing));
  return {
    ...tokens,
    ...(Object.keys(serviceTiers).length > 0 ? { serviceTiers } : {}),
    ...(Object.keys(perCall).length > 0 ? { perCall } : {}),
  };
}

/** Each cache field from the first matching entry that sets it, so a model entry can override one number of its provider's defaults. */
function resolveCache(entries: Array<z.infer<typeof cacheSchema> | undefined>): CacheCapabilities {
  const first = <K extends keyof z.infer<typeof cacheSchema>>(key: K) => entries.find((entry) => entry?.[key] !== undefined)?.[key];
  return {
    kind: first('kind') ?? 'automatic-prefix',
    minTokens: first('minTokens') ?? 1024,
    maxBreakpoints: first('maxBreakpoints') ?? 0,
    lookback: first('lookback') ?? 20,
    ttls: first('ttls') ?? [],
    retention: first('retention') ?? [],
    promptCacheKey: first('promptCacheKey') ?? false,
    multipliers: {
      read: first('readMultiplier') ?? 0.1,
      write5m: first('write5mMultiplier') ?? 1,
      write1h: first('write1hMultiplier') ?? 1,
      storagePerHour: first('storageMultiplier') ?? 0,
    },
    thinkingKept: first('thinkingKept') ?? false,
  };
}

function resolveThinking(entries: Array<z.infer<typeof thinkingSchema> | undefined>): ThinkingCapabilities {
  const first = <K extends keyof z.infer<typeof thinkingSchema>>(key: K) => entries.find((entry) => entry?.[key] !== undefined)?.[key];
  const style = first('style') ?? 'none';
  return {
    style,
    canDisable: first('canDisable') ?? true,
    budget: { min: first('budgetMin') ?? 1_024, max: first('budgetMax') ?? 32_000 },
    levels: first('levels') ?? ['LOW', 'HIGH'],
  };
}

/**
 * The prices one call is billed at: the long-context tier when its input (all of it, cache reads
 * and writes included) passes the tier's threshold, else the base prices.
 */
function pricesFor(pricing: Pricing, inputTokens: number): TokenPrices {
  const { longContext } = pricing;
  return !longContext || inputTokens <= longContext.above ? pricing : overridePrices(pricing, longContext);
}

/**
 * USD cost of one call; null when the catalog has no prices for the model. `servedTier` is the
 * service tier the vendor says served it (OpenAI's names): Flex and Priority scale every token
 * price where the catalog prices them. Server-side tool calls (web search) are billed per call at
 * their own price, whatever the tier.
 */
export function computeCost(pricing: Pricing | null, usage: Usage | null, servedTier: string | null = null): number | null {
  if (!pricing || !usage) return null;
  const tier = servedTier === 'flex' || servedTier === 'priority' ? pricing.serviceTiers?.[servedTier] : undefined;
  const prices = tierPrices(pricesFor(pricing, usage.inputTokens), tier);
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens);
  const longWrites = Math.min(usage.cacheWriteTokens, usage.cacheWrite1hTokens ?? 0);
  const writePrice = prices.cacheWrite ?? prices.input;
  const tokens =
    uncached * prices.input +
    usage.cachedInputTokens * (prices.cachedInput ?? prices.input) +
    (usage.cacheWriteTokens - longWrites) * writePrice +
    longWrites * (prices.cacheWrite1h ?? writePrice) +
    usage.outputTokens * prices.output;
  const calls = (usage.webSearchCalls ?? 0) * (pricing.perCall?.webSearch ?? 0);
  return tokens / 1_000_000 + calls / 1_000;
}

type TokenPrices = Pick<Pricing, 'input' | 'cachedInput' | 'cacheWrite' | 'cacheWrite1h' | 'output'>;

/** The token prices under a service tier: scaled by its multiple, or its own, with cache writes scaled as input. */
function tierPrices(prices: TokenPrices, tier: z.infer<typeof tierPricesSchema> | undefined): TokenPrices {
  if (tier === undefined) return prices;
  return typeof tier === 'number' ? overridePrices(prices, { input: prices.input * tier, output: prices.output * tier }, tier) : overridePrices(prices, tier);
}

/**
 * Input and output prices replaced (a long-context tier, a service tier), and the cache prices the
 * replacement leaves out scaled as input was (`scale`, by default the input's ratio).
 */
function overridePrices(
  base: TokenPrices,
  over: Pick<TokenPrices, 'input' | 'output'> & Partial<TokenPrices>,
  scale = base.input > 0 ? over.input / base.input : 1,
): TokenPrices {
  const scaled = (price: number | undefined) => (price === undefined ? undefined : price * scale);
  return {
    input: over.input,
    cachedInput: over.cachedInput ?? scaled(base.cachedInput),
    cacheWrite: over.cacheWrite ?? scaled(base.cacheWrite),
    cacheWrite1h: over.cacheWrite1h ?? scaled(base.cacheWrite1h),
    output: over.output,
  };
}

function readCatalogFile(path: string | URL): CatalogFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the model catalog ${String(path)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = catalogFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`Invalid model catalog ${String(path)}: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`);
  return parsed.data;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/**
 * USD the provider's cache saved on one call: its cost with every input token at the uncached
 * price, minus what it cost. Negative when writes cost more than reads saved (a first turn). Both
 * sides are priced in the same tier: the input count, which picks it, includes the cached tokens.
 */
export function computeCacheSavings(pricing: Pricing | null, usage: Usage | null, servedTier: string | null = null): number | null {
  const actual = computeCost(pricing, usage, servedTier);
  const uncached = computeCost(pricing, usage && { ...usage, cachedInputTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 }, servedTier);
  return actual === null || uncached === null ? null : uncached - actual;
}

/**
 * USD an explicit provider cache (Gemini `cachedContents`) cost the request that made or kept it:
 * creating it bills its tokens once at the input price; storing it bills per token-hour (the
 * catalog's storage multiple of the input price). 0 without prices or a cache.
 * @see https://ai.google.dev/gemini-api/docs/pricing
 */
export function explicitCacheCost(
  info: Pick<ModelInfo, 'pricing' | 'cache'>,
  use: { tokens: number; created: boolean; storageTokenHours: number } | null,
): number {
  if (!info.pricing || !use) return 0;
  const input = info.pricing.input;
  return ((use.created ? use.tokens : 0) * input + use.storageTokenHours * info.cache.multipliers.storagePerHour * input) / 1_000_000;
}
