import { z } from 'zod';
import {
  conversationDetailQuerySchema,
  conversationListQuerySchema,
  createKeySchema,
  createProjectSchema,
  listProjectsSchema,
  listRunsSchema,
  updateKeyLimitsSchema,
  updateProjectLimitsSchema,
} from '../admin/admin-requests.schemas.js';
import { usageParamsSchema } from '../admin/admin-usage.schemas.js';
import { createEndpointSchema, deliveriesQuerySchema, updateEndpointSchema } from '../webhooks/admin-webhooks.schemas.js';
import {
  adminConversation,
  adminConversationDetail,
  adminResponse,
  apiKey,
  apiKeyLimits,
  createdApiKey,
  id,
  named,
  page,
  plainList,
  project,
  projectLimits,
  run,
  usageReport,
  webhookDelivery,
  webhookEndpoint,
  webhookEndpointWithSecret,
} from './admin-responses.js';
import type { ErrorName } from './document-tools.js';
import type { Parameter } from './openapi-types.js';

/**
 * The admin API (`/admin/v1`), one entry per route, from which src/openapi/admin-document.ts
 * builds its OpenAPI document. test/e2e/openapi.e2e-spec.ts fails when the server has a route this
 * table lacks (or the other way round), and parses real answers with `response`, so keep both true:
 * a new admin route needs an entry here.
 *
 * Bodies and queries are the very schemas the controllers validate with (admin-requests.schemas.ts
 * and its siblings); answers are described in admin-responses.ts, strictly (an undocumented key
 * fails the e2e parse).
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

const projectParam = { project_id: 'The project id.' };
const endpointParams = { ...projectParam, endpoint_id: 'The webhook endpoint id (`we_…`).' };

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
    method: 'GET',
    path: '/admin/v1/projects/{project_id}/limits',
    operationId: 'getProjectLimits',
    tag: 'Projects',
    summary: "The project's rate limits, concurrent runs and budget, and its spend in the budget's period.",
    params: projectParam,
    response: projectLimits,
    errors: ['NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/limits',
    operationId: 'updateProjectLimits',
    tag: 'Projects',
    summary: "Sets the project's limits: a field given replaces, null removes, a field left out stays.",
    description:
      'Takes effect at once on the instance that answers, within 5 seconds on the others. Raising or removing the budget lifts a project stopped by it.',
    params: projectParam,
    body: updateProjectLimitsSchema,
    response: projectLimits,
    errors: ['BadRequest', 'NotFound'],
  },
  {
    method: 'GET',
    path: '/admin/v1/projects/{project_id}/api_keys/{key_id}/limits',
    operationId: 'getApiKeyLimits',
    tag: 'Projects',
    summary: "An API key's own rate limits (they apply within its project's).",
    params: { ...projectParam, key_id: 'The key id (`key_…`).' },
    response: apiKeyLimits,
    errors: ['NotFound'],
  },
  {
    method: 'POST',
    path: '/admin/v1/projects/{project_id}/api_keys/{key_id}/limits',
    operationId: 'updateApiKeyLimits',
    tag: 'Projects',
    summary: "Sets an API key's own rate limits: a field given replaces, null removes, a field left out stays.",
    params: { ...projectParam, key_id: 'The key id (`key_…`).' },
    body: updateKeyLimitsSchema,
    response: apiKeyLimits,
    errors: ['BadRequest', 'NotFound'],
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
