import { createHash } from 'node:crypto';

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
    const { hashes, tokens, now } = input;
    const cumulative: number[] = [];
    let sum = 0;
    for (const count of tokens) cumulative.push((sum += count));
    const total = sum;
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
      this.entries.set(hashes[breakpoint.index]!, { expiresAt: now + TTL_MS[breakpoint.ttl], ttl: existing && existing.expiresAt > now && existing.ttl === '1h' ? '1h' : breakpoint.ttl });
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
    const { hashes, tokens, now } = input;
    const cumulative: number[] = [];
    let sum = 0;
    for (const count of tokens) cumulative.push((sum += count));
    let matched = 0;
    for (let index = hashes.length - 1; index >= 0; index--) {
      const expiresAt = this.entries.get(hashes[index]!);
      if (expiresAt !== undefined && expiresAt > now) {
        matched = cumulative[index]!;
        break;
      }
    }
    const cached = matched >= 1024 ? Math.floor(matched / 128) * 128 : 0;
    const keep = input.retention === '24h' ? 24 * 60 * 60_000 : this.inMemoryMs;
    for (const hash of hashes) this.entries.set(hash, now + keep);
    return { cached, total: sum };
  }
}
