import { eventually, type Harness, rawRequest, startHarness } from './harness.js';

// Shutdown as an orchestrator sees it (#20): readiness fails from the moment shutdown starts, while
// the server still finishes what it holds; liveness stays up.

let harness: Harness;
/** The test closes the app itself; afterAll then closes only what is left. */
let closed: Promise<void> | null = null;

beforeAll(async () => {
  harness = await startHarness({ SHUTDOWN_GRACE_MS: '1500' });
});
afterAll(async () => {
  if (closed) await Promise.all([closed, harness.upstream.close()]);
  else await harness?.close();
});

const get = (path: string) => rawRequest(harness.origin, path, { method: 'GET' });

it('answers /health with 503 as soon as shutdown starts, while a background run holds it open; /health/live stays 200', async () => {
  expect(await get('/health')).toMatchObject({ status: 200, json: { status: 'ok' } });
  expect(await get('/health/live')).toMatchObject({ status: 200, json: { status: 'ok' } });
  // A background run that will not finish by itself keeps the server in its grace period.
  harness.upstream.enqueue({ kind: 'hang', afterChunks: 1, text: 'working on it' });
  await harness.client.responses.create({ model: 'openai/gpt-test', input: 'long job', background: true });
  await harness.upstream.waitForRequests(1);

  closed = harness.app.close();
  const draining = await eventually(async () => {
    const response = await get('/health');
    return response.status === 503 ? response : null;
  });
  expect(draining.json).toMatchObject({ error: { type: 'server_error', code: 'draining' } });
  expect((await get('/health/live')).status).toBe(200);
  await closed;
});
