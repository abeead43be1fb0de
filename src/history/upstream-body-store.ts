import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';

/**
 * A body as the part that differs from a base body: `body = base.slice(0, prefix) + middle +
 * base.slice(base.length - suffix)`. Lengths are in UTF-16 code units (JavaScript string indexes).
 */
export interface BodyDelta {
  prefix: number;
  suffix: number;
  middle: string;
}

/**
 * The longest common prefix, then the longest common suffix of what is left (the two never
 * overlap, in either string). A cut never falls inside a surrogate pair: `middle` is stored as
 * text (UTF-8 in PostgreSQL), where half a pair would turn into U+FFFD and the rebuilt body would
 * differ. The prefix and suffix themselves are only lengths, so they need no such care.
 */
export function diffBody(base: string, body: string): BodyDelta {
  const shorter = Math.min(base.length, body.length);
  let prefix = 0;
  while (prefix < shorter && base.charCodeAt(prefix) === body.charCodeAt(prefix)) prefix++;
  if (splitsPair(body, prefix)) prefix--;
  let suffix = 0;
  while (suffix < shorter - prefix && base.charCodeAt(base.length - 1 - suffix) === body.charCodeAt(body.length - 1 - suffix)) suffix++;
  if (splitsPair(body, body.length - suffix)) suffix--;
  return { prefix, suffix, middle: body.slice(prefix, body.length - suffix) };
}

export function applyBodyDelta(base: string, delta: BodyDelta): string {
  if (delta.prefix < 0 || delta.suffix < 0 || delta.prefix + delta.suffix > base.length) {
    throw new Error(`body delta (prefix ${delta.prefix}, suffix ${delta.suffix}) does not fit a base of ${base.length} characters`);
  }
  return base.slice(0, delta.prefix) + delta.middle + base.slice(base.length - delta.suffix);
}

/** True when `index` falls between the two halves of a surrogate pair of `text`. */
function splitsPair(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false;
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** Deltas a body may stack on: rebuilding one reads at most this many rows past its own. */
export const MAX_DELTA_DEPTH = 64;
/** Characters (UTF-16 code units) of bodies the cache keeps across all threads. */
export const BODY_CACHE_CHARS = 64 * 1024 * 1024;
/** How far the rebuild query follows bases: well past MAX_DELTA_DEPTH, so rows written under a larger limit still read. */
const CHAIN_READ_LIMIT = 1_024;

/** The columns a body is stored in (upstream_body, upstream_body_base, upstream_body_prefix, upstream_body_suffix). */
export interface EncodedBody {
  text: string;
  base: string | null;
  prefix: number | null;
  suffix: number | null;
  /** Deltas below this body, itself included: 0 for a whole body. */
  depth: number;
}

interface CachedBody {
  responseId: string;
  body: string;
  depth: number;
}

/** The last stored body of each thread, least recently used evicted beyond `capacityChars`. */
export class LatestBodyCache {
  private readonly entries = new Map<string, CachedBody>();
  private heldChars = 0;

  constructor(private readonly capacityChars: number) {}

  get(threadKey: string): CachedBody | undefined {
    const entry = this.entries.get(threadKey);
    if (entry) {
      // A Map iterates in insertion order: re-inserting makes it the most recently used.
      this.entries.delete(threadKey);
      this.entries.set(threadKey, entry);
    }
    return entry;
  }

  set(threadKey: string, entry: CachedBody): void {
    this.delete(threadKey);
    if (entry.body.length > this.capacityChars) return;
    this.entries.set(threadKey, entry);
    this.heldChars += entry.body.length;
    for (const [key, oldest] of this.entries) {
      if (this.heldChars <= this.capacityChars) break;
      this.entries.delete(key);
      this.heldChars -= oldest.body.length;
    }
  }

  /** Characters of bodies held now. */
  get chars(): number {
    return this.heldChars;
  }

  private delete(threadKey: string): void {
    const entry = this.entries.get(threadKey);
    if (!entry) return;
    this.entries.delete(threadKey);
    this.heldChars -= entry.body.length;
  }
}

interface ChainRow {
  base: string | null;
  prefix: number | null;
  suffix: number | null;
  body: string | null;
}

/**
 * Upstream bodies, stored as what is new in them. Prompt caching makes each body of a thread start
 * (and often end) with the bytes of the previous one, so whole bodies would make a conversation's
 * storage grow with the square of its length. A commit diffs the body against the last body this
 * process stored for the thread (kept in memory, so a commit reads nothing); the admin API rebuilds
 * the exact text from the chain of bases in one query.
 *
 * The cache is per process: another instance's turns of the same thread are simply diffed against
 * an older body. A base is always a committed row, so every chain reaches a whole body.
 */
@Injectable()
export class UpstreamBodyStore {
  private readonly latest = new LatestBodyCache(BODY_CACHE_CHARS);

  constructor(private readonly prisma: PrismaClient) {}

  /** How to store `body`: as a delta of the thread's last body when that is shorter and the chain is not too deep, else whole. */
  encode(threadKey: string, body: string): EncodedBody {
    const previous = this.latest.get(threadKey);
    if (previous && previous.depth < MAX_DELTA_DEPTH) {
      const delta = diffBody(previous.body, body);
      if (delta.middle.length < body.length) {
        return { text: delta.middle, base: previous.responseId, prefix: delta.prefix, suffix: delta.suffix, depth: previous.depth + 1 };
      }
    }
    return { text: body, base: null, prefix: null, suffix: null, depth: 0 };
  }

  /** Call once the row holding `body` has committed: only then may later bodies use it as their base. */
  remember(threadKey: string, responseId: string, body: string, encoded: EncodedBody): void {
    this.latest.set(threadKey, { responseId, body, depth: encoded.depth });
  }

  /**
   * The exact body of a response, or null when it has none. ONE query reads the response and its
   * chain of bases; the deltas are then applied oldest first. Rows written before bodies were
   * stored as deltas keep the whole text in `upstream_request.body`.
   */
  async rebuild(responseId: string): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<ChainRow[]>`
      WITH RECURSIVE chain (base, prefix, suffix, body, depth) AS (
        SELECT r.upstream_body_base, r.upstream_body_prefix, r.upstream_body_suffix,
               COALESCE(r.upstream_body, r.upstream_request->>'body'), 0
          FROM responses r WHERE r.id = ${responseId}
        UNION ALL
        SELECT r.upstream_body_base, r.upstream_body_prefix, r.upstream_body_suffix,
               COALESCE(r.upstream_body, r.upstream_request->>'body'), c.depth + 1
          FROM chain c JOIN responses r ON r.id = c.base
         WHERE c.depth < ${CHAIN_READ_LIMIT}::int
      )
      SELECT base, prefix, suffix, body FROM chain ORDER BY depth DESC`;
    const [root, ...deltas] = rows;
    if (!root || root.body === null) return null;
    if (root.base !== null) throw new Error(`upstream body of ${responseId}: its chain of bases is broken at ${root.base}`);
    return deltas.reduce(
      (base, row) => applyBodyDelta(base, { prefix: row.prefix ?? 0, suffix: row.suffix ?? 0, middle: row.body ?? '' }),
      root.body,
    );
  }
}
