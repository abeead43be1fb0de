import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';

export interface ProjectRecord {
  id: string;
  name: string | null;
  createdAt: Date;
  disabledAt: Date | null;
}

export interface ApiKeyRecord {
  id: string;
  projectId: string;
  name: string | null;
  source: string;
  lastFour: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const projectColumns = { id: true, name: true, createdAt: true, disabledAt: true } as const;
const keyColumns = { id: true, projectId: true, name: true, source: true, lastFour: true, createdAt: true, revokedAt: true } as const;

/** SQL of projects and their keys, for the admin API. */
@Injectable()
export class AdminProjectsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** False when the id is taken. */
  async createProject(id: string, name: string | null): Promise<ProjectRecord | null> {
    const { count } = await this.prisma.project.createMany({ data: [{ id, name }], skipDuplicates: true });
    return count === 1 ? this.findProject(id) : null;
  }

  findProject(id: string): Promise<ProjectRecord | null> {
    return this.prisma.project.findUnique({ where: { id }, select: projectColumns });
  }

  /** Oldest first, keyset-paginated on (created_at, id); `limit + 1` rows tell whether more exist. */
  async listProjects(limit: number, after: string | null): Promise<ProjectRecord[]> {
    const cursor = after ? await this.prisma.project.findUnique({ where: { id: after }, select: { createdAt: true } }) : null;
    return this.prisma.project.findMany({
      where: cursor ? { OR: [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: after! } }] } : {},
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
      select: projectColumns,
    });
  }

  async setProjectDisabled(id: string, disabled: boolean): Promise<ProjectRecord | null> {
    const { count } = await this.prisma.project.updateMany({ where: { id }, data: { disabledAt: disabled ? new Date() : null } });
    return count === 1 ? this.findProject(id) : null;
  }

  async createKey(key: { id: string; projectId: string; keyHash: string; name: string | null; lastFour: string }): Promise<ApiKeyRecord> {
    return this.prisma.apiKey.create({ data: { ...key, source: 'admin' }, select: keyColumns });
  }

  listKeys(projectId: string): Promise<ApiKeyRecord[]> {
    return this.prisma.apiKey.findMany({ where: { projectId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: keyColumns });
  }

  /** The project's stored limits (null: none set); undefined when there is no such project. */
  async findProjectLimits(id: string): Promise<unknown> {
    const row = await this.prisma.project.findUnique({ where: { id }, select: { limits: true } });
    return row ? row.limits : undefined;
  }

  async setProjectLimits(id: string, limits: Record<string, unknown>): Promise<void> {
    await this.prisma.project.update({ where: { id }, data: { limits: limits as Prisma.InputJsonObject } });
  }

  /** The key's stored limits (null: none set); undefined when the project has no such key. */
  async findKeyLimits(projectId: string, id: string): Promise<unknown> {
    const row = await this.prisma.apiKey.findFirst({ where: { id, projectId }, select: { limits: true } });
    return row ? row.limits : undefined;
  }

  async setKeyLimits(id: string, limits: Record<string, unknown>): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { limits: limits as Prisma.InputJsonObject } });
  }

  async revokeKey(projectId: string, id: string): Promise<ApiKeyRecord | null> {
    await this.prisma.apiKey.updateMany({ where: { id, projectId, revokedAt: null }, data: { revokedAt: new Date() } });
    return this.prisma.apiKey.findFirst({ where: { id, projectId }, select: keyColumns });
  }
}
