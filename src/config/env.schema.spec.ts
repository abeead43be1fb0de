import { ConfigError, loadConfig, parseApiKeys } from './env.schema.js';

describe(loadConfig.name, () => {
  it('defaults to embedded PGlite, port 8080 and a 32 MiB body limit', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      database: { kind: 'pglite', dataDir: './data' },
      maxBodyBytes: 32 * 1024 * 1024,
      upstreamBodyCacheChars: 32 * 1024 * 1024,
      apiKeys: [],
    });
    expect(config.openai).toEqual({ apiKey: null, baseUrl: 'https://api.openai.com/v1', wireApi: 'responses' });
    expect(config.anthropic.baseUrl).toBe('https://api.anthropic.com');
    expect(config.gemini.baseUrl).toBe('https://generativelanguage.googleapis.com');
  });

  it('reads the shutdown limits: 25 s for background runs and 10 s for turns storing their outcome unless set', () => {
    expect(loadConfig({})).toMatchObject({ shutdownGraceMs: 25_000, shutdownDrainMs: 10_000 });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '500', SHUTDOWN_DRAIN_MS: '0' })).toMatchObject({ shutdownGraceMs: 500, shutdownDrainMs: 0 });
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '-1' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });

  it('fetches input_file URLs up to 32 MiB within 10 s, from public addresses only, unless told otherwise', () => {
    expect(loadConfig({}).fileFetch).toEqual({ maxBytes: 32 * 1024 * 1024, timeoutMs: 10_000, allowPrivate: false });
    expect(loadConfig({ FILE_FETCH_MAX_BYTES: '1024', FILE_FETCH_TIMEOUT_MS: '500', FILE_FETCH_ALLOW_PRIVATE: 'true' }).fileFetch).toEqual({
      maxBytes: 1024,
      timeoutMs: 500,
      allowPrivate: true,
    });
    expect(loadConfig({ FILE_FETCH_ALLOW_PRIVATE: '1' }).fileFetch.allowPrivate).toBe(true);
    expect(() => loadConfig({ FILE_FETCH_ALLOW_PRIVATE: 'yes' })).toThrow(/FILE_FETCH_ALLOW_PRIVATE/);
    expect(() => loadConfig({ FILE_FETCH_MAX_BYTES: '0' })).toThrow(/FILE_FETCH_MAX_BYTES/);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }).database).toEqual({ kind: 'postgres', url: 'postgresql://localhost/x' });
  });

  it('reads OpenAI-compatible providers from <NAME>_BASE_URL and <NAME>_API_KEY', () => {
    const config = loadConfig({
      OPENAI_COMPATIBLE_PROVIDERS: 'vllm, deep-seek',
      VLLM_BASE_URL: 'http://127.0.0.1:8000/v1/',
      DEEP_SEEK_BASE_URL: 'https://x/v1',
      DEEP_SEEK_API_KEY: 'k',
    });
    expect(config.compatibleProviders).toEqual([
      { name: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: null, wireApi: 'chat' },
      { name: 'deep-seek', baseUrl: 'https://x/v1', apiKey: 'k', wireApi: 'chat' },
    ]);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ OPENAI_COMPATIBLE_PROVIDERS: 'vllm' })).toThrow(/VLLM_BASE_URL/);
    expect(() => loadConfig({ OPENAI_COMPATIBLE_PROVIDERS: 'Bad Name', BAD_NAME_BASE_URL: 'http://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPENAI_COMPATIBLE_PROVIDERS: 'anthropic', ANTHROPIC_BASE_URL: 'http://x' })).toThrow(/built in/);
    expect(() => loadConfig({ OPENAI_COMPATIBLE_PROVIDERS: 'vllm', VLLM_BASE_URL: 'http://x/v1', VLLM_WIRE_API: 'grpc' })).toThrow(/VLLM_WIRE_API/);
    // A worker without a shared queue would never get any work.
    expect(() => loadConfig({ SERVER_ROLE: 'worker' })).toThrow(/REDIS_URL/);
    expect(loadConfig({ SERVER_ROLE: 'worker', REDIS_URL: 'redis://r:6379' })).toMatchObject({
      role: 'worker',
      redis: { url: 'redis://r:6379', keyPrefix: 'rs' },
    });
  });
});

describe(parseApiKeys.name, () => {
  it('maps keys to projects, default project when none is named', () => {
    expect(parseApiKeys('sk-a, sk-b=team-b ,')).toEqual([
      { key: 'sk-a', project: 'default' },
      { key: 'sk-b', project: 'team-b' },
    ]);
    expect(() => parseApiKeys('=x')).toThrow(ConfigError);
  });
});
