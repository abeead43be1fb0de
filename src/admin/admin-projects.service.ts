import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import { hashApiKey } from '../auth/hash-api-key.js';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
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

  async revokeKey(projectId: string, keyId: string): Promise<ApiKeyRecord> {
    const key = await this.repository.revokeKey(projectId, keyId);
    if (!key) throw ApiError.notFound('API key', keyId, 'key_id');
    this.auth.forgetCachedKeys();
    return key;
  }
}
