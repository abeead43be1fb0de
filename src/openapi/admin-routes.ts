import { z } from 'zod';
import {
  conversationDetailQuerySchema,
  conversationListQuerySchema,
  createKeySchema,
  createProjectSchema,
  listProjectsSchema,
  listRunsSchema,
} from '../admin/admin-requests.schemas.js';
import { runStatuses } from '../admin/admin-runs.repository.js';
import { usageParamsSchema } from '../admin/admin-usage.schemas.js';
import { cachePolicySchema, reasoningPolicySchema } from '../items/responses.schemas.js';
import { createEndpointSchema, deliveriesQuerySchema, updateEndpointSchema } from '../webhooks/admin-webhooks.schemas.js';
import { webhookEventTypes } from '../webhooks/webhook-events.js';
import type { ErrorName } from './document-tools.js';
import type { Parameter } from './openapi-types.js';

/**
 * The admin API (`/admin/v1`), one entry per route, from which src/openapi/admin-document.ts
 * builds its OpenAPI document. test/e2e/openapi.e2e-spec.ts fails when the server has a route this
 * table lacks (or the other way round), and parses real answers with `response`, so keep both true:
 * a new admin route needs an entry here.
 *
 * Response schemas are strict (an undocumented key fails the e2e parse). Request schemas describe
 * what the controllers accept.
 */
export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path template, e.g. `/admin/v1/projects/{project_id}`. */
  path: string;
  operationId: string;
  tag: (typeof adminTags)[number]['name'];
  summary: string;
  description?: string;
  /** A description of each `{name}` of the path. */
  params: Record<string, string>;
  query?: z.ZodObject;
  /** Parameters a zod object cannot express (e.g. `metadata[key]`). */
  extraParameters?: Parameter[];
  body?: z.ZodType;
  /** 200 unless the controller says otherwise (Nest answers a POST without @HttpCode with 201). */
  status?: 200 | 201;
  /** The JSON answer. */
  response: z.ZodType;
  /** Error answers besides 401 and 500. */
  errors: ErrorName[];
}

export const adminTags = [
  { name: 'Projects', description: 'Projects and their API keys.' },
  { name: 'Webhooks', description: "A project's webhook endpoints and their deliveries." },
  { name: 'Responses', description: 'Any response, across projects.' },
  { name: 'Conversations', description: 'Conversations across projects: filtered lists, timelines and totals.' },
  { name: 'Runs', description: 'Background runs across projects: list, cancel, retry.' },
  { name: 'Usage', description: 'Tokens and cost per project and model.' },
  { name: 'Server', description: 'This document.' },
] as const;

/** Named response schemas: each becomes `#/components/schemas/<name>` in the admin document. */
export const adminSchemaNames = new Map<z.ZodType, string>();
function named<T extends z.ZodType>(name: string, schema: T): T {
  adminSchemaNames.set(schema, name);
  return schema;
}

const unixTime = z.number().int().describe('Unix time in seconds.');
const nullableUnixTime = unixTime.nullable();
const id = z.string();

/** `{object: 'list', data, first_id, last_id, has_more}` (src/common/pagination.ts). */
const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ object: z.literal('list'), data: z.array(item), first_id: z.string().nullable(), last_id: z.string().nullable(), has_more: z.boolean() });
const plainList = <T extends z.ZodType>(item: T) => z.strictObject({ object: z.literal('list'), data: z.array(item) });

// ---- Projects and keys (src/admin/admin-projects.controller.ts)

const project = named(
  'Project',
  z.strictObject({ id, object: z.literal('project'), name: z.string().nullable(), created_at: unixTime, disabled_at: nullableUnixTime }),
);
const apiKey = named(
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
const createdApiKey = named('CreatedApiKey', apiKey.extend({ value: z.string().describe('The key. Shown in this answer only; stored hashed.') }));

const projectParam = { project_id: 'The project id.' };

// ---- Webhooks (src/webhooks/admin-webhooks.controller.ts)

const webhookEndpoint = named(
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
const webhookEndpointWithSecret = named(
  'WebhookEndpointWithSecret',
  webhookEndpoint.extend({ secret: z.string().describe('`whsec_…`: verifies the Standard Webhooks signatures. Shown in this answer only.') }),
);
const webhookDelivery = named(
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
const endpointParams = { ...projectParam, endpoint_id: 'The webhook endpoint id (`we_…`).' };

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
        .strictObject({ name: z.string(), tokens: z.number().int(), created: z.boolean() })
        .nullable()
        .describe('Gemini: the explicit cache the request read from.'),
      estimated_tokens: z.number().int().nullable().describe("The planner's token estimate of the prompt."),
    })
    .describe("The response's prompt-cache plan."),
);
const adminResponse = named(
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
        truncation: z.enum(['auto', 'disabled']),
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
const adminConversation = named(
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
const adminConversationDetail = named(
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

const run = named(
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

const usageReport = named(
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

export const adminRoutes: AdminRoute[] = [
  // Projects and keys
  {
    method: 'POST',
    path: '/admin/v1/projects',
    operationId: 'createProject',
    tag: 'Projects',
    summary: 'Creates a project.',
    params: {},
    body: createProjectSchema,
    response: project,
    errors: ['BadRequest'],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects',
    operationId: 'listProjects',
    tag: 'Projects',
    summary: 'Lists projects, oldest first.',
    params: {},
    query: listProjectsSchema,
    response: page(project),
    errors: ['BadRequest'],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects/{project_id}',
    operationId: 'getProject',
    tag: 'Projects',
    summary: 'Retrieves a project.',
    params: projectParam,
    response: project,
    errors: ['NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/disable',
    operationId: 'disableProject',
    tag: 'Projects',
    summary: 'Disables a project.',
    description: 'Its keys stop working at once on this instance, within seconds on the others; its data stays.',
    params: projectParam,
    response: project,
    errors: ['NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/enable',
    operationId: 'enableProject',
    tag: 'Projects',
    summary: 'Enables a disabled project again.',
    params: projectParam,
    response: project,
    errors: ['NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/api_keys',
    operationId: 'createApiKey',
    tag: 'Projects',
    summary: 'Creates an API key for the project.',
    description: 'The only answer that contains the key (`sk-proj-…`); it is stored hashed.',
    params: projectParam,
    body: createKeySchema,
    response: createdApiKey,
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects/{project_id}/api_keys',
    operationId: 'listApiKeys',
    tag: 'Projects',
    summary: "Lists the project's API keys, revoked ones included.",
    params: projectParam,
    response: plainList(apiKey),
    errors: ['NotFound'],
  },
  {
    method: 'DELETE',
    path: '/admin/v1/projects/{project_id}/api_keys/{key_id}',
    operationId: 'revokeApiKey',
    tag: 'Projects',
    summary: 'Revokes an API key.',
    params: { ...projectParam, key_id: 'The key id (`key_…`).' },
    response: apiKey,
    errors: ['NotFound'],
  },

  // Webhooks
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/webhooks',
    operationId: 'createWebhookEndpoint',
    tag: 'Webhooks',
    summary: 'Creates a webhook endpoint.',
    description: 'Deliveries are signed per Standard Webhooks with the `whsec_…` secret, which only this answer contains.',
    params: projectParam,
    body: createEndpointSchema,
    status: 201,
    response: webhookEndpointWithSecret,
    errors: ['BadRequest'],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects/{project_id}/webhooks',
    operationId: 'listWebhookEndpoints',
    tag: 'Webhooks',
    summary: "Lists the project's webhook endpoints, without secrets.",
    params: projectParam,
    response: plainList(webhookEndpoint),
    errors: [],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects/{project_id}/webhooks/{endpoint_id}',
    operationId: 'getWebhookEndpoint',
    tag: 'Webhooks',
    summary: 'Retrieves a webhook endpoint, without its secret.',
    params: endpointParams,
    response: webhookEndpoint,
    errors: ['NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/webhooks/{endpoint_id}',
    operationId: 'updateWebhookEndpoint',
    tag: 'Webhooks',
    summary: "Changes an endpoint's `url` and/or `event_types`.",
    description: 'A disabled endpoint cannot be changed (400): create a new one.',
    params: endpointParams,
    body: updateEndpointSchema,
    response: webhookEndpoint,
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/webhooks/{endpoint_id}/rotate_secret',
    operationId: 'rotateWebhookSecret',
    tag: 'Webhooks',
    summary: 'Gives the endpoint a new secret, shown in this answer only.',
    description: 'Every delivery sent from now on is signed with it. A disabled endpoint is a 400.',
    params: endpointParams,
    response: webhookEndpointWithSecret,
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'DELETE',
    path: '/admin/v1/projects/{project_id}/webhooks/{endpoint_id}',
    operationId: 'disableWebhookEndpoint',
    tag: 'Webhooks',
    summary: 'Disables an endpoint; its pending deliveries become `failed`.',
    params: endpointParams,
    response: webhookEndpoint,
    errors: ['NotFound'],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects/{project_id}/webhooks/{endpoint_id}/deliveries',
    operationId: 'listWebhookDeliveries',
    tag: 'Webhooks',
    summary: "The endpoint's newest 100 deliveries, each with every attempt.",
    params: endpointParams,
    query: deliveriesQuerySchema,
    response: plainList(webhookDelivery),
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/webhooks/deliveries/{delivery_id}/redeliver',
    operationId: 'redeliverWebhook',
    tag: 'Webhooks',
    summary: 'Sends a delivered or failed delivery again.',
    description:
      "Same `webhook-id` and body, a fresh retry budget, the endpoint's current URL and secret. Answers the delivery, now pending. A delivery still pending is a 409; one whose endpoint is disabled a 400.",
    params: { ...projectParam, delivery_id: 'The delivery id.' },
    response: webhookDelivery,
    errors: ['BadRequest', 'NotFound', 'Conflict'],
  },

  // Responses
  {
    method: 'GET',
    path: '/admin/v1/responses/{response_id}',
    operationId: 'inspectResponse',
    tag: 'Responses',
    summary: 'Any response, with its request, usage, cost, cache plan, timings and upstream request.',
    params: { response_id: 'The response id (`resp_…`).' },
    response: adminResponse,
    errors: ['NotFound'],
  },

  // Conversations
  {
    method: 'GET',
    path: '/admin/v1/conversations',
    operationId: 'listConversations',
    tag: 'Conversations',
    summary: 'Lists conversations across projects, filtered.',
    description: 'Filters combine with AND; time ranges are half-open, `[after, before)`. An unknown parameter is a 400.',
    params: {},
    query: conversationListQuerySchema,
    extraParameters: [
      {
        name: 'metadata',
        in: 'query',
        style: 'deepObject',
        explode: true,
        description: '`metadata[key]=value`: conversations whose metadata has exactly this value (at most 16).',
        schema: { type: 'object', additionalProperties: { type: 'string' } },
      },
    ],
    response: page(adminConversation),
    errors: ['BadRequest'],
  },
  {
    method: 'GET',
    path: '/admin/v1/conversations/{conversation_id}',
    operationId: 'inspectConversation',
    tag: 'Conversations',
    summary: 'A conversation with its totals, its responses and its items (deleted ones too).',
    params: { conversation_id: 'The conversation id (`conv_…`).' },
    query: conversationDetailQuerySchema,
    response: adminConversationDetail,
    errors: ['BadRequest', 'NotFound'],
  },

  // Runs
  {
    method: 'GET',
    path: '/admin/v1/runs',
    operationId: 'listRuns',
    tag: 'Runs',
    summary: 'Lists background runs across projects.',
    params: {},
    query: listRunsSchema,
    response: page(run),
    errors: ['BadRequest'],
  },
  {
    method: 'GET',
    path: '/admin/v1/runs/{run_id}',
    operationId: 'getRun',
    tag: 'Runs',
    summary: 'Retrieves a background run.',
    params: { run_id: 'The response id of the run.' },
    response: run,
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/runs/{run_id}/cancel',
    operationId: 'cancelRun',
    tag: 'Runs',
    summary: 'Cancels a run wherever it runs; a run that already ended is returned as it is.',
    params: { run_id: 'The response id of the run.' },
    response: run,
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/runs/{run_id}/retry',
    operationId: 'retryRun',
    tag: 'Runs',
    summary: 'Runs the stored request of a failed or cancelled run again, as a new queued background response in the same project.',
    description: 'The original stays as it ended; the new run is planned on the history as it is now.',
    params: { run_id: 'The response id of the run.' },
    response: named('RunRetry', z.strictObject({ object: z.literal('admin.run_retry'), retried_from: id, run })),
    errors: ['BadRequest', 'NotFound'],
  },

  // Usage
  {
    method: 'GET',
    path: '/admin/v1/usage',
    operationId: 'getUsage',
    tag: 'Usage',
    summary: 'Tokens and cost per project and model over a time range.',
    description: 'An unknown parameter is a 400.',
    params: {},
    query: usageParamsSchema,
    response: usageReport,
    errors: ['BadRequest'],
  },

  // This document
  {
    method: 'GET',
    path: '/admin/v1/openapi.json',
    operationId: 'getAdminOpenApiDocument',
    tag: 'Server',
    summary: 'This document.',
    params: {},
    response: z.looseObject({ openapi: z.literal('3.1.0') }).describe('The OpenAPI 3.1 document of the admin API.'),
    errors: [],
  },
];
