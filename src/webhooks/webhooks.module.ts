import { Module } from '@nestjs/common';
import { AdminWebhooksController } from './admin-webhooks.controller.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

@Module({
  controllers: [AdminWebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookEndpointsService, WebhookDispatcher],
  exports: [WebhooksService],
})
export class WebhooksModule {}
