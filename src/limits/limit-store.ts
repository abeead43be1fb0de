import type { Redis } from 'ioredis';
import type { RedisConnections } from '../runs/redis.js';
import type { BucketState } from './limits.js';
import { type BucketLevel, keepMs, lacks, refill, stateOf, waitMs } from './token-bucket.js';

export interface BucketCheck {
  key: string;
  limit: number;
  /** 1 takes a request; 0 only checks that the bucket is above zero (tokens, charged after the call). */
  cost: number;
}

export interface Admission {
  admitted: boolean;
  /** Per bucket, in the order given, after the request (or unchanged when refused). */
  states: BucketState[];
  /** When refused: how long until every bucket that refused has room. */
  retryAfterMs: number;
  /** When refused: the index of a bucket that refused. */
  refusedBy: number;
}

/** Everything a model call must pass, checked and taken at once (one round trip to Redis). */
export interface CallPlan {
  buckets: BucketCheck[];
  /** The project's spend counter and its budget: refused once the count reaches it. */
  budget: { key: string; limitUsd: number } | null;
  /** Sets the call takes a place in, as `member`, for `leaseMs`. */
  sets: Array<{ key: string; limit: number }>;
  member: string;
  leaseMs: number;
}

/**
 * What became of a call: admitted (everything taken), or refused by a bucket, the budget or a
 * full set (nothing taken). `unknown-spend`: the spend counter is missing; nothing was taken, and the
 * caller sets it from the database and asks again.
 */
export interface CallAdmission {
  outcome: 'admitted' | 'bucket' | 'budget' | 'set' | 'unknown-spend';
  /** The bucket or set that refused. */
  refusedBy: number;
  retryAfterMs: number;
  states: BucketState[];
  /** The spend count the budget was checked against; null without a budget or when it is missing. */
  spentUsd: number | null;
}

/** What an ended call gives back and charges, at once. */
export interface CallSettlement {
  sets: string[];
  member: string;
  buckets: Array<{ key: string; limit: number }>;
  tokens: number;
  /** Added to the counter when it exists. */
  spend: { key: string; amountUsd: number } | null;
}

/**
 * Where limits keep their counts: process memory when embedded, Redis in production so that every
 * instance counts against the same numbers. Each operation is atomic over all the keys it takes.
 */
export abstract class LimitStore {
  /** Takes every bucket's cost, or none when one lacks it. */
  abstract admit(checks: BucketCheck[]): Promise<Admission>;
  /** A model call's buckets, budget and places, all taken or none. */
  abstract admitCall(plan: CallPlan): Promise<CallAdmission>;
  /** Frees the call's places, takes its tokens (below zero if need be), adds its cost; returns the new spend count, null when missing. */
  abstract settle(settlement: CallSettlement): Promise<number | null>;
  /** Frees a place. */
  abstract release(keys: string[], member: string): Promise<void>;
  /** Who holds places in a set (unexpired). */
  abstract members(key: string): Promise<string[]>;
  /** A spend counter; null when this store does not have it (never set, or expired). */
  abstract spend(key: string): Promise<number | null>;
  /** Sets a counter that is missing (another instance may have set it first: that one wins). */
  abstract initSpend(key: string, value: number, keepMs: number): Promise<void>;
  /** True the first time it is called for `key` within `keepMs`. */
  abstract once(key: string, keepMs: number): Promise<boolean>;
}

export class MemoryLimitStore extends LimitStore {
  private readonly buckets = new Map<string, BucketLevel>();
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly counters = new Map<string, { value: number; untilMs: number }>();

  async admit(checks: BucketCheck[]): Promise<Admission> {
    const now = Date.now();
    const levels = this.levels(checks, now);
    const refusedBy = this.refusal(checks, levels);
    if (refusedBy >= 0) return { admitted: false, states: this.states(checks, levels), retryAfterMs: this.waitFor(checks, levels), refusedBy };
    this.take(checks, levels, now);
    return { admitted: true, states: this.states(checks, levels), retryAfterMs: 0, refusedBy: -1 };
  }

  async admitCall(plan: CallPlan): Promise<CallAdmission> {
    const now = Date.now();
    const levels = this.levels(plan.buckets, now);
    const refused = (outcome: CallAdmission['outcome'], refusedBy: number, retryAfterMs: number, spentUsd: number | null): CallAdmission => ({
      outcome,
      refusedBy,
      retryAfterMs,
      states: this.states(plan.buckets, levels),
      spentUsd,
    });
    const bucket = this.refusal(plan.buckets, levels);
    if (bucket >= 0) return refused('bucket', bucket, this.waitFor(plan.buckets, levels), null);
    let spentUsd: number | null = null;
    if (plan.budget) {
      spentUsd = this.counter(plan.budget.key, now);
      if (spentUsd === null) return refused('unknown-spend', -1, 0, null);
      if (spentUsd >= plan.budget.limitUsd) return refused('budget', -1, 0, spentUsd);
    }
    for (const [index, { key, limit }] of plan.sets.entries()) {
      const set = this.pruned(key, now);
      if (!set.has(plan.member) && set.size >= limit) return refused('set', index, 0, spentUsd);
    }
    this.take(plan.buckets, levels, now);
    for (const { key } of plan.sets) {
      const set = this.sets.get(key) ?? new Map<string, number>();
      set.set(plan.member, now + plan.leaseMs);
      this.sets.set(key, set);
    }
    return { outcome: 'admitted', refusedBy: -1, retryAfterMs: 0, states: this.states(plan.buckets, levels), spentUsd };
  }

  async settle(settlement: CallSettlement): Promise<number | null> {
    const now = Date.now();
    await this.release(settlement.sets, settlement.member);
    if (settlement.tokens !== 0)
      for (const { key, limit } of settlement.buckets)
        this.buckets.set(key, { level: refill(this.live(key, limit, now), limit, now) - settlement.tokens, atMs: now });
    if (!settlement.spend) return null;
    const counter = this.counters.get(settlement.spend.key);
    if (!counter || counter.untilMs <= now) return null;
    counter.value += settlement.spend.amountUsd;
    return counter.value;
  }

  async release(keys: string[], member: string): Promise<void> {
    for (const key of keys) {
      const set = this.sets.get(key);
      set?.delete(member);
      if (set?.size === 0) this.sets.delete(key);
    }
  }

  async members(key: string): Promise<string[]> {
    return [...this.pruned(key, Date.now()).keys()];
  }

  async spend(key: string): Promise<number | null> {
    return this.counter(key, Date.now());
  }

  async initSpend(key: string, value: number, keep: number): Promise<void> {
    if (this.counter(key, Date.now()) === null) this.counters.set(key, { value, untilMs: Date.now() + keep });
  }

  async once(key: string, keep: number): Promise<boolean> {
    if (this.counter(`once:${key}`, Date.now()) !== null) return false;
    this.counters.set(`once:${key}`, { value: 1, untilMs: Date.now() + keep });
    return true;
  }

  private counter(key: string, now: number): number | null {
    const counter = this.counters.get(key);
    if (!counter) return null;
    if (counter.untilMs > now) return counter.value;
    this.counters.delete(key);
    return null;
  }

  private levels(checks: BucketCheck[], now: number): number[] {
    return checks.map((check) => refill(this.live(check.key, check.limit, now), check.limit, now));
  }

  private refusal(checks: BucketCheck[], levels: number[]): number {
    return checks.findIndex((check, index) => lacks(levels[index]!, check.cost));
  }

  private waitFor(checks: BucketCheck[], levels: number[]): number {
    return Math.max(...checks.map((check, index) => (lacks(levels[index]!, check.cost) ? waitMs(levels[index]!, check.cost, check.limit) : 0)));
  }

  private take(checks: BucketCheck[], levels: number[], now: number): void {
    for (const [index, check] of checks.entries()) {
      levels[index] = levels[index]! - check.cost;
      this.buckets.set(check.key, { level: levels[index]!, atMs: now });
    }
  }

  private states(checks: BucketCheck[], levels: number[]): BucketState[] {
    return checks.map((check, index) => stateOf(levels[index]!, check.limit));
  }

  /** A bucket's stored level, forgotten once it would be full again (so the map does not grow forever). */
  private live(key: string, limit: number, now: number): BucketLevel | undefined {
    const stored = this.buckets.get(key);
    if (stored && now - stored.atMs > keepMs(stored.level, limit)) {
      this.buckets.delete(key);
      return undefined;
    }
    return stored;
  }

  private pruned(key: string, now: number): Map<string, number> {
    const set = this.sets.get(key) ?? new Map<string, number>();
    for (const [member, until] of set) if (until <= now) set.delete(member);
    return set;
  }
}

// Redis's clock (TIME) is the one every instance shares. A bucket is a hash {l: level, t: ms}; a
// missing one is full. The arithmetic is token-bucket.ts's.
const LUA_PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function level_of(key, limit)
  local stored = redis.call('HMGET', key, 'l', 't')
  if not stored[1] then return limit end
  return math.min(limit, tonumber(stored[1]) + math.max(0, now - tonumber(stored[2])) * limit / 60000)
end
local function store(key, level, limit)
  redis.call('HSET', key, 'l', tostring(level), 't', now)
  redis.call('PEXPIRE', key, math.ceil((limit - level) * 60000 / limit) + 1000)
end
-- Checks buckets KEYS[first..first+n-1] (ARGV from a: limit, cost each); returns levels, the first refusing index (0-based, -1) and the wait.
local function check(first, n, a)
  local levels, refused, retry = {}, -1, 0
  for i = 0, n - 1 do
    local limit, cost = tonumber(ARGV[a + i * 2]), tonumber(ARGV[a + i * 2 + 1])
    local level = level_of(KEYS[first + i], limit)
    levels[i + 1] = level
    if (cost > 0 and level < cost) or (cost == 0 and level <= 0) then
      if refused < 0 then refused = i end
      retry = math.max(retry, math.ceil((cost - level) * 60000 / limit))
    end
  end
  return levels, refused, retry
end
local function take(first, n, a, levels)
  for i = 0, n - 1 do
    local limit, cost = tonumber(ARGV[a + i * 2]), tonumber(ARGV[a + i * 2 + 1])
    levels[i + 1] = levels[i + 1] - cost
    store(KEYS[first + i], levels[i + 1], limit)
  end
end
local function reply(code, refused, retry, spent, levels)
  local out = { code, refused, retry, spent }
  for i = 1, #levels do out[#out + 1] = tostring(levels[i]) end
  return out
end
`;

// KEYS: buckets. ARGV: limit, cost, want for each. Every bucket must hold its cost; then each gives up
// to `want` (at least its cost), whatever it holds. Returns {code (0 admitted, 1 refused), refusedBy,
// retryMs, false, then level and taken per bucket}.
const LEASE = `${LUA_PRELUDE}
local n = #KEYS
local levels, refused, retry = {}, -1, 0
for i = 1, n do
  local limit, cost = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1])
  levels[i] = level_of(KEYS[i], limit)
  if levels[i] < cost then
    if refused < 0 then refused = i - 1 end
    retry = math.max(retry, math.ceil((cost - levels[i]) * 60000 / limit))
  end
end
local out = { refused < 0 and 0 or 1, refused, retry, false }
for i = 1, n do
  local taken = 0
  if refused < 0 then
    taken = math.max(tonumber(ARGV[i * 3 - 1]), math.min(tonumber(ARGV[i * 3]), math.floor(levels[i])))
    levels[i] = levels[i] - taken
    store(KEYS[i], levels[i], tonumber(ARGV[i * 3 - 2]))
  end
  out[#out + 1] = tostring(levels[i])
  out[#out + 1] = taken
end
return out
`;

// KEYS: buckets. ARGV: limit, tokens for each: tokens taken ahead and not used, given back (up to the limit).
const REFUND = `${LUA_PRELUDE}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i * 2 - 1])
  store(KEYS[i], math.min(limit, level_of(KEYS[i], limit) + tonumber(ARGV[i * 2])), limit)
end
return 1
`;

// KEYS: buckets..., [spend counter], sets...
// ARGV: nBuckets, hasBudget, budgetLimit, nSets, member, leaseMs, then limit, cost per bucket, then limit per set.
// Returns {code, refusedBy, retryMs, spent, levels...}; code 0 admitted, 1 bucket, 2 budget, 3 set, 4 unknown spend.
const ADMIT_CALL = `${LUA_PRELUDE}
local nb, hasBudget, budget, ns, member, lease = tonumber(ARGV[1]), ARGV[2] == '1', tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local levels, refused, retry = check(1, nb, 7)
if refused >= 0 then return reply(1, refused, retry, false, levels) end
local spent = false
local firstSet = nb + 1
if hasBudget then
  firstSet = nb + 2
  spent = redis.call('GET', KEYS[nb + 1])
  if not spent then return reply(4, -1, 0, false, levels) end
  if tonumber(spent) >= budget then return reply(2, -1, 0, spent, levels) end
end
local setLimits = 7 + nb * 2
for i = 0, ns - 1 do
  local key = KEYS[firstSet + i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, member) and redis.call('ZCARD', key) >= tonumber(ARGV[setLimits + i]) then return reply(3, i, 0, spent, levels) end
end
take(1, nb, 7, levels)
for i = 0, ns - 1 do
  redis.call('ZADD', KEYS[firstSet + i], now + lease, member)
  redis.call('PEXPIRE', KEYS[firstSet + i], lease)
end
return reply(0, -1, 0, spent, levels)
`;

// KEYS: sets..., buckets..., [spend counter]. ARGV: nSets, nBuckets, member, tokens, hasSpend, amount, then limit per bucket.
// Returns the new spend count, or false when there is none.
const SETTLE = `${LUA_PRELUDE}
local ns, nb, member, tokens, hasSpend, amount = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5] == '1', ARGV[6]
for i = 1, ns do redis.call('ZREM', KEYS[i], member) end
if tokens ~= 0 then
  for i = 1, nb do
    local limit = tonumber(ARGV[6 + i])
    store(KEYS[ns + i], level_of(KEYS[ns + i], limit) - tokens, limit)
  end
end
if hasSpend and redis.call('EXISTS', KEYS[ns + nb + 1]) == 1 then return redis.call('INCRBYFLOAT', KEYS[ns + nb + 1], amount) end
return false
`;

type Reply = [number, number, number, string | null, ...string[]];
type Scripted = Redis & {
  limitsLease(numKeys: number, ...args: Array<string | number>): Promise<[number, number, number, null, ...Array<string | number>]>;
  limitsRefund(numKeys: number, ...args: Array<string | number>): Promise<number>;
  limitsAdmitCall(numKeys: number, ...args: Array<string | number>): Promise<Reply>;
  limitsSettle(numKeys: number, ...args: Array<string | number>): Promise<string | null>;
};

const OUTCOMES: Array<CallAdmission['outcome']> = ['admitted', 'bucket', 'budget', 'set', 'unknown-spend'];

/** Requests an instance took from a bucket ahead of use; given back after GRANT_MS when unused. */
interface Grant {
  tokens: number;
  limit: number;
  /** The bucket's level in Redis when they were taken, for the headers. */
  level: number;
  untilMs: number;
}

/** How long an instance keeps requests it took ahead before it gives back the unused ones. */
const GRANT_MS = 1_000;

/**
 * Requests taken from a bucket in one round trip: a tenth of a second of its refill, one at a time
 * under 600 a minute (so small limits are counted exactly, request by request, across instances).
 */
export function grantSize(limit: number): number {
  return Math.min(1_000, Math.max(1, Math.floor(limit / 600)));
}

export class RedisLimitStore extends LimitStore {
  private readonly redis: Scripted;
  /**
   * Requests per minute are the one limit every request meets. An instance takes a few at a time
   * (`grantSize`) and serves them without asking Redis again: the buckets still never give more
   * than they hold, whichever instance asks, and what an instance took and did not use goes back
   * after a second. A round trip per request cost more CPU than the rest of a stateless request
   * (bench/limits.ts).
   */
  private readonly grants = new Map<string, Grant>();
  private refundTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connections: RedisConnections,
    private readonly grantMs = GRANT_MS,
  ) {
    super();
    const redis = connections.commands as Scripted;
    // ioredis sends EVALSHA, and EVAL once per connection when Redis does not have the script yet.
    if (typeof redis.limitsLease !== 'function') {
      redis.defineCommand('limitsLease', { lua: LEASE });
      redis.defineCommand('limitsRefund', { lua: REFUND });
      redis.defineCommand('limitsAdmitCall', { lua: ADMIT_CALL });
      redis.defineCommand('limitsSettle', { lua: SETTLE });
    }
    this.redis = redis;
  }

  async admit(checks: BucketCheck[]): Promise<Admission> {
    const now = Date.now();
    const held = checks.map((check) => {
      const grant = this.grants.get(check.key);
      return grant && grant.untilMs > now && grant.limit === check.limit && grant.tokens >= check.cost ? grant : null;
    });
    const missing = checks.filter((_check, index) => held[index] === null);
    let leased: Array<{ level: number; taken: number }> = [];
    if (missing.length > 0) {
      const [code, refusedIndex, retryAfterMs, , ...rest] = await this.redis.limitsLease(
        missing.length,
        ...missing.map((check) => this.key(check.key)),
        ...missing.flatMap((check) => [check.limit, check.cost, check.cost > 0 ? grantSize(check.limit) : 0]),
      );
      leased = missing.map((_check, index) => ({ level: Number(rest[index * 2]), taken: Number(rest[index * 2 + 1]) }));
      if (code !== 0) {
        const refused = missing[refusedIndex]!;
        const states = checks.map((check, index) => {
          const grant = held[index];
          return grant ? stateOf(grant.level + grant.tokens, check.limit) : stateOf(leased[missing.indexOf(check)]!.level, check.limit);
        });
        return { admitted: false, states, retryAfterMs, refusedBy: checks.indexOf(refused) };
      }
      for (const [index, check] of missing.entries()) {
        const { level, taken } = leased[index]!;
        this.giveBack(check.key);
        this.grants.set(check.key, { tokens: taken, limit: check.limit, level, untilMs: now + this.grantMs });
      }
      this.refundTimer ??= setInterval(() => this.refundExpired(), this.grantMs).unref();
    }
    const states = checks.map((check) => {
      const grant = this.grants.get(check.key)!;
      grant.tokens -= check.cost;
      return stateOf(grant.level + grant.tokens, check.limit);
    });
    return { admitted: true, states, retryAfterMs: 0, refusedBy: -1 };
  }

  /** Gives back what expired grants did not use. */
  private refundExpired(): void {
    const now = Date.now();
    for (const [key, grant] of this.grants) if (grant.untilMs <= now) this.giveBack(key);
    if (this.grants.size === 0 && this.refundTimer) {
      clearInterval(this.refundTimer);
      this.refundTimer = null;
    }
  }

  private giveBack(key: string): void {
    const grant = this.grants.get(key);
    if (!grant) return;
    this.grants.delete(key);
    if (grant.tokens > 0) void this.redis.limitsRefund(1, this.key(key), grant.limit, grant.tokens).catch(() => undefined);
  }

  async admitCall(plan: CallPlan): Promise<CallAdmission> {
    const keys = [
      ...plan.buckets.map((bucket) => this.key(bucket.key)),
      ...(plan.budget ? [this.key(plan.budget.key)] : []),
      ...plan.sets.map((set) => this.key(set.key)),
    ];
    const [code, refusedBy, retryAfterMs, spent, ...levels] = await this.redis.limitsAdmitCall(
      keys.length,
      ...keys,
      plan.buckets.length,
      plan.budget ? 1 : 0,
      plan.budget?.limitUsd ?? 0,
      plan.sets.length,
      plan.member,
      plan.leaseMs,
      ...plan.buckets.flatMap((bucket) => [bucket.limit, bucket.cost]),
      ...plan.sets.map((set) => set.limit),
    );
    return {
      outcome: OUTCOMES[code]!,
      refusedBy,
      retryAfterMs,
      states: plan.buckets.map((bucket, index) => stateOf(Number(levels[index]), bucket.limit)),
      spentUsd: spent === null ? null : Number(spent),
    };
  }

  async settle(settlement: CallSettlement): Promise<number | null> {
    const keys = [
      ...settlement.sets.map((key) => this.key(key)),
      ...settlement.buckets.map((bucket) => this.key(bucket.key)),
      ...(settlement.spend ? [this.key(settlement.spend.key)] : []),
    ];
    const spent = await this.redis.limitsSettle(
      keys.length,
      ...keys,
      settlement.sets.length,
      settlement.buckets.length,
      settlement.member,
      settlement.tokens,
      settlement.spend ? 1 : 0,
      String(settlement.spend?.amountUsd ?? 0),
      ...settlement.buckets.map((bucket) => bucket.limit),
    );
    return spent === null ? null : Number(spent);
  }

  async release(keys: string[], member: string): Promise<void> {
    if (keys.length === 0) return;
    const multi = this.redis.multi();
    for (const key of keys) multi.zrem(this.key(key), member);
    await multi.exec();
  }

  async members(key: string): Promise<string[]> {
    return this.redis.zrangebyscore(this.key(key), Date.now(), '+inf');
  }

  async spend(key: string): Promise<number | null> {
    const value = await this.redis.get(this.key(key));
    return value === null ? null : Number(value);
  }

  async initSpend(key: string, value: number, keep: number): Promise<void> {
    await this.redis.set(this.key(key), String(value), 'PX', keep, 'NX');
  }

  async once(key: string, keep: number): Promise<boolean> {
    return (await this.redis.set(this.key(`once:${key}`), '1', 'PX', keep, 'NX')) === 'OK';
  }

  private key(name: string): string {
    return this.connections.key('limits', name);
  }
}
