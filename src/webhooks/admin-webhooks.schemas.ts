import { z } from 'zod';
import { webhookEventTypes } from './webhook-events.js';

// What the webhook routes of the admin API accept, as the controller validates it; the admin
// OpenAPI document is built from these same schemas (openapi/admin-routes.ts).

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const eventTypes = z.array(z.enum(webhookEventTypes)).min(1);

export const createEndpointSchema = z.object({
  url: url.describe('An http(s) URL.'),
  event_types: eventTypes.optional().describe('Default: all four `response.*` events.'),
});

export const updateEndpointSchema = z
  .object({ url: url.optional(), event_types: eventTypes.optional() })
  .refine((body) => body.url !== undefined || body.event_types !== undefined, { message: 'give url and/or event_types' })
  .describe('At least one of `url` and `event_types`.');

export const deliveriesQuerySchema = z.object({ event_id: z.string().min(1).optional().describe('Only the deliveries of this event (`evt_…`).') });
