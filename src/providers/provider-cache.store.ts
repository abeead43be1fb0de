import { Injectable } from '@nestjs/common';
import type { CacheThreadRef } from '../caching/cache-types.js';
import type { ExplicitCacheEntry } from '../caching/plan-gemini-cache.js';
import { PrismaClient } from '../generated/prisma/client.js';

/** Where adapters remember their explicit provider caches, shared by every instance on the database. */
export interface ProviderCacheStore {
  find(thread: CacheThreadRef, provider: string): Promise<ExplicitCacheEntry | null>;
  /** Records the thread's cache for the provider, forgetting any other it had there. */
  save(thread: CacheThreadRef, provider: string, entry: ExplicitCacheEntry): Promise<void>;
  extend(name: string, expiresAt: number): Promise<void>;
  forget(name: string): Promise<void>;
  /** Every live cache of a thread, for releasing them when the thread goes away. */
  list(thread: CacheThreadRef): Promise<Array<{ provider: string; name: string }>>;
}

@Injectable()
export class PrismaProviderCacheStore implements ProviderCacheStore {
  constructor(private readonly prisma: PrismaClient) {}

  async find(thread: CacheThreadRef, provider: string): Promise<ExplicitCacheEntry | null> {
    const row = await this.prisma.providerCache.findFirst({
      where: { projectId: thread.projectId, thread: thread.id, provider },
      orderBy: { createdAt: 'desc' },
    });
    return row
      ? {
          name: row.name,
          fingerprint: row.fingerprint,
          covered: row.covered,
          coveredHash: row.coveredHash,
          tokens: row.tokens,
          expiresAt: row.expiresAt.getTime(),
        }
      : null;
  }

  async save(thread: CacheThreadRef, provider: string, entry: ExplicitCacheEntry): Promise<void> {
    const { expiresAt, ...fields } = entry;
    await this.prisma.$transaction([
      this.prisma.providerCache.deleteMany({ where: { projectId: thread.projectId, thread: thread.id, provider } }),
      this.prisma.providerCache.create({ data: { ...fields, expiresAt: new Date(expiresAt), projectId: thread.projectId, thread: thread.id, provider } }),
    ]);
  }

  async extend(name: string, expiresAt: number): Promise<void> {
    await this.prisma.providerCache.updateMany({ where: { name }, data: { expiresAt: new Date(expiresAt) } });
  }

  async forget(name: string): Promise<void> {
    await this.prisma.providerCache.deleteMany({ where: { name } });
  }

  async list(thread: CacheThreadRef): Promise<Array<{ provider: string; name: string }>> {
    return this.prisma.providerCache.findMany({
      where: { projectId: thread.projectId, thread: thread.id, expiresAt: { gt: new Date() } },
      select: { provider: true, name: true },
    });
  }
}
