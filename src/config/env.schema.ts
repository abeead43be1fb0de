import { z } from 'zod';
import { type CacheMode, cacheModes, type ReasoningPolicy, reasoningPolicies, type UnsupportedToolsMode, unsupportedToolsModes } from '../items/policies.js';

/** Names of OpenAI-compatible providers: lowercase, usable as the `provider/` prefix of a model name. */
const providerNameSchema = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'provider names are lowercase letters, digits, - and _');

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  DATABASE_URL: optionalString,
  /** Where embedded PGlite keeps its files when DATABASE_URL is not set; `memory://` keeps nothing. */
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: optionalString,
  /** Prefixes every Redis key this server writes (queue, event streams, channels), so deployments can share a Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _, . and -')
    .default('rs'),
  /** `api` serves HTTP only, `worker` runs background responses only (needs REDIS_URL), `all` does both. */
  SERVER_ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  /** Background responses one process runs at the same time. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** On SIGTERM, how long running background responses get to finish before they are stopped and marked failed. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
  /** On SIGTERM, how long foreground turns whose outcome is still being stored get before the database closes. */
  /** A tool the model's provider cannot run: `error` refuses the request (400 unsupported_tool), `drop` leaves the tool out. A request's `unsupported_tools` wins. */
  UNSUPPORTED_TOOLS: z.enum(unsupportedToolsModes).default('error'),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
  API_KEYS: optionalString,
  ADMIN_API_KEY: optionalString,
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Items one create may carry in `input` (a stateless agent sends its whole history); more is a 400. */
  MAX_INPUT_ITEMS: z.coerce.number().int().positive().default(10_000),
  /** Tools one create may declare. */
  MAX_TOOLS: z.coerce.number().int().positive().default(512),
  /** Images and files (`input_image`, `input_file` parts) one create may carry, OpenAI's 500 by default. */
  MAX_INPUT_FILES: z.coerce.number().int().positive().default(500),
  /** Batch lines one instance runs at once, in the valleys of interactive traffic (src/batches). */
  BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  /** How often an instance looks for batch work when none woke it. */
  BATCH_POLL_MS: z.coerce.number().int().min(10).default(500),
  /** Largest upload to /v1/files, OpenAI's 200 MB for batch input by default; held in memory while it is stored. */
  MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * 1024 * 1024),
  /**
   * Every project's rate limits unless the admin API sets its own (src/limits): requests per
   * minute (every authenticated /v1 request), input plus output tokens per minute (as providers
   * report them), model calls running at once. Unset: no limit.
   */
  RATE_LIMIT_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_TOKENS_PER_MINUTE: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_CONCURRENT_RUNS: z.coerce.number().int().positive().optional(),
  /**
   * Memory for the last upstream body of each thread, the base its next body is stored as a delta
   * of. A thread whose body was evicted stores its next body whole. 0 turns deltas off.
   */
  UPSTREAM_BODY_CACHE_MB: z.coerce.number().min(0).default(32),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  /** Which OpenAI wire the `openai` provider speaks: the Responses API, or Chat Completions. */
  OPENAI_WIRE_API: z.enum(['responses', 'chat']).default('responses'),
  ANTHROPIC_API_KEY: optionalString,
  /** The origin; requests go to /v1/messages. */
  ANTHROPIC_BASE_URL: z.url().default('https://api.anthropic.com'),
  GEMINI_API_KEY: optionalString,
  /** The origin; requests go to /v1beta/models/{model}:streamGenerateContent. */
  GEMINI_BASE_URL: z.url().default('https://generativelanguage.googleapis.com'),
  MODELS_FILE: optionalString,
  /** Prompt-cache policy when neither the request nor its conversation sets `cache_policy`. */
  CACHE_POLICY: z.enum(cacheModes).default('auto'),
  /** Which stored reasoning is sent back to models when neither the request nor its conversation sets `reasoning_policy`. */
  REASONING_POLICY: z.enum(reasoningPolicies).default('auto'),
  /** `provider/model` that writes the server's own compaction summaries; unset: the turn's own model. */
  COMPACTION_MODEL: optionalString,
  /** Context window, in tokens, of a model the catalog does not know (config/models.json, MODELS_FILE). */
  DEFAULT_CONTEXT_WINDOW: z.coerce.number().int().min(1024).default(128_000),
  /** Comma-separated names; each reads <NAME>_BASE_URL (with /v1) and <NAME>_API_KEY. */
  OPENAI_COMPATIBLE_PROVIDERS: optionalString,
  /** A queued or running response whose process stopped refreshing it for this long is marked failed. */
  RUN_STALE_AFTER_MS: z.coerce.number().int().positive().default(15_000),
  UPSTREAM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  UPSTREAM_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  UPSTREAM_BODY_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  /** The largest file the server fetches for an `input_file`'s `file_url`. */
  FILE_FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** The whole fetch of a `file_url`, redirects included. */
  FILE_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Fetch `file_url`s from private, loopback and link-local addresses too (off: such URLs are a 400). */
  FILE_FETCH_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  /** How often the webhook dispatcher looks for due deliveries. */
  WEBHOOK_POLL_MS: z.coerce.number().int().positive().default(250),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** First retry delay; it doubles per attempt (with jitter), up to one hour. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(1_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(20),
});

export interface ApiKeyConfig {
  key: string;
  project: string;
}

export type WireApi = 'responses' | 'chat';

export interface CompatibleProviderConfig {
  name: string;
  baseUrl: string;
  apiKey: string | null;
  /** `<NAME>_WIRE_API`: chat (default) or responses, for servers with a Responses endpoint (vLLM, Azure). */
  wireApi: WireApi;
}

/** What one create may carry (see checkRequestLimits). */
export interface RequestLimits {
  maxInputItems: number;
  maxTools: number;
  maxInputFiles: number;
}

export interface AppConfig {
  port: number;
  host: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  redis: { url: string; keyPrefix: string } | null;
  role: 'api' | 'worker' | 'all';
  workerConcurrency: number;
  shutdownGraceMs: number;
  shutdownDrainMs: number;
  unsupportedTools: UnsupportedToolsMode;
  /** Empty when API_KEYS is not set: the app then makes one key for the `default` project at start. */
  apiKeys: ApiKeyConfig[];
  adminApiKey: string | null;
  maxBodyBytes: number;
  requestLimits: RequestLimits;
  maxFileBytes: number;
  batches: { concurrency: number; pollMs: number };
  /** Each project's rate limits where the admin API set none; null: no limit. */
  rateLimits: { requestsPerMinute: number | null; tokensPerMinute: number | null; concurrentRuns: number | null };
  /** UPSTREAM_BODY_CACHE_MB in characters (bodies are JSON, one byte per character but for non-ASCII text). */
  upstreamBodyCacheChars: number;
  openai: { apiKey: string | null; baseUrl: string; wireApi: WireApi };
  anthropic: { apiKey: string | null; baseUrl: string };
  gemini: { apiKey: string | null; baseUrl: string };
  modelsFile: string | null;
  cachePolicy: CacheMode;
  reasoningPolicy: ReasoningPolicy;
  defaultContextWindow: number;
  compactionModel: string | null;
  compatibleProviders: CompatibleProviderConfig[];
  upstream: { maxRetries: number; headersTimeoutMs: number; bodyTimeoutMs: number };
  /** How `input_file` URLs are fetched where the provider cannot fetch them itself. */
  fileFetch: { maxBytes: number; timeoutMs: number; allowPrivate: boolean };
  runStaleAfterMs: number;
  webhooks: { pollMs: number; timeoutMs: number; retryBaseMs: number; maxAttempts: number };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Provider names with their own adapters and variables; OpenAI-compatible providers cannot take them. */
const builtInProviders = ['openai', 'anthropic', 'google'];

/** Parses `key` or `key=project` entries; a key without a project belongs to `default`. */
export function parseApiKeys(value: string | undefined): ApiKeyConfig[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.lastIndexOf('=');
      const key = separator === -1 ? entry : entry.slice(0, separator).trim();
      const project = separator === -1 ? 'default' : entry.slice(separator + 1).trim();
      if (key === '' || project === '') throw new ConfigError(`API_KEYS entry '${entry}' must be 'key' or 'key=project'`);
      return { key, project };
    });
}

function parseCompatibleProviders(env: Record<string, string | undefined>, names: string | undefined): CompatibleProviderConfig[] {
  if (names === undefined) return [];
  return names
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      const parsedName = providerNameSchema.safeParse(name);
      if (!parsedName.success) throw new ConfigError(`OPENAI_COMPATIBLE_PROVIDERS: '${name}': ${parsedName.error.issues[0]?.message}`);
      const prefix = name.toUpperCase().replace(/-/g, '_');
      const baseUrl = env[`${prefix}_BASE_URL`]?.trim();
      if (!baseUrl || !z.url().safeParse(baseUrl).success) {
        throw new ConfigError(`${prefix}_BASE_URL must be set to the provider's base URL (including /v1) for provider '${name}'`);
      }
      if (builtInProviders.includes(name)) throw new ConfigError(`'${name}' is built in; configure it with its own ${name.toUpperCase()}_* variables`);
      const wireApi = env[`${prefix}_WIRE_API`]?.trim() || 'chat';
      if (wireApi !== 'chat' && wireApi !== 'responses') throw new ConfigError(`${prefix}_WIRE_API must be 'chat' or 'responses'`);
      return { name, baseUrl: baseUrl.replace(/\/+$/, ''), apiKey: env[`${prefix}_API_KEY`]?.trim() || null, wireApi };
    });
}

/** Parses the environment once at boot; throws ConfigError naming the variable on bad values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const values = parsed.data;
  // Without Redis the queue lives in the process that accepted the request: nothing else can run it.
  if (values.SERVER_ROLE !== 'all' && !values.REDIS_URL) throw new ConfigError(`SERVER_ROLE=${values.SERVER_ROLE} needs REDIS_URL (a shared queue)`);
  return {
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    database: values.DATABASE_URL ? { kind: 'postgres', url: values.DATABASE_URL } : { kind: 'pglite', dataDir: values.DATA_DIR },
    redis: values.REDIS_URL ? { url: values.REDIS_URL, keyPrefix: values.REDIS_KEY_PREFIX } : null,
    role: values.SERVER_ROLE,
    workerConcurrency: values.WORKER_CONCURRENCY,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    shutdownDrainMs: values.SHUTDOWN_DRAIN_MS,
    unsupportedTools: values.UNSUPPORTED_TOOLS,
    apiKeys: parseApiKeys(values.API_KEYS),
    adminApiKey: values.ADMIN_API_KEY ?? null,
    maxBodyBytes: values.MAX_BODY_BYTES,
    requestLimits: { maxInputItems: values.MAX_INPUT_ITEMS, maxTools: values.MAX_TOOLS, maxInputFiles: values.MAX_INPUT_FILES },
    maxFileBytes: values.MAX_FILE_BYTES,
    batches: { concurrency: values.BATCH_CONCURRENCY, pollMs: values.BATCH_POLL_MS },
    rateLimits: {
      requestsPerMinute: values.RATE_LIMIT_REQUESTS_PER_MINUTE ?? null,
      tokensPerMinute: values.RATE_LIMIT_TOKENS_PER_MINUTE ?? null,
      concurrentRuns: values.RATE_LIMIT_CONCURRENT_RUNS ?? null,
    },
    upstreamBodyCacheChars: Math.floor(values.UPSTREAM_BODY_CACHE_MB * 1024 * 1024),
    openai: { apiKey: values.OPENAI_API_KEY ?? null, baseUrl: trimSlash(values.OPENAI_BASE_URL), wireApi: values.OPENAI_WIRE_API },
    anthropic: { apiKey: values.ANTHROPIC_API_KEY ?? null, baseUrl: trimSlash(values.ANTHROPIC_BASE_URL) },
    gemini: { apiKey: values.GEMINI_API_KEY ?? null, baseUrl: trimSlash(values.GEMINI_BASE_URL) },
    modelsFile: values.MODELS_FILE ?? null,
    cachePolicy: values.CACHE_POLICY,
    reasoningPolicy: values.REASONING_POLICY,
    defaultContextWindow: values.DEFAULT_CONTEXT_WINDOW,
    compactionModel: values.COMPACTION_MODEL ?? null,
    compatibleProviders: parseCompatibleProviders(env, values.OPENAI_COMPATIBLE_PROVIDERS),
    upstream: {
      maxRetries: values.UPSTREAM_MAX_RETRIES,
      headersTimeoutMs: values.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: values.UPSTREAM_BODY_TIMEOUT_MS,
    },
    fileFetch: { maxBytes: values.FILE_FETCH_MAX_BYTES, timeoutMs: values.FILE_FETCH_TIMEOUT_MS, allowPrivate: values.FILE_FETCH_ALLOW_PRIVATE },
    runStaleAfterMs: values.RUN_STALE_AFTER_MS,
    webhooks: {
      pollMs: values.WEBHOOK_POLL_MS,
      timeoutMs: values.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: values.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: values.WEBHOOK_MAX_ATTEMPTS,
    },
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
