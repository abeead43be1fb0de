import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { AdminConversationsModule } from './admin/admin-conversations.module.js';
import { AdminRunsModule } from './admin/admin-runs.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BatchesModule } from './batches/batches.module.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/env.schema.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { FilesModule } from './files/files.module.js';
import { HealthController } from './health/health.controller.js';
import { LimitsModule } from './limits/limits.module.js';
import { ModelsModule } from './models/models.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { PersistenceModule } from './persistence/persistence.module.js';
import { ResponsesModule } from './responses/responses.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig) {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        AuthModule,
        LimitsModule,
        ConversationsModule,
        ResponsesModule,
        ModelsModule,
        FilesModule,
        BatchesModule,
        WebhooksModule,
        AdminModule,
        AdminConversationsModule,
        AdminRunsModule,
        OpenApiModule,
      ],
      controllers: [HealthController],
    };
  }
}
