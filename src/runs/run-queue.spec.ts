import { LocalRunQueue } from './run-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe(LocalRunQueue.name, () => {
  it('runs in FIFO order, at most `concurrency` at a time, and ignores a response already waiting', async () => {
    const queue = new LocalRunQueue();
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    await queue.enqueue('a');
    await queue.enqueue('b');
    await queue.enqueue('a');
    await queue.enqueue('c');
    await queue.serve(async (id) => {
      started.push(id);
      const gate = deferred();
      gates.set(id, gate);
      await gate.promise;
    }, 2);
    expect(started).toEqual(['a', 'b']);
    gates.get('a')!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c']);
    gates.get('b')!.resolve();
    gates.get('c')!.resolve();
    // Once finished, the same id may be queued again (the liveness check re-queues stale responses).
    await new Promise((resolve) => setImmediate(resolve));
    await queue.enqueue('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c', 'a']);
    gates.get('a')!.resolve();
  });

  it('on stop, waits for running work and starts nothing new', async () => {
    const queue = new LocalRunQueue();
    const started: string[] = [];
    const gate = deferred();
    await queue.serve(async (id) => {
      started.push(id);
      await gate.promise;
    }, 1);
    await queue.enqueue('a');
    await queue.enqueue('b');
    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(started).toEqual(['a']);
  });
});
