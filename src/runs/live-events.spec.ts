import { randomBytes } from 'node:crypto';
import { describeWithServices, servicesAvailable } from '../../test/setup/services.js';
import { type LiveEvents, type LoggedEvent, MemoryLiveEvents, RedisLiveEvents } from './live-events.js';
import { RedisConnections } from './redis.js';

// The Redis implementation runs against the real Redis (TEST_REDIS_URL, default the local one),
// where there is one (see test/setup/services.ts).
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisConnections;
beforeAll(() => {
  if (servicesAvailable) redis = new RedisConnections(redisUrl, `live_spec_${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  if (!servicesAvailable) return;
  const keys = await redis.commands.keys(`${redis.keyPrefix}:*`);
  if (keys.length > 0) await redis.commands.del(...keys);
  await redis.close();
});

const delta = (seq: number): LoggedEvent => ({ type: 'response.output_text.delta', sequence_number: seq });
const done = (seq: number): LoggedEvent => ({ type: 'response.completed', sequence_number: seq });

async function collect(iterable: AsyncIterable<LoggedEvent>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const event of iterable) seqs.push(event.sequence_number);
  return seqs;
}

// Redis's case is skipped, and counted as skipped, where scripts/test.mjs found no Redis.
describe.each([
  ['memory', 'in process', describe, () => new MemoryLiveEvents()],
  ['redis', 'on the Redis server', describeWithServices, () => new RedisLiveEvents(redis)],
] as const)('%s live events', (_name, where, describeCase, make: () => LiveEvents) =>
  describeCase(where, () => {
    it('replays after a sequence number, follows new events, and ends after the terminal one', async () => {
      const live = make();
      const id = `resp_${randomBytes(4).toString('hex')}`;
      await live.append(id, delta(0));
      await live.append(id, delta(1));
      const reading = collect(live.follow(id, 0, new AbortController().signal, 5_000));
      await live.append(id, delta(2));
      await live.append(id, done(3));
      await live.append(id, delta(4)); // nothing after the terminal event is read
      expect(await reading).toEqual([1, 2, 3]);
    });

    it('waits for a run that has not written yet', async () => {
      const live = make();
      const id = `resp_${randomBytes(4).toString('hex')}`;
      const reading = collect(live.follow(id, -1, new AbortController().signal, 5_000));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await live.append(id, delta(0));
      await live.append(id, done(1));
      expect(await reading).toEqual([0, 1]);
    });

    it('returns after the idle time without events, and at once on abort', async () => {
      const live = make();
      const id = `resp_${randomBytes(4).toString('hex')}`;
      await live.append(id, delta(0));
      expect(await collect(live.follow(id, -1, new AbortController().signal, 50))).toEqual([0]);
      const controller = new AbortController();
      const reading = collect(live.follow(id, 0, controller.signal, 60_000));
      setTimeout(() => controller.abort(), 20);
      expect(await reading).toEqual([]);
    });
  }),
);
