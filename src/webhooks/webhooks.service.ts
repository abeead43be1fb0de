import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { eventTypeForStatus, type WebhookEventType } from './webhook-events.js';
import { WebhooksRepository } from './webhooks.repository.js';

@Injectable()
export class WebhooksService {
  constructor(private readonly repository: WebhooksRepository) {}

  /**
   * Queues the event for every enabled endpoint of the project subscribed to it; the dispatcher sends
   * them. The body is fixed here, so every endpoint and every retry gets the same bytes.
   */
  async enqueue(projectId: string, eventType: WebhookEventType, data: Record<string, unknown>): Promise<number> {
    const endpoints = await this.repository.subscribedEndpoints(projectId, eventType);
    if (endpoints.length === 0) return 0;
    const eventId = newId('evt');
    const body = JSON.stringify({ object: 'event', id: eventId, type: eventType, created_at: Math.floor(Date.now() / 1000), data });
    await this.repository.insertDeliveries(endpoints.map((endpoint) => ({ id: newId('wh'), endpointId: endpoint.id, projectId, eventId, eventType, body })));
    return endpoints.length;
  }

  /** Announces how a background response ended, from its stored status (the source of truth). */
  async responseEnded(responseId: string): Promise<void> {
    const response = await this.repository.responseOutcome(responseId);
    const eventType = response ? eventTypeForStatus(response.status) : null;
    if (response && eventType) await this.enqueue(response.projectId, eventType, { id: responseId });
  }
}
