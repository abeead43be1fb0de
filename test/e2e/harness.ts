import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import pg from 'pg';
import { type AppConfig, loadConfig } from '../../src/config/env.schema.js';
import { createApp } from '../../src/create-app.js';
import { type MockUpstream, type MockUpstreamOptions, startMockUpstream } from '../mock-upstream/mock-upstream.js';
import { tapReplies } from './reply-tap.js';

export const PROJECT_A_KEY = 'sk-test-project-a';
export const PROJECT_B_KEY = 'sk-test-project-b';

export interface Harness {
  app: NestFastifyApplication;
  /** The server's origin, e.g. http://127.0.0.1:40123 */
  origin: string;
  /** The official SDK, authenticated as project A (and B), pointed at our server. */
  client: OpenAI;
  clientB: OpenAI;
  upstream: MockUpstream;
  config: AppConfig;
  /** The environment the app was started with; startInstance(harness.env) boots a second instance. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Boots the real app once per test file: real HTTP on an ephemeral port, a fresh database (a new
 * PostgreSQL database, or in-memory PGlite for the e2e-pglite project), and the mock upstream as the
 * model vendor. The official openai SDK is the client.
 */
export async function startHarness(env: Record<string, string> = {}, upstreamOptions: MockUpstreamOptions = {}): Promise<Harness> {
  const upstream = await startMockUpstream(upstreamOptions);
  const database = await createTestDatabase();
  const appEnv: Record<string, string> = {
    API_KEYS: `${PROJECT_A_KEY}=project-a,${PROJECT_B_KEY}=project-b`,
    OPENAI_BASE_URL: upstream.baseUrl,
    OPENAI_API_KEY: 'sk-upstream-test',
    // These suites were written against the Chat Completions wire; providers.e2e-spec covers the others.
    OPENAI_WIRE_API: 'chat',
    ANTHROPIC_BASE_URL: upstream.origin,
    ANTHROPIC_API_KEY: 'sk-ant-upstream-test',
    GEMINI_BASE_URL: upstream.origin,
    GEMINI_API_KEY: 'gemini-upstream-test',
    OPENAI_COMPATIBLE_PROVIDERS: 'vllm,deepseek',
    VLLM_BASE_URL: upstream.baseUrl,
    DEEPSEEK_BASE_URL: upstream.baseUrl,
    LOG_LEVEL: 'error',
    UPSTREAM_MAX_RETRIES: '1',
    ...database.env,
    ...env,
  };
  const instance = await startInstance(appEnv);
  return {
    ...instance,
    clientB: instance.sdk(PROJECT_B_KEY),
    upstream,
    env: appEnv,
    close: async () => {
      await instance.close();
      await upstream.close();
      await database.drop();
    },
  };
}

export interface Instance {
  app: NestFastifyApplication;
  /** The server's origin, e.g. http://127.0.0.1:40123; empty for a worker, which serves no HTTP. */
  origin: string;
  client: OpenAI;
  sdk(apiKey: string): OpenAI;
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * One more server process's worth of app on the same database (and Redis): another API instance,
 * or with SERVER_ROLE=worker a worker that serves no HTTP, as production runs them.
 */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const config = loadConfig(env);
  const app = await createApp(config);
  tapReplies(app);
  let origin = '';
  if (config.role === 'worker') {
    await app.init();
  } else {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
    origin = `http://127.0.0.1:${address.port}`;
  }
  const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${origin}/v1`, maxRetries: 0, timeout: 20_000 });
  return { app, origin, client: sdk(PROJECT_A_KEY), sdk, config, close: () => app.close() };
}

interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * The e2e-pglite project runs embedded (in-memory PGlite, in-process queue); the e2e-postgres
 * project runs as production does: a fresh PostgreSQL database plus Redis (TEST_REDIS_URL), under a
 * key prefix of its own so test files never take each other's jobs.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.TEST_DB_MODE === 'pglite') return { env: { DATA_DIR: 'memory://' }, drop: async () => {} };
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `rs_test_${randomBytes(6).toString('hex')}`;
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: name },
    drop: async () => {
      await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await deleteRedisKeys(redisUrl, `${name}:*`);
    },
  };
}

async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 }) as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

async function withAdminClient<T>(url: string, action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** A raw HTTP call to our server, for what the SDK cannot send (bad JSON, no auth, huge bodies). */
export async function rawRequest(origin: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${origin}${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: the test looks at `text`.
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Polls an async check until it yields a value (for effects with no event to await, like a commit after a disconnect). */
export async function eventually<T>(check: () => Promise<T | null | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`eventually: nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A `MODELS_FILE` holding these catalog entries (they win over the built-in ones), in a folder of its own. */
export function writeModelsFile(models: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'models-')), 'models.json');
  writeFileSync(file, JSON.stringify({ models }));
  return file;
}

/** What a webhook receiver got: each event's parsed body, in arrival order. */
export interface WebhookCollector {
  url: string;
  events: Array<{ type: string; data: Record<string, any> }>;
  close(): Promise<void>;
}

/** A receiver that answers 200 to every delivery and keeps its body (signatures: webhooks.e2e-spec.ts checks those). */
export async function startWebhookCollector(): Promise<WebhookCollector> {
  const events: WebhookCollector['events'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      events.push(JSON.parse(body));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    events,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
