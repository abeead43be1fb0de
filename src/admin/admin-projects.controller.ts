import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { toListPage } from '../common/pagination.js';
import { unixSeconds, unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import type { apiKey as apiKeySchema, project as projectSchema } from '../openapi/admin-responses.js';
import type { ApiKeyRecord, ProjectRecord } from './admin-projects.repository.js';
import { AdminProjectsService } from './admin-projects.service.js';
import { createKeySchema, createProjectSchema, listProjectsSchema, updateKeyLimitsSchema, updateProjectLimitsSchema } from './admin-requests.schemas.js';

function toPublicProject(project: ProjectRecord): z.input<typeof projectSchema> {
  return {
    id: project.id,
    object: 'project',
    name: project.name,
    created_at: unixSeconds(project.createdAt),
    disabled_at: unixSecondsOrNull(project.disabledAt),
  };
}

function toPublicKey(key: ApiKeyRecord): z.input<typeof apiKeySchema> {
  return {
    id: key.id,
    object: 'api_key',
    project_id: key.projectId,
    name: key.name,
    // The column holds what createKey and the API_KEYS registration wrote.
    source: key.source as z.input<typeof apiKeySchema>['source'],
    redacted_value: key.lastFour ? `sk-…${key.lastFour}` : null,
    created_at: unixSeconds(key.createdAt),
    revoked_at: unixSecondsOrNull(key.revokedAt),
  };
}

/** Projects and their API keys over HTTP (AdminProjectsService). */
@Controller('admin/v1/projects')
@UseGuards(AdminKeyGuard)
export class AdminProjectsController {
  constructor(private readonly projects: AdminProjectsService) {}

  @Post()
  @HttpCode(200)
  async create(@Body() body: unknown) {
    const { id, name } = parseOrThrow(createProjectSchema, body ?? {});
    return toPublicProject(await this.projects.create(id, name ?? null));
  }

  @Get()
  async list(@Query() query: unknown) {
    const { limit, after } = parseOrThrow(listProjectsSchema, query);
    return toListPage((await this.projects.list(limit, after ?? null)).map(toPublicProject), limit);
  }

  @Get(':projectId')
  async retrieve(@Param('projectId') projectId: string) {
    return toPublicProject(await this.projects.find(projectId));
  }

  @Post(':projectId/disable')
  @HttpCode(200)
  async disable(@Param('projectId') projectId: string) {
    return toPublicProject(await this.projects.setDisabled(projectId, true));
  }

  @Post(':projectId/enable')
  @HttpCode(200)
  async enable(@Param('projectId') projectId: string) {
    return toPublicProject(await this.projects.setDisabled(projectId, false));
  }

  @Get(':projectId/limits')
  limits(@Param('projectId') projectId: string) {
    return this.projects.projectLimits(projectId);
  }

  @Post(':projectId/limits')
  @HttpCode(200)
  setLimits(@Param('projectId') projectId: string, @Body() body: unknown) {
    return this.projects.setProjectLimits(projectId, parseOrThrow(updateProjectLimitsSchema, body ?? {}));
  }

  @Get(':projectId/api_keys/:keyId/limits')
  keyLimits(@Param('projectId') projectId: string, @Param('keyId') keyId: string) {
    return this.projects.keyLimits(projectId, keyId);
  }

  @Post(':projectId/api_keys/:keyId/limits')
  @HttpCode(200)
  setKeyLimits(@Param('projectId') projectId: string, @Param('keyId') keyId: string, @Body() body: unknown) {
    return this.projects.setKeyLimits(projectId, keyId, parseOrThrow(updateKeyLimitsSchema, body ?? {}));
  }

  /** The only answer that contains the key. */
  @Post(':projectId/api_keys')
  @HttpCode(200)
  async createKey(@Param('projectId') projectId: string, @Body() body: unknown) {
    const { name } = parseOrThrow(createKeySchema, body ?? {});
    const { key, value } = await this.projects.createKey(projectId, name ?? null);
    return { ...toPublicKey(key), value };
  }

  @Get(':projectId/api_keys')
  async listKeys(@Param('projectId') projectId: string) {
    return { object: 'list', data: (await this.projects.listKeys(projectId)).map(toPublicKey) };
  }

  @Delete(':projectId/api_keys/:keyId')
  async revokeKey(@Param('projectId') projectId: string, @Param('keyId') keyId: string) {
    return toPublicKey(await this.projects.revokeKey(projectId, keyId));
  }
}
