import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { eventually, type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

const ADMIN_KEY = 'admin-test';
const model = 'openai/gpt-test';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The event as the SDK unwrapped it; null when the SDK rejected the signature. */
  event: { id: string; type: string; data: { id?: string } } | null;
  status: number;
}

interface Route {
  secret: string;
  /** The status to answer to the n-th (0-based) verified delivery. */
  statusFor(index: number): number;
}

/** A real webhook receiver: it verifies every delivery with the official SDK, as an app would. */
class Receiver {
  readonly received: Received[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly waiters: Array<{ match: (received: Received) => boolean; resolve: (received: Received) => void }> = [];
  private readonly server: Server;
  origin = '';

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on(
        'end',
        () => void this.handle(request.url ?? '/', request.headers, Buffer.concat(chunks).toString('utf8')).then((status) => response.writeHead(status).end()),
      );
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  route(path: string, route: Route): string {
    this.routes.set(path, route);
    return `${this.origin}${path}`;
  }

  /** Resolves with the first delivery (already received or still to come) that matches. */
  next(match: (received: Received) => boolean): Promise<Received> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(path: string, headers: IncomingHttpHeaders, body: string): Promise<number> {
    const route = this.routes.get(path);
    let event: Received['event'] = null;
    let status = 404;
    if (route) {
      try {
        event = (await new OpenAI({ apiKey: 'x', webhookSecret: route.secret }).webhooks.unwrap(body, headers as Record<string, string>)) as Received['event'];
        status = route.statusFor(this.received.filter((entry) => entry.path === path && entry.event !== null).length);
      } catch (error) {
        if (!(error instanceof OpenAI.InvalidWebhookSignatureError)) throw error;
        status = 400;
      }
    }
    const received: Received = { path, headers, body, event, status };
    this.received.push(received);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(received)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(received);
      }
    }
    return status;
  }
}

interface PublicEndpoint {
  id: string;
  url: string;
  secret?: string;
  event_types: string[];
}

interface PublicDelivery {
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: Array<{ attempt: number; status_code: number | null; latency_ms: number; error: string | null }>;
}

let harness: Harness;
let receiver: Receiver;

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.listen();
  // Five attempts: enough for the flaky receiver below, few enough to see a delivery end failed.
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY, WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_POLL_MS: '20', WEBHOOK_MAX_ATTEMPTS: '5' });
});
afterAll(async () => {
  await harness?.close();
  await receiver?.close();
});
beforeEach(() => harness.upstream.reset());

async function admin(method: string, path: string, body?: unknown) {
  // Not rawRequest: it always sends content-type JSON, which Fastify refuses on a bodiless DELETE.
  const response = await fetch(`${harness.origin}/admin/v1/projects/project-a/webhooks${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as unknown };
}

/** Each test has its own endpoint; disabling it afterwards keeps later runs from reaching it. */
async function withEndpoint(url: string, test: (endpoint: PublicEndpoint) => Promise<void>): Promise<void> {
  const created = await admin('POST', '', { url });
  expect(created.status).toBe(201);
  const endpoint = created.json as PublicEndpoint;
  try {
    await test(endpoint);
  } finally {
    expect((await admin('DELETE', `/${endpoint.id}`)).status).toBe(200);
  }
}

async function runInBackground(text: string): Promise<string> {
  harness.upstream.enqueue({ kind: 'text', text });
  const queued = await harness.client.responses.create({ model, input: 'work', background: true });
  return queued.id;
}

async function deliveries(endpointId: string, query = ''): Promise<PublicDelivery[]> {
  const listed = await admin('GET', `/${endpointId}/deliveries${query}`);
  expect(listed.status).toBe(200);
  return (listed.json as { data: PublicDelivery[] }).data;
}

describe('webhooks', () => {
  it('sends response.completed, signed so that the SDK verifies it, to an endpoint made through the admin API', async () => {
    const created = await admin('POST', '', { url: `${receiver.origin}/unused`, event_types: ['response.failed'] });
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^we_/), secret: expect.stringMatching(/^whsec_/), event_types: ['response.failed'] });
    const unsubscribed = created.json as PublicEndpoint;

    const disabled = (await admin('POST', '', { url: 'http://placeholder.invalid/' })).json as PublicEndpoint;
    await admin('DELETE', `/${disabled.id}`);

    await withEndpoint(`${receiver.origin}/ok`, async (endpoint) => {
      receiver.route('/ok', { secret: endpoint.secret!, statusFor: () => 200 });
      const listed = await admin('GET', '');
      expect((listed.json as { data: PublicEndpoint[] }).data.map((entry) => entry.id)).toContain(endpoint.id);
      expect(listed.text).not.toContain('whsec_');

      const responseId = await runInBackground('done');
      const received = await receiver.next((entry) => entry.path === '/ok' && entry.event?.data.id === responseId);
      expect(received.event).toMatchObject({ object: 'event', id: expect.stringMatching(/^evt_/), type: 'response.completed', data: { id: responseId } });
      expect(received.headers['webhook-id']).toMatch(/^wh_/);
      expect(received.headers['content-type']).toBe('application/json');
      expect((await harness.client.responses.retrieve(responseId)).status).toBe('completed');

      const [delivery] = await eventually(async () => {
        const rows = await deliveries(endpoint.id);
        return rows[0]?.status === 'delivered' ? rows : null;
      });
      expect(delivery).toMatchObject({
        id: received.headers['webhook-id'],
        event_type: 'response.completed',
        attempts: [{ attempt: 1, status_code: 200, error: null }],
      });
    });
    // Only subscribed to response.failed: it got nothing.
    expect(await deliveries(unsubscribed.id)).toEqual([]);
    await admin('DELETE', `/${unsubscribed.id}`);
  });

  it('retries a failing receiver with the same webhook-id until it answers 2xx, and records every attempt', async () => {
    await withEndpoint(`${receiver.origin}/flaky`, async (endpoint) => {
      receiver.route('/flaky', { secret: endpoint.secret!, statusFor: (index) => (index < 3 ? 503 : 200) });
      const responseId = await runInBackground('eventually');
      const accepted = await receiver.next((entry) => entry.path === '/flaky' && entry.status === 200);
      expect(accepted.event).toMatchObject({ type: 'response.completed', data: { id: responseId } });

      const attempts = receiver.received.filter((entry) => entry.path === '/flaky');
      expect(attempts.map((entry) => entry.status)).toEqual([503, 503, 503, 200]);
      expect(new Set(attempts.map((entry) => entry.headers['webhook-id'])).size).toBe(1);
      expect(new Set(attempts.map((entry) => entry.body)).size).toBe(1);

      const [delivery] = await eventually(async () => {
        const rows = await deliveries(endpoint.id);
        return rows[0]?.status === 'delivered' ? rows : null;
      });
      expect(delivery!.id).toBe(accepted.headers['webhook-id']);
      expect(delivery!.attempts.map((attempt) => [attempt.attempt, attempt.status_code])).toEqual([
        [1, 503],
        [2, 503],
        [3, 503],
        [4, 200],
      ]);
      expect(delivery!.attempts[0]!.error).toMatch(/503/);
    });
  });

  it('is rejected by a receiver that holds another secret, and the failed attempts are recorded', async () => {
    await withEndpoint(`${receiver.origin}/stranger`, async (endpoint) => {
      const otherSecret = (await admin('POST', '', { url: 'http://placeholder.invalid/' })).json as PublicEndpoint;
      await admin('DELETE', `/${otherSecret.id}`);
      receiver.route('/stranger', { secret: otherSecret.secret!, statusFor: () => 200 });

      await runInBackground('unverifiable');
      await receiver.next((entry) => entry.path === '/stranger' && receiver.received.filter((other) => other.path === '/stranger').length >= 2);
      expect(receiver.received.filter((entry) => entry.path === '/stranger').every((entry) => entry.event === null && entry.status === 400)).toBe(true);

      const [delivery] = await eventually(async () => {
        const rows = await deliveries(endpoint.id);
        return (rows[0]?.attempts.length ?? 0) >= 2 ? rows : null;
      });
      expect(delivery!.status).not.toBe('delivered');
      expect(delivery!.attempts.slice(0, 2)).toEqual([
        expect.objectContaining({ attempt: 1, status_code: 400, error: expect.stringMatching(/^HTTP 400/) }),
        expect.objectContaining({ attempt: 2, status_code: 400 }),
      ]);
    });
  });

  it('answers 401 on admin routes to a project API key, a wrong admin key and no key, and 400 to a non-http URL', async () => {
    const path = '/admin/v1/projects/project-a/webhooks';
    for (const headers of [{ authorization: `Bearer ${PROJECT_A_KEY}` }, { authorization: 'Bearer admin-tesT' }, {} as Record<string, string>]) {
      const listed = await rawRequest(harness.origin, path, { method: 'GET', headers });
      expect(listed.status).toBe(401);
      expect(listed.json).toEqual({ error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'invalid_api_key' } });
      expect((await rawRequest(harness.origin, path, { headers, body: JSON.stringify({ url: 'http://x/' }) })).status).toBe(401);
    }
    const invalid = await admin('POST', '', { url: 'ftp://example.com/hook' });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: { param: 'url' } });
  });

  it('shows one endpoint, and updates its url and event types; a disabled one cannot be updated', async () => {
    await withEndpoint(`${receiver.origin}/before-move`, async (endpoint) => {
      expect((await admin('GET', `/${endpoint.id}`)).json).toEqual({
        id: endpoint.id,
        object: 'webhook_endpoint',
        project_id: 'project-a',
        url: `${receiver.origin}/before-move`,
        event_types: [
          'response.completed',
          'response.failed',
          'response.cancelled',
          'response.incomplete',
          'project.budget.warning',
          'project.budget.exceeded',
          'batch.completed',
          'batch.failed',
          'batch.cancelled',
          'batch.expired',
        ],
        created_at: expect.any(Number),
        disabled_at: null,
        previous_secret_expires_at: null,
      });

      const moved = await admin('POST', `/${endpoint.id}`, { url: `${receiver.origin}/moved` });
      expect(moved).toMatchObject({ status: 200, json: { id: endpoint.id, url: `${receiver.origin}/moved`, event_types: endpoint.event_types } });
      expect(moved.text).not.toContain('whsec_');
      const narrowed = await admin('POST', `/${endpoint.id}`, { event_types: ['response.failed', 'response.failed'] });
      expect(narrowed.json).toMatchObject({ url: `${receiver.origin}/moved`, event_types: ['response.failed'] });
      expect((await admin('GET', `/${endpoint.id}`)).json).toMatchObject({ url: `${receiver.origin}/moved`, event_types: ['response.failed'] });

      // Now subscribed to response.failed only: a completed run sends nothing, a failed one goes to the new URL.
      receiver.route('/moved', { secret: endpoint.secret!, statusFor: () => 200 });
      const completed = await runInBackground('not announced');
      await eventually(async () => ((await harness.client.responses.retrieve(completed)).status === 'completed' ? true : null));
      harness.upstream.enqueue({ kind: 'error', status: 400 });
      const failed = (await harness.client.responses.create({ model, input: 'fail', background: true })).id;
      const received = await receiver.next((entry) => entry.path === '/moved' && entry.event?.data.id === failed);
      expect(received.event).toMatchObject({ type: 'response.failed' });
      expect(receiver.received.some((entry) => entry.path === '/before-move' || entry.event?.data.id === completed)).toBe(false);

      expect(await admin('POST', `/${endpoint.id}`, {})).toMatchObject({ status: 400 });
      expect(await admin('POST', `/${endpoint.id}`, { url: 'ftp://example.com/' })).toMatchObject({ status: 400, json: { error: { param: 'url' } } });
      expect(await admin('POST', `/${endpoint.id}`, { event_types: ['response.created'] })).toMatchObject({
        status: 400,
        json: { error: { param: 'event_types[0]' } },
      });
    });
    const disabled = (await admin('POST', '', { url: 'http://placeholder.invalid/' })).json as PublicEndpoint;
    await admin('DELETE', `/${disabled.id}`);
    expect(await admin('POST', `/${disabled.id}`, { url: 'http://placeholder.invalid/again' })).toMatchObject({
      status: 400,
      json: { error: { param: 'endpoint_id' } },
    });
    for (const [method, path, body] of [
      ['GET', '/we_unknown'],
      ['POST', '/we_unknown', { url: 'http://x.invalid/' }],
      ['POST', '/we_unknown/rotate_secret', {}],
    ] as const) {
      expect(await admin(method, path, body)).toMatchObject({ status: 404, json: { error: { code: 'not_found', param: 'endpoint_id' } } });
    }
    // Another project's endpoint is not found under this one.
    const other = await fetch(`${harness.origin}/admin/v1/projects/project-b/webhooks/${disabled.id}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(other.status).toBe(404);
    // A project that does not exist has no webhooks to list or add: 404, as its API keys are.
    for (const init of [{}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://x.invalid/' }) }]) {
      const unknown = await fetch(`${harness.origin}/admin/v1/projects/no-such-project/webhooks`, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(init.headers ?? {}) },
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 'not_found', param: 'project_id' } });
    }
  });

  it('rotates the secret: shown once, and deliveries from then on verify with the new secret', async () => {
    await withEndpoint(`${receiver.origin}/rotating`, async (endpoint) => {
      const rotated = await admin('POST', `/${endpoint.id}/rotate_secret`);
      expect(rotated).toMatchObject({ status: 200, json: { id: endpoint.id, object: 'webhook_endpoint', secret: expect.stringMatching(/^whsec_/) } });
      const secret = (rotated.json as PublicEndpoint).secret!;
      expect(secret).not.toBe(endpoint.secret);
      expect((await admin('GET', `/${endpoint.id}`)).text).not.toContain('whsec_');

      receiver.route('/rotating', { secret, statusFor: () => 200 });
      const responseId = await runInBackground('after the rotation');
      const received = await receiver.next((entry) => entry.path === '/rotating');
      expect(received.event).toMatchObject({ type: 'response.completed', data: { id: responseId } });
    });
  });

  it('signs with the previous secret too during the grace period after a rotation', async () => {
    await withEndpoint(`${receiver.origin}/rolling-over`, async (endpoint) => {
      const rotated = (await admin('POST', `/${endpoint.id}/rotate_secret`)).json as PublicEndpoint & { previous_secret_expires_at: number };
      const secret = rotated.secret!;
      // The grace period: 24 hours.
      expect(rotated.previous_secret_expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(24 * 3600 - 60);
      receiver.route('/rolling-over', { secret, statusFor: () => 200 });
      await runInBackground('both verify');
      const received = await receiver.next((entry) => entry.path === '/rolling-over');
      expect(received.event).not.toBeNull();
      expect((received.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      // A receiver that still holds the old secret verifies the same delivery.
      const old = await new OpenAI({ apiKey: 'x', webhookSecret: endpoint.secret! }).webhooks.unwrap(received.body, received.headers as Record<string, string>);
      expect(old).toEqual(received.event);
      // A second rotation drops the first secret: only the last two sign.
      const third = ((await admin('POST', `/${endpoint.id}/rotate_secret`)).json as PublicEndpoint).secret!;
      receiver.route('/rolling-over', { secret: third, statusFor: () => 200 });
      await runInBackground('rotated twice');
      const later = await receiver.next((entry) => entry.path === '/rolling-over' && entry !== received);
      expect(later.event).not.toBeNull();
      await expect(
        new OpenAI({ apiKey: 'x', webhookSecret: endpoint.secret! }).webhooks.unwrap(later.body, later.headers as Record<string, string>),
      ).rejects.toBeInstanceOf(OpenAI.InvalidWebhookSignatureError);
      expect(await new OpenAI({ apiKey: 'x', webhookSecret: secret }).webhooks.unwrap(later.body, later.headers as Record<string, string>)).toEqual(
        later.event,
      );
    });
  });

  it('lists the deliveries of one event, and redelivers one with the same webhook-id and body and a fresh retry budget', async () => {
    await withEndpoint(`${receiver.origin}/redelivered`, async (endpoint) => {
      // 503 to the first five (all of the first sequence), then 200.
      receiver.route('/redelivered', { secret: endpoint.secret!, statusFor: (index) => (index < 5 ? 503 : 200) });
      const first = await runInBackground('first');
      const [failed] = await eventually(async () => {
        const rows = await deliveries(endpoint.id);
        return rows[0]?.status === 'failed' ? rows : null;
      });
      expect(failed!.attempts.map((attempt) => attempt.status_code)).toEqual([503, 503, 503, 503, 503]);
      const second = await runInBackground('second');
      const secondDelivery = await eventually(async () => (await deliveries(endpoint.id)).find((row) => row.status === 'delivered') ?? null);

      // One event's deliveries only.
      const firstEvent = failed!.event_id;
      expect(firstEvent).toMatch(/^evt_/);
      expect((await deliveries(endpoint.id, `?event_id=${firstEvent}`)).map((row) => row.id)).toEqual([failed!.id]);
      expect((await deliveries(endpoint.id, `?event_id=${secondDelivery.event_id}`)).map((row) => row.id)).toEqual([secondDelivery.id]);
      expect(await deliveries(endpoint.id, '?event_id=evt_unknown')).toEqual([]);
      expect((await deliveries(endpoint.id)).map((row) => row.id)).toEqual([secondDelivery.id, failed!.id]);
      expect(receiver.received.filter((entry) => entry.path === '/redelivered' && entry.status === 200).map((entry) => entry.event?.data.id)).toEqual([second]);

      // The failed delivery, again: it is pending at once, and the receiver now accepts it.
      const redelivered = await admin('POST', `/deliveries/${failed!.id}/redeliver`);
      expect(redelivered).toMatchObject({
        status: 200,
        json: { id: failed!.id, object: 'webhook_delivery', event_id: firstEvent, status: 'pending', next_attempt_at: expect.any(Number) },
      });
      const accepted = await receiver.next((entry) => entry.path === '/redelivered' && entry.status === 200 && entry.event?.data.id === first);
      const original = receiver.received.find((entry) => entry.path === '/redelivered' && entry.event?.data.id === first)!;
      expect(accepted.headers['webhook-id']).toBe(failed!.id);
      expect(accepted.body).toBe(original.body);
      const [after] = await eventually(async () => {
        const rows = await deliveries(endpoint.id, `?event_id=${firstEvent}`);
        return rows[0]?.status === 'delivered' ? rows : null;
      });
      // The log goes on across sequences.
      expect(after!.attempts.map((attempt) => [attempt.attempt, attempt.status_code])).toEqual([
        [1, 503],
        [2, 503],
        [3, 503],
        [4, 503],
        [5, 503],
        [6, 200],
      ]);

      // A delivered one can be sent again too (the receiver lost it): the same message once more.
      await admin('POST', `/deliveries/${secondDelivery.id}/redeliver`);
      const again = await receiver.next(
        (entry) =>
          entry.path === '/redelivered' && entry.event?.data.id === second && entry !== receiver.received.find((other) => other.event?.data.id === second),
      );
      expect(again.headers['webhook-id']).toBe(secondDelivery.id);
      await eventually(async () => ((await deliveries(endpoint.id, `?event_id=${secondDelivery.event_id}`))[0]?.attempts.length === 2 ? true : null));
    });
  });

  it('refuses to redeliver a pending delivery (409), one of a disabled endpoint (400), and unknown ones (404)', async () => {
    const created = (await admin('POST', '', { url: `${receiver.origin}/down` })).json as PublicEndpoint;
    receiver.route('/down', { secret: created.secret!, statusFor: () => 503 });
    await runInBackground('to a receiver that is down');
    const [pending] = await eventually(async () => {
      const rows = await deliveries(created.id);
      return rows[0]?.status === 'pending' && rows[0].attempts.length >= 1 ? rows : null;
    });
    expect(await admin('POST', `/deliveries/${pending!.id}/redeliver`)).toMatchObject({ status: 409, json: { error: { param: 'delivery_id' } } });

    await admin('DELETE', `/${created.id}`);
    expect((await deliveries(created.id))[0]!.status).toBe('failed');
    expect(await admin('POST', `/deliveries/${pending!.id}/redeliver`)).toMatchObject({ status: 400, json: { error: { param: 'delivery_id' } } });

    expect(await admin('POST', '/deliveries/wh_unknown/redeliver')).toMatchObject({
      status: 404,
      json: { error: { code: 'not_found', param: 'delivery_id' } },
    });
    // Another project's path does not reach this project's delivery.
    const other = await fetch(`${harness.origin}/admin/v1/projects/project-b/webhooks/deliveries/${pending!.id}/redeliver`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(other.status).toBe(404);
  });
});
