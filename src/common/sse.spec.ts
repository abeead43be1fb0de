import type { ServerResponse } from 'node:http';
import { jest } from '@jest/globals';
import { eventJson, SseWriter } from './sse.js';

/** A response that records each write that reaches the socket. */
function fakeResponse(options: { accepts?: boolean } = {}) {
  const flushes: string[] = [];
  const listeners = new Map<string, () => void>();
  const raw = {
    destroyed: false,
    writeHead: () => raw,
    write: (text: string) => {
      flushes.push(text);
      return options.accepts ?? true;
    },
    end: (text: string) => void flushes.push(text),
    once: (name: string, listener: () => void) => {
      listeners.set(name, listener);
      return raw;
    },
  };
  return { raw: raw as unknown as ServerResponse, flushes, emit: (name: string) => listeners.get(name)?.() };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SseWriter', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends the events of one burst in one socket write, once the event loop turns', async () => {
    const response = fakeResponse();
    const writer = new SseWriter(response.raw);
    writer.open();
    // A reader that keeps up costs the producer no promise.
    expect(writer.write({ type: 'response.created' })).toBeUndefined();
    expect(writer.write({ type: 'response.in_progress' })).toBeUndefined();
    expect(response.flushes).toEqual([]);
    await nextTurn();
    expect(response.flushes).toEqual([
      'event: response.created\ndata: {"type":"response.created"}\n\nevent: response.in_progress\ndata: {"type":"response.in_progress"}\n\n',
    ]);
    writer.end();
  });

  it('flushes the first delta at once, with what was held before it, and batches the later ones', async () => {
    const response = fakeResponse();
    const writer = new SseWriter(response.raw);
    writer.open();
    await writer.write({ type: 'response.output_item.added' });
    await writer.write({ type: 'response.output_text.delta' });
    expect(response.flushes).toHaveLength(1);
    expect(response.flushes[0]).toContain('event: response.output_item.added\n');
    expect(response.flushes[0]).toMatch(/event: response\.output_text\.delta\n.*\n\n$/);
    await writer.write({ type: 'response.output_text.delta' });
    await writer.write({ type: 'response.output_text.delta' });
    expect(response.flushes).toHaveLength(1);
    await nextTurn();
    expect(response.flushes).toHaveLength(2);
    expect(response.flushes[1]!.match(/event: response\.output_text\.delta/g)).toHaveLength(2);
    writer.end();
    expect(response.flushes.at(-1)).toBe('data: [DONE]\n\n');
  });

  it('makes the producer wait for a slow reader once the socket is full, writing what it holds at once', async () => {
    const response = fakeResponse({ accepts: false });
    const writer = new SseWriter(response.raw);
    writer.open();
    await writer.write({ type: 'response.created' });
    await nextTurn();
    // The burst went out, and the socket said it is full.
    expect(response.flushes).toHaveLength(1);
    let done = false;
    const taken = writer.write({ type: 'response.in_progress' });
    expect(taken).toBeInstanceOf(Promise);
    const written = taken!.then(() => (done = true));
    // Written at once, not held for the next turn of the loop, and the producer waits.
    expect(response.flushes).toHaveLength(2);
    await nextTurn();
    expect(done).toBe(false);
    response.emit('drain');
    await written;
    expect(done).toBe(true);
    writer.end();
  });

  it('holds a burst while its producer only paused, and writes it when the producer waits or 16 KB are held', async () => {
    // The clock stands still, so the 10 ms bound of a hold is never what ends it here, however
    // slowly a loaded machine turns the event loop; only performance.now and Date are faked.
    jest.useFakeTimers({
      doNotFake: ['setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'nextTick', 'queueMicrotask'],
    });
    const response = fakeResponse();
    let paused = true;
    const writer = new SseWriter(response.raw).holdWhile(() => paused);
    writer.open();
    await writer.write({ type: 'response.output_text.delta' });
    expect(response.flushes).toHaveLength(1);
    await writer.write({ type: 'response.output_text.delta' });
    await nextTurn();
    await nextTurn();
    // Turns of the loop went by while the producer was between slices: nothing written yet.
    expect(response.flushes).toHaveLength(1);
    await writer.write({ type: 'response.output_text.delta' });
    paused = false;
    await nextTurn();
    await nextTurn();
    expect(response.flushes).toHaveLength(2);
    expect(response.flushes[1]!.match(/event: response\.output_text\.delta/g)).toHaveLength(2);

    paused = true;
    const big = { type: 'response.output_text.delta', delta: 'x'.repeat(6_000) };
    await writer.write(big);
    await writer.write(big);
    expect(response.flushes).toHaveLength(2);
    await writer.write(big);
    // Past 16 KB held, the burst goes out without waiting for the producer.
    expect(response.flushes).toHaveLength(3);
    writer.end();
  });
});

describe(eventJson.name, () => {
  const delta = (text: string, sequence = 7) => ({
    type: 'response.output_text.delta',
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    delta: text,
    logprobs: [],
    sequence_number: sequence,
  });

  it('writes a text delta exactly as JSON.stringify does, whatever its text', () => {
    const texts = [
      '',
      'plain',
      'quote " backslash \\ slash /',
      'line\nbreak\ttab\r\u0000\u001f',
      'ü 🙂 \u2028\u2029',
      '\ud800 lone \udc00',
      '</script>',
      'x'.repeat(5_000),
    ];
    for (const text of texts) {
      const event = delta(text, 123_456);
      expect(eventJson(event)).toBe(JSON.stringify(event));
    }
  });

  it('does not stringify a text delta the turn made: only its two strings', () => {
    const stringify = JSON.stringify;
    const stringified: unknown[] = [];
    JSON.stringify = ((value: unknown, ...rest: []) => {
      stringified.push(value);
      return stringify(value, ...rest);
    }) as typeof JSON.stringify;
    try {
      eventJson(delta('hello'));
    } finally {
      JSON.stringify = stringify;
    }
    expect(stringified).toEqual(['msg_1', 'hello']);
  });

  it('stringifies any other shape: other keys, another order, logprobs, numbers that are not integers, other events', () => {
    const { sequence_number: sequence, ...unstamped } = delta('x');
    const others: Array<{ type: string } & Record<string, unknown>> = [
      { sequence_number: sequence, ...unstamped },
      { ...delta('x'), obfuscation: 'pad' },
      { ...delta('x'), logprobs: [{ token: 'x', logprob: -0.1 }] },
      { ...delta('x'), output_index: 1.5 },
      { ...delta('x'), output_index: Number.NaN },
      { ...delta('x'), item_id: 7 } as unknown as { type: string },
      unstamped,
      { type: 'response.created', response: { id: 'resp_1' }, sequence_number: 0 },
    ];
    for (const event of others) expect(eventJson(event)).toBe(JSON.stringify(event));
  });
});
