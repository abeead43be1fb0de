import { newId } from '../common/ids.js';

export const webhookEventTypes = ['response.completed', 'response.failed', 'response.cancelled', 'response.incomplete'] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The event a background response that ended with `status` announces; null while it has not ended. */
export function eventTypeForStatus(status: string): WebhookEventType | null {
  const type = `response.${status}`;
  return (webhookEventTypes as readonly string[]).includes(type) ? (type as WebhookEventType) : null;
}

/**
 * `we_` (endpoint) and `wh_` (delivery, the `webhook-id` header) ids in the same time-ordered format
 * as every other id; derived from newId so the format has one definition.
 */
export function newWebhookId(prefix: 'we' | 'wh'): string {
  return `${prefix}_${newId('evt').slice('evt_'.length)}`;
}
