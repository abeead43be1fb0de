import { z } from 'zod';
import { runStatuses } from '../admin/admin-runs.repository.js';
import { truncationModes } from '../items/policies.js';
import { cachePolicySchema, reasoningPolicySchema } from '../items/responses.schemas.js';
import { webhookEventTypes } from '../webhooks/webhook-events.js';

// What the admin API answers, route by route (admin-routes.ts): the admin OpenAPI document's
// response schemas, and what test/e2e/openapi.e2e-spec.ts parses real answers with. Strict: an
// undocumented key fails that parse.

/** Named response schemas: each becomes `#/components/schemas/<name>` in the admin document. */
export const adminSchemaNames = new Map<z.ZodType, string>();
export function named<T extends z.ZodType>(name: string, schema: T): T {
  adminSchemaNames.set(schema, name);
  return schema;
}

const unixTime = z.number().int().describe('Unix time in seconds.');
const nullableUnixTime = unixTime.nullable();
export const id = z.string();

/** `{object: 'list', data, first_id, last_id, has_more}` (src/common/pagination.ts). */
export const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ object: z.literal('list'), data: z.array(item), first_id: z.string().nullable(), last_id: z.string().nullable(), has_more: z.boolean() });
export const plainList = <T extends z.ZodType>(item: T) => z.strictObject({ object: z.literal('list'), data: z.array(item) });

// ---- Projects and keys (src/admin/admin-projects.controller.ts)

export const project = named(
  'Project',
  z.strictObject({ id, object: z.literal('project'), name: z.string().nullable(), created_at: unixTime, disabled_at: nullableUnixTime }),
);
export const apiKey = named(
  'ApiKey',
  z.strictObject({
    id,
    object: z.literal('api_key'),
    project_id: id,
    name: z.string().nullable(),
    source: z.enum(['env', 'admin']).describe('`env`: from API_KEYS; `admin`: created with this API.'),
    redacted_value: z.string().nullable().describe('`sk-…` and the last four characters.'),
    created_at: unixTime,
    revoked_at: nullableUnixTime,
  }),
);
const limitValue = z.number().int().nullable();
export const projectLimits = named(
  'ProjectLimits',
  z.strictObject({
    object: z.literal('project.limits'),
    project_id: id,
    requests_per_minute: limitValue.describe("The project's own; null: the deployment's default applies."),
    tokens_per_minute: limitValue,
    concurrent_runs: limitValue,
    budget: z.strictObject({ period: z.enum(['day', 'month']), limit_usd: z.number(), warn_at: z.number() }).nullable(),
    max_input_items: limitValue.describe("The project's own; null: the deployment's MAX_INPUT_ITEMS applies."),
    max_tools: limitValue,
    max_input_files: limitValue,
    effective: z
      .strictObject({
        requests_per_minute: limitValue,
        tokens_per_minute: limitValue,
        concurrent_runs: limitValue,
        max_input_items: z.number().int(),
        max_tools: z.number().int(),
        max_input_files: z.number().int(),
      })
      .describe("What is enforced: the project's own, else the deployment's (RATE_LIMIT_*); null: no limit."),
    spend: z
      .strictObject({ period_start: unixTime, period_end: unixTime, spent_usd: z.number() })
      .nullable()
      .describe("The cost of the project's responses in the budget's current period; null without a budget."),
  }),
);
export const apiKeyLimits = named(
  'ApiKeyLimits',
  z.strictObject({
    object: z.literal('api_key.limits'),
    project_id: id,
    key_id: id,
    requests_per_minute: limitValue.describe("Null: only the project's limits apply."),
    tokens_per_minute: limitValue,
    concurrent_runs: limitValue,
  }),
);
export const createdApiKey = named('CreatedApiKey', apiKey.extend({ value: z.string().describe('The key. Shown in this answer only; stored hashed.') }));

// ---- Webhooks (src/webhooks/admin-webhooks.controller.ts)

export const webhookEndpoint = named(
  'WebhookEndpoint',
  z.strictObject({
    id,
    object: z.literal('webhook_endpoint'),
    project_id: id,
    url: z.string(),
    event_types: z.array(z.enum(webhookEventTypes)),
    created_at: unixTime,
    disabled_at: nullableUnixTime,
    /** After a rotation, deliveries are also signed with the previous secret until then. */
    previous_secret_expires_at: nullableUnixTime,
  }),
);
export const webhookEndpointWithSecret = named(
  'WebhookEndpointWithSecret',
  webhookEndpoint.extend({ secret: z.string().describe('`whsec_…`: verifies the Standard Webhooks signatures. Shown in this answer only.') }),
);
export const webhookDelivery = named(
  'WebhookDelivery',
  z.strictObject({
    id,
    object: z.literal('webhook_delivery'),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    created_at: unixTime,
    delivered_at: nullableUnixTime,
    next_attempt_at: nullableUnixTime.describe('When pending: the next attempt.'),
    last_error: z.string().nullable(),
    attempts: z.array(
      z.strictObject({
        attempt: z.number().int().describe('Numbers every attempt ever made, redeliveries included.'),
        status_code: z.number().int().nullable(),
        latency_ms: z.number().int(),
        error: z.string().nullable(),
        at: unixTime,
      }),
    ),
  }),
);

// ---- Responses, conversations, runs, usage (src/admin/*.controller.ts)

const usage = named(
  'Usage',
  z.strictObject({
    input_tokens: z.number().int(),
    input_tokens_details: z.strictObject({ cached_tokens: z.number().int(), cache_write_tokens: z.number().int() }),
    output_tokens: z.number().int(),
    output_tokens_details: z.strictObject({ reasoning_tokens: z.number().int() }),
    total_tokens: z.number().int(),
  }),
);
const responseStatus = z.enum(runStatuses);
const responseError = z.strictObject({ code: z.string(), message: z.string() }).nullable();
const cachePlan = named(
  'CachePlan',
  z
    .strictObject({
      policy: cachePolicySchema,
      breakpoints: z
        .array(z.strictObject({ index: z.number().int(), ttl: z.string(), reason: z.enum(['prefix', 'tail', 'previous-tail', 'client']) }))
        .describe('Anthropic: the breakpoints placed, by position in the flattened prompt (tools, system, message blocks).'),
      prompt_cache_key: z.string().nullable().describe('OpenAI: the routing key sent.'),
      prompt_cache_retention: z.enum(['in_memory', '24h']).nullable(),
      explicit_cache: z
        .strictObject({
          name: z.string(),
          tokens: z.number().int(),
          created: z.boolean(),
          storageTokenHours: z
            .number()
            .describe('Storage this request paid for (token-hours): a new cache’s TTL or what an extension added, less what a replaced cache had left.'),
        })
        .nullable()
        .describe('Gemini: the explicit cache the request read from; its creation (tokens at the input price) and storage are in cost_usd.'),
      estimated_tokens: z.number().int().nullable().describe("The planner's token estimate of the prompt."),
    })
    .describe("The response's prompt-cache plan."),
);
export const adminResponse = named(
  'AdminResponse',
  z.strictObject({
    id,
    object: z.literal('admin.response'),
    project_id: id,
    conversation_id: z.string().nullable(),
    previous_response_id: z.string().nullable(),
    model: z.string(),
    status: responseStatus,
    created_at: unixTime,
    completed_at: nullableUnixTime,
    request: z.unknown().describe('The create request as received.'),
    usage: usage.nullable(),
    usage_estimated: z.boolean().describe('True when the provider reported no usage for a cut-short call, so it was estimated.'),
    cost_usd: z.number().nullable(),
    cache: z.strictObject({ plan: cachePlan.nullable(), saved_usd: z.number().nullable() }),
    context: z
      .strictObject({
        model: z.string(),
        window: z.number().int(),
        output_reserve: z.number().int(),
        budget: z.number().int(),
        truncation: z.enum(truncationModes),
        start_seq: z.number().int().nullable().describe('The first history item sent (by its position in the thread); everything before it was left out.'),
        floor_seq: z.number().int().nullable().optional().describe('The newest compaction item of the thread: nothing before it is sent again.'),
        history_items: z.number().int(),
        estimated_tokens: z.number().int(),
        expected_tokens: z.number().int().describe('The estimate anchored to the input tokens the provider reported for the previous turn.'),
        cut: z
          .strictObject({
            reason: z.enum(['budget', 'upstream']),
            dropped_items: z.number().int(),
            dropped_tokens: z.number().int(),
            from_seq: z.number().int().nullable(),
          })
          .nullable()
          .describe('Set when this turn moved the start: what it left out that the previous turn still sent.'),
        compaction: z
          .strictObject({
            mode: z.enum(['openai', 'anthropic', 'server']),
            threshold: z.number().int().nullable(),
            summarized_items: z.number().int().nullable(),
            retained_items: z.number().int().nullable(),
            compacted: z.boolean().optional(),
          })
          .optional()
          .describe(
            'Set when the turn asked for compaction or had to compact: who compacted (the provider natively, or the server with its own summary), and whether the output holds a compaction item.',
          ),
      })
      .nullable()
      .describe("What of the history this turn sent to fit the model's context window; null for responses stored before it was recorded."),
    error: responseError,
    background: z.boolean(),
    timings: z.strictObject({
      queue_wait_ms: z.number().int().nullable(),
      time_to_first_token_ms: z.number().int().nullable(),
      total_ms: z.number().int().nullable(),
    }),
    upstream_request: z
      .strictObject({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string().nullable() })
      .nullable()
      .describe('The last request sent to the model vendor: the exact body text, credentials redacted from the headers.'),
    upstream_retries: z.number().int().nullable().describe('HTTP retries of the upstream call.'),
    upstream_resends: z.number().int().nullable().describe('Requests sent again after a recoverable refusal.'),
  }),
);

const totals = named(
  'UsageTotals',
  z.strictObject({
    responses: z.number().int(),
    input_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    cache_write_tokens: z.number().int(),
    output_tokens: z.number().int(),
    reasoning_tokens: z.number().int(),
    cost_usd: z.number(),
    cache_saved_usd: z.number(),
  }),
);
export const adminConversation = named(
  'AdminConversation',
  z.strictObject({
    id,
    object: z.literal('admin.conversation'),
    project_id: id,
    metadata: z.record(z.string(), z.string()),
    cache_policy: cachePolicySchema.nullable(),
    reasoning_policy: reasoningPolicySchema.nullable(),
    created_at: unixTime,
    updated_at: unixTime.describe('The later of its own last change and the last item appended.'),
    deleted_at: nullableUnixTime,
  }),
);
const timelineItem = named(
  'TimelineItem',
  z
    .looseObject({
      type: z.string(),
      id: z.string(),
      seq: z.number().int().describe('Position in the conversation; page with `items_after`.'),
      response_id: z.string().nullable(),
      direction: z.enum(['input', 'output']),
      created_at: unixTime,
      deleted_at: nullableUnixTime,
    })
    .describe('A conversation item as the public API shows it (message, function_call, …), with where it sits and came from.'),
);
export const adminConversationDetail = named(
  'AdminConversationDetail',
  adminConversation.extend({
    totals,
    responses: z.array(
      z.strictObject({
        id,
        status: responseStatus,
        model: z.string(),
        created_at: unixTime,
        completed_at: nullableUnixTime,
        deleted_at: nullableUnixTime,
        usage: usage.nullable(),
        cost_usd: z.number().nullable(),
        cache_saved_usd: z.number().nullable(),
        error: responseError,
      }),
    ),
    items: z.array(timelineItem),
    items_has_more: z.boolean(),
  }),
);

export const run = named(
  'Run',
  z.strictObject({
    id,
    object: z.literal('admin.run'),
    project_id: id,
    status: responseStatus,
    model: z.string(),
    created_at: unixTime,
    started_at: nullableUnixTime,
    completed_at: nullableUnixTime,
    error: responseError,
    conversation_id: z.string().nullable(),
    previous_response_id: z.string().nullable(),
  }),
);

export const usageReport = named(
  'UsageReport',
  z.strictObject({
    object: z.literal('list'),
    start_time: unixTime,
    end_time: unixTime.describe('The end of the range as applied (now, when not given).'),
    data: z.array(
      totals.extend({
        project_id: z.string().nullable().describe('Null unless grouped by project.'),
        model: z.string().nullable().describe('Null unless grouped by model.'),
      }),
    ),
  }),
);
