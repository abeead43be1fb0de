import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { ApiKeyConfig, AppConfig } from '../config/env.schema.js';
import { effectiveRateLimits, effectiveRequestLimits, noRateLimits, type Principal, readStoredLimits } from '../limits/limits.js';
import { ApiKeysRepository, type KeyRow } from './api-keys.repository.js';
import { hashApiKey } from './hash-api-key.js';

/** How long a key's answer (its project, or that it is unknown) is trusted before the database is asked again. */
const KEY_CACHE_MS = 5_000;
/** Answers kept at once: unknown keys are cached too, and a client can send any number of them. */
const KEY_CACHE_ENTRIES = 10_000;

/**
 * Resolves bearer keys to projects. Keys from API_KEYS are registered (hashed) at start; keys made
 * through the admin API live in the database, which every instance reads. Answers are cached for a
 * few seconds, so a key revoked, a project disabled or a limit changed on another instance takes
 * effect within that time (at once on the instance that did it).
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('AuthService');
  /** Keyed by the key itself (it arrives in every request anyway): a hit costs no hashing. */
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  /** Principals by key id, for workers charging the key that queued a run. */
  private readonly byKeyId = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeysRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const keys = this.config.apiKeys.length > 0 ? this.config.apiKeys : [this.makeDevelopmentKey()];
    for (const { key, project } of keys) await this.keys.registerConfiguredKey(hashApiKey(key), project, key.slice(-4));
  }

  /** Who a bearer key is (its id, project and their limits), or null when the key is unknown, revoked, or its project disabled. */
  async principalForKey(key: string): Promise<Principal | null> {
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.keys.principalForKeyHash(hashApiKey(key));
    const principal = row ? this.toPrincipal(row) : null;
    if (this.cache.size >= KEY_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(key, { principal, until: Date.now() + KEY_CACHE_MS });
    return principal;
  }

  /** The same for a key by its id (revoked keys too: what they started is still charged to them). */
  async principalForKeyId(keyId: string): Promise<Principal | null> {
    const cached = this.byKeyId.get(keyId);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.keys.principalForKeyId(keyId);
    const principal = row ? this.toPrincipal(row) : null;
    if (this.byKeyId.size >= KEY_CACHE_ENTRIES) this.byKeyId.clear();
    this.byKeyId.set(keyId, { principal, until: Date.now() + KEY_CACHE_MS });
    return principal;
  }

  private toPrincipal(row: KeyRow): Principal {
    const project = readStoredLimits(row.projectLimits);
    return {
      projectId: row.projectId,
      keyId: row.keyId,
      project: effectiveRateLimits(project, this.config.rateLimits),
      key: effectiveRateLimits(readStoredLimits(row.keyLimits), noRateLimits),
      budget: project.budget ?? null,
      requests: effectiveRequestLimits(project, this.config.requestLimits),
    };
  }

  /** Forgets cached answers, after a revocation or a disabled project, so this instance applies it at once. */
  forgetCachedKeys(): void {
    this.cache.clear();
    this.byKeyId.clear();
  }

  // Without API_KEYS the server would be open to anyone; a fresh random key printed once is the
  // least surprising default for a first `npm start`.
  private makeDevelopmentKey(): ApiKeyConfig {
    const key = `sk-local-${randomBytes(16).toString('hex')}`;
    this.logger.warn(`API_KEYS is not set; generated a key for project 'default' for this run: ${key}`);
    return { key, project: 'default' };
  }
}
