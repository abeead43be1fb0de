import type { PrismaClient } from '../generated/prisma/client.js';
import { applyBodyDelta, diffBody, LatestBodyCache, MAX_DELTA_DEPTH, UpstreamBodyStore } from './upstream-body-store.js';

/** Survives what PostgreSQL does to TEXT: a UTF-8 round trip, where half a surrogate pair becomes U+FFFD. */
const throughUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

function expectRoundTrip(base: string, body: string) {
  const delta = diffBody(base, body);
  expect(delta.prefix + delta.suffix).toBeLessThanOrEqual(Math.min(base.length, body.length));
  expect(throughUtf8(delta.middle)).toBe(delta.middle);
  expect(applyBodyDelta(base, { ...delta, middle: throughUtf8(delta.middle) })).toBe(body);
  return delta;
}

const history = (turns: number) => Array.from({ length: turns }, (_, turn) => ({ role: turn % 2 ? 'assistant' : 'user', content: `turn ${turn} ✓` }));
const chatBody = (turns: number) =>
  JSON.stringify({ model: 'qwen3-8b', messages: history(turns), tools: [{ type: 'function', name: 'lookup' }], stream: true });

// A seeded generator (mulberry32), so a failure reproduces; fast-check would add a dependency for these loops.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe(diffBody.name, () => {
  it.each([
    ['identical bodies', 'same text', 'same text', { prefix: 9, suffix: 0, middle: '' }],
    ['an empty base', '', 'whole', { prefix: 0, suffix: 0, middle: 'whole' }],
    ['an empty body', 'base', '', { prefix: 0, suffix: 0, middle: '' }],
    ['a body shorter than its base', 'abcXYZdef', 'abcdef', { prefix: 3, suffix: 3, middle: '' }],
    ['nothing in common', 'abc', 'xyz', { prefix: 0, suffix: 0, middle: 'xyz' }],
    // The prefix takes the shared 'aa'; the suffix may not take it again.
    ['a prefix and suffix that would overlap', 'aa', 'aaa', { prefix: 2, suffix: 0, middle: 'a' }],
    ['a repeated character grown in the middle', 'abba', 'abbba', { prefix: 3, suffix: 1, middle: 'b' }],
    ['non-ASCII text', '«ü» hé', '«ü» hé ñ', { prefix: 6, suffix: 0, middle: ' ñ' }],
  ])('diffs %s and rebuilds it exactly', (_, base, body, delta) => {
    expect(expectRoundTrip(base, body)).toEqual(delta);
  });

  it('never cuts between the two halves of an emoji', () => {
    // 😀 (d83d de00) and 😁 (d83d de01) share their high surrogate; so do 😀x and 🙂x their end.
    expect(expectRoundTrip('a😀b', 'a😁b')).toEqual({ prefix: 1, suffix: 1, middle: '😁' });
    expect(expectRoundTrip('x😀', 'x😀😀')).toEqual({ prefix: 3, suffix: 0, middle: '😀' });
    expect(expectRoundTrip('😀z', '🙂😀z')).toEqual({ prefix: 0, suffix: 3, middle: '🙂' });
    // U+1F600 and U+1F400 share their high surrogate; U+10000 and U+10400 their low one.
    expect(expectRoundTrip('\u{1F600}!', '\u{1F400}!')).toEqual({ prefix: 0, suffix: 1, middle: '\u{1F400}' });
    expect(expectRoundTrip('\u{10000}', '\u{10400}')).toEqual({ prefix: 0, suffix: 0, middle: '\u{10400}' });
  });

  it('keeps only the new turn of a chat body, with the history array in the middle', () => {
    const base = chatBody(4);
    const body = chatBody(6);
    const delta = expectRoundTrip(base, body);
    // The old end ` ✓"}]…` matches the new end too, but the prefix already took it: no overlap.
    expect(delta.prefix).toBe(base.indexOf(']'));
    expect(delta.suffix).toBe(base.length - base.indexOf(']'));
    expect(delta.middle).toBe(`,${JSON.stringify(history(6).slice(4)).slice(1, -1)}`);
  });

  it('keeps a body small when truncation drops the front of the history: the kept turns are copies of the base', () => {
    // 40 turns of ~300 characters; the next body drops the first 10 and adds 1, as a moved window does.
    const turn = (n: number) => ({ role: n % 2 ? 'assistant' : 'user', content: `turn ${n}: ${'lorem ipsum dolor '.repeat(16)}` });
    const body = (from: number, to: number) =>
      JSON.stringify({
        model: 'qwen3-8b',
        messages: [{ role: 'system', content: 'Be brief.' }, ...Array.from({ length: to - from }, (_, i) => turn(from + i))],
      });
    const base = body(0, 40);
    const next = body(10, 41);
    const delta = expectRoundTrip(base, next);
    // The prefix ends at `"turn ` (turn 0 there, turn 10 here); then one copy of turns 10..39,
    // from the middle of the base, not from right after the shared prefix.
    expect(delta.prefix).toBe(base.indexOf('turn 0:') + 'turn '.length);
    expect(delta.copies).toEqual([[0, base.indexOf('turn 10:') + 'turn '.length, expect.any(Number)]]);
    expect(delta.middle.length).toBeLessThan(JSON.stringify(turn(40)).length + 8);
  });

  it('keeps a body small when compaction replaces the front of the history with a summary', () => {
    // Near-identical messages, as tool calls are: their blocks recur all over the base.
    const history = Array.from({ length: 30 }, (_, n) => `{"role":"user","content":"message ${n} ${'x'.repeat(200 + n)}"}`);
    const base = `{"messages":[${history.join(',')}]}`;
    const summary = `{"role":"user","content":"summary: ${'s'.repeat(300)}"}`;
    const next = `{"messages":[${[summary, ...history.slice(12), '{"role":"user","content":"new"}'].join(',')}]}`;
    const delta = expectRoundTrip(base, next);
    // Shared: the opening up to `"content":"`, the closing `"}]}`, and messages 12..29 with the `"}` before them.
    const copyStart = base.indexOf(`"},${history[12]}`);
    expect(delta).toEqual({
      prefix: '{"messages":[{"role":"user","content":"'.length,
      suffix: '"}]}'.length,
      middle: `summary: ${'s'.repeat(300)},{"role":"user","content":"new`,
      copies: [[`summary: ${'s'.repeat(300)}`.length, copyStart, base.indexOf(']}') - copyStart]],
    });
  });

  it('does not copy runs shorter than it is worth', () => {
    const shared = 'ab'.repeat(200);
    expect(expectRoundTrip(`${shared}|tail`, `head|${shared}`).copies).toBeUndefined();
    const long = 'abcdefgh'.repeat(100);
    expect(expectRoundTrip(`${long}|tail`, `head|${long}`).copies).toEqual([['head|'.length, 0, long.length]]);
  });

  it('never leaves half a surrogate pair at either end of a copy', () => {
    // U+10000 (d800 dc00) and U+10400 (d801 dc00) share their low half, 😀 (d83d de00) and 🙂
    // (d83d de42) their high one: the shared run reaches into both pairs, the copy must not.
    const run = Array.from({ length: 400 }, (_, n) => n.toString(36)).join('');
    const delta = expectRoundTrip(`#\u{10400}${run}🙂#`, `@\u{10000}${run}😀@`);
    expect(delta.middle).toBe('@\u{10000}😀@');
    expect(delta.copies).toEqual([[3, 3, run.length]]);
  });

  it('round-trips random cuts and moves of long random text', () => {
    const words = ['{"role":"user","content":"', '"},', 'tool', 'call', 'é', '😀', '🙂', ' ', 'lorem', 'ipsum'];
    const text = (length: number) => Array.from({ length }, () => words[Math.floor(random() * words.length)]).join('');
    for (let run = 0; run < 300; run++) {
      const parts = Array.from({ length: 2 + Math.floor(random() * 6) }, () => text(Math.floor(random() * 400)));
      const base = parts.join('');
      // Keep a random selection of the parts in a random order, with new text between some of them.
      const body = parts
        .filter(() => random() < 0.7)
        .sort(() => random() - 0.5)
        .map((part) => (random() < 0.5 ? part : text(Math.floor(random() * 50)) + part))
        .join('');
      expectRoundTrip(base, body);
    }
  });

  it('round-trips random edits of random text, surrogate pairs and lone halves included', () => {
    const alphabet = ['a', 'b', '"', '{', ']', 'é', '😀', '😁', '🙂', '\u{1F400}', '\u{10000}'];
    const text = (length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let run = 0; run < 5_000; run++) {
      const base = text(Math.floor(random() * 12));
      const cut = Math.floor(random() * (base.length + 1));
      const end = cut + Math.floor(random() * (base.length - cut + 1));
      // A body that keeps a random head and tail of the base around new text, cut anywhere in code units.
      const body = base.slice(0, cut) + text(Math.floor(random() * 4)) + base.slice(end);
      const wellFormed = throughUtf8(body) === body;
      const delta = diffBody(base, body);
      expect(applyBodyDelta(base, delta)).toBe(body);
      if (wellFormed) expect(throughUtf8(delta.middle)).toBe(delta.middle);
    }
  });
});

describe(applyBodyDelta.name, () => {
  it('refuses a delta that does not fit its base', () => {
    expect(() => applyBodyDelta('abc', { prefix: 2, suffix: 2, middle: '' })).toThrow('does not fit');
  });

  it('applies copies in order, and refuses one that reaches past the base or the literal text', () => {
    expect(
      applyBodyDelta('0123456789', {
        prefix: 1,
        suffix: 1,
        middle: 'ab',
        copies: [
          [1, 5, 3],
          [0, 2, 2],
        ],
      }),
    ).toBe('0a56723b9');
    expect(() => applyBodyDelta('0123456789', { prefix: 0, suffix: 0, middle: '', copies: [[0, 8, 3]] })).toThrow('does not fit');
    expect(() => applyBodyDelta('0123456789', { prefix: 0, suffix: 0, middle: 'a', copies: [[2, 0, 1]] })).toThrow('does not fit');
  });
});

describe(LatestBodyCache.name, () => {
  const entry = (responseId: string, body: string) => ({ responseId, body, depth: 0 });

  it('evicts the least recently used threads beyond its capacity in characters', () => {
    const cache = new LatestBodyCache(10);
    cache.set('a', entry('resp_a', 'aaaa'));
    cache.set('b', entry('resp_b', 'bbbb'));
    cache.get('a');
    cache.set('c', entry('resp_c', 'cccc'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.responseId).toBe('resp_a');
    expect(cache.get('c')?.responseId).toBe('resp_c');
    expect(cache.chars).toBe(8);
  });

  it('replaces a thread entry and never keeps a body larger than its capacity', () => {
    const cache = new LatestBodyCache(10);
    cache.set('a', entry('resp_1', 'aaaa'));
    cache.set('a', entry('resp_2', 'aaaaaa'));
    expect(cache.chars).toBe(6);
    cache.set('a', entry('resp_3', 'x'.repeat(11)));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.chars).toBe(0);
  });
});

describe(UpstreamBodyStore.name, () => {
  const setup = (rows: unknown[] = []) => {
    const queries: unknown[] = [];
    const prisma = {
      $queryRaw: async (...query: unknown[]) => {
        queries.push(query);
        return rows;
      },
    };
    return { sut: new UpstreamBodyStore(prisma as unknown as PrismaClient, { upstreamBodyCacheChars: 1 << 20 }), queries };
  };

  it('stores a thread first body whole, then deltas of the previous body, per thread', () => {
    const { sut } = setup();
    const first = sut.encode('conv_1', chatBody(1));
    expect(first).toEqual({ text: chatBody(1), base: null, prefix: null, suffix: null, copies: null, depth: 0 });
    sut.remember('conv_1', 'resp_1', chatBody(1), first);
    const second = sut.encode('conv_1', chatBody(3));
    expect(second).toMatchObject({ base: 'resp_1', depth: 1 });
    expect(applyBodyDelta(chatBody(1), { prefix: second.prefix!, suffix: second.suffix!, middle: second.text })).toBe(chatBody(3));
    expect(sut.encode('conv_2', chatBody(3)).base).toBeNull();
  });

  it('stores a body whole when the delta would not be shorter, or the chain is deep enough', () => {
    const { sut } = setup();
    sut.remember('conv_1', 'resp_1', 'abc', { text: 'abc', base: null, prefix: null, suffix: null, copies: null, depth: 0 });
    expect(sut.encode('conv_1', 'xyz').base).toBeNull();
    sut.remember('conv_1', 'resp_2', 'abc', { text: 'c', base: 'resp_1', prefix: 2, suffix: 0, copies: null, depth: MAX_DELTA_DEPTH });
    expect(sut.encode('conv_1', 'abcd')).toMatchObject({ base: null, depth: 0 });
    sut.remember('conv_1', 'resp_3', 'abc', { text: 'c', base: 'resp_1', prefix: 2, suffix: 0, copies: null, depth: MAX_DELTA_DEPTH - 1 });
    expect(sut.encode('conv_1', 'abcd')).toMatchObject({ base: 'resp_3', depth: MAX_DELTA_DEPTH, text: 'd' });
  });

  it('rebuilds a body from its chain, oldest first, in one query', async () => {
    const { sut, queries } = setup([
      { base: null, prefix: null, suffix: null, copies: null, body: '{"m":[1]}' },
      { base: 'resp_1', prefix: 7, suffix: 2, copies: null, body: ',2' },
      { base: 'resp_2', prefix: 9, suffix: 2, copies: null, body: ',3' },
      // Drops the 1, copies `2,3` from the base, adds `,4`.
      { base: 'resp_3', prefix: 6, suffix: 2, copies: [[0, 8, 3]], body: ',4' },
    ]);
    await expect(sut.rebuild('resp_4')).resolves.toBe('{"m":[2,3,4]}');
    expect(queries).toHaveLength(1);
  });

  it('answers null for a response without a body, and fails loudly on a broken chain', async () => {
    await expect(setup([]).sut.rebuild('resp_x')).resolves.toBeNull();
    await expect(setup([{ base: null, prefix: null, suffix: null, body: null }]).sut.rebuild('resp_x')).resolves.toBeNull();
    await expect(setup([{ base: 'resp_gone', prefix: 1, suffix: 0, body: 'x' }]).sut.rebuild('resp_x')).rejects.toThrow('broken at resp_gone');
  });
});
