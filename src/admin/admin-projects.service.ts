import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import { hashApiKey } from '../auth/hash-api-key.js';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { unixSeconds } from '../common/unix-time.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { effectiveRequestLimits, type KeyLimits, mergeLimits, type ProjectLimits, readStoredLimits } from '../limits/limits.js';
import { Limits } from '../limits/limits.service.js';
import { AdminProjectsRepository, type ApiKeyRecord, type ProjectRecord } from './admin-projects.repository.js';

/**
 * The rules of projects and their API keys. Keys are stored hashed; a new key's value is returned
 * once. Disabling a project or revoking a key takes effect at once on this instance (the key cache
 * is dropped) and within seconds on the others; the project's data stays.
 */
@Injectable()
export class AdminProjectsService {
  constructor(
    private readonly repository: AdminProjectsRepository,
    private readonly auth: AuthService,
    private readonly limits: Limits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 400 when the id is taken; `proj_…` when none is given. */
  async create(id: string | undefined, name: string | null): Promise<ProjectRecord> {
    const project = await this.repository.createProject(id ?? newId('proj'), name);
    if (!project) throw ApiError.invalidValue(`A project with id '${id}' already exists.`, 'id');
    return project;
  }

  list(limit: number, after: string | null): Promise<ProjectRecord[]> {
    return this.repository.listProjects(limit, after);
  }

  async find(projectId: string): Promise<ProjectRecord> {
    const project = await this.repository.findProject(projectId);
    if (!project) throw ApiError.notFound('Project', projectId, 'project_id');
    return project;
  }

  async setDisabled(projectId: string, disabled: boolean): Promise<ProjectRecord> {
    const project = await this.repository.setProjectDisabled(projectId, disabled);
    if (!project) throw ApiError.notFound('Project', projectId, 'project_id');
    this.auth.forgetCachedKeys();
    return project;
  }

  /** The key's record and its value, which no later answer contains. */
  async createKey(projectId: string, name: string | null): Promise<{ key: ApiKeyRecord; value: string }> {
    await this.find(projectId);
    const value = `sk-proj-${randomBytes(24).toString('base64url')}`;
    const key = await this.repository.createKey({ id: newId('key'), projectId, keyHash: hashApiKey(value), name, lastFour: value.slice(-4) });
    return { key, value };
  }

  async listKeys(projectId: string): Promise<ApiKeyRecord[]> {
    await this.find(projectId);
    return this.repository.listKeys(projectId);
  }

  /** The project's limits as set, the deployment's defaults where none is, and its spend in the budget's period. */
  async projectLimits(projectId: string) {
    const stored = await this.repository.findProjectLimits(projectId);
    if (stored === undefined) throw ApiError.notFound('Project', projectId, 'project_id');
    const limits = readStoredLimits(stored);
    const defaults = this.config.rateLimits;
    const requests = effectiveRequestLimits(limits, this.config.requestLimits);
    const budget = limits.budget ?? null;
    const spend = budget ? await this.limits.spent(projectId, budget) : null;
    return {
      object: 'project.limits' as const,
      project_id: projectId,
      requests_per_minute: limits.requests_per_minute ?? null,
      tokens_per_minute: limits.tokens_per_minute ?? null,
      concurrent_runs: limits.concurrent_runs ?? null,
      budget,
      max_input_items: limits.max_input_items ?? null,
      max_tools: limits.max_tools ?? null,
      max_input_files: limits.max_input_files ?? null,
      effective: {
        requests_per_minute: limits.requests_per_minute ?? defaults.requestsPerMinute,
        tokens_per_minute: limits.tokens_per_minute ?? defaults.tokensPerMinute,
        concurrent_runs: limits.concurrent_runs ?? defaults.concurrentRuns,
        max_input_items: requests.maxInputItems,
        max_tools: requests.maxTools,
        max_input_files: requests.maxInputFiles,
      },
      spend: spend ? { period_start: unixSeconds(spend.start), period_end: unixSeconds(spend.end), spent_usd: spend.spentUsd } : null,
    };
  }

  /** Changes what `update` names (null removes it); takes effect at once here, within seconds on other instances. */
  async setProjectLimits(projectId: string, update: ProjectLimits) {
    const stored = await this.repository.findProjectLimits(projectId);
    if (stored === undefined) throw ApiError.notFound('Project', projectId, 'project_id');
    await this.repository.setProjectLimits(projectId, mergeLimits(readStoredLimits(stored), update));
    this.auth.forgetCachedKeys();
    return this.projectLimits(projectId);
  }

  async keyLimits(projectId: string, keyId: string) {
    const stored = await this.repository.findKeyLimits(projectId, keyId);
    if (stored === undefined) throw ApiError.notFound('API key', keyId, 'key_id');
    const limits: KeyLimits = readStoredLimits(stored);
    return {
      object: 'api_key.limits' as const,
      project_id: projectId,
      key_id: keyId,
      requests_per_minute: limits.requests_per_minute ?? null,
      tokens_per_minute: limits.tokens_per_minute ?? null,
      concurrent_runs: limits.concurrent_runs ?? null,
    };
  }

  async setKeyLimits(projectId: string, keyId: string, update: KeyLimits) {
    const stored = await this.repository.findKeyLimits(projectId, keyId);
    if (stored === undefined) throw ApiError.notFound('API key', keyId, 'key_id');
    const { budget: _budget, ...limits } = readStoredLimits(stored);
    await this.repository.setKeyLimits(keyId, mergeLimits(limits, update));
    this.auth.forgetCachedKeys();
    return this.keyLimits(projectId, keyId);
  }

  async revokeKey(projectId: string, keyId: string): Promise<ApiKeyRecord> {
    const key = await this.repository.revokeKey(projectId, keyId);
    if (!key) throw ApiError.notFound('API key', keyId, 'key_id');
    this.auth.forgetCachedKeys();
    return key;
  }
}
