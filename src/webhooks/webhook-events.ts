export const webhookEventTypes = [
  'response.completed',
  'response.failed',
  'response.cancelled',
  'response.incomplete',
  // A project's spend reached its budget's warning share, or the budget itself (src/limits).
  'project.budget.warning',
  'project.budget.exceeded',
  // A batch ended (src/batches).
  'batch.completed',
  'batch.failed',
  'batch.cancelled',
  'batch.expired',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The event a background response that ended with `status` announces; null while it has not ended. */
export function eventTypeForStatus(status: string): WebhookEventType | null {
  const type = `response.${status}`;
  return (webhookEventTypes as readonly string[]).includes(type) ? (type as WebhookEventType) : null;
}
