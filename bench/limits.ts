// What the limiter costs one request, apart from everything else the server does: the calls a
// limited create makes (src/limits/limits.service.ts), in a loop, against each store:
//   admitRequest (requests per minute, in ApiKeyGuard), admitModelCall (tokens per minute, budget,
//   a place among the concurrent runs), settle (tokens and cost charged, the place freed).
// Two settings: requests per minute only (the limit every request meets), and every limit set for
// the project and for the key, with a budget (the most work a request can cause). CPU per request is this process's (the server's side); with Redis, Redis's own CPU is read
// from INFO and shown apart. Compare with the server's stateless CPU per request in bench:overhead.
//
// Run: npm run bench:limits [-- --requests 20000] (Redis: REDIS_URL, default the local one)

import { cpuUsage } from 'node:process';
import { Redis } from 'ioredis';
import { LimitStore, MemoryLimitStore, RedisLimitStore } from '../src/limits/limit-store.js';
import type { Principal } from '../src/limits/limits.js';
import type { LimitsRepository } from '../src/limits/limits.repository.js';
import { Limits } from '../src/limits/limits.service.js';
import { RedisConnections } from '../src/runs/redis.js';
import type { WebhooksService } from '../src/webhooks/webhooks.service.js';

const requestsArg = process.argv.indexOf('--requests');
const REQUESTS = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : 20_000;
const WARM_UP = 3_000;
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

// Limits high enough never to refuse: what is measured is the bookkeeping, not a 429.
const everything: Principal = {
  projectId: 'bench',
  keyId: 'key_bench',
  project: { requestsPerMinute: 1e9, tokensPerMinute: 1e9, concurrentRuns: 1e6 },
  key: { requestsPerMinute: 1e9, tokensPerMinute: 1e9, concurrentRuns: 1e6 },
  budget: { period: 'month', limit_usd: 1e9, warn_at: 0.8 },
  requests: { maxInputItems: 10_000, maxTools: 512, maxInputFiles: 500 },
};
const requestsOnly: Principal = {
  ...everything,
  project: { requestsPerMinute: 1e9, tokensPerMinute: null, concurrentRuns: null },
  key: { requestsPerMinute: 1e9, tokensPerMinute: null, concurrentRuns: null },
  budget: null,
};
const repository = { spentSince: async () => 0, ended: async () => [] } as unknown as LimitsRepository;
const webhooks = { enqueue: async () => 0 } as unknown as WebhooksService;

async function oneRequest(limits: Limits, principal: Principal, n: number): Promise<void> {
  await limits.admitRequest(principal);
  await limits.admitModelCall(principal, `resp_${n}`);
  await limits.settle(principal, `resp_${n}`, () => ({ tokens: 1_500, costUsd: 0.00125 }));
}

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (value('used_cpu_sys') + value('used_cpu_user')) * 1e6;
}

async function measure(name: string, principal: Principal, store: LimitStore, redis: Redis | null): Promise<string> {
  const limits = new Limits(store, repository, webhooks);
  // The budget's spend count is read from the database once per period; here it starts at 0.
  if (principal.budget) await limits.spent(principal.projectId, principal.budget);
  for (let n = 0; n < WARM_UP; n++) await oneRequest(limits, principal, n);
  const redisBefore = redis ? await redisCpuUs(redis) : 0;
  const cpuBefore = cpuUsage();
  const started = performance.now();
  for (let n = 0; n < REQUESTS; n++) await oneRequest(limits, principal, WARM_UP + n);
  const wallUs = ((performance.now() - started) * 1_000) / REQUESTS;
  const cpu = cpuUsage(cpuBefore);
  const cpuUs = (cpu.user + cpu.system) / REQUESTS;
  const redisUs = redis ? ((await redisCpuUs(redis)) - redisBefore) / REQUESTS : null;
  return `| ${name} | ${cpuUs.toFixed(1)} µs | ${wallUs.toFixed(1)} µs | ${redisUs === null ? '' : `${redisUs.toFixed(1)} µs`} |`;
}

const connections = new RedisConnections(redisUrl, `bench_limits_${process.pid}`);
const probe = new Redis(redisUrl);
const rows: string[] = [];
try {
  for (const [setting, principal] of [
    ['requests per minute', requestsOnly],
    ['every limit and a budget', everything],
  ] as const) {
    rows.push(await measure(`${setting}, in process (embedded)`, principal, new MemoryLimitStore(), null));
    rows.push(await measure(`${setting}, Redis`, principal, new RedisLimitStore(connections), probe));
  }
} finally {
  const keys = await probe.keys(`${connections.keyPrefix}:*`);
  if (keys.length > 0) await probe.del(...keys);
  probe.disconnect();
  await connections.close();
}
console.log(`${REQUESTS} requests after ${WARM_UP} of warm-up, limits set for the project and for its key:\n`);
console.log('| limits, store | CPU per request (this process) | wall time per request, one at a time | Redis CPU per request |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
