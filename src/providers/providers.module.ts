import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { closeProviderConnections } from './call-provider.js';
import { PrismaProviderCacheStore } from './provider-cache.store.js';
import { ProviderRegistry } from './provider-registry.js';

@Module({ providers: [ProviderRegistry, PrismaProviderCacheStore], exports: [ProviderRegistry] })
export class ProvidersModule implements OnApplicationShutdown {
  /** Idle keep-alive sockets to the vendors would otherwise hold the process open after close. */
  async onApplicationShutdown(): Promise<void> {
    await closeProviderConnections();
  }
}
