import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { PrismaClient } from '../generated/prisma/client.js';

/**
 * A body as the part that differs from a base body: the base's first `prefix` characters, then the
 * middle, then the base's last `suffix` characters. The middle is literal text, except where
 * `copies` takes ranges of the base: each `[literal, start, length]` takes the next `literal`
 * characters of `middle`, then `length` characters of the base from `start`; what is left of
 * `middle` ends it. Lengths are in UTF-16 code units (JavaScript string indexes).
 */
export interface BodyDelta {
  prefix: number;
  suffix: number;
  middle: string;
  copies?: BodyCopy[];
}

export type BodyCopy = [literal: number, start: number, length: number];

/** Characters compared at once while looking for the common prefix and suffix. */
const CHUNK = 256;
/** A copy must save at least this many characters, or it is not worth its place in `copies`. */
const MIN_COPY = 512;
/** The base is indexed in blocks of this many characters; any shared run of twice this holds a whole block. */
const BLOCK = 64;
/** Places in the base kept per block hash: a block of common JSON (a message's opening) recurs. */
const MAX_CANDIDATES = 4;
/** Candidate matches checked per diff: bounds the work when the middle is mostly near-misses. */
const MAX_CHECKS = 4_096;
/** Multiplier of the rolling hash, and its power for the character leaving the window (mod 2^32). */
const HASH_BASE = 0x01000193;
const HASH_OUT = Array.from({ length: BLOCK - 1 }).reduce<number>((power) => Math.imul(power, HASH_BASE), 1);

/**
 * The longest common prefix, then the longest common suffix of what is left (the two never
 * overlap, in either string), then long runs of the middle found anywhere in the base. The last
 * part is what keeps a body small after truncation or compaction moves the start of the history:
 * the kept history is still in the base, only no longer right after the common prefix.
 *
 * A cut never falls inside a surrogate pair: `middle` is stored as text (UTF-8 in PostgreSQL),
 * where half a pair would turn into U+FFFD and the rebuilt body would differ. Prefix, suffix and
 * copies are only lengths, so they need no such care.
 */
export function diffBody(base: string, body: string): BodyDelta {
  const shorter = Math.min(base.length, body.length);
  let prefix = 0;
  // Whole chunks first: V8 compares two substrings far faster than a loop compares characters.
  while (prefix + CHUNK <= shorter && base.slice(prefix, prefix + CHUNK) === body.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
  while (prefix < shorter && base.charCodeAt(prefix) === body.charCodeAt(prefix)) prefix++;
  if (splitsPair(body, prefix)) prefix--;
  let suffix = 0;
  while (
    suffix + CHUNK <= shorter - prefix &&
    base.slice(base.length - suffix - CHUNK, base.length - suffix) === body.slice(body.length - suffix - CHUNK, body.length - suffix)
  ) {
    suffix += CHUNK;
  }
  while (suffix < shorter - prefix && base.charCodeAt(base.length - 1 - suffix) === body.charCodeAt(body.length - 1 - suffix)) suffix++;
  if (splitsPair(body, body.length - suffix)) suffix--;
  const { literal, copies } = findCopies(base, body, prefix, body.length - suffix, base.length - suffix);
  return copies.length ? { prefix, suffix, middle: literal, copies } : { prefix, suffix, middle: literal };
}

/**
 * Splits `body[from, to)` into literal text and copies of `base`, the way rsync finds blocks: the
 * base's aligned blocks go in a table by hash, a hash rolled over every position of the body looks
 * them up, and a hit is grown both ways and taken when it is long enough. Work is linear in the
 * two middles.
 */
function findCopies(base: string, body: string, from: number, to: number, baseTo: number): { literal: string; copies: BodyCopy[] } {
  // Only the base's own middle is indexed: what the prefix and suffix took is rarely said twice,
  // and an append (the common turn) then indexes next to nothing.
  if (to - from < MIN_COPY || baseTo - from < MIN_COPY) return { literal: body.slice(from, to), copies: [] };
  const blocks = new Map<number, number[]>();
  for (let at = from; at + BLOCK <= baseTo; at += BLOCK) {
    const hash = hashBlock(base, at);
    const places = blocks.get(hash);
    if (!places) blocks.set(hash, [at]);
    else if (places.length < MAX_CANDIDATES) places.push(at);
  }
  const copies: BodyCopy[] = [];
  let literal = '';
  let pending = from;
  let checks = 0;
  let at = from;
  let hash = hashBlock(body, at);
  while (at + BLOCK <= to) {
    const places = checks < MAX_CHECKS ? blocks.get(hash) : undefined;
    const match = places ? longestMatch(base, body, places, at, pending, to) : null;
    if (places) checks += places.length;
    if (match && match.end - match.start >= MIN_COPY) {
      literal += body.slice(pending, match.start);
      copies.push([match.start - pending, match.baseStart, match.end - match.start]);
      pending = at = match.end;
      if (at + BLOCK <= to) hash = hashBlock(body, at);
      continue;
    }
    if (at + BLOCK === to) break;
    hash = (Math.imul(hash - Math.imul(body.charCodeAt(at), HASH_OUT), HASH_BASE) + body.charCodeAt(at + BLOCK)) | 0;
    at++;
  }
  return { literal: literal + body.slice(pending, to), copies };
}

function hashBlock(text: string, at: number): number {
  let hash = 0;
  for (let i = at; i < at + BLOCK; i++) hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

interface Match {
  start: number;
  end: number;
  baseStart: number;
}

/** The longest run of `body[floor, to)` through `body[at, at + BLOCK)` found at one of `places` in the base, or null. */
function longestMatch(base: string, body: string, places: number[], at: number, floor: number, to: number): Match | null {
  let best: Match | null = null;
  for (const place of places) {
    let ahead = 0;
    while (
      at + ahead + CHUNK <= to &&
      place + ahead + CHUNK <= base.length &&
      body.slice(at + ahead, at + ahead + CHUNK) === base.slice(place + ahead, place + ahead + CHUNK)
    ) {
      ahead += CHUNK;
    }
    while (at + ahead < to && place + ahead < base.length && body.charCodeAt(at + ahead) === base.charCodeAt(place + ahead)) ahead++;
    // A hash collision, or a block that matches only in part.
    if (ahead < BLOCK) continue;
    let back = 0;
    while (at - back > floor && place - back > 0 && body.charCodeAt(at - back - 1) === base.charCodeAt(place - back - 1)) back++;
    let start = at - back;
    let end = at + ahead;
    // Literal text may not start or end with half a surrogate pair: the copy gives the half back.
    if (splitsPair(body, start)) start++;
    if (splitsPair(body, end)) end--;
    if (!best || end - start > best.end - best.start) best = { start, end, baseStart: place - (at - start) };
  }
  return best;
}

export function applyBodyDelta(base: string, delta: BodyDelta): string {
  if (delta.prefix < 0 || delta.suffix < 0 || delta.prefix + delta.suffix > base.length) {
    throw new Error(`body delta (prefix ${delta.prefix}, suffix ${delta.suffix}) does not fit a base of ${base.length} characters`);
  }
  let middle = '';
  let taken = 0;
  for (const [literal, start, length] of delta.copies ?? []) {
    if (literal < 0 || taken + literal > delta.middle.length || start < 0 || length < 0 || start + length > base.length) {
      throw new Error(`body delta copy [${literal}, ${start}, ${length}] does not fit a base of ${base.length} characters`);
    }
    middle += delta.middle.slice(taken, taken + literal) + base.slice(start, start + length);
    taken += literal;
  }
  return base.slice(0, delta.prefix) + middle + delta.middle.slice(taken) + base.slice(base.length - delta.suffix);
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
/** How far the rebuild query follows bases: well past MAX_DELTA_DEPTH, so rows written under a larger limit still read. */
const CHAIN_READ_LIMIT = 1_024;

/** The columns a body is stored in (upstream_body, upstream_body_base, upstream_body_prefix, upstream_body_suffix, upstream_body_copies). */
export interface EncodedBody {
  text: string;
  base: string | null;
  prefix: number | null;
  suffix: number | null;
  copies: BodyCopy[] | null;
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
  copies: BodyCopy[] | null;
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
  private readonly latest: LatestBodyCache;

  constructor(
    private readonly prisma: PrismaClient,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'upstreamBodyCacheChars'>,
  ) {
    this.latest = new LatestBodyCache(config.upstreamBodyCacheChars);
  }

  /** How to store `body`: as a delta of the thread's last body when that is shorter and the chain is not too deep, else whole. */
  encode(threadKey: string, body: string): EncodedBody {
    const previous = this.latest.get(threadKey);
    if (previous && previous.depth < MAX_DELTA_DEPTH) {
      const delta = diffBody(previous.body, body);
      if (delta.middle.length < body.length) {
        const copies = delta.copies ?? null;
        return { text: delta.middle, base: previous.responseId, prefix: delta.prefix, suffix: delta.suffix, copies, depth: previous.depth + 1 };
      }
    }
    return { text: body, base: null, prefix: null, suffix: null, copies: null, depth: 0 };
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
      WITH RECURSIVE chain (base, prefix, suffix, copies, body, depth) AS (
        SELECT r.upstream_body_base, r.upstream_body_prefix, r.upstream_body_suffix, r.upstream_body_copies,
               COALESCE(r.upstream_body, r.upstream_request->>'body'), 0
          FROM responses r WHERE r.id = ${responseId}
        UNION ALL
        SELECT r.upstream_body_base, r.upstream_body_prefix, r.upstream_body_suffix, r.upstream_body_copies,
               COALESCE(r.upstream_body, r.upstream_request->>'body'), c.depth + 1
          FROM chain c JOIN responses r ON r.id = c.base
         WHERE c.depth < ${CHAIN_READ_LIMIT}::int
      )
      SELECT base, prefix, suffix, copies, body FROM chain ORDER BY depth DESC`;
    const [root, ...deltas] = rows;
    if (!root || root.body === null) return null;
    if (root.base !== null) throw new Error(`upstream body of ${responseId}: its chain of bases is broken at ${root.base}`);
    return deltas.reduce(
      (base, row) => applyBodyDelta(base, { prefix: row.prefix ?? 0, suffix: row.suffix ?? 0, middle: row.body ?? '', copies: row.copies ?? undefined }),
      root.body,
    );
  }
}
