import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { type Database, openDatabase, PrismaClient } from './database.js';
import { InFlightWork } from './in-flight-work.js';
import { ServerSecretsRepository } from './server-secrets.repository.js';
import { Sql } from './sql.js';

export const DATABASE = Symbol('DATABASE');

@Global()
@Module({
  providers: [
    { provide: DATABASE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openDatabase(config.database) },
    { provide: PrismaClient, inject: [DATABASE], useFactory: (database: Database) => database.prisma },
    { provide: Sql, inject: [DATABASE], useFactory: (database: Database) => database.sql },
    InFlightWork,
    ServerSecretsRepository,
  ],
  exports: [DATABASE, PrismaClient, Sql, InFlightWork, ServerSecretsRepository],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inFlight: InFlightWork,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.inFlight.drain(this.config.shutdownDrainMs);
    await this.database.close();
  }
}
