import { jest } from '@jest/globals';
import { InFlightWork } from './in-flight-work.js';

describe(InFlightWork.name, () => {
  it('waits for tracked work to settle, a failed one included', async () => {
    const sut = new InFlightWork();
    const order: string[] = [];
    sut.track(Promise.resolve().then(() => order.push('stored')));
    sut.track(Promise.reject(new Error('lost')).finally(() => order.push('failed'))).catch(() => {});

    await sut.drain(60_000);

    expect(order.sort()).toEqual(['failed', 'stored']);
  });

  it('stops waiting after its limit when work never settles', async () => {
    jest.useFakeTimers();
    try {
      const sut = new InFlightWork();
      sut.track(new Promise(() => {}));
      let drained = false;
      const draining = sut.drain(10_000).then(() => {
        drained = true;
      });

      await jest.advanceTimersByTimeAsync(9_999);
      expect(drained).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await draining;
      expect(drained).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
