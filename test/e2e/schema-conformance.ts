import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

// Everything the server sends an e2e test is checked against the official schemas: OpenAI's spec
// (spec/openai-spec.subset.json) and the Open Responses one (spec/openresponses-spec.json), both
// written by scripts/extract-openai-spec.mjs from ../shared/reference. The harness taps every
// reply (JSON body or SSE stream) and the check runs when it finishes, so a missing key or a wrong
// type fails whichever test received it, whatever client the test used.

type Json = Record<string, any>;

interface SpecDocument {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
}

const readSpec = (file: string): SpecDocument => JSON.parse(readFileSync(join(process.cwd(), 'spec', file), 'utf8')) as SpecDocument;

const OPENAI = 'openai';
const OPEN_RESPONSES = 'openresponses';
const documents: Record<string, SpecDocument> = { [OPENAI]: readSpec('openai-spec.subset.json'), [OPEN_RESPONSES]: readSpec('openresponses-spec.json') };

/**
 * Where the live API and its spec disagree, the live API wins (each is a fact about what OpenAI
 * sends, and what the SDKs read):
 * - `Response.usage` is `null` until a response ends (the spec has no `null`);
 * - `ResponseError.code` is wider than the spec's enum: `context_length_exceeded` in a
 *   `response.failed` is what Codex waits for, and the SDKs type it as a string in practice;
 * - a list page with no items has no first or last id: `first_id` / `last_id` are `null`;
 * - an MCP approval response resource names an undefined `request_id` as required (a defect);
 * - a `json_schema` text format echoes `description: null` when none was given (the Open Responses
 *   schema requires the key).
 */
function patchSpecGaps(schemas: Record<string, Json>): void {
  const orNull = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
  const response = (schemas['Response']!['allOf'] as Json[]).find((part) => part['properties']?.['usage'])!;
  response['properties']['usage'] = orNull(response['properties']['usage']);
  schemas['ResponseErrorCode'] = { type: 'string' };
  for (const list of ['ConversationItemList', 'ResponseItemList', 'ListFilesResponse', 'ListBatchesResponse']) {
    for (const key of ['first_id', 'last_id']) schemas[list]!['properties'][key] = orNull(schemas[list]!['properties'][key]);
  }
  // A batch's times, files and errors are `null` until they happen (OpenAI's own example shows them so).
  const batch = schemas['Batch']!['properties'];
  for (const key of [
    'errors',
    'output_file_id',
    'error_file_id',
    'in_progress_at',
    'finalizing_at',
    'completed_at',
    'failed_at',
    'expired_at',
    'cancelling_at',
    'cancelled_at',
  ])
    batch[key] = orNull(batch[key]);
  const format = schemas['TextResponseFormatJsonSchema']!['properties'];
  format['description'] = orNull(format['description']);
  // A defect: `request_id` is required but is no property of the resource (the id it answers is
  // `approval_request_id`).
  const approval = schemas['MCPApprovalResponseResource']!;
  approval['required'] = (approval['required'] as string[]).filter((key) => key !== 'request_id');
}
patchSpecGaps(documents[OPENAI]!.components.schemas);
// The Open Responses document lost the object branch of a `json_schema` format's `schema` (it
// allows only `null`); the format echoes the schema the client gave.
documents[OPEN_RESPONSES]!.components.schemas['JsonSchemaResponseFormat']!['properties']['schema'] = { anyOf: [{ type: 'object' }, { type: 'null' }] };

// OpenAPI keywords (discriminator, x-*) are not JSON Schema: strict off ignores them; `unixtime`
// and the like are OpenAPI formats, so formats are not checked.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
for (const [id, document] of Object.entries(documents)) ajv.addSchema({ $id: id, components: document.components });

const compiled = new Map<string, ValidateFunction>();
function validatorFor(document: string, schemaRef: string): ValidateFunction {
  const key = `${document}${schemaRef}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: key });
    compiled.set(key, validate);
  }
  return validate;
}

/** `#/components/schemas/X` → the schema object. */
function resolve(document: string, ref: string): Json {
  const name = ref.split('/').at(-1)!;
  return documents[document]!.components.schemas[name]!;
}

/** Each stream event schema of a `oneOf`/`anyOf` of refs, by the event `type` it declares. */
function eventsByType(document: string, union: Json): Map<string, string> {
  const byType = new Map<string, string>();
  for (const member of (union['anyOf'] ?? union['oneOf'] ?? []) as Json[]) {
    const ref = member['$ref'] as string | undefined;
    if (!ref) continue;
    const type = resolve(document, ref)['properties']?.['type'];
    for (const value of [type?.const, ...(type?.enum ?? [])]) if (typeof value === 'string') byType.set(value, ref);
  }
  return byType;
}

function responseSchemas(document: string, path: string, method: string): Json | undefined {
  return documents[document]!.paths[path]?.[method]?.['responses']?.['200']?.['content'];
}

const openAiEvents = eventsByType(OPENAI, resolve(OPENAI, '#/components/schemas/ResponseStreamEvent'));
const openResponsesEvents = eventsByType(OPEN_RESPONSES, responseSchemas(OPEN_RESPONSES, '/responses', 'post')!['text/event-stream']['schema']);

/** `/v1/responses/:id/cancel` and `/responses/{response_id}/cancel` both become `/responses/{}/cancel`. */
const shapeOf = (path: string) => path.replace(/\{[^}]+\}/g, '{}').replace(/:[^/]+/g, '{}');
/** OpenAI's paths by shape; the Open Responses document is checked by what a reply holds (checkReply). */
const openAiPaths = new Map(Object.keys(documents[OPENAI]!.paths).map((path) => [shapeOf(path), path]));

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 6)
    .map(
      (error) =>
        `${error.instancePath || '(root)'} ${error.message}${error.params && 'missingProperty' in error.params ? '' : ` ${JSON.stringify(error.params)}`}`,
    )
    .join('; ');
}

function check(document: string, schemaRef: string, value: unknown, what: string, problems: string[]): void {
  const validate = validatorFor(document, schemaRef);
  if (!validate(value)) problems.push(`${what} does not match ${document} ${schemaRef.split('/').at(-1)}: ${describe(validate.errors)}`);
}

/** The events of an SSE body, parsed from their `data:` lines. */
export function sseEvents(text: string): unknown[] {
  const events: unknown[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '' || data === '[DONE]') continue;
    events.push(JSON.parse(data));
  }
  return events;
}

/** Checks one stream event against both specs; the Open Responses one names fewer events. */
export function checkStreamEvent(event: unknown, problems: string[], where = 'event'): void {
  const type = (event as Json)?.['type'];
  const openAiRef = typeof type === 'string' ? openAiEvents.get(type) : undefined;
  if (!openAiRef) {
    problems.push(`${where}: ${JSON.stringify(type)} is not an event type of the OpenAI spec`);
    return;
  }
  check(OPENAI, openAiRef, event, `${where} ${type}`, problems);
  const openResponsesRef = openResponsesEvents.get(type);
  const fields = event as Json;
  if (!openResponsesRef) return;
  // Items and responses inside events, seen as the Open Responses schema sees them (openResponsesView).
  if (fields['item'] && !openResponsesItems.has(fields['item']['type'])) return;
  check(
    OPEN_RESPONSES,
    openResponsesRef,
    fields['response'] ? { ...fields, response: openResponsesView(fields['response']) } : event,
    `${where} ${type}`,
    problems,
  );
}

/** The `type` values a `oneOf` of refs allows. */
function typesOf(document: string, union: Json): Set<string> {
  return new Set(eventsByType(document, union).keys());
}
const openResponsesTools = typesOf(OPEN_RESPONSES, resolve(OPEN_RESPONSES, '#/components/schemas/Tool'));
const openResponsesItems = typesOf(OPEN_RESPONSES, resolve(OPEN_RESPONSES, '#/components/schemas/ItemField'));
const openResponsesEfforts = new Set<unknown>(resolve(OPEN_RESPONSES, '#/components/schemas/ReasoningEffortEnum')['enum'] ?? []);

/**
 * A Response as the Open Responses schema sees it. That spec names function tools and five item
 * types and lets providers add more; what it does not name (hosted tools and their items, effort
 * `minimal`) is OpenAI's, checked against OpenAI's spec, and left out here.
 */
function openResponsesView(response: Json): Json {
  const reasoning = response['reasoning'] as Json | null | undefined;
  return {
    ...response,
    tools: Array.isArray(response['tools']) ? response['tools'].filter((tool: Json) => openResponsesTools.has(tool?.['type'])) : response['tools'],
    output: Array.isArray(response['output']) ? response['output'].filter((item: Json) => openResponsesItems.has(item?.['type'])) : response['output'],
    reasoning: reasoning && !openResponsesEfforts.has(reasoning['effort']) ? { ...reasoning, effort: null } : reasoning,
    tool_choice: openResponsesToolChoice(response['tool_choice']),
  };
}

/** A choice of a tool Open Responses does not name (a hosted tool, a custom one) is OpenAI's. */
function openResponsesToolChoice(choice: unknown): unknown {
  if (typeof choice !== 'object' || choice === null) return choice;
  const type = (choice as Json)['type'];
  return type === 'function' || type === 'allowed_tools' ? choice : 'auto';
}

function checkOpenResponses(value: unknown, what: string, problems: string[]): void {
  check(OPEN_RESPONSES, '#/components/schemas/ResponseResource', openResponsesView(value as Json), what, problems);
}

/** Checks a Response object against OpenAI's `Response` and Open Responses' `ResponseResource`. */
export function checkResponseObject(value: unknown, problems: string[], where = 'response'): void {
  check(OPENAI, '#/components/schemas/Response', value, where, problems);
  checkOpenResponses(value, where, problems);
}

/** Every error, from any route, is OpenAI's envelope with all four keys. */
const ERROR_ENVELOPE = { type: 'object', required: ['error'], properties: { error: { $ref: 'openai#/components/schemas/Error' } } };
const checkErrorEnvelope = ajv.compile(ERROR_ENVELOPE);

export interface Reply {
  method: string;
  /** The route as registered (`/v1/responses/:id`), or the URL when no route matched. */
  route: string;
  status: number;
  contentType: string;
  body: string;
}

/** What is wrong with one reply, or nothing. Routes outside both specs are checked for errors only. */
export function checkReply(reply: Reply): string[] {
  const problems: string[] = [];
  const what = `${reply.method} ${reply.route} → ${reply.status}`;
  if (reply.body === '' || reply.status === 204 || reply.status === 304) return problems;
  // A stream's headers go out with writeHead, which the tap does not see: its body tells.
  const sse = reply.contentType.startsWith('text/event-stream') || /^(event|data):/.test(reply.body);
  if (reply.status >= 400 && !sse) {
    let body: unknown;
    try {
      body = JSON.parse(reply.body);
    } catch {
      return [`${what}: an error body that is not JSON: ${reply.body.slice(0, 200)}`];
    }
    if (!checkErrorEnvelope(body)) problems.push(`${what}: not OpenAI's error envelope: ${describe(checkErrorEnvelope.errors)}`);
    return problems;
  }
  if (!reply.route.startsWith('/v1/')) return problems;
  const shape = shapeOf(reply.route.slice(3));
  const method = reply.method.toLowerCase();
  if (sse) {
    for (const [index, event] of sseEvents(reply.body).entries()) checkStreamEvent(event, problems, `${what} event ${index}`);
    return problems;
  }
  if (reply.status >= 300) return problems;
  // A file's bytes (GET /v1/files/{id}/content) are whatever was uploaded, not JSON.
  if (reply.route === '/v1/files/:id/content') return problems;
  const body = JSON.parse(reply.body) as Json;
  const path = openAiPaths.get(shape);
  const schema = path ? responseSchemas(OPENAI, path, method)?.['application/json']?.['schema'] : undefined;
  if (schema?.['$ref']) check(OPENAI, schema['$ref'], body, what, problems);
  // The Open Responses document names POST /responses and /responses/compact; its Response shape
  // holds wherever one is returned (a deletion answers `{id, object: "response", deleted}`).
  if (body?.['object'] === 'response' && body['deleted'] === undefined) checkOpenResponses(body, what, problems);
  if (shape === '/responses/compact') check(OPEN_RESPONSES, '#/components/schemas/CompactResource', body, what, problems);
  return problems;
}
