/** The parts of OpenAPI 3.1 this server's documents use. Schemas are JSON Schema 2020-12 objects. */

export type Schema = { [key: string]: unknown };

export interface Ref {
  $ref: string;
}

export const httpMethods = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema?: Schema;
  [key: string]: unknown;
}

export interface MediaType {
  schema?: Schema;
  [key: string]: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description?: string; schema?: Schema; [key: string]: unknown }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: Array<Parameter | Ref>;
  requestBody?: { required?: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject | Ref>;
  security?: Array<Record<string, string[]>>;
  [key: `x-${string}`]: unknown;
}

export type PathItem = { parameters?: Array<Parameter | Ref> } & Partial<Record<HttpMethod, Operation>>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string; [key: string]: unknown };
  servers: Array<{ url: string; description?: string }>;
  security?: Array<Record<string, string[]>>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItem>;
  components: {
    schemas?: Record<string, Schema>;
    responses?: Record<string, ResponseObject>;
    securitySchemes?: Record<string, Schema>;
    [kind: string]: Record<string, unknown> | undefined;
  };
  [key: `x-${string}`]: unknown;
}

/** What scripts/extract-openai-spec.mjs extracts from OpenAI's spec: official paths (without /v1) and components. */
export interface OpenAiSpecSubset {
  version: string;
  paths: Record<string, PathItem>;
  components: { schemas?: Record<string, Schema>; responses?: Record<string, ResponseObject>; [kind: string]: Record<string, unknown> | undefined };
}
