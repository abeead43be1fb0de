import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { ApiKeyConfig, AppConfig } from '../config/env.schema.js';
import { newId } from '../common/ids.js';
import { PrismaClient } from '../persistence/database.js';
import { hashApiKey } from './hash-api-key.js';

/** Resolves bearer keys to projects. Keys from API_KEYS are registered (hashed) at start. */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('AuthService');
  private readonly projectsByKeyHash = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaClient,
  ) {}

  async onModuleInit(): Promise<void> {
    const keys = this.config.apiKeys.length > 0 ? this.config.apiKeys : [this.makeDevelopmentKey()];
    for (const { key, project } of keys) await this.registerKey(key, project);
    const active = await this.prisma.apiKey.findMany({ where: { revokedAt: null }, select: { keyHash: true, projectId: true } });
    for (const row of active) this.projectsByKeyHash.set(row.keyHash, row.projectId);
  }

  /** The project id of a bearer key, or null when the key is unknown or revoked. */
  projectForKey(key: string): string | null {
    return this.projectsByKeyHash.get(hashApiKey(key)) ?? null;
  }

  private async registerKey(key: string, project: string): Promise<void> {
    const keyHash = hashApiKey(key);
    await this.prisma.project.upsert({ where: { id: project }, create: { id: project }, update: {} });
    await this.prisma.apiKey.upsert({
      where: { keyHash },
      create: { id: newId('key'), keyHash, projectId: project, source: 'env' },
      update: { projectId: project, revokedAt: null },
    });
  }

  // Without API_KEYS the server would be open to anyone; a fresh random key printed once is the
  // least surprising default for a first `npm start`.
  private makeDevelopmentKey(): ApiKeyConfig {
    const key = `sk-local-${randomBytes(16).toString('hex')}`;
    this.logger.warn(`API_KEYS is not set; generated a key for project 'default' for this run: ${key}`);
    return { key, project: 'default' };
  }
}
