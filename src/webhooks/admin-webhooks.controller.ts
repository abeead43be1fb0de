import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { unixSecondsOrNull } from '../common/unix-time.js';
import { parseOrThrow } from '../common/validation.js';
import { createEndpointSchema, deliveriesQuerySchema, updateEndpointSchema } from './admin-webhooks.schemas.js';
import { newWebhookSecret } from './sign-webhook-payload.js';
import { webhookEventTypes } from './webhook-events.js';
import { type DeliveryWithLog, type EndpointRecord, WebhooksRepository } from './webhooks.repository.js';

/**
 * How long the previous secret still signs deliveries after a rotation (Standard Webhooks lets a
 * delivery carry several signatures): a day for receivers to roll their configuration over.
 */
const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

function toPublicEndpoint(endpoint: EndpointRecord) {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    project_id: endpoint.projectId,
    url: endpoint.url,
    event_types: endpoint.eventTypes,
    created_at: unixSecondsOrNull(endpoint.createdAt),
    disabled_at: unixSecondsOrNull(endpoint.disabledAt),
    // While in the future, deliveries carry a signature with the secret before the last rotation too.
    previous_secret_expires_at: unixSecondsOrNull(endpoint.previousSecretExpiresAt),
  };
}

function toPublicDelivery(row: DeliveryWithLog) {
  return {
    id: row.id,
    object: 'webhook_delivery',
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    created_at: unixSecondsOrNull(row.createdAt),
    delivered_at: unixSecondsOrNull(row.deliveredAt),
    next_attempt_at: row.status === 'pending' ? unixSecondsOrNull(row.nextAttemptAt) : null,
    last_error: row.lastError,
    // Every attempt ever made, redeliveries included; `attempt` numbers them across sequences.
    attempts: row.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      status_code: attempt.statusCode,
      latency_ms: attempt.latencyMs,
      error: attempt.error,
      at: unixSecondsOrNull(attempt.at),
    })),
  };
}

const uniqueEventTypes = (types: readonly string[]) => [...new Set(types)];

@Controller('admin/v1/projects/:projectId/webhooks')
@UseGuards(AdminKeyGuard)
export class AdminWebhooksController {
  constructor(private readonly repository: WebhooksRepository) {}

  /** The only answer that contains the secret (besides rotate_secret): it is needed to verify deliveries and never shown again. */
  @Post()
  async create(@Param('projectId') projectId: string, @Body() body: unknown) {
    const { url, event_types: eventTypes } = parseOrThrow(createEndpointSchema, body ?? {});
    const endpoint = await this.repository.createEndpoint({
      id: newId('we'),
      projectId,
      url,
      secret: newWebhookSecret(),
      eventTypes: uniqueEventTypes(eventTypes ?? webhookEventTypes),
    });
    return { ...toPublicEndpoint(endpoint), secret: endpoint.secret };
  }

  @Get()
  async list(@Param('projectId') projectId: string) {
    const endpoints = await this.repository.listEndpoints(projectId);
    return { object: 'list', data: endpoints.map(toPublicEndpoint) };
  }

  @Get(':endpointId')
  async retrieve(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    return toPublicEndpoint(await this.findOrThrow(projectId, endpointId));
  }

  /**
   * Changes `url` and/or `event_types`. It does not re-enable a disabled endpoint (400): disabling
   * gave up its pending deliveries, so a receiver wanting events again gets a new endpoint and secret.
   */
  @Post(':endpointId')
  @HttpCode(200)
  async update(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string, @Body() body: unknown) {
    const { url, event_types: eventTypes } = parseOrThrow(updateEndpointSchema, body ?? {});
    const endpoint = await this.repository.updateEndpoint(projectId, endpointId, {
      ...(url !== undefined ? { url } : {}),
      ...(eventTypes !== undefined ? { eventTypes: uniqueEventTypes(eventTypes) } : {}),
    });
    return toPublicEndpoint(this.enabledOrThrow(endpoint, endpointId));
  }

  /** A new `whsec_` secret, shown in this answer only; every delivery sent from now on is signed with it. */
  @Post(':endpointId/rotate_secret')
  @HttpCode(200)
  async rotateSecret(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    const secret = newWebhookSecret();
    const endpoint = await this.repository.rotateSecret(projectId, endpointId, secret, new Date(Date.now() + SECRET_ROTATION_GRACE_MS));
    return { ...toPublicEndpoint(this.enabledOrThrow(endpoint, endpointId)), secret };
  }

  @Delete(':endpointId')
  async disable(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    const endpoint = await this.repository.disableEndpoint(projectId, endpointId);
    if (!endpoint) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    return toPublicEndpoint(endpoint);
  }

  /** The newest 100 deliveries (of one event with `?event_id=`), each with every attempt made. */
  @Get(':endpointId/deliveries')
  async deliveries(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string, @Query() query: unknown) {
    const { event_id: eventId } = parseOrThrow(deliveriesQuerySchema, query);
    await this.findOrThrow(projectId, endpointId);
    const rows = await this.repository.listDeliveries(endpointId, eventId ?? null);
    return { object: 'list', data: rows.map(toPublicDelivery) };
  }

  /**
   * Sends a delivered or failed delivery again: same `webhook-id` and body, a fresh retry budget,
   * the endpoint's current URL and secret. Answers the delivery, now pending.
   */
  @Post('deliveries/:deliveryId/redeliver')
  @HttpCode(200)
  async redeliver(@Param('projectId') projectId: string, @Param('deliveryId') deliveryId: string) {
    const result = await this.repository.redeliver(projectId, deliveryId);
    if (result === 'not_found') throw ApiError.notFound('Webhook delivery', deliveryId, 'delivery_id');
    if (result === 'endpoint_disabled') throw ApiError.invalidRequest(`The endpoint of webhook delivery '${deliveryId}' is disabled.`, 'delivery_id');
    if (result === 'pending')
      throw ApiError.conflict(`Webhook delivery '${deliveryId}' is still pending; it will be attempted again without a redelivery.`, 'delivery_id');
    return toPublicDelivery(result);
  }

  private async findOrThrow(projectId: string, endpointId: string): Promise<EndpointRecord> {
    const endpoint = await this.repository.findEndpoint(projectId, endpointId);
    if (!endpoint) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    return endpoint;
  }

  private enabledOrThrow(endpoint: EndpointRecord | 'disabled' | null, endpointId: string): EndpointRecord {
    if (endpoint === null) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    if (endpoint === 'disabled') throw ApiError.invalidRequest(`Webhook endpoint '${endpointId}' is disabled; create a new endpoint instead.`, 'endpoint_id');
    return endpoint;
  }
}
