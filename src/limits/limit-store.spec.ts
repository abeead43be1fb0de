import { randomBytes } from 'node:crypto';
import { describeWithServices, servicesAvailable } from '../../test/setup/services.js';
import { RedisConnections } from '../runs/redis.js';
import { type LimitStore, MemoryLimitStore, RedisLimitStore } from './limit-store.js';

// The same behaviour from both stores: Redis's scripts must agree with the in-process arithmetic.
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisConnections;
beforeAll(() => {
  if (servicesAvailable) redis = new RedisConnections(redisUrl, `limits_spec_${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  if (!servicesAvailable) return;
  const keys = await redis.commands.keys(`${redis.keyPrefix}:*`);
  if (keys.length > 0) await redis.commands.del(...keys);
  await redis.close();
});

const fresh = (name: string) => `${name}:${randomBytes(4).toString('hex')}`;

describe.each([
  ['memory', 'in process', describe, () => new MemoryLimitStore()],
  ['redis', 'on the Redis server', describeWithServices, () => new RedisLimitStore(redis)],
] as const)('%s limit store', (_name, where, describeCase, make: () => LimitStore) =>
  describeCase(where, () => {
    it('admits a bucket of 3 requests per minute three times, then refuses for 20 s, one request being a third of a minute', async () => {
      const store = make();
      const key = fresh('rpm');
      const remaining = [];
      for (let request = 0; request < 3; request++) {
        const admission = await store.admit([{ key, limit: 3, cost: 1 }]);
        expect(admission.admitted).toBe(true);
        remaining.push(admission.states[0]!.remaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const refused = await store.admit([{ key, limit: 3, cost: 1 }]);
      expect(refused).toMatchObject({ admitted: false, refusedBy: 0, states: [{ limit: 3, remaining: 0 }] });
      // Empty: one request refills in 60 s / 3; a few ms have passed since.
      expect(refused.retryAfterMs).toBeGreaterThan(19_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
      expect(refused.states[0]!.resetMs).toBeGreaterThan(59_000);
    });

    it('takes from every bucket or from none: a refusal by the second leaves the first as it was', async () => {
      const store = make();
      const [wide, narrow] = [fresh('wide'), fresh('narrow')];
      expect((await store.admit([{ key: narrow, limit: 1, cost: 1 }])).admitted).toBe(true);
      const refused = await store.admit([
        { key: wide, limit: 100, cost: 1 },
        { key: narrow, limit: 1, cost: 1 },
      ]);
      expect(refused).toMatchObject({ admitted: false, refusedBy: 1 });
      const after = await store.admit([{ key: wide, limit: 100, cost: 1 }]);
      expect(after.states[0]!.remaining).toBe(99);
    });

    it('lets tokens go below zero and refuses the next call until they are back above it', async () => {
      const store = make();
      const key = fresh('tpm');
      expect((await store.admit([{ key, limit: 6_000, cost: 0 }])).states[0]!.remaining).toBe(6_000);
      await store.debit([{ key, limit: 6_000 }], 7_000);
      const refused = await store.admit([{ key, limit: 6_000, cost: 0 }]);
      expect(refused.admitted).toBe(false);
      // 1,000 tokens short at 100 a second: 10 s, less the few ms since the debit.
      expect(refused.retryAfterMs).toBeGreaterThan(9_900);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
      await store.debit([{ key, limit: 6_000 }], -2_000);
      const admitted = await store.admit([{ key, limit: 6_000, cost: 0 }]);
      expect(admitted.admitted).toBe(true);
      expect(admitted.states[0]!.remaining).toBeGreaterThanOrEqual(1_000);
      expect(admitted.states[0]!.remaining).toBeLessThan(1_010);
    });

    it('holds places in sets up to their limits, a member once, and frees them on release', async () => {
      const store = make();
      const [project, key] = [fresh('runs-p'), fresh('runs-k')];
      const sets = [
        { key: project, limit: 2 },
        { key, limit: 5 },
      ];
      expect(await store.acquire(sets, 'resp_1', 60_000)).toBeNull();
      expect(await store.acquire(sets, 'resp_1', 60_000)).toBeNull();
      expect(await store.acquire(sets, 'resp_2', 60_000)).toBeNull();
      expect(await store.acquire(sets, 'resp_3', 60_000)).toBe(0);
      expect((await store.members(key)).sort()).toEqual(['resp_1', 'resp_2']);
      await store.release([project, key], 'resp_1');
      expect(await store.acquire(sets, 'resp_3', 60_000)).toBeNull();
      expect((await store.members(project)).sort()).toEqual(['resp_2', 'resp_3']);
    });

    it('forgets a place whose lease ran out', async () => {
      const store = make();
      const set = fresh('lease');
      expect(await store.acquire([{ key: set, limit: 1 }], 'resp_a', 30)).toBeNull();
      expect(await store.acquire([{ key: set, limit: 1 }], 'resp_b', 30)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await store.acquire([{ key: set, limit: 1 }], 'resp_b', 30_000)).toBeNull();
      expect(await store.members(set)).toEqual(['resp_b']);
    });

    it('adds to a spend counter only once it was set, and the first setter wins', async () => {
      const store = make();
      const key = fresh('spend');
      expect(await store.spend(key)).toBeNull();
      expect(await store.addSpend(key, 1.5)).toBeNull();
      await store.initSpend(key, 2.25, 60_000);
      await store.initSpend(key, 99, 60_000);
      expect(await store.addSpend(key, 0.5)).toBeCloseTo(2.75, 12);
      expect(await store.spend(key)).toBeCloseTo(2.75, 12);
    });

    it('says yes once per key', async () => {
      const store = make();
      const key = fresh('once');
      expect(await store.once(key, 60_000)).toBe(true);
      expect(await store.once(key, 60_000)).toBe(false);
      expect(await store.once(fresh('once'), 60_000)).toBe(true);
    });
  }),
);
