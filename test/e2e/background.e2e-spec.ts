import OpenAI from 'openai';
import { eventually, type Harness, startHarness } from './harness.js';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness();
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const model = 'openai/gpt-test';
const terminal = new Set(['completed', 'failed', 'incomplete', 'cancelled']);

describe('background responses', () => {
  it('answers at once with a queued response that a poll later finds completed', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'done in the background', delayMs: 20 });
    const queued = await client.responses.create({ model, input: 'work', background: true });
    expect(queued).toMatchObject({ status: 'queued', background: true, output: [] });
    const finished = await eventually(async () => {
      const response = await client.responses.retrieve(queued.id);
      return terminal.has(response.status!) ? response : null;
    });
    expect(finished).toMatchObject({ status: 'completed', background: true, output_text: 'done in the background' });
  });

  it('streams live, and a client that left can resume after any sequence number', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'one two three four five six', chunkSize: 4, delayMs: 15 });
    const stream = await client.responses.create({ model, input: 'long', background: true, stream: true });
    const seen: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (seen.length === 5) break; // the client goes away; the run must not
    }
    const id = (seen[0] as OpenAI.Responses.ResponseCreatedEvent).response.id;
    // As OpenAI opens a background stream: created and queued (the response as it was queued), then in progress.
    expect(seen.slice(0, 3).map((event) => [event.type, (event as OpenAI.Responses.ResponseCreatedEvent).response.status])).toEqual([
      ['response.created', 'queued'],
      ['response.queued', 'queued'],
      ['response.in_progress', 'in_progress'],
    ]);
    const cursor = seen.at(-1)!.sequence_number;

    const resumed: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of await client.responses.retrieve(id, { stream: true, starting_after: cursor })) resumed.push(event);
    expect(resumed[0]!.sequence_number).toBe(cursor + 1);
    expect(resumed.map((event) => event.sequence_number)).toEqual(resumed.map((_, index) => cursor + 1 + index));
    expect(resumed.at(-1)!.type).toBe('response.completed');
    const text = [...seen, ...resumed]
      .filter((event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === 'response.output_text.delta')
      .map((event) => event.delta)
      .join('');
    expect(text).toBe('one two three four five six');

    // After the run, the whole stream replays from the stored log, through the SDK's stream helper too.
    const replay = client.responses.stream({ response_id: id, starting_after: cursor });
    const replayed: number[] = [];
    for await (const event of replay) replayed.push(event.sequence_number);
    expect(replayed).toEqual(resumed.map((event) => event.sequence_number));
    expect((await replay.finalResponse()).output_text).toBe('one two three four five six');
  });

  it('cancels a running response: the upstream call is aborted, and cancelling again returns the same response', async () => {
    harness.upstream.enqueue({ kind: 'hang', afterChunks: 2 });
    const queued = await client.responses.create({ model, input: 'slow', background: true });
    await harness.upstream.waitForRequests(1, 5_000);
    const cancelled = await client.responses.cancel(queued.id);
    expect(cancelled).toMatchObject({ id: queued.id, status: 'cancelled', background: true });
    await harness.upstream.waitFor(() => harness.upstream.requests[0]!.aborted, 5_000);
    expect(await client.responses.cancel(queued.id)).toMatchObject({ status: 'cancelled' });
    expect((await client.responses.retrieve(queued.id)).status).toBe('cancelled');
  });

  it('refuses background without store, and re-streaming a response that was not a background one', async () => {
    await expect(client.responses.create({ model, input: 'x', background: true, store: false })).rejects.toMatchObject({ status: 400, param: 'store' });
    const sync = await client.responses.create({ model, input: 'x' });
    await expect(client.responses.cancel(sync.id)).rejects.toMatchObject({ status: 400 });
  });
});
