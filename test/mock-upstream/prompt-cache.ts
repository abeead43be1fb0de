import { createHash } from 'node:crypto';

import { countTokens } from './wire.js';

export type EmulatedTtl = '5m' | '1h';
const TTL_MS: Record<EmulatedTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

export interface CacheUsage {
  /** Input tokens read from the cache. */
  read: number;
  write5m: number;
  write1h: number;
  /** Input tokens neither read nor written (after the last breakpoint, or all of them). */
  uncached: number;
}

/** Hashes of every prefix of a prompt: `hashes[i]` identifies blocks 0..i exactly. */
export function prefixHashes(serializedBlocks: string[]): string[] {
  let previous = '';
  return serializedBlocks.map((block) => (previous = createHash('sha256').update(previous).update('\u0000').update(block).digest('hex')));
}

/**
 * Anthropic's prompt cache as documented: entries are written only at breakpoints (a hash of the
 * prefix ending there); each breakpoint reads the newest entry among its own and the 19 positions
 * before it; below the model's minimum nothing is cached; entries live `ttl` from the start of the
 * request that wrote or read them. Billing: read up to the furthest hit, write from there up to the
 * last breakpoint (1h part first), the rest is plain input.
 */
export class AnthropicCacheEmulator {
  private readonly entries = new Map<string, { expiresAt: number; ttl: EmulatedTtl }>();

  constructor(private readonly options: { lookback: number } = { lookback: 20 }) {}

  request(input: { hashes: string[]; tokens: number[]; breakpoints: Array<{ index: number; ttl: EmulatedTtl }>; minTokens: number; now: number }): CacheUsage {
    const { hashes, now } = input;
    const cumulative = runningTotals(input.tokens);
    const total = cumulative.at(-1) ?? 0;
    const breakpoints = input.breakpoints.filter((breakpoint) => cumulative[breakpoint.index]! >= input.minTokens).sort((a, b) => a.index - b.index);

    let hit = -1;
    for (const breakpoint of breakpoints) {
      for (let position = breakpoint.index; position > breakpoint.index - this.options.lookback && position >= 0; position--) {
        const entry = this.entries.get(hashes[position]!);
        if (entry && entry.expiresAt > now) {
          hit = Math.max(hit, position);
          break;
        }
      }
    }
    if (hit >= 0) {
      const entry = this.entries.get(hashes[hit]!)!;
      entry.expiresAt = now + TTL_MS[entry.ttl];
    }
    const read = hit >= 0 ? cumulative[hit]! : 0;
    const last = breakpoints.at(-1);
    if (!last || last.index <= hit) return { read, write5m: 0, write1h: 0, uncached: total - read };

    let written1hTo = hit >= 0 ? cumulative[hit]! : 0;
    for (const breakpoint of breakpoints) {
      if (breakpoint.index <= hit) continue;
      const existing = this.entries.get(hashes[breakpoint.index]!);
      this.entries.set(hashes[breakpoint.index]!, {
        expiresAt: now + TTL_MS[breakpoint.ttl],
        ttl: existing && existing.expiresAt > now && existing.ttl === '1h' ? '1h' : breakpoint.ttl,
      });
      if (breakpoint.ttl === '1h') written1hTo = cumulative[breakpoint.index]!;
    }
    const writtenTo = cumulative[last.index]!;
    return { read, write1h: written1hTo - read, write5m: writtenTo - written1hTo, uncached: total - writtenTo };
  }
}

/**
 * OpenAI's automatic prefix cache: the longest prefix a retained earlier request shares, counted in
 * 128-token steps from 1,024 tokens. Retention is 'in_memory' (gone after about 5–10 idle minutes)
 * or '24h' where the model takes `prompt_cache_retention`.
 */
export class OpenAICacheEmulator {
  private readonly entries = new Map<string, number>();

  constructor(private readonly inMemoryMs = 5 * 60_000) {}

  request(input: { hashes: string[]; tokens: number[]; retention: 'in_memory' | '24h'; now: number }): { cached: number; total: number } {
    const { hashes, now } = input;
    const cumulative = runningTotals(input.tokens);
    const hit = longestLivePrefix(this.entries, hashes, now);
    const matched = hit >= 0 ? cumulative[hit]! : 0;
    const cached = matched >= 1024 ? Math.floor(matched / 128) * 128 : 0;
    const keep = input.retention === '24h' ? 24 * 60 * 60_000 : this.inMemoryMs;
    for (const hash of hashes) this.entries.set(hash, now + keep);
    return { cached, total: cumulative.at(-1) ?? 0 };
  }
}

/**
 * Gemini's implicit cache, kept simple and deterministic: a request reads the longest prefix that a
 * request of the last `retentionMs` sent too, once that prefix reaches the model's minimum.
 */
export class GeminiImplicitCacheEmulator {
  private readonly entries = new Map<string, number>();

  constructor(private readonly retentionMs = 5 * 60_000) {}

  request(input: { hashes: string[]; tokens: number[]; minTokens: number; now: number }): { cached: number; total: number } {
    const { hashes, now } = input;
    const cumulative = runningTotals(input.tokens);
    const hit = longestLivePrefix(this.entries, hashes, now);
    const matched = hit >= 0 ? cumulative[hit]! : 0;
    for (const hash of hashes) this.entries.set(hash, now + this.retentionMs);
    return { cached: matched >= input.minTokens ? matched : 0, total: cumulative.at(-1) ?? 0 };
  }
}

function runningTotals(tokens: number[]): number[] {
  let sum = 0;
  return tokens.map((count) => (sum += count));
}

/** The index of the longest prefix with an unexpired entry, or -1. */
function longestLivePrefix(entries: Map<string, number>, hashes: string[], now: number): number {
  for (let index = hashes.length - 1; index >= 0; index--) {
    const expiresAt = entries.get(hashes[index]!);
    if (expiresAt !== undefined && expiresAt > now) return index;
  }
  return -1;
}

// ---- prompts as the caches see them -----------------------------------------------------------

/** One unit of a prompt: what identifies it in the prefix hash, and its share of the input tokens. */
export interface PromptUnit {
  key: string;
  tokens: number;
}

/**
 * A unit from a request value: its JSON without the cache markers (`marker` keys at any depth), so
 * moving a marker changes neither the hash nor the count. The mock's token estimate is per unit, so
 * a route reports the sum of its units as the input tokens and the cache split always adds up.
 */
export function promptUnit(value: unknown, marker?: string, keyPrefix = ''): PromptUnit {
  const json = (marker ? JSON.stringify(value, (key, inner: unknown) => (key === marker ? undefined : inner)) : JSON.stringify(value)) ?? '';
  return { key: keyPrefix + json, tokens: countTokens(json) };
}

export function sumTokens(units: PromptUnit[]): number {
  return units.reduce((sum, unit) => sum + unit.tokens, 0);
}

/** The emulators' input for `units`; `partition` (model, cache key) keeps other partitions' entries apart. */
export function hashUnits(partition: string, units: PromptUnit[]): { hashes: string[]; tokens: number[] } {
  return { hashes: prefixHashes([partition, ...units.map((unit) => unit.key)]).slice(1), tokens: units.map((unit) => unit.tokens) };
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

// ---- Anthropic ----------------------------------------------------------------------------------

/** A block in Anthropic's processing order. */
export interface AnthropicPosition extends PromptUnit {
  /** Where it sits, as Anthropic's errors name it: `tools.0`, `system.1`, `messages.3.content.0`. */
  path: string;
  /** Its `cache_control`, undefined when it has none (or null, which the API takes as none). */
  cacheControl: unknown;
}

/**
 * Tools, system blocks, then every content block of every message (a string system prompt or
 * message content is one text block). A message block's hash key carries its role.
 */
export function flattenAnthropicPrompt(body: Json): AnthropicPosition[] {
  const positions: AnthropicPosition[] = [];
  const add = (path: string, block: unknown, role = ''): void => {
    positions.push({ ...promptUnit(block, 'cache_control', role), path, cacheControl: isObject(block) ? (block['cache_control'] ?? undefined) : undefined });
  };
  arrayOf(body['tools']).forEach((tool, index) => {
    add(`tools.${index}`, tool);
  });
  const system = body['system'];
  if (typeof system === 'string' && system !== '') add('system', { type: 'text', text: system });
  else
    arrayOf(system).forEach((block, index) => {
      add(`system.${index}`, block);
    });
  arrayOf(body['messages']).forEach((message, index) => {
    if (!isObject(message)) return;
    const role = `${String(message['role'])}:`;
    const content = message['content'];
    if (typeof content === 'string' && content !== '') add(`messages.${index}.content`, { type: 'text', text: content }, role);
    else
      arrayOf(content).forEach((block, position) => {
        add(`messages.${index}.content.${position}`, block, role);
      });
  });
  return positions;
}

const ttlOf = (cacheControl: unknown): unknown => (isObject(cacheControl) ? (cacheControl['ttl'] ?? '5m') : '5m');

/** The first `cache_control` rule the request breaks, worded as Anthropic's 400 says it, or null. */
export function findCacheControlError(positions: AnthropicPosition[]): string | null {
  const marked = positions.filter((position) => position.cacheControl !== undefined);
  const badTtl = marked.find((position) => ttlOf(position.cacheControl) !== '5m' && ttlOf(position.cacheControl) !== '1h');
  if (badTtl) return `${badTtl.path}.cache_control.ephemeral.ttl: Input should be '5m' or '1h'`;
  if (marked.length > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${marked.length}.`;
  const first5m = marked.findIndex((position) => ttlOf(position.cacheControl) === '5m');
  const late1h = first5m < 0 ? undefined : marked.slice(first5m).find((position) => ttlOf(position.cacheControl) === '1h');
  if (late1h) {
    return (
      `${late1h.path}.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. ` +
      'Note that blocks are processed in the following order: `tools`, `system`, `messages`.'
    );
  }
  return null;
}

/** The breakpoints of a request that passed findCacheControlError. */
export function anthropicBreakpoints(positions: AnthropicPosition[]): Array<{ index: number; ttl: EmulatedTtl }> {
  return positions.flatMap((position, index) => (position.cacheControl === undefined ? [] : [{ index, ttl: ttlOf(position.cacheControl) as EmulatedTtl }]));
}

// Minimum cacheable prompt per model, as config/models.json has it (platform.claude.com
// prompt-caching, checked 2026-12-07); everything else caches from 1,024 tokens.
const anthropicMinimums: Array<[pattern: RegExp, tokens: number]> = [
  [/haiku-4-5|opus-4-[567]/, 4096],
  [/3-5-haiku|3-haiku/, 2048],
  [/opus-5$/, 512],
];

export function anthropicMinCacheTokens(model: string): number {
  return anthropicMinimums.find(([pattern]) => pattern.test(model))?.[1] ?? 1024;
}

// ---- OpenAI -------------------------------------------------------------------------------------

export type PromptCacheRetention = 'in_memory' | '24h';

/** Responses: instructions, each tool, each input item (a string input is one). */
export function responsesPromptUnits(body: Json): PromptUnit[] {
  const input = body['input'];
  const values = [
    ...(body['instructions'] == null ? [] : [body['instructions']]),
    ...arrayOf(body['tools']),
    ...(typeof input === 'string' ? [input] : arrayOf(input)),
  ];
  return values.map((value) => promptUnit(value, 'prompt_cache_breakpoint'));
}

/** Chat Completions: each tool, each message. */
export function chatPromptUnits(body: Json): PromptUnit[] {
  return [...arrayOf(body['tools']), ...arrayOf(body['messages'])].map((value) => promptUnit(value, 'prompt_cache_breakpoint'));
}

/** OpenAI's cache partition: the model and `prompt_cache_key` (absent: one shared partition per model). */
export function openAIPartition(body: Json): string {
  return JSON.stringify(['openai', body['model'] ?? null, body['prompt_cache_key'] ?? null]);
}

/** OpenAI's 400 for a `prompt_cache_retention` it does not know, or null (absent means in_memory). */
export function findRetentionError(value: unknown): string | null {
  if (value === undefined || value === null || value === 'in_memory' || value === '24h') return null;
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return `Invalid value: ${shown}. Supported values are: 'in_memory' and '24h'.`;
}

export function retentionOf(value: unknown): PromptCacheRetention {
  return value === '24h' ? '24h' : 'in_memory';
}

// ---- Gemini -------------------------------------------------------------------------------------

/** Gemini: the system instruction, the tools, then each content. */
export function geminiPromptUnits(body: Json): PromptUnit[] {
  const tools = arrayOf(body['tools']);
  const values = [
    ...(isObject(body['systemInstruction']) ? [body['systemInstruction']] : []),
    ...(tools.length > 0 ? [tools] : []),
    ...arrayOf(body['contents']),
  ];
  return values.map((value) => promptUnit(value));
}

// Minimum cached prompt per model, as config/models.json has it (ai.google.dev caching, checked
// 2026-12-07): 2.5 Flash, Flash-Lite and Pro 2,048, 3 Flash 1,024, 4,096 for the rest.
const geminiMinimums: Array<[pattern: RegExp, tokens: number]> = [
  [/2\.5-flash|2\.5-pro/, 2048],
  [/3-flash/, 1024],
];

export function geminiMinCacheTokens(model: string): number {
  return geminiMinimums.find(([pattern]) => pattern.test(model))?.[1] ?? 4096;
}
