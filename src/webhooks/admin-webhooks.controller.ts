import { Body, Controller, Delete, Get, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { parseOrThrow } from '../common/validation.js';
import { newWebhookSecret } from './sign-webhook-payload.js';
import { webhookEventTypes } from './webhook-events.js';
import { type EndpointRecord, WebhooksRepository } from './webhooks.repository.js';
import { newId } from '../common/ids.js';

const createEndpointSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  event_types: z.array(z.enum(webhookEventTypes)).min(1).optional(),
});

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

function toPublicEndpoint(endpoint: EndpointRecord) {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    project_id: endpoint.projectId,
    url: endpoint.url,
    event_types: endpoint.eventTypes,
    created_at: seconds(endpoint.createdAt),
    disabled_at: seconds(endpoint.disabledAt),
  };
}

@Controller('admin/v1/projects/:projectId/webhooks')
@UseGuards(AdminKeyGuard)
export class AdminWebhooksController {
  constructor(private readonly repository: WebhooksRepository) {}

  /** The only answer that contains the secret: it is needed to verify deliveries and never shown again. */
  @Post()
  async create(@Param('projectId') projectId: string, @Body() body: unknown) {
    const { url, event_types: eventTypes } = parseOrThrow(createEndpointSchema, body ?? {});
    const endpoint = await this.repository.createEndpoint({
      id: newId('we'),
      projectId,
      url,
      secret: newWebhookSecret(),
      eventTypes: eventTypes ? [...new Set(eventTypes)] : [...webhookEventTypes],
    });
    return { ...toPublicEndpoint(endpoint), secret: endpoint.secret };
  }

  @Get()
  async list(@Param('projectId') projectId: string) {
    const endpoints = await this.repository.listEndpoints(projectId);
    return { object: 'list', data: endpoints.map(toPublicEndpoint) };
  }

  @Delete(':endpointId')
  async disable(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    const endpoint = await this.repository.disableEndpoint(projectId, endpointId);
    if (!endpoint) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    return toPublicEndpoint(endpoint);
  }

  /** The newest 100 deliveries, each with every attempt made. */
  @Get(':endpointId/deliveries')
  async deliveries(@Param('projectId') projectId: string, @Param('endpointId') endpointId: string) {
    if (!(await this.repository.findEndpoint(projectId, endpointId))) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    const rows = await this.repository.listDeliveries(endpointId);
    return {
      object: 'list',
      data: rows.map((row) => ({
        id: row.id,
        object: 'webhook_delivery',
        event_id: row.eventId,
        event_type: row.eventType,
        status: row.status,
        created_at: seconds(row.createdAt),
        delivered_at: seconds(row.deliveredAt),
        next_attempt_at: row.status === 'pending' ? seconds(row.nextAttemptAt) : null,
        last_error: row.lastError,
        attempts: row.attemptLog.map((attempt) => ({
          attempt: attempt.attempt,
          status_code: attempt.statusCode,
          latency_ms: attempt.latencyMs,
          error: attempt.error,
          at: seconds(attempt.at),
        })),
      })),
    };
  }
}
