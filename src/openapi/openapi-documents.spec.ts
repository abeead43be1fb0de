import { readFileSync } from 'node:fs';
import { listQuerySchema } from '../common/pagination.js';
import { createConversationItemsSchema, createConversationSchema, updateConversationSchema } from '../conversations/conversations.schemas.js';
import { toPublicResponse } from '../items/response-object.js';
import { createResponseSchema, retrieveQuerySchema } from '../items/responses.schemas.js';
import { buildAdminDocument } from './admin-document.js';
import { adminRoutes } from './admin-routes.js';
import { collectRefs, operationsOf, resolveRef } from './document-tools.js';
import { httpMethods, type OpenApiDocument, type Operation, type Parameter, type Ref, type Schema } from './openapi-types.js';
import { buildPublicDocument } from './public-document.js';

const publicDocument = buildPublicDocument();
const adminDocument = buildAdminDocument();
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const deref = <T>(document: OpenApiDocument, value: T | Ref): T =>
  '$ref' in (value as object) ? (resolveRef(document, (value as Ref).$ref) as T) : (value as T);

/** The properties a schema documents, through `$ref`s and `allOf`. */
function documentedProperties(document: OpenApiDocument, schema: Schema | Ref): Set<string> {
  const resolved = deref<Schema>(document, schema);
  const names = new Set(Object.keys((resolved.properties as Record<string, unknown> | undefined) ?? {}));
  for (const part of (resolved.allOf as Schema[] | undefined) ?? []) for (const name of documentedProperties(document, part)) names.add(name);
  return names;
}

function operation(document: OpenApiDocument, method: 'get' | 'post' | 'delete', path: string): Operation {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
}

function parameters(document: OpenApiDocument, op: Operation, location: Parameter['in']): string[] {
  return (op.parameters ?? [])
    .map((parameter) => deref<Parameter>(document, parameter))
    .filter((parameter) => parameter.in === location)
    .map((parameter) => parameter.name);
}

function requestSchema(op: Operation): Schema {
  const schema = op.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`${op.operationId} takes no JSON body`);
  return schema;
}

describe.each([
  ['public', publicDocument, 'ProjectApiKey'],
  ['admin', adminDocument, 'AdminApiKey'],
])('the %s OpenAPI document', (_name, document, scheme) => {
  it('is OpenAPI 3.1 with the server version, a relative server and bearer auth', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe(packageVersion);
    expect(document.servers).toEqual([{ url: '/' }]);
    expect(document.security).toEqual([{ [scheme]: [] }]);
    expect(document.components.securitySchemes?.[scheme]).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('resolves every $ref inside the document, and keeps no component nothing refers to', () => {
    const refs = collectRefs(document);
    expect(refs.size).toBeGreaterThan(5);
    const unresolved = [...refs].filter((ref) => resolveRef(document, ref) === undefined);
    expect(unresolved).toEqual([]);
    const unused: string[] = [];
    for (const [kind, record] of Object.entries(document.components)) {
      if (kind === 'securitySchemes') continue;
      for (const name of Object.keys(record ?? {})) if (!refs.has(`#/components/${kind}/${name}`)) unused.push(`${kind}/${name}`);
    }
    expect(unused).toEqual([]);
  });

  it('gives every operation a unique operationId, a success answer, error answers, and its path parameters', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of Object.keys(item)) expect([...httpMethods, 'parameters']).toContain(method);
      for (const op of operationsOf(item)) {
        const where = `${op.operationId} (${path})`;
        expect({ where, id: op.operationId && !ids.has(op.operationId) }).toEqual({ where, id: true });
        ids.add(op.operationId!);
        const statuses = Object.keys(op.responses);
        expect({ where, success: statuses.some((status) => /^2\d\d$/.test(status)) }).toEqual({ where, success: true });
        for (const response of Object.values(op.responses)) expect(deref(document, response)).toHaveProperty('description');
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
        expect({ where, params: parameters(document, op, 'path').sort() }).toEqual({ where, params: templated.sort() });
        if (op.security?.length !== 0) expect({ where, has401: statuses.includes('401') }).toEqual({ where, has401: true });
      }
    }
  });

  it("describes errors with OpenAI's envelope {error: {message, type, param, code}}", () => {
    const envelope = document.components.schemas?.['ErrorResponse'];
    expect(envelope).toMatchObject({ required: ['error'], properties: { error: { $ref: '#/components/schemas/Error' } } });
    expect(new Set(document.components.schemas?.['Error']?.required as string[])).toEqual(new Set(['message', 'type', 'param', 'code']));
    for (const response of Object.values(document.components.responses ?? {})) {
      expect(response.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ErrorResponse' });
    }
  });

  it('is plain JSON and the same every time it is built', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });
});

describe('the public document', () => {
  it('serves OpenAI paths under /v1, plus /health and /openapi.json without auth', () => {
    expect(Object.keys(publicDocument.paths).sort()).toEqual(
      [
        '/health',
        '/health/live',
        '/openapi.json',
        '/v1/conversations',
        '/v1/conversations/{conversation_id}',
        '/v1/conversations/{conversation_id}/items',
        '/v1/batches',
        '/v1/batches/{batch_id}',
        '/v1/batches/{batch_id}/cancel',
        '/v1/conversations/{conversation_id}/items/{item_id}',
        '/v1/files',
        '/v1/files/{file_id}',
        '/v1/files/{file_id}/content',
        '/v1/models',
        '/v1/models/{model}',
        '/v1/responses',
        '/v1/responses/compact',
        '/v1/responses/input_tokens',
        '/v1/responses/{response_id}',
        '/v1/responses/{response_id}/cancel',
        '/v1/responses/{response_id}/input_items',
      ].sort(),
    );
    expect(operation(publicDocument, 'get', '/health').security).toEqual([]);
    expect(operation(publicDocument, 'get', '/health/live').security).toEqual([]);
    expect(operation(publicDocument, 'get', '/openapi.json').security).toEqual([]);
  });

  it('documents every field the server reads from a create request, our extensions marked', () => {
    const create = operation(publicDocument, 'post', '/v1/responses');
    const documented = documentedProperties(publicDocument, requestSchema(create));
    expect(Object.keys(createResponseSchema.shape).filter((key) => !documented.has(key))).toEqual([]);
    const extensions = (deref<Schema>(publicDocument, requestSchema(create)).allOf as Schema[]).at(-1)!.properties as Record<string, Schema>;
    expect(Object.keys(extensions).sort()).toEqual(['cache_policy', 'reasoning_policy', 'unsupported_tools']);
    for (const field of Object.values(extensions)) expect(field['x-server-extension']).toBe(true);
  });

  it('documents SSE on create and on retrieve, and the x-warnings header', () => {
    const create = operation(publicDocument, 'post', '/v1/responses');
    const ok = create.responses['200'] as { content: Record<string, unknown>; headers: Record<string, unknown> };
    expect(Object.keys(ok.content).sort()).toEqual(['application/json', 'text/event-stream']);
    expect(ok.headers).toHaveProperty('x-warnings');
    const retrieve = operation(publicDocument, 'get', '/v1/responses/{response_id}');
    expect(Object.keys((retrieve.responses['200'] as { content: object }).content).sort()).toEqual(['application/json', 'text/event-stream']);
  });

  it('documents exactly the query parameters the server reads', () => {
    const retrieve = operation(publicDocument, 'get', '/v1/responses/{response_id}');
    expect(parameters(publicDocument, retrieve, 'query').sort()).toEqual(Object.keys(retrieveQuerySchema.shape).sort());
    for (const path of ['/v1/responses/{response_id}/input_items', '/v1/conversations/{conversation_id}/items']) {
      expect(parameters(publicDocument, operation(publicDocument, 'get', path), 'query').sort()).toEqual(Object.keys(listQuerySchema.shape).sort());
    }
  });

  it('documents every field of the conversation requests', () => {
    const cases = [
      [operation(publicDocument, 'post', '/v1/conversations'), createConversationSchema.shape],
      [operation(publicDocument, 'post', '/v1/conversations/{conversation_id}'), updateConversationSchema.shape],
      [operation(publicDocument, 'post', '/v1/conversations/{conversation_id}/items'), createConversationItemsSchema.shape],
    ] as const;
    for (const [op, shape] of cases) {
      const documented = documentedProperties(publicDocument, requestSchema(op));
      expect({ op: op.operationId, missing: Object.keys(shape).filter((key) => !documented.has(key)) }).toEqual({ op: op.operationId, missing: [] });
    }
    // Our update needs any one field, not OpenAI's required metadata.
    expect(deref<Schema>(publicDocument, requestSchema(operation(publicDocument, 'post', '/v1/conversations/{conversation_id}'))).required).toEqual([]);
  });

  it('documents every key of the Response the server sends, and the server sends every key OpenAI requires', () => {
    const sent = toPublicResponse(
      {
        id: 'resp_1',
        status: 'completed',
        model: 'openai/gpt-4o-mini',
        previousResponseId: null,
        conversationId: null,
        settings: {
          instructions: null,
          tools: [],
          tool_choice: 'auto',
          parallel_tool_calls: true,
          max_output_tokens: null,
          max_tool_calls: null,
          temperature: null,
          top_p: null,
          top_logprobs: 0,
          text: { format: { type: 'text' }, verbosity: 'medium' },
          reasoning: { effort: null, summary: null },
          truncation: 'disabled',
          prompt_cache_key: null,
          prompt_cache_retention: null,
          safety_identifier: null,
          service_tier: 'default',
          user: null,
          store: true,
        },
        metadata: {},
        usage: null,
        error: null,
        incompleteDetails: null,
        background: false,
        createdAt: new Date(),
        completedAt: new Date(),
      },
      [],
    );
    const documented = documentedProperties(publicDocument, { $ref: '#/components/schemas/Response' });
    expect(Object.keys(sent).filter((key) => !documented.has(key))).toEqual([]);
    // Every required key is sent; of the optional ones only these are not: output_text is computed by
    // the SDKs, `user` and `prompt_cache_options` are echoed when the client sent them.
    // A key OpenAI's spec adds shows up here when the subset is extracted again.
    const required = (deref<Schema>(publicDocument, { $ref: '#/components/schemas/Response' }).allOf as Schema[]).flatMap(
      (part) => (deref<Schema>(publicDocument, part).required as string[] | undefined) ?? [],
    );
    expect(required.filter((key) => !(key in sent))).toEqual([]);
    expect([...documented].filter((key) => !(key in sent)).sort()).toEqual(['output_text', 'prompt_cache_options', 'user']);
  });

  it('marks every field the server adds with x-server-extension', () => {
    const marked: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) {
        value.forEach((inner, index) => {
          walk(inner, `${path}/${index}`);
        });
        return;
      }
      if (value === null || typeof value !== 'object') return;
      if ((value as Schema)['x-server-extension'] === true) marked.push(path);
      for (const [key, inner] of Object.entries(value)) walk(inner, `${path}/${key}`);
    };
    walk(publicDocument.components.schemas, '#/components/schemas');
    expect(marked.sort()).toEqual(
      [
        '#/components/schemas/ConversationResource/properties/cache_policy',
        '#/components/schemas/ConversationResource/properties/reasoning_policy',
        '#/components/schemas/CreateConversationBody/properties/cache_policy',
        '#/components/schemas/CreateConversationBody/properties/reasoning_policy',
        '#/components/schemas/CreateResponse/allOf/3/properties/cache_policy',
        '#/components/schemas/CreateResponse/allOf/3/properties/reasoning_policy',
        '#/components/schemas/CreateResponse/allOf/3/properties/unsupported_tools',
        '#/components/schemas/Model/properties/catalog',
        '#/components/schemas/Response/allOf/3/properties/frequency_penalty',
        '#/components/schemas/Response/allOf/3/properties/presence_penalty',
        '#/components/schemas/Response/allOf/3/properties/store',
        '#/components/schemas/UpdateConversationBody/properties/cache_policy',
        '#/components/schemas/UpdateConversationBody/properties/reasoning_policy',
      ].sort(),
    );
  });
});

describe('the admin document', () => {
  it('has one operation per route of the table, each with its tag', () => {
    const operations = Object.values(adminDocument.paths).flatMap(operationsOf);
    expect(operations.map((op) => op.operationId).sort()).toEqual(adminRoutes.map((route) => route.operationId).sort());
    const tags = new Set(adminDocument.tags?.map((tag) => tag.name));
    for (const op of operations) expect(tags.has(op.tags![0]!)).toBe(true);
  });

  it('lives under /admin/v1 only', () => {
    expect(Object.keys(adminDocument.paths).filter((path) => !path.startsWith('/admin/v1/'))).toEqual([]);
  });
});
