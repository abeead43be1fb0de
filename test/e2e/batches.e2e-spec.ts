import OpenAI, { toFile } from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
import { eventually, type Harness, startHarness, startWebhookCollector, type WebhookCollector } from './harness.js';

// The Batch API (/v1/batches) through the official SDK, run on our own workers ("fill the valley"):
// upload a JSONL file, create the batch, hear `batch.completed` by webhook, read the output and
// error files; every custom_id once.

const ADMIN_KEY = 'batches-e2e-admin-key';
let harness: Harness;
let receiver: WebhookCollector;
let events: WebhookCollector['events'];

beforeAll(async () => {
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY, BATCH_POLL_MS: '50', BATCH_CONCURRENCY: '8', WEBHOOK_POLL_MS: '20' });
  receiver = await startWebhookCollector();
  events = receiver.events;
  const hook = await fetch(`${harness.origin}/admin/v1/projects/project-a/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, event_types: ['batch.completed', 'batch.cancelled', 'batch.failed'] }),
  });
  expect(hook.status).toBe(201);
});
afterAll(async () => {
  await receiver?.close();
  await harness?.close();
});
beforeEach(() => harness.upstream.reset());

const jsonl = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);
const request = (customId: string, input: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/responses', body: { model: 'openai/gpt-test', input, ...extra } });

async function readJsonl(client: OpenAI, fileId: string): Promise<Array<Record<string, any>>> {
  const text = await (await client.files.content(fileId)).text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('batches on our workers', () => {
  it('runs 1,000 lines, some invalid, and accounts for every custom_id exactly once', async () => {
    const lines: string[] = [];
    const invalid = new Map<number, string>();
    for (let index = 0; index < 1_000; index++) {
      const customId = `request-${index}`;
      if (index % 100 === 7) {
        lines.push('{"custom_id": "broken');
        invalid.set(index + 1, 'invalid_json_line');
      } else if (index % 100 === 42) {
        lines.push(JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: {} }));
        invalid.set(index + 1, 'mismatched_endpoint');
      } else if (index % 100 === 77) {
        // Valid as a line; the request itself is refused (400), as a create would be.
        lines.push(request(customId, 'x', { temperature: 'hot' }));
      } else {
        lines.push(request(customId, `line ${index}`));
      }
    }
    const file = await harness.client.files.create({ file: await toFile(jsonl(lines), 'batch.jsonl'), purpose: 'batch' });
    const batch = await harness.client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/responses',
      completion_window: '24h',
      metadata: { job: 'e2e' },
    });
    expect(batch).toMatchObject({ object: 'batch', status: 'validating', input_file_id: file.id, endpoint: '/v1/responses', metadata: { job: 'e2e' } });

    // Embedded PGlite stores one turn at a time: ~40 s for the 970 lines on a loaded CI runner.
    const event = await eventually(async () => events.find((entry) => entry.data.id === batch.id) ?? null, 240_000);
    expect(event.type).toBe('batch.completed');
    const done = await harness.client.batches.retrieve(batch.id);
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 1_000, completed: 970, failed: 30 } });
    expect(done.in_progress_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();

    const output = await readJsonl(harness.client, done.output_file_id!);
    const errors = await readJsonl(harness.client, done.error_file_id!);
    expect(output).toHaveLength(970);
    expect(errors).toHaveLength(30);
    // Every custom_id once across both files (an unreadable line has none: it is named by its line number).
    const ids = [...output, ...errors].map((line) => line.custom_id ?? `line ${line.error.line}`);
    expect(new Set(ids).size).toBe(1_000);
    const first = output.find((line) => line.custom_id === 'request-0')!;
    expect(first).toMatchObject({
      id: expect.stringMatching(/^batch_req_/),
      response: { status_code: 200, body: { object: 'response', status: 'completed' } },
      error: null,
    });
    expect(first.response.body.output[0].content[0].text).toBe('echo: line 0');
    // Each line is a stored Response.
    const stored = await harness.client.responses.retrieve(first.response.body.id);
    expect(stored.output_text).toBe('echo: line 0');
    const refused = errors.find((line) => line.custom_id === 'request-77')!;
    expect(refused).toMatchObject({ response: { status_code: 400, body: { error: { param: 'temperature' } } }, error: null });
    const broken = errors.find((line) => line.error?.line === 8)!;
    expect(broken).toMatchObject({ custom_id: null, response: null, error: { code: 'invalid_json_line', line: 8 } });
    expect(errors.find((line) => line.custom_id === 'request-42')).toMatchObject({ error: { code: 'mismatched_endpoint', line: 43 } });
    expect(harness.upstream.requests.length).toBe(970);

    const listed = await harness.client.batches.list({ limit: 10 });
    expect(listed.data.map((entry) => entry.id)).toContain(batch.id);
  }, 300_000);

  it('cancels a batch: lines that had not started never run, and it ends cancelled', async () => {
    harness.upstream.enqueue(...Array.from({ length: 8 }, () => ({ kind: 'text' as const, text: 'slow', delayMs: 100 })));
    const lines = Array.from({ length: 200 }, (_, index) => request(`c-${index}`, `c ${index}`));
    const file = await harness.client.files.create({ file: await toFile(jsonl(lines), 'cancel.jsonl'), purpose: 'batch' });
    const batch = await harness.client.batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' });
    await harness.upstream.waitForRequests(1, 10_000);
    const cancelling = await harness.client.batches.cancel(batch.id);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    const event = await eventually(async () => events.find((entry) => entry.data.id === batch.id) ?? null, 30_000);
    expect(event.type).toBe('batch.cancelled');
    const ended = await harness.client.batches.retrieve(batch.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.cancelled_at).not.toBeNull();
    expect(ended.request_counts!.completed).toBeLessThan(200);
    const ran = harness.upstream.requests.length;
    expect(ended.request_counts!.completed).toBe(ran);
  }, 60_000);

  it('takes up the lines of a worker that died without running them twice: an ended Response is the answer, a missing one runs', async () => {
    const lines = Array.from({ length: 3 }, (_, index) => request(`k-${index}`, `k ${index}`));
    const file = await harness.client.files.create({ file: await toFile(jsonl(lines), 'crash.jsonl'), purpose: 'batch' });
    const batch = await harness.client.batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' });
    await eventually(async () => events.find((entry) => entry.data.id === batch.id) ?? null, 30_000);
    expect(harness.upstream.requests).toHaveLength(3);
    // As a worker that died mid-line leaves them: the batch in progress, two lines running with
    // claims that ran out; line 1 had its Response stored as completed, line 2 had not stored one.
    const prisma = harness.app.get(PrismaClient);
    await prisma.$executeRawUnsafe(
      `UPDATE batch_lines SET status = 'running', result = NULL, claimed_until = now() - interval '1 second',
              response_id = CASE WHEN line = 2 THEN 'resp_never_stored' ELSE response_id END
        WHERE batch_id = $1 AND line IN (1, 2)`,
      batch.id,
    );
    await prisma.$executeRawUnsafe(`UPDATE batches SET status = 'in_progress', completed = 1, output_file_id = NULL WHERE id = $1`, batch.id);
    const resumed = await eventually(async () => {
      const current = await harness.client.batches.retrieve(batch.id);
      return current.status === 'completed' && current.output_file_id ? current : null;
    }, 30_000);
    expect(resumed.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    // Only line 2 called the model again.
    expect(harness.upstream.requests).toHaveLength(4);
    const output = await readJsonl(harness.client, resumed.output_file_id!);
    expect(output.map((line) => line.custom_id)).toEqual(['k-0', 'k-1', 'k-2']);
    expect(output.map((line) => line.response.body.output[0].content[0].text)).toEqual(['echo: k 0', 'echo: k 1', 'echo: k 2']);
  }, 60_000);

  it('refuses a batch of an unknown file, a file for another purpose, or another endpoint', async () => {
    const refusal = async (body: Record<string, unknown>) => {
      try {
        await harness.client.batches.create(body as never);
      } catch (error) {
        if (error instanceof OpenAI.APIError) return { status: error.status, param: error.param };
        throw error;
      }
      throw new Error('not refused');
    };
    const notes = await harness.client.files.create({ file: await toFile(Buffer.from('x'), 'notes.txt'), purpose: 'user_data' });
    expect(await refusal({ input_file_id: 'file_nope', endpoint: '/v1/responses', completion_window: '24h' })).toEqual({ status: 400, param: 'input_file_id' });
    expect(await refusal({ input_file_id: notes.id, endpoint: '/v1/responses', completion_window: '24h' })).toEqual({ status: 400, param: 'input_file_id' });
    expect(await refusal({ input_file_id: notes.id, endpoint: '/v1/embeddings', completion_window: '24h' })).toEqual({ status: 400, param: 'endpoint' });
    expect(await refusal({ input_file_id: notes.id, endpoint: '/v1/responses', completion_window: '48h' })).toEqual({
      status: 400,
      param: 'completion_window',
    });
    await expect(harness.clientB.batches.retrieve('batch_nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
