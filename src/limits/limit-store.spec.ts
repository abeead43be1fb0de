import { randomBytes } from 'node:crypto';
import { describeWithServices, servicesAvailable } from '../../test/setup/services.js';
import { RedisConnections } from '../runs/redis.js';
import { type CallPlan, type CallSettlement, grantSize, type LimitStore, MemoryLimitStore, RedisLimitStore } from './limit-store.js';

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

    const call = (plan: Partial<CallPlan>): CallPlan => ({ buckets: [], budget: null, sets: [], member: 'resp_x', leaseMs: 60_000, ...plan });
    const settlement = (part: Partial<CallSettlement>): CallSettlement => ({ sets: [], member: 'resp_x', buckets: [], tokens: 0, spend: null, ...part });

    it('lets tokens go below zero and refuses the next call until they are back above it', async () => {
      const store = make();
      const key = fresh('tpm');
      const check = call({ buckets: [{ key, limit: 6_000, cost: 0 }] });
      expect((await store.admitCall(check)).states[0]!.remaining).toBe(6_000);
      await store.settle(settlement({ buckets: [{ key, limit: 6_000 }], tokens: 7_000 }));
      const refused = await store.admitCall(check);
      expect(refused).toMatchObject({ outcome: 'bucket', refusedBy: 0, states: [{ remaining: 0 }] });
      // 1,000 tokens short at 100 a second: 10 s, less the few ms since the charge.
      expect(refused.retryAfterMs).toBeGreaterThan(9_900);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
      await store.settle(settlement({ buckets: [{ key, limit: 6_000 }], tokens: -2_000 }));
      const admitted = await store.admitCall(check);
      expect(admitted.outcome).toBe('admitted');
      expect(admitted.states[0]!.remaining).toBeGreaterThanOrEqual(1_000);
      expect(admitted.states[0]!.remaining).toBeLessThan(1_010);
    });

    it('holds places in sets up to their limits, a member once, in every set or in none, and frees them on settle', async () => {
      const store = make();
      const [project, key] = [fresh('runs-p'), fresh('runs-k')];
      const sets = [
        { key: project, limit: 2 },
        { key, limit: 5 },
      ];
      expect((await store.admitCall(call({ sets, member: 'resp_1' }))).outcome).toBe('admitted');
      expect((await store.admitCall(call({ sets, member: 'resp_1' }))).outcome).toBe('admitted');
      expect((await store.admitCall(call({ sets, member: 'resp_2' }))).outcome).toBe('admitted');
      expect(await store.admitCall(call({ sets, member: 'resp_3' }))).toMatchObject({ outcome: 'set', refusedBy: 0 });
      // Refused by the project's set, it took no place in the key's either.
      expect((await store.members(key)).sort()).toEqual(['resp_1', 'resp_2']);
      await store.settle(settlement({ sets: [project, key], member: 'resp_1' }));
      expect((await store.admitCall(call({ sets, member: 'resp_3' }))).outcome).toBe('admitted');
      expect((await store.members(project)).sort()).toEqual(['resp_2', 'resp_3']);
      await store.release([project, key], 'resp_2');
      expect(await store.members(project)).toEqual(['resp_3']);
    });

    it('forgets a place whose lease ran out', async () => {
      const store = make();
      const sets = [{ key: fresh('lease'), limit: 1 }];
      expect((await store.admitCall(call({ sets, member: 'resp_a', leaseMs: 30 }))).outcome).toBe('admitted');
      expect((await store.admitCall(call({ sets, member: 'resp_b' }))).outcome).toBe('set');
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect((await store.admitCall(call({ sets, member: 'resp_b' }))).outcome).toBe('admitted');
      expect(await store.members(sets[0]!.key)).toEqual(['resp_b']);
    });

    it('checks a budget against a spend count that must be set first, adds to it on settle, and takes nothing when it refuses', async () => {
      const store = make();
      const [spend, tokens, runs] = [fresh('spend'), fresh('tpm'), fresh('runs')];
      const plan = call({ buckets: [{ key: tokens, limit: 6_000, cost: 0 }], budget: { key: spend, limitUsd: 3 }, sets: [{ key: runs, limit: 5 }] });
      expect(await store.admitCall(plan)).toMatchObject({ outcome: 'unknown-spend', spentUsd: null });
      expect(await store.members(runs)).toEqual([]);
      await store.initSpend(spend, 2.25, 60_000);
      // The first setter wins.
      await store.initSpend(spend, 99, 60_000);
      expect(await store.admitCall(plan)).toMatchObject({ outcome: 'admitted', spentUsd: 2.25 });
      expect(await store.settle(settlement({ sets: [runs], spend: { key: spend, amountUsd: 0.75 } }))).toBeCloseTo(3, 12);
      expect(await store.admitCall(plan)).toMatchObject({ outcome: 'budget', spentUsd: 3 });
      expect(await store.members(runs)).toEqual([]);
      // A count that is missing is not made by a charge (it is read from the database instead).
      expect(await store.settle(settlement({ spend: { key: fresh('spend'), amountUsd: 1 } }))).toBeNull();
      expect(await store.spend(spend)).toBeCloseTo(3, 12);
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

describeWithServices('requests taken from Redis a few at a time', () => {
  it('takes a tenth of a second of refill per round trip, one at a time under 600 a minute', () => {
    expect(grantSize(10)).toBe(1);
    expect(grantSize(599)).toBe(1);
    expect(grantSize(6_000)).toBe(10);
    expect(grantSize(1e9)).toBe(1_000);
  });

  it('never lets two instances together take more than the bucket holds, and gives back what one took and did not use', async () => {
    // Two instances on one Redis; 6,000 a minute is 10 requests per round trip.
    const [first, second] = [new RedisLimitStore(redis, 100), new RedisLimitStore(redis, 100)];
    const key = fresh('shared');
    const check = [{ key, limit: 6_000, cost: 1 }];
    const startedAt = Date.now();
    let admitted = 0;
    for (let turn = 0; ; turn++) {
      const admission = await (turn % 3 === 0 ? second : first).admit(check);
      if (!admission.admitted) break;
      admitted++;
    }
    // 6,000 to start with, plus 100 a second of refill while it ran, less what the other instance holds.
    const refill = Math.ceil(((Date.now() - startedAt) * 6_000) / 60_000);
    expect(admitted).toBeGreaterThanOrEqual(6_000 - 2 * grantSize(6_000));
    expect(admitted).toBeLessThanOrEqual(6_000 + refill);
    // An instance that took 10 and used 1 gives 9 back once its grant ends.
    const lone = fresh('refund');
    const lease = new RedisLimitStore(redis, 20);
    expect((await lease.admit([{ key: lone, limit: 6_000, cost: 1 }])).states[0]!.remaining).toBe(5_999);
    const level = async () => Number(await redis.commands.hget(`${redis.keyPrefix}:limits:${lone}`, 'l'));
    expect(await level()).toBe(5_990);
    // Given back by the store's timer, 20 ms after it was taken.
    const deadline = Date.now() + 2_000;
    while ((await level()) < 5_999 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await level()).toBeGreaterThanOrEqual(5_999);
  });
});
