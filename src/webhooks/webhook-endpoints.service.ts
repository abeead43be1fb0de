import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { newWebhookSecret } from './sign-webhook-payload.js';
import { webhookEventTypes } from './webhook-events.js';
import { type DeliveryWithLog, type EndpointRecord, WebhooksRepository } from './webhooks.repository.js';

/**
 * How long the previous secret still signs deliveries after a rotation (Standard Webhooks lets a
 * delivery carry several signatures): a day for receivers to roll their configuration over.
 */
const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

const uniqueEventTypes = (types: readonly string[]) => [...new Set(types)];

/**
 * The rules of a project's webhook endpoints and their deliveries, as the admin API manages them:
 * a secret is returned only when made, a disabled endpoint is never changed or re-enabled (its
 * pending deliveries were given up: a receiver that wants events again gets a new endpoint and
 * secret), and only a delivery that ended may be sent again.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(private readonly repository: WebhooksRepository) {}

  /** Subscribed to every event type unless told otherwise. */
  async create(projectId: string, url: string, eventTypes: readonly string[] | undefined): Promise<EndpointRecord> {
    await this.projectOrThrow(projectId);
    return this.repository.createEndpoint({
      id: newId('we'),
      projectId,
      url,
      secret: newWebhookSecret(),
      eventTypes: uniqueEventTypes(eventTypes ?? webhookEventTypes),
    });
  }

  /** An unknown project is a 404, as its API-key listing is, not an empty list. */
  async list(projectId: string): Promise<EndpointRecord[]> {
    await this.projectOrThrow(projectId);
    return this.repository.listEndpoints(projectId);
  }

  private async projectOrThrow(projectId: string): Promise<void> {
    if (!(await this.repository.projectExists(projectId))) throw ApiError.notFound('Project', projectId, 'project_id');
  }

  async find(projectId: string, endpointId: string): Promise<EndpointRecord> {
    const endpoint = await this.repository.findEndpoint(projectId, endpointId);
    if (!endpoint) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    return endpoint;
  }

  async update(
    projectId: string,
    endpointId: string,
    change: { url?: string | undefined; eventTypes?: readonly string[] | undefined },
  ): Promise<EndpointRecord> {
    const endpoint = await this.repository.updateEndpoint(projectId, endpointId, {
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.eventTypes !== undefined ? { eventTypes: uniqueEventTypes(change.eventTypes) } : {}),
    });
    return enabledOrThrow(endpoint, endpointId);
  }

  /** A new secret signs every delivery sent from now on; the previous one still does for a day. */
  async rotateSecret(projectId: string, endpointId: string): Promise<{ endpoint: EndpointRecord; secret: string }> {
    const secret = newWebhookSecret();
    const endpoint = await this.repository.rotateSecret(projectId, endpointId, secret, new Date(Date.now() + SECRET_ROTATION_GRACE_MS));
    return { endpoint: enabledOrThrow(endpoint, endpointId), secret };
  }

  async disable(projectId: string, endpointId: string): Promise<EndpointRecord> {
    const endpoint = await this.repository.disableEndpoint(projectId, endpointId);
    if (!endpoint) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
    return endpoint;
  }

  /** The newest 100 deliveries of the endpoint (of one event when `eventId` is given), each with every attempt. */
  async deliveries(projectId: string, endpointId: string, eventId: string | null): Promise<DeliveryWithLog[]> {
    await this.find(projectId, endpointId);
    return this.repository.listDeliveries(endpointId, eventId);
  }

  /** Same `webhook-id` and body, a fresh retry budget, the endpoint's current URL and secret. */
  async redeliver(projectId: string, deliveryId: string): Promise<DeliveryWithLog> {
    const result = await this.repository.redeliver(projectId, deliveryId);
    if (result === 'not_found') throw ApiError.notFound('Webhook delivery', deliveryId, 'delivery_id');
    if (result === 'endpoint_disabled') throw ApiError.invalidRequest(`The endpoint of webhook delivery '${deliveryId}' is disabled.`, 'delivery_id');
    if (result === 'pending')
      throw ApiError.conflict(`Webhook delivery '${deliveryId}' is still pending; it will be attempted again without a redelivery.`, 'delivery_id');
    return result;
  }
}

function enabledOrThrow(endpoint: EndpointRecord | 'disabled' | null, endpointId: string): EndpointRecord {
  if (endpoint === null) throw ApiError.notFound('Webhook endpoint', endpointId, 'endpoint_id');
  if (endpoint === 'disabled') throw ApiError.invalidRequest(`Webhook endpoint '${endpointId}' is disabled; create a new endpoint instead.`, 'endpoint_id');
  return endpoint;
}
