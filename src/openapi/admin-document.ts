import { z } from 'zod';
import { adminSchemaNames } from './admin-responses.js';
import { type AdminRoute, adminRoutes, adminTags } from './admin-routes.js';
import {
  commonHeaders,
  errorRefs,
  errorResponses,
  errorSchemas,
  pruneComponents,
  serverVersion,
  withRequestId,
  zodComponents,
  zodSchema,
} from './document-tools.js';
import type { OpenApiDocument, Operation, Parameter, PathItem, Schema } from './openapi-types.js';

const pascal = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The admin API's OpenAPI 3.1 document, built from the route table in admin-routes.ts. */
export function buildAdminDocument(version = serverVersion(), routes: AdminRoute[] = adminRoutes): OpenApiDocument {
  // Responses convert as output (what the server sends), bodies as input (what it accepts).
  const outputs = z.registry<{ id: string }>();
  const inputs = z.registry<{ id: string }>();
  for (const [schema, name] of adminSchemaNames) outputs.add(schema, { id: name });
  const componentRef = (registry: typeof outputs, schema: z.ZodType, fallbackName: string) => {
    if (!registry.has(schema)) registry.add(schema, { id: fallbackName });
    return { $ref: `#/components/schemas/${registry.get(schema)!.id}` };
  };

  const paths: Record<string, PathItem> = {};
  for (const route of routes) {
    const name = pascal(route.operationId);
    const operation: Operation = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      parameters: [...pathParameters(route), ...queryParameters(route.query), ...(route.extraParameters ?? [])],
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: componentRef(inputs, route.body, `${name}Request`) } } } }
        : {}),
      responses: {
        [String(route.status ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: componentRef(outputs, route.response, `${name}Response`) } },
        },
        ...errorRefs(['Unauthorized', ...route.errors, 'ServerError']),
      },
    };
    if (operation.parameters!.length === 0) delete operation.parameters;
    withRequestId(operation);
    paths[route.path] ??= {};
    const item = paths[route.path]!;
    const method = route.method.toLowerCase() as Lowercase<AdminRoute['method']>;
    if (item[method]) throw new Error(`two admin routes for ${route.method} ${route.path}`);
    item[method] = operation;
  }

  const inputSchemas = zodComponents(inputs, 'input');
  const outputSchemas = zodComponents(outputs, 'output');
  for (const name of Object.keys(inputSchemas)) if (name in outputSchemas) throw new Error(`admin schema ${name} is both a request and a response`);

  const responses = structuredClone(errorResponses);
  responses.Unauthorized!.description = 'The admin key is missing or wrong, or ADMIN_API_KEY is not set (`type: authentication_error`).';
  responses.NotFound!.description = 'No such object.';
  return pruneComponents({
    openapi: '3.1.0',
    info: {
      title: 'Stateful Responses server: admin API',
      version,
      description: [
        "The operators' API: projects and their keys, webhooks, and reads across every project (responses, conversations, runs, usage).",
        'Every route needs `Authorization: Bearer $ADMIN_API_KEY`; without ADMIN_API_KEY every route answers 401. Errors use the envelope of the public API.',
        'The public API is described at `/openapi.json`.',
      ].join('\n'),
    },
    servers: [{ url: '/' }],
    security: [{ AdminApiKey: [] }],
    tags: adminTags.map((tag) => ({ ...tag })),
    paths,
    components: {
      schemas: { ...inputSchemas, ...outputSchemas, ...errorSchemas() },
      responses,
      headers: { ...commonHeaders },
      securitySchemes: { AdminApiKey: { type: 'http', scheme: 'bearer', description: 'The ADMIN_API_KEY the server was started with.' } },
    },
  });
}

function pathParameters(route: AdminRoute): Parameter[] {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  for (const name of Object.keys(route.params)) if (!names.includes(name)) throw new Error(`${route.operationId}: no {${name}} in ${route.path}`);
  return names.map((name) => {
    const description = route.params[name];
    if (!description) throw new Error(`${route.operationId}: describe the path parameter ${name}`);
    return { name, in: 'path', required: true, description, schema: { type: 'string' } };
  });
}

/** One query parameter per key of the zod object; the key's description becomes the parameter's. */
function queryParameters(query: z.ZodObject | undefined): Parameter[] {
  if (!query) return [];
  const object = zodSchema(query, 'input');
  const properties = (object.properties ?? {}) as Record<string, Schema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema,
    ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
  }));
}
