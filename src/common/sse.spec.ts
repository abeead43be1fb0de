import type { ServerResponse } from 'node:http';
import { SseWriter } from './sse.js';

/** A response that records what reaches the socket: writes made while corked arrive together at uncork. */
function fakeResponse(options: { accepts?: boolean } = {}) {
  const flushes: string[] = [];
  let held: string[] = [];
  let corks = 0;
  const listeners = new Map<string, () => void>();
  const send = (text: string) => (corks > 0 ? held.push(text) : flushes.push(text));
  const raw = {
    destroyed: false,
    writeHead: () => raw,
    flushHeaders: () => undefined,
    cork: () => void corks++,
    uncork: () => {
      corks--;
      if (corks === 0 && held.length > 0) {
        flushes.push(held.join(''));
        held = [];
      }
    },
    write: (text: string) => {
      send(text);
      return options.accepts ?? true;
    },
    end: (text: string) => {
      corks = 0;
      send(text);
    },
    once: (name: string, listener: () => void) => {
      listeners.set(name, listener);
      return raw;
    },
  };
  return { raw: raw as unknown as ServerResponse, flushes, corks: () => corks, emit: (name: string) => listeners.get(name)?.() };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SseWriter', () => {
  it('sends the events of one burst in one socket write, once the event loop turns', async () => {
    const response = fakeResponse();
    const writer = new SseWriter(response.raw);
    writer.open();
    await writer.write({ type: 'response.created' });
    await writer.write({ type: 'response.in_progress' });
    expect(response.flushes).toEqual([]);
    await nextTurn();
    expect(response.flushes).toEqual(['event: response.created\ndata: {"type":"response.created"}\n\nevent: response.in_progress\ndata: {"type":"response.in_progress"}\n\n']);
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
    expect(response.corks()).toBe(0);
  });

  it('lets held events go before waiting for a slow reader to drain', async () => {
    const response = fakeResponse({ accepts: false });
    const writer = new SseWriter(response.raw);
    writer.open();
    const written = writer.write({ type: 'response.created' });
    // Sent while the socket is full: not held back until the next turn of the loop.
    expect(response.flushes).toHaveLength(1);
    expect(response.corks()).toBe(0);
    let done = false;
    void written.then(() => (done = true));
    await nextTurn();
    expect(done).toBe(false);
    response.emit('drain');
    await written;
    writer.end();
  });
});
