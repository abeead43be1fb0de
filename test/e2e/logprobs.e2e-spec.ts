import type OpenAI from 'openai';
import { type Harness, startHarness } from './harness.js';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const bytes = (text: string) => Array.from(Buffer.from(text, 'utf8'));
const top = (token: string, logprob: number) => ({ token, logprob, bytes: bytes(token) });

/**
 * The mock's deterministic logprobs (test/mock-upstream/logprobs.ts) for 'Hello world!' in its
 * default pieces of four characters, one token each, with two alternatives: the token itself and
 * ' alt1', one less likely.
 */
const HELLO_LOGPROBS = [
  { ...top('Hell', 0), top_logprobs: [top('Hell', 0), top(' alt1', -1)] },
  { ...top('o wo', -0.1), top_logprobs: [top('o wo', -0.1), top(' alt1', -1.1)] },
  { ...top('rld!', -0.2), top_logprobs: [top('rld!', -0.2), top(' alt1', -1.2)] },
];

const asked = { include: ['message.output_text.logprobs' as const], top_logprobs: 2 };

/** Per wire: the model, and what a request that asks for logprobs must carry upstream. */
const providers = [
  {
    wire: 'OpenAI Responses',
    model: 'openai/gpt-5',
    sent: (body: any) => {
      expect(body.include).toEqual(['reasoning.encrypted_content', 'message.output_text.logprobs']);
      expect(body.top_logprobs).toBe(2);
    },
    notSent: (body: any) => {
      expect(body.include).toEqual(['reasoning.encrypted_content']);
      expect(body).not.toHaveProperty('top_logprobs');
    },
  },
  {
    wire: 'Chat Completions',
    model: 'vllm/qwen3-8b',
    sent: (body: any) => {
      expect(body.logprobs).toBe(true);
      expect(body.top_logprobs).toBe(2);
    },
    notSent: (body: any) => {
      expect(body).not.toHaveProperty('logprobs');
      expect(body).not.toHaveProperty('top_logprobs');
    },
  },
  {
    wire: 'Gemini',
    model: 'google/gemini-2.5-flash',
    sent: (body: any) => {
      expect(body.generationConfig).toMatchObject({ responseLogprobs: true, logprobs: 2 });
    },
    notSent: (body: any) => {
      expect(body.generationConfig ?? {}).not.toHaveProperty('responseLogprobs');
      expect(body.generationConfig ?? {}).not.toHaveProperty('logprobs');
    },
  },
] as const;

/** The output_text part of a Response's only message. */
function outputText(response: OpenAI.Responses.Response) {
  const message = response.output.find((item) => item.type === 'message');
  const part = message?.type === 'message' ? message.content[0] : undefined;
  if (part?.type !== 'output_text') throw new Error(`no output_text part in ${JSON.stringify(response.output)}`);
  return part;
}

async function collect(stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>) {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe.each(providers)('$wire', ({ model, sent, notSent }) => {
  it('returns logprobs in output_text when they are included, and echoes top_logprobs', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const response = await client.responses.create({ model, input: 'hi', ...asked });

    sent(harness.upstream.requests[0]!.body);
    expect(response.output_text).toBe('Hello world!');
    expect(outputText(response).logprobs).toEqual(HELLO_LOGPROBS);
    expect(response.top_logprobs).toBe(2);
    // Stored with the item, as OpenAI keeps them.
    const stored = await client.responses.retrieve(response.id);
    expect(outputText(stored).logprobs).toEqual(HELLO_LOGPROBS);
  });

  it('streams each delta with the logprobs of its tokens, and all of them on .done', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const events = await collect(await client.responses.create({ model, input: 'hi', stream: true, ...asked }));

    sent(harness.upstream.requests[0]!.body);
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.map((event) => event.delta).join('')).toBe('Hello world!');
    for (const delta of deltas) expect(delta.logprobs.map((entry) => entry.token).join('')).toBe(delta.delta);
    expect(deltas.flatMap((event) => event.logprobs)).toEqual(HELLO_LOGPROBS);
    const done = events.find((event) => event.type === 'response.output_text.done');
    expect(done?.type === 'response.output_text.done' && done.logprobs).toEqual(HELLO_LOGPROBS);
    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error(`ended with ${completed?.type}`);
    expect(outputText(completed.response).logprobs).toEqual(HELLO_LOGPROBS);
    expect(completed.response.top_logprobs).toBe(2);
  });

  it('asks for nothing without the include: top_logprobs alone is echoed, and the lists stay empty', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const response = await client.responses.create({ model, input: 'hi', top_logprobs: 3 });

    notSent(harness.upstream.requests[0]!.body);
    expect(outputText(response).logprobs).toEqual([]);
    expect(response.top_logprobs).toBe(3);
  });
});

describe('Anthropic Messages (no log probabilities)', () => {
  const model = 'anthropic/claude-sonnet-4-5';

  it('sends nothing, echoes top_logprobs 0 and leaves output_text.logprobs empty', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const response = await client.responses.create({ model, input: 'hi', ...asked });

    expect(harness.upstream.requests[0]!.rawBody).not.toMatch(/logprob/i);
    expect(response.output_text).toBe('Hello world!');
    expect(outputText(response).logprobs).toEqual([]);
    expect(response.top_logprobs).toBe(0);
  });

  it('streams deltas with empty logprobs and a response that echoes top_logprobs 0', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const events = await collect(await client.responses.create({ model, input: 'hi', stream: true, ...asked }));

    expect(harness.upstream.requests[0]!.rawBody).not.toMatch(/logprob/i);
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((event) => event.logprobs.length === 0)).toBe(true);
    const created = events[0];
    expect(created?.type === 'response.created' && created.response.top_logprobs).toBe(0);
    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error(`ended with ${completed?.type}`);
    expect(outputText(completed.response).logprobs).toEqual([]);
    expect(completed.response.top_logprobs).toBe(0);
  });
});
