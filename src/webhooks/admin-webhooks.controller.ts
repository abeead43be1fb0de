import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { unixSeconds, unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import type { webhookDelivery as webhookDeliverySchema, webhookEndpoint as webhookEndpointSchema } from '../openapi/admin-responses.js';
import { createEndpointSchema, deliveriesQuerySchema, updateEndpointSchema } from './admin-webhooks.schemas.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import type { WebhookEventType } from './webhook-events.js';
import type { DeliveryWithLog, EndpointRecord } from './webhooks.repository.js';

function toPublicEndpoint(endpoint: EndpointRecord): z.input<typeof webhookEndpointSchema> {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    project_id: endpoint.projectId,
    url: endpoint.url,
    // The column holds what the create and update schemas let through.
    event_types: endpoint.eventTypes as WebhookEventType[],
    created_at: unixSeconds(endpoint.createdAt),
    disabled_at: unixSecondsOrNull(endpoint.disabledAt),
    // While in the future, deliveries carry a signature with the secret before the last rotation too.
    previous_secret_expires_at: unixSecondsOrNull(endpoint.previousSecretExpiresAt),
  };
}

function toPublicDelivery(row: DeliveryWithLog): z.input<typeof webhookDeliverySchema> {
  return {
    id: row.id,
    object: 'webhook_delivery',
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status as z.input<typeof webhookDeliverySchema>['status'],
    created_at: unixSeconds(row.createdAt),
    delivered_at: unixSecondsOrNull(row.deliveredAt),
    next_attempt_at: row.status === 'pending' ? unixSecondsOrNull(row.nextAttemptAt) : null,
    last_error: row.lastError,
    // Every attempt ever made, redeliveries included; `attempt` numbers them across sequences.
    attempts: row.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      status_code: attempt.statusCode,
      latency_ms: attempt.latencyMs,
      error: attempt.error,
      at: unixSeconds(attempt.at),
    })),
  };
}

/** A project's webhook endpoints and deliveries over HTTP (WebhookEndpointsService). */
@Controller('admin/v1/projects/:projectId/webhooks')
@UseGuards(AdminKeyGuard)
export class AdminWebhooksController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  /** The only answer that contains the secret (besides rotate_secret): it is needed to verify deliveries and never shown again. */
  @Post()
  async create(@Param('projectId') projectId: string, @Body() body: unknown) {
    const { url, event_types: eventTypes } = parseOrThrow(createEndpointSchema, body ?? {});
    const endpoint = await this.endpoints.create(projectId, url, eventTypes);
    return { ...toPublicEndpoint(endpoint), secret: endpoint.secret };
  }

  @Get()
  async list(@Param('projectId') projectId: string) {
    return { object: 'list', data: (await this.endpoints.list(projectId)).map(toPublicEndpoint) };
  }

  @Get(':endpointId')
  async retrieve(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    return toPublicEndpoint(await this.endpoints.find(projectId, endpointId));
  }

  @Post(':endpointId')
  @HttpCode(200)
  async update(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string, @Body() body: unknown) {
    const { url, event_types: eventTypes } = parseOrThrow(updateEndpointSchema, body ?? {});
    return toPublicEndpoint(await this.endpoints.update(projectId, endpointId, { url, eventTypes }));
  }

  /** A new `whsec_` secret, shown in this answer only. */
  @Post(':endpointId/rotate_secret')
  @HttpCode(200)
  async rotateSecret(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    const { endpoint, secret } = await this.endpoints.rotateSecret(projectId, endpointId);
    return { ...toPublicEndpoint(endpoint), secret };
  }

  @Delete(':endpointId')
  async disable(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    return toPublicEndpoint(await this.endpoints.disable(projectId, endpointId));
  }

  @Get(':endpointId/deliveries')
  async deliveries(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string, @Query() query: unknown) {
    const { event_id: eventId } = parseOrThrow(deliveriesQuerySchema, query);
    return { object: 'list', data: (await this.endpoints.deliveries(projectId, endpointId, eventId ?? null)).map(toPublicDelivery) };
  }

  /** Answers the delivery, now pending. */
  @Post('deliveries/:deliveryId/redeliver')
  @HttpCode(200)
  async redeliver(@Param('projectId') projectId: string, @Param('deliveryId') deliveryId: string) {
    return toPublicDelivery(await this.endpoints.redeliver(projectId, deliveryId));
  }
}
