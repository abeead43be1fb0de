import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { openaiSpec } from './openai-spec.js';
import { httpMethods, type OpenApiDocument, type Operation, type PathItem, type ResponseObject, type Schema } from './openapi-types.js';

/** The server's version, from package.json (two levels up from both src/openapi and dist/openapi). */
export function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Every `$ref` string inside a value. */
export function collectRefs(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const inner of value) collectRefs(inner, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') into.add(inner);
      else collectRefs(inner, into);
    }
  }
  return into;
}

/** What a local `$ref` (`#/a/b/c`, JSON-pointer escapes included) points at, or undefined. */
export function resolveRef(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Drops the schemas and responses no path reaches (security schemes stay), after the patches unhooked some. */
export function pruneComponents(document: OpenApiDocument): OpenApiDocument {
  const reached = new Set<string>();
  const pending = [...collectRefs(document.paths)];
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (reached.has(ref)) continue;
    reached.add(ref);
    pending.push(...collectRefs(resolveRef(document, ref)));
  }
  for (const [kind, record] of Object.entries(document.components)) {
    if (kind === 'securitySchemes' || !record) continue;
    for (const name of Object.keys(record)) if (!reached.has(`#/components/${kind}/${name}`)) delete record[name];
    if (Object.keys(record).length === 0) delete document.components[kind];
  }
  return document;
}

export function operationsOf(item: PathItem): Operation[] {
  return httpMethods.flatMap((method) => (item[method] ? [item[method]] : []));
}

/** Headers every answer carries (components/headers). */
export const commonHeaders = {
  RequestId: { description: "The request's id in the server's logs (the official SDK reports it as `requestID`).", schema: { type: 'string' } },
};
const requestIdHeader = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };

/** Adds the `x-request-id` header to every inline answer of an operation. */
export function withRequestId(operation: Operation): void {
  for (const response of Object.values(operation.responses)) {
    if ('$ref' in response) continue;
    response.headers = { ...requestIdHeader, ...response.headers };
  }
}

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };

/**
 * The error answers, all in OpenAI's envelope `{"error":{"message","type","param","code"}}`
 * (src/common/api-error.ts), keyed by the name each document gives them under components/responses.
 */
export const errorResponses: Record<string, ResponseObject> = withHeaders({
  BadRequest: { description: 'The request is invalid; `error.param` names the field (e.g. `input[1].call_id`).', content: errorContent },
  Unauthorized: { description: 'The API key is missing or wrong (`type: authentication_error`, `code: invalid_api_key`).', content: errorContent },
  NotFound: { description: 'No such object in this project (ids of other projects are not found either).', content: errorContent },
  Conflict: { description: 'The request conflicts with the current state of the object.', content: errorContent },
  PayloadTooLarge: { description: "The body is larger than the server's MAX_BODY_BYTES (`code: request_too_large`).", content: errorContent },
  TooManyRequests: {
    description: 'The model vendor rate-limited the request.',
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying, when the vendor said.', schema: { type: 'integer', minimum: 0 } } },
    content: errorContent,
  },
  ServerError: { description: 'The server had an error while processing the request.', content: errorContent },
  BadGateway: { description: "The model vendor failed, or rejected the server's own provider key.", content: errorContent },
  ServiceUnavailable: { description: 'The model vendor is unavailable.', content: errorContent },
});

function withHeaders(responses: Record<string, ResponseObject>): Record<string, ResponseObject> {
  for (const response of Object.values(responses)) response.headers = { ...requestIdHeader, ...response.headers };
  return responses;
}

const statusOf: Record<string, string> = {
  BadRequest: '400',
  Unauthorized: '401',
  NotFound: '404',
  Conflict: '409',
  PayloadTooLarge: '413',
  TooManyRequests: '429',
  ServerError: '500',
  BadGateway: '502',
  ServiceUnavailable: '503',
};

export type ErrorName = keyof typeof errorResponses;

/** `{ '400': {$ref: …/BadRequest}, … }` for the named error answers. */
export function errorRefs(names: ErrorName[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((name) => [statusOf[name]!, ref(name)]));
}

/** OpenAI's `ErrorResponse` and `Error` schemas, which are exactly what ApiError serializes. */
export function errorSchemas(): Record<string, Schema> {
  const schemas = openaiSpec.components.schemas ?? {};
  const envelope = schemas['ErrorResponse'];
  const error = schemas['Error'];
  if (!envelope || !error) throw new Error('spec/openai-spec.subset.json lacks ErrorResponse/Error');
  return structuredClone({ ErrorResponse: envelope, Error: error });
}

/**
 * JSON Schema 2020-12 (which OpenAPI 3.1 uses) of zod schemas registered under component names;
 * references between them become `#/components/schemas/<id>`.
 */
export function zodComponents(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, Schema> {
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, tidy(schema) as Schema]));
}

/** One zod schema as JSON Schema, inline (no component). */
export function zodSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Schema {
  return tidy(z.toJSONSchema(schema, { io, unrepresentable: 'any' })) as Schema;
}

/** Drops `$schema`/`$id` (the document is the context) and the safe-integer bounds zod adds to every `.int()`. */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$schema' || key === '$id') continue;
    if (key === 'minimum' && inner === Number.MIN_SAFE_INTEGER) continue;
    if (key === 'maximum' && inner === Number.MAX_SAFE_INTEGER) continue;
    out[key] = tidy(inner);
  }
  return out;
}
