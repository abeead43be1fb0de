import OpenAI from 'openai';
import { buildAdminDocument } from '../../src/openapi/admin-document.js';
import { type AdminRoute, adminRoutes } from '../../src/openapi/admin-routes.js';
import type { OpenApiDocument } from '../../src/openapi/openapi-types.js';
import { buildPublicDocument } from '../../src/openapi/public-document.js';
import { eventually, type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

// The OpenAPI documents (/openapi.json, /admin/v1/openapi.json): served, true to the server's
// routes, and (admin) true to the answers the server gives.

const ADMIN_KEY = 'openapi-e2e-admin-key';
const model = 'vllm/qwen3-8b';
let harness: Harness;

beforeAll(async () => {
  // One failed attempt ends a webhook delivery, so it can be redelivered.
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY, WEBHOOK_MAX_ATTEMPTS: '1', WEBHOOK_POLL_MS: '50', WEBHOOK_TIMEOUT_MS: '2000' });
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

/** Every route the server has, read from its own route tree (one segment per line, 4 columns per level), as `METHOD /path/{}`. */
function serverRoutes(): string[] {
  const routes: string[] = [];
  const tree: string = harness.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const segments: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)(\/\S*|\*) \(([A-Z, ]+)\)/.exec(line);
    if (!match) continue;
    segments.length = Math.floor(match[1]!.length / 4);
    segments.push(match[2]!);
    // A parameter (`:id`), or the rest of the path (`*`, a model id with its slash), is one `{…}`.
    const url = segments
      .join('')
      .replace(/:[^/]+/g, '{}')
      .replace(/\/?\*$/, '/{}');
    for (const method of match[3]!.split(', ')) if (method !== 'HEAD') routes.push(`${method} ${url}`);
  }
  return routes.sort();
}

/** Every operation of a document, as `METHOD /path/{}`. */
function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const)
        .filter((method) => item[method])
        .map((method) => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`),
    )
    .sort();
}

function difference(server: string[], documented: string[]) {
  return { notDocumented: server.filter((route) => !documented.includes(route)), notServed: documented.filter((route) => !server.includes(route)) };
}

describe('serving the documents', () => {
  it('serves the public document at /openapi.json without a key', async () => {
    const response = await rawRequest(harness.origin, '/openapi.json', { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toEqual(buildPublicDocument());
    expect(response.json).toMatchObject({ openapi: '3.1.0', servers: [{ url: '/' }] });
  });

  it('serves the admin document at /admin/v1/openapi.json to the admin key only', async () => {
    for (const authorization of [undefined, `Bearer ${PROJECT_A_KEY}`, 'Bearer wrong']) {
      const refused = await rawRequest(harness.origin, '/admin/v1/openapi.json', { method: 'GET', headers: authorization ? { authorization } : {} });
      expect(refused).toMatchObject({ status: 401, json: { error: { type: 'authentication_error' } } });
    }
    const response = await rawRequest(harness.origin, '/admin/v1/openapi.json', { method: 'GET', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual(buildAdminDocument());
  });
});

describe('the documents list exactly the routes the server has', () => {
  it('public: every route outside /admin', () => {
    const server = serverRoutes().filter((route) => !route.split(' ')[1]!.startsWith('/admin/'));
    expect(server.length).toBeGreaterThanOrEqual(15);
    expect(difference(server, documentedRoutes(buildPublicDocument()))).toEqual({ notDocumented: [], notServed: [] });
  });

  it('admin: every route under /admin (a new admin route needs an entry in src/openapi/admin-routes.ts)', () => {
    const server = serverRoutes().filter((route) => route.split(' ')[1]!.startsWith('/admin/'));
    expect(server.length).toBeGreaterThanOrEqual(10);
    expect(difference(server, documentedRoutes(buildAdminDocument()))).toEqual({ notDocumented: [], notServed: [] });
  });
});

describe('admin answers match the documented schemas', () => {
  const exercised = new Set<string>();

  /** The documented route a call goes to; a literal segment beats a parameter, as in the router. */
  function routeOf(method: string, path: string): AdminRoute {
    const bare = path.split('?')[0]!;
    const params = (route: AdminRoute) => route.path.split('{').length;
    const [route] = adminRoutes
      .filter((candidate) => candidate.method === method && new RegExp(`^${candidate.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare))
      .sort((a, b) => params(a) - params(b));
    if (!route) throw new Error(`no documented route for ${method} ${bare}`);
    return route;
  }

  /** Calls an admin route and checks the answer against the route's documented status and schema. */
  async function call(method: AdminRoute['method'], path: string, body?: unknown): Promise<any> {
    const response = await rawRequest(harness.origin, path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
    const route = routeOf(method, path);
    exercised.add(route.operationId);
    const where = `${method} ${path}`;
    expect({ where, status: response.status, body: response.status >= 300 ? response.json : undefined }).toEqual({
      where,
      status: route.status ?? 200,
      body: undefined,
    });
    const parsed = route.response.safeParse(response.json);
    expect({ where, issues: parsed.error?.issues ?? [] }).toEqual({ where, issues: [] });
    return response.json;
  }

  const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${harness.origin}/v1`, maxRetries: 0 });

  async function untilEnded(client: OpenAI, id: string) {
    return eventually(async () => {
      const response = await client.responses.retrieve(id);
      return ['completed', 'failed', 'incomplete', 'cancelled'].includes(response.status!) ? response : null;
    }, 10_000);
  }

  it('for every route of the table', async () => {
    const project = await call('POST', '/admin/v1/projects', { name: 'OpenAPI check' });
    await call('GET', '/admin/v1/projects?limit=2');
    await call('GET', `/admin/v1/projects/${project.id}`);
    const key = await call('POST', `/admin/v1/projects/${project.id}/api_keys`, { name: 'openapi' });
    await call('GET', `/admin/v1/projects/${project.id}/api_keys`);
    await call('POST', `/admin/v1/projects/${project.id}/limits`, { requests_per_minute: 1_000, budget: { period: 'month', limit_usd: 100 } });
    await call('GET', `/admin/v1/projects/${project.id}/limits`);
    await call('POST', `/admin/v1/projects/${project.id}/api_keys/${key.id}/limits`, { tokens_per_minute: 1_000_000 });
    await call('GET', `/admin/v1/projects/${project.id}/api_keys/${key.id}/limits`);
    const client = sdk(key.value);

    const endpoint = await call('POST', `/admin/v1/projects/${project.id}/webhooks`, { url: 'http://127.0.0.1:9/hook' });
    await call('GET', `/admin/v1/projects/${project.id}/webhooks`);
    await call('GET', `/admin/v1/projects/${project.id}/webhooks/${endpoint.id}`);
    await call('POST', `/admin/v1/projects/${project.id}/webhooks/${endpoint.id}`, { event_types: ['response.completed', 'response.failed'] });
    await call('POST', `/admin/v1/projects/${project.id}/webhooks/${endpoint.id}/rotate_secret`);

    // A conversation with a completed turn, and a background run the upstream refuses.
    const conversation = await client.conversations.create({ metadata: { topic: 'openapi' } });
    const completed = await client.responses.create({ model, input: 'hi', conversation: conversation.id });
    harness.upstream.enqueue({ kind: 'error', status: 400, message: 'upstream refused this one' });
    const queued = await client.responses.create({ model, input: 'will fail', background: true });
    expect((await untilEnded(client, queued.id)).status).toBe('failed');

    await call('GET', `/admin/v1/responses/${completed.id}`);
    await call('GET', `/admin/v1/responses/${queued.id}`);
    await call('GET', `/admin/v1/conversations?project_id=${project.id}&metadata[topic]=openapi`);
    await call('GET', `/admin/v1/conversations/${conversation.id}?items_limit=1`);
    await call('GET', `/admin/v1/runs?project_id=${project.id}&status=failed,cancelled`);
    await call('GET', `/admin/v1/runs/${queued.id}`);
    await call('POST', `/admin/v1/runs/${queued.id}/cancel`);
    const retried = await call('POST', `/admin/v1/runs/${queued.id}/retry`);
    await untilEnded(client, retried.run.id);
    await call('GET', `/admin/v1/usage?start_time=0&project_id=${project.id}`);
    await call('GET', `/admin/v1/usage?start_time=0&group_by=model`);

    // The failed run's webhook: one failed attempt (nothing listens on port 9), then a redelivery.
    const failed = await eventually(async () => {
      const list = await call('GET', `/admin/v1/projects/${project.id}/webhooks/${endpoint.id}/deliveries`);
      return list.data.find((delivery: { event_type: string; status: string }) => delivery.event_type === 'response.failed' && delivery.status === 'failed');
    }, 10_000);
    expect(failed.attempts.length).toBeGreaterThanOrEqual(1);
    await call('GET', `/admin/v1/projects/${project.id}/webhooks/${endpoint.id}/deliveries?event_id=${failed.event_id}`);
    await call('POST', `/admin/v1/projects/${project.id}/webhooks/deliveries/${failed.id}/redeliver`);
    await call('DELETE', `/admin/v1/projects/${project.id}/webhooks/${endpoint.id}`);

    await call('DELETE', `/admin/v1/projects/${project.id}/api_keys/${key.id}`);
    await call('POST', `/admin/v1/projects/${project.id}/disable`);
    await call('POST', `/admin/v1/projects/${project.id}/enable`);
    await call('GET', '/admin/v1/openapi.json');

    // A route added to the table gets a call here.
    expect(adminRoutes.map((route) => route.operationId).filter((id) => !exercised.has(id))).toEqual([]);
  });

  it('errors use the documented envelope', async () => {
    const response = await rawRequest(harness.origin, '/admin/v1/projects/nope', { method: 'GET', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(response.status).toBe(404);
    expect(Object.keys((response.json as { error: object }).error).sort()).toEqual(['code', 'message', 'param', 'type']);
    const documented = buildAdminDocument().paths['/admin/v1/projects/{project_id}']?.get?.responses['404'];
    expect(documented).toEqual({ $ref: '#/components/responses/NotFound' });
  });
});
