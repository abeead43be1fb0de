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

/**
 * Where limits keep their counts: process memory when embedded, Redis in production so that every
 * instance counts against the same numbers. Each operation is atomic over all the keys it takes.
 */
export abstract class LimitStore {
  /** Takes every bucket's cost, or none when one lacks it. */
  abstract admit(checks: BucketCheck[]): Promise<Admission>;
  /** Takes `amount` from each bucket, below zero if need be (tokens a model call used). */
  abstract debit(buckets: Array<{ key: string; limit: number }>, amount: number): Promise<void>;
  /** Holds a place for `member` in each set, or in none when one is full; the index of a full one. */
  abstract acquire(sets: Array<{ key: string; limit: number }>, member: string, leaseMs: number): Promise<number | null>;
  abstract release(keys: string[], member: string): Promise<void>;
  /** Who holds places in a set (unexpired). */
  abstract members(key: string): Promise<string[]>;
  /** A spend counter; null when this store does not have it (never set, or expired). */
  abstract spend(key: string): Promise<number | null>;
  /** Sets a counter that is missing (another instance may have set it first: that one wins). */
  abstract initSpend(key: string, value: number, keepMs: number): Promise<void>;
  /** Adds to a counter that exists; returns the new value, or null when it is missing. */
  abstract addSpend(key: string, amount: number): Promise<number | null>;
  /** True the first time it is called for `key` within `keepMs`. */
  abstract once(key: string, keepMs: number): Promise<boolean>;
}

export class MemoryLimitStore extends LimitStore {
  private readonly buckets = new Map<string, BucketLevel>();
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly counters = new Map<string, { value: number; untilMs: number }>();

  async admit(checks: BucketCheck[]): Promise<Admission> {
    const now = Date.now();
    const levels = checks.map((check) => refill(this.live(check.key, check.limit, now), check.limit, now));
    const refused = checks.map((check, index) => lacks(levels[index]!, check.cost));
    if (refused.includes(true)) {
      const retryAfterMs = Math.max(...checks.map((check, index) => (refused[index] ? waitMs(levels[index]!, check.cost, check.limit) : 0)));
      return { admitted: false, states: checks.map((check, index) => stateOf(levels[index]!, check.limit)), retryAfterMs, refusedBy: refused.indexOf(true) };
    }
    const states = checks.map((check, index) => {
      const level = levels[index]! - check.cost;
      this.buckets.set(check.key, { level, atMs: now });
      return stateOf(level, check.limit);
    });
    return { admitted: true, states, retryAfterMs: 0, refusedBy: -1 };
  }

  async debit(buckets: Array<{ key: string; limit: number }>, amount: number): Promise<void> {
    const now = Date.now();
    for (const { key, limit } of buckets) this.buckets.set(key, { level: refill(this.live(key, limit, now), limit, now) - amount, atMs: now });
  }

  async acquire(sets: Array<{ key: string; limit: number }>, member: string, leaseMs: number): Promise<number | null> {
    const now = Date.now();
    for (const [index, { key, limit }] of sets.entries()) {
      const set = this.pruned(key, now);
      if (!set.has(member) && set.size >= limit) return index;
    }
    for (const { key } of sets) {
      const set = this.sets.get(key) ?? new Map<string, number>();
      set.set(member, now + leaseMs);
      this.sets.set(key, set);
    }
    return null;
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
    const counter = this.counters.get(key);
    if (!counter || counter.untilMs <= Date.now()) return null;
    return counter.value;
  }

  async initSpend(key: string, value: number, keep: number): Promise<void> {
    if ((await this.spend(key)) === null) this.counters.set(key, { value, untilMs: Date.now() + keep });
  }

  async addSpend(key: string, amount: number): Promise<number | null> {
    const counter = this.counters.get(key);
    if (!counter || counter.untilMs <= Date.now()) return null;
    counter.value += amount;
    return counter.value;
  }

  async once(key: string, keep: number): Promise<boolean> {
    if ((await this.spend(`once:${key}`)) !== null) return false;
    this.counters.set(`once:${key}`, { value: 1, untilMs: Date.now() + keep });
    return true;
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
`;

// KEYS: buckets. ARGV: limit, cost for each. Returns {admitted, refusedBy (0-based, -1), retryMs, then level*1000 per bucket}.
const ADMIT = `${LUA_PRELUDE}
local levels = {}
local refused = -1
local retry = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i * 2 - 1])
  local cost = tonumber(ARGV[i * 2])
  local level = level_of(key, limit)
  levels[i] = level
  local lacking = (cost > 0 and level < cost) or (cost == 0 and level <= 0)
  if lacking then
    if refused < 0 then refused = i - 1 end
    retry = math.max(retry, math.ceil((cost - level) * 60000 / limit))
  end
end
if refused < 0 then
  for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[i * 2 - 1])
    levels[i] = levels[i] - tonumber(ARGV[i * 2])
    store(key, levels[i], limit)
  end
end
local reply = { refused < 0 and 1 or 0, refused, retry }
for i = 1, #KEYS do reply[#reply + 1] = tostring(levels[i]) end
return reply
`;

// KEYS: buckets. ARGV: amount, then limit for each.
const DEBIT = `${LUA_PRELUDE}
local amount = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i + 1])
  store(key, level_of(key, limit) - amount, limit)
end
return 1
`;

// KEYS: sets. ARGV: member, leaseMs, then limit for each. Returns the 0-based index of a full set, or -1.
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[i + 2]) then return i - 1 end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2]))
end
return -1
`;

type Scripted = Redis & {
  limitsAdmit(numKeys: number, ...args: Array<string | number>): Promise<[number, number, number, ...string[]]>;
  limitsDebit(numKeys: number, ...args: Array<string | number>): Promise<number>;
  limitsAcquire(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

export class RedisLimitStore extends LimitStore {
  private readonly redis: Scripted;

  constructor(private readonly connections: RedisConnections) {
    super();
    const redis = connections.commands as Scripted;
    // ioredis sends EVALSHA and falls back to EVAL once per connection when Redis lacks the script.
    if (typeof redis.limitsAdmit !== 'function') {
      redis.defineCommand('limitsAdmit', { lua: ADMIT });
      redis.defineCommand('limitsDebit', { lua: DEBIT });
      redis.defineCommand('limitsAcquire', { lua: ACQUIRE });
    }
    this.redis = redis;
  }

  async admit(checks: BucketCheck[]): Promise<Admission> {
    const [admitted, refusedBy, retryAfterMs, ...levels] = await this.redis.limitsAdmit(
      checks.length,
      ...checks.map((check) => this.key(check.key)),
      ...checks.flatMap((check) => [check.limit, check.cost]),
    );
    return {
      admitted: admitted === 1,
      states: checks.map((check, index) => stateOf(Number(levels[index]), check.limit)),
      retryAfterMs,
      refusedBy,
    };
  }

  async debit(buckets: Array<{ key: string; limit: number }>, amount: number): Promise<void> {
    if (buckets.length === 0) return;
    await this.redis.limitsDebit(buckets.length, ...buckets.map((bucket) => this.key(bucket.key)), amount, ...buckets.map((bucket) => bucket.limit));
  }

  async acquire(sets: Array<{ key: string; limit: number }>, member: string, leaseMs: number): Promise<number | null> {
    const full = await this.redis.limitsAcquire(sets.length, ...sets.map((set) => this.key(set.key)), member, leaseMs, ...sets.map((set) => set.limit));
    return full < 0 ? null : full;
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

  async addSpend(key: string, amount: number): Promise<number | null> {
    // Only a counter that was initialised from the database is added to; a missing one is read again.
    const value = (await this.redis.eval(
      `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBYFLOAT', KEYS[1], ARGV[1]) end return false`,
      1,
      this.key(key),
      String(amount),
    )) as string | null;
    return value === null ? null : Number(value);
  }

  async once(key: string, keep: number): Promise<boolean> {
    return (await this.redis.set(this.key(`once:${key}`), '1', 'PX', keep, 'NX')) === 'OK';
  }

  private key(name: string): string {
    return this.connections.key('limits', name);
  }
}
