import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { AuthService } from '../auth/auth.service.js';
import { hashApiKey } from '../auth/hash-api-key.js';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { toListPage } from '../common/pagination.js';
import { unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import { AdminProjectsRepository, type ApiKeyRecord, type ProjectRecord } from './admin-projects.repository.js';
import { createKeySchema, createProjectSchema, listProjectsSchema } from './admin-requests.schemas.js';

function toPublicProject(project: ProjectRecord) {
  return {
    id: project.id,
    object: 'project',
    name: project.name,
    created_at: unixSecondsOrNull(project.createdAt),
    disabled_at: unixSecondsOrNull(project.disabledAt),
  };
}

function toPublicKey(key: ApiKeyRecord) {
  return {
    id: key.id,
    object: 'api_key',
    project_id: key.projectId,
    name: key.name,
    source: key.source,
    redacted_value: key.lastFour ? `sk-…${key.lastFour}` : null,
    created_at: unixSecondsOrNull(key.createdAt),
    revoked_at: unixSecondsOrNull(key.revokedAt),
  };
}

/** Projects and their API keys. Keys are stored hashed; the value is in the create answer only. */
@Controller('admin/v1/projects')
@UseGuards(AdminKeyGuard)
export class AdminProjectsController {
  constructor(
    private readonly repository: AdminProjectsRepository,
    private readonly auth: AuthService,
  ) {}

  @Post()
  @HttpCode(200)
  async create(@Body() body: unknown) {
    const { id, name } = parseOrThrow(createProjectSchema, body ?? {});
    const project = await this.repository.createProject(id ?? newId('proj'), name ?? null);
    if (!project) throw ApiError.invalidValue(`A project with id '${id}' already exists.`, 'id');
    return toPublicProject(project);
  }

  @Get()
  async list(@Query() query: unknown) {
    const { limit, after } = parseOrThrow(listProjectsSchema, query);
    return toListPage((await this.repository.listProjects(limit, after ?? null)).map(toPublicProject), limit);
  }

  @Get(':projectId')
  async retrieve(@Param('projectId') projectId: string) {
    return toPublicProject(await this.findOrThrow(projectId));
  }

  /** Its keys stop working at once on this instance, within seconds on the others; its data stays. */
  @Post(':projectId/disable')
  @HttpCode(200)
  async disable(@Param('projectId') projectId: string) {
    return this.setDisabled(projectId, true);
  }

  @Post(':projectId/enable')
  @HttpCode(200)
  async enable(@Param('projectId') projectId: string) {
    return this.setDisabled(projectId, false);
  }

  /** The only answer that contains the key. */
  @Post(':projectId/api_keys')
  @HttpCode(200)
  async createKey(@Param('projectId') projectId: string, @Body() body: unknown) {
    const { name } = parseOrThrow(createKeySchema, body ?? {});
    await this.findOrThrow(projectId);
    const value = `sk-proj-${randomBytes(24).toString('base64url')}`;
    const key = await this.repository.createKey({ id: newId('key'), projectId, keyHash: hashApiKey(value), name: name ?? null, lastFour: value.slice(-4) });
    return { ...toPublicKey(key), value };
  }

  @Get(':projectId/api_keys')
  async listKeys(@Param('projectId') projectId: string) {
    await this.findOrThrow(projectId);
    const keys = await this.repository.listKeys(projectId);
    return { object: 'list', data: keys.map(toPublicKey) };
  }

  @Delete(':projectId/api_keys/:keyId')
  async revokeKey(@Param('projectId') projectId: string, @Param('keyId') keyId: string) {
    const key = await this.repository.revokeKey(projectId, keyId);
    if (!key) throw ApiError.notFound('API key', keyId, 'key_id');
    this.auth.forgetCachedKeys();
    return toPublicKey(key);
  }

  private async setDisabled(projectId: string, disabled: boolean) {
    const project = await this.repository.setProjectDisabled(projectId, disabled);
    if (!project) throw ApiError.notFound('Project', projectId, 'project_id');
    this.auth.forgetCachedKeys();
    return toPublicProject(project);
  }

  private async findOrThrow(projectId: string): Promise<ProjectRecord> {
    const project = await this.repository.findProject(projectId);
    if (!project) throw ApiError.notFound('Project', projectId, 'project_id');
    return project;
  }
}
