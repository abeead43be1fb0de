import { z } from 'zod';
import { cachePolicySchema, reasoningPolicySchema, unsupportedToolsSchema } from '../items/responses.schemas.js';
import {
  commonHeaders,
  type ErrorName,
  errorRefs,
  errorResponses,
  errorSchemas,
  operationsOf,
  pruneComponents,
  serverVersion,
  withRequestId,
  zodSchema,
} from './document-tools.js';
import { openaiSpec } from './openai-spec.js';
import type { OpenApiDocument, Operation, PathItem, ResponseObject, Schema } from './openapi-types.js';

/**
 * The public API's OpenAPI 3.1 document: OpenAI's own operations and schemas for the routes this
 * server implements (spec/openai-spec.subset.json, extracted by
 * scripts/extract-openai-spec.mjs), moved under /v1, with this server's error answers, headers and
 * extension fields. Every property the server adds is marked `x-server-extension: true`.
 */
export function buildPublicDocument(version = serverVersion()): OpenApiDocument {
  const spec = structuredClone(openaiSpec);
  const schemas = spec.components.schemas ?? {};
  addExtensionFields(schemas);

  const paths: Record<string, PathItem> = {};
  for (const [path, item] of Object.entries(spec.paths)) paths[`/v1${path}`] = item;
  for (const [key, patch] of Object.entries(operationPatches)) {
    const [method, path] = key.split(' ') as [string, string];
    const operation = paths[path]?.[method.toLowerCase() as 'get'];
    if (!operation) throw new Error(`the OpenAI subset has no ${key}`);
    patch(operation);
  }
  for (const [path, item] of Object.entries(paths)) {
    for (const operation of operationsOf(item)) {
      // OpenAI's error answers differ from ours (some are bare `Error`s): use ours everywhere.
      for (const status of Object.keys(operation.responses)) if (!status.startsWith('2')) delete operation.responses[status];
      Object.assign(operation.responses, errorRefs(errorsOf(path, operation)));
      withRequestId(operation);
    }
  }
  for (const [path, item] of Object.entries(structuredClone(serverPaths))) {
    for (const operation of operationsOf(item)) withRequestId(operation);
    paths[path] = item;
  }

  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Stateful Responses server',
      version,
      description: [
        "OpenAI's Responses and Conversations APIs as this server implements them, statefully, in front of many model vendors.",
        `Operations and schemas are OpenAI's own (its OpenAPI spec ${spec.version}), with this server's errors, headers and extensions;`,
        'a property marked `x-server-extension: true` exists only here. Model names are `provider/model` (e.g. `anthropic/claude-sonnet-4-5`).',
        '',
        "Not supported: `prompt` templates (400). A hosted tool the model's provider cannot run is a 400 `unsupported_tool` unless `unsupported_tools` is `drop`;",
        '`include` options are accepted but have no effect except `reasoning.encrypted_content`. Unknown top-level fields are ignored.',
        '',
        'The admin API is described at `/admin/v1/openapi.json` (admin key required).',
      ].join('\n'),
      'x-openai-spec-version': spec.version,
    },
    servers: [{ url: '/' }],
    security: [{ ProjectApiKey: [] }],
    tags: [
      { name: 'Responses', description: 'Model responses, stored with their history; background runs that can be followed and resumed.' },
      { name: 'Conversations', description: 'Conversations whose items are the history of the responses created in them.' },
      { name: 'Models', description: 'The models the configured providers serve, named `provider/model`, and the catalog aliases.' },
      { name: 'Server', description: 'Health and this document; no API key needed.' },
    ],
    paths,
    components: {
      schemas: { ...schemas, ...errorSchemas() },
      responses: { ...structuredClone(errorResponses) },
      headers: { ...commonHeaders },
      securitySchemes: {
        ProjectApiKey: {
          type: 'http',
          scheme: 'bearer',
          description: "A project API key: one of API_KEYS, or a key created with the admin API. Everything stored belongs to the key's project.",
        },
      },
    },
  };
  return pruneComponents(document);
}

function errorsOf(path: string, operation: Operation): ErrorName[] {
  const names: ErrorName[] = ['BadRequest', 'Unauthorized'];
  if (path.includes('{')) names.push('NotFound');
  if (operation.requestBody) names.push('PayloadTooLarge');
  if (operation.operationId === 'createResponse') names.push('TooManyRequests');
  names.push('ServerError');
  if (operation.operationId === 'createResponse') names.push('BadGateway', 'ServiceUnavailable');
  return names;
}

const extension = (description: string, schema: Schema): Schema => ({ ...schema, description, 'x-server-extension': true });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });

const cachePolicyText =
  "How the server plans the model vendor's prompt cache: `off` (no cache hints), `auto` (default) or `aggressive` (longer-lived explicit caches).";
const reasoningPolicyText =
  "Which stored reasoning goes back to the model: `preserve` (all), `tool_turns` (the current turn's and earlier tool-calling steps), `current_turn`, `clear` (none), or `auto` (per provider). A policy below the provider's minimum is raised, with a warning in `x-warnings`.";

function namedSchema(schemas: Record<string, Schema>, name: string): Schema {
  const schema = schemas[name];
  if (!schema) throw new Error(`the OpenAI subset has no schema ${name}`);
  return schema;
}

function propertiesOf(schema: Schema): Record<string, Schema> {
  schema.properties ??= {};
  return schema.properties as Record<string, Schema>;
}

/** Our fields on OpenAI's schemas (src/items/responses.schemas.ts, src/conversations/conversations.schemas.ts). */
function addExtensionFields(schemas: Record<string, Schema>) {
  const cachePolicy = zodSchema(cachePolicySchema);
  const reasoningPolicy = zodSchema(reasoningPolicySchema);
  const policyFields = (scope: string, canReset: boolean) => ({
    cache_policy: extension(`${cachePolicyText} ${scope}${canReset ? ' `null` returns to the server default.' : ''}`, nullable(cachePolicy)),
    reasoning_policy: extension(`${reasoningPolicyText} ${scope}${canReset ? ' `null` returns to the server default.' : ''}`, nullable(reasoningPolicy)),
  });

  (namedSchema(schemas, 'CreateResponse').allOf as Schema[]).push({
    type: 'object',
    properties: {
      ...policyFields("For this request; else the conversation's, else the server's (CACHE_POLICY, REASONING_POLICY).", false),
      unsupported_tools: extension(
        "What a tool the model's provider cannot run does to the request: `error` refuses it (400, code `unsupported_tool`, naming the tool and the model); `drop` leaves the tool out. Else the server's (UNSUPPORTED_TOOLS, default `error`).",
        nullable(zodSchema(unsupportedToolsSchema)),
      ),
    },
  });
  (namedSchema(schemas, 'Response').allOf as Schema[]).push({
    type: 'object',
    properties: {
      store: extension("Whether the response is stored (the request's `store`, default true); present for Open Responses clients.", { type: 'boolean' }),
      presence_penalty: extension('Always 0; present for Open Responses clients.', { type: 'number' }),
      frequency_penalty: extension('Always 0; present for Open Responses clients.', { type: 'number' }),
    },
  });
  Object.assign(propertiesOf(namedSchema(schemas, 'Model')), {
    catalog: extension("What the server's model catalog knows of the model (config/models.json, MODELS_FILE).", {
      type: 'object',
      properties: {
        provider: { type: 'string', description: 'The configured provider that serves it.' },
        alias_of: { type: ['string', 'null'], description: 'For an alias, the `provider/model` it stands for.' },
        context_window: { type: ['integer', 'null'] },
        max_output_tokens: { type: ['integer', 'null'] },
        capabilities: {
          type: 'object',
          properties: { tools: { type: 'boolean' }, images: { type: 'boolean' }, json_schema: { type: 'boolean' }, reasoning: { type: 'boolean' } },
          required: ['tools', 'images', 'json_schema', 'reasoning'],
        },
        pricing: {
          type: ['object', 'null'],
          description: 'USD per million tokens, as the server charges them.',
          properties: {
            input: { type: 'number' },
            cached_input: { type: 'number' },
            cache_write: { type: 'number' },
            cache_write_1h: { type: 'number', description: 'Writes with a 1-hour TTL (Anthropic); the same as cache_write elsewhere.' },
            output: { type: 'number' },
          },
          required: ['input', 'cached_input', 'cache_write', 'cache_write_1h', 'output'],
        },
      },
      required: ['provider', 'alias_of', 'context_window', 'max_output_tokens', 'capabilities', 'pricing'],
    }),
  });
  Object.assign(
    propertiesOf(namedSchema(schemas, 'CreateConversationBody')),
    policyFields('For every response created in this conversation, unless the request sets its own.', false),
  );
  Object.assign(propertiesOf(namedSchema(schemas, 'ConversationResource')), {
    cache_policy: extension(`${cachePolicyText} Present only when the conversation sets one.`, cachePolicy),
    reasoning_policy: extension(`${reasoningPolicyText} Present only when the conversation sets one.`, reasoningPolicy),
  });
  const update = namedSchema(schemas, 'UpdateConversationBody');
  Object.assign(propertiesOf(update), policyFields('For every later response created in this conversation.', true));
  // OpenAI requires metadata; here any one of the three fields will do.
  update.required = [];
  update.minProperties = 1;
  update.description =
    "`metadata` replaces the whole map; `cache_policy` and `reasoning_policy` set the conversation's policies. At least one of them is required.";
}

const sse: ResponseObject['content'] = { 'text/event-stream': { schema: { $ref: '#/components/schemas/ResponseStreamEvent' } } };

function success(operation: Operation): ResponseObject {
  const ok = operation.responses['200'];
  if (!ok || '$ref' in ok) throw new Error(`${operation.operationId} has no inline 200 answer`);
  return ok;
}

/** What this server does beyond, or differently from, OpenAI's operations. */
const operationPatches: Record<string, (operation: Operation) => void> = {
  'POST /v1/responses': (operation) => {
    operation.description = [
      'Runs a turn, synchronously (JSON) or streamed (`stream: true`, server-sent events: the documented `response.*` events with `sequence_number` from 0, `event:` equal to `type`, ending with `data: [DONE]`).',
      '`previous_response_id` or `conversation` make the server send the stored history; the client sends only the new turn.',
      '`background: true` answers at once with `status: "queued"`; the run goes on whatever happens to the connection.',
      'A streaming client that disconnects cancels the upstream call. Upstream failures after the stream started arrive as `response.failed`.',
    ].join('\n');
    const ok = success(operation);
    ok.description = 'The response as JSON, or with `stream: true` its events as server-sent events, ending with `data: [DONE]`.';
    ok.headers = {
      'x-warnings': {
        description:
          'Settings the server changed for the model (thinking guards such as a temperature or top_p it could not send, a raised reasoning_policy), ASCII, separated by ` | `. Absent when there are none. The response still echoes what the client asked for.',
        schema: { type: 'string' },
        'x-server-extension': true,
      },
      ...ok.headers,
    };
  },
  'GET /v1/responses/{response_id}': (operation) => {
    operation.description =
      'The stored response. For a background response, `stream=true` replays its events after `starting_after`, then follows the run live until it ends; a client that dropped resumes with the last `sequence_number` it saw. Streaming a response that was not created with `background: true` is a 400.';
    const ok = success(operation);
    ok.description = 'The response as JSON, or with `stream=true` the events of a background response as server-sent events, ending with `data: [DONE]`.';
    ok.content ??= {};
    Object.assign(ok.content, structuredClone(sse));
  },
  'DELETE /v1/responses/{response_id}': (operation) => {
    success(operation).content = {
      'application/json': {
        schema: {
          type: 'object',
          description: 'The deleted response (the official SDK reads no body).',
          'x-server-extension': true,
          properties: { id: { type: 'string' }, object: { type: 'string', const: 'response' }, deleted: { type: 'boolean', const: true } },
          required: ['id', 'object', 'deleted'],
        },
      },
    };
  },
  'POST /v1/responses/{response_id}/cancel': (operation) => {
    operation.description =
      'Cancels a background response wherever it runs; cancelling it again returns the same response. A synchronous response answers 400 `Cannot cancel a synchronous response.` (close the connection to cancel one).';
  },
  'GET /v1/responses/{response_id}/input_items': (operation) => {
    operation.description = 'Cursor pagination: `limit` (1-100, default 20), `order` (default `desc`), `after`.';
  },
  'POST /v1/conversations': (operation) => {
    operation.description = "Takes `metadata`, up to 20 initial `items`, and this server's `cache_policy` and `reasoning_policy`.";
  },
  'POST /v1/conversations/{conversation_id}': (operation) => {
    operation.description = 'Replaces the whole metadata map, and/or sets `cache_policy` / `reasoning_policy` (`null` returns to the server default).';
  },
  'DELETE /v1/conversations/{conversation_id}': (operation) => {
    operation.description = "The items are kept, as OpenAI does; the conversation's explicit provider caches are deleted.";
  },
  'DELETE /v1/conversations/{conversation_id}/items/{item_id}': (operation) => {
    operation.description = 'Returns the conversation. The item is left out of every later turn.';
  },
};

const healthSchema = z.object({ status: z.literal('ok'), database: z.enum(['postgres', 'pglite']) });

/** Routes of this server that are not OpenAI's. */
const serverPaths: Record<string, PathItem> = {
  '/health': {
    get: {
      operationId: 'getHealth',
      tags: ['Server'],
      summary: 'Readiness: after a database round trip; 503 (code `draining`) once shutdown has started.',
      security: [],
      responses: {
        '200': { description: 'The server and its database answer.', content: { 'application/json': { schema: zodSchema(healthSchema, 'output') } } },
        ...errorRefs(['ServerError']),
      },
    },
  },
  '/health/live': {
    get: {
      operationId: 'getLiveness',
      tags: ['Server'],
      summary: 'Liveness: the process answers (draining or not; no database query).',
      security: [],
      responses: {
        '200': { description: 'The process answers.', content: { 'application/json': { schema: zodSchema(z.object({ status: z.literal('ok') }), 'output') } } },
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      tags: ['Server'],
      summary: 'This document.',
      security: [],
      responses: { '200': { description: 'The OpenAPI 3.1 document of the public API.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  },
};
