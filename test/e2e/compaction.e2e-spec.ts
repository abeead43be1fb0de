import OpenAI from 'openai';
import { measureAnthropicPrompt, measureChatPrompt, measureGeminiPrompt } from '../mock-upstream/mock-upstream.js';
import { type Harness, startHarness, writeModelsFile } from './harness.js';

// Models whose name contains `-ctx<N>` have an N-token window at the mock, which refuses longer
// prompts with its vendor's error; the catalog tells the server the same.
const catalog = writeModelsFile([{ match: '*-ctx4000', contextWindow: 4000, defaultMaxOutputTokens: 256, maxOutputTokens: 1024 }]);

const ADMIN_KEY = 'admin-test-key';
let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses', MODELS_FILE: catalog, ADMIN_API_KEY: ADMIN_KEY });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

type Body = any;
/** The wires our own compaction serves (OpenAI's Responses wire compacts natively: see below). */
// `measure` is the mock's own count of a request's input tokens, what its usage reports.
const wires = [
  {
    wire: 'OpenAI Chat Completions',
    model: 'vllm/qwen-ctx4000',
    history: (body: Body) => (body.messages as Body[]).filter((message) => message.role !== 'system'),
    measure: (body: Body) => measureChatPrompt(body).inputTokens,
  },
  {
    wire: 'Anthropic Messages',
    model: 'anthropic/claude-sonnet-4-5-ctx4000',
    history: (body: Body) => body.messages as Body[],
    measure: (body: Body) => measureAnthropicPrompt(body).inputTokens,
  },
  {
    wire: 'Gemini',
    model: 'google/gemini-2.5-flash-ctx4000',
    history: (body: Body) => body.contents as Body[],
    measure: (body: Body) => measureGeminiPrompt(body).inputTokens,
  },
] as const;

/** ~400 tokens on the mock's count (one token per four characters). */
const text = (label: string) => `${label} `.padEnd(1600, 'lorem ipsum ');
const compaction = [{ type: 'compaction' as const, compact_threshold: 1500 }];

const posts = () => harness.upstream.requests.filter((request) => request.method === 'POST');

async function admin(path: string): Promise<Body> {
  const response = await fetch(`${harness.origin}/admin/v1${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return response.json();
}

describe.each(wires)('$wire: our own compaction', ({ model, history, measure }) => {
  it('compacts once the prompt crosses compact_threshold: a summary call, then the answer from the summary; 20 more turns go on', async () => {
    const conversation = await client.conversations.create();
    let compactions = 0;
    for (let turn = 0; turn < 24; turn++) {
      harness.upstream.reset();
      // Short answers (and summaries): the mock's default echo would repeat the summary in every answer.
      harness.upstream.enqueue({ kind: 'text', text: 'Noted, and summarized.' }, { kind: 'text', text: 'Noted.' });
      const response = await client.responses.create({ model, conversation: conversation.id, input: text(`turn ${turn}`), context_management: compaction });
      expect(response.status).toBe('completed');
      const types = response.output.map((item) => item.type);
      if (types[0] === 'compaction') {
        compactions++;
        expect(types).toEqual(['compaction', 'message']);
        const item = response.output[0] as OpenAI.Responses.ResponseCompactionItem;
        expect(item.id).toMatch(/^cmp_/);
        expect(item.encrypted_content).toMatch(/^rse1\./);
        // Two upstream calls: the summary (our instructions, no answer expected), then the turn itself.
        expect(posts()).toHaveLength(2);
        const [summaryCall, answerCall] = posts();
        expect(JSON.stringify(summaryCall!.body)).toContain('You are compacting a conversation');
        const sent = history(answerCall!.body);
        expect(JSON.stringify(sent[0])).toContain('This conversation was compacted');
        expect(JSON.stringify(sent.at(-1))).toContain(`turn ${turn}`);
        const inspected = await admin(`/responses/${response.id}`);
        expect(inspected.context.compaction).toMatchObject({ mode: 'server', threshold: 1500, compacted: true });
        // The summary call is billed with the turn: the response's usage is both calls'.
        expect(response.usage!.input_tokens).toBe(measure(summaryCall!.body) + measure(answerCall!.body));
      } else {
        expect(types).toEqual(['message']);
        expect(posts()).toHaveLength(1);
        // After a compaction every turn renders from the newest summary on.
        if (compactions > 0) expect(JSON.stringify(history(posts()[0]!.body)[0])).toContain('This conversation was compacted');
      }
    }
    // ~400 tokens a turn against a 1,500 threshold: a compaction every few turns, never a failure.
    expect(compactions).toBeGreaterThanOrEqual(4);
    expect(compactions).toBeLessThan(16);
    // The items before each compaction stay stored and listable; they are no longer sent.
    const listed = await client.conversations.items.list(conversation.id, { limit: 100, order: 'asc' });
    expect(listed.data.filter((item) => item.type === 'message' && item.role === 'user')).toHaveLength(24);
    expect(listed.data.filter((item) => item.type === 'compaction')).toHaveLength(compactions);
  });

  it('streams the compaction item first, as output_item.added and .done at output_index 0', async () => {
    const first = await client.responses.create({ model, input: text('one') });
    const second = await client.responses.create({ model, input: text('two'), previous_response_id: first.id });
    const stream = client.responses.stream({ model, input: text('three'), previous_response_id: second.id, context_management: compaction });
    const events: Array<{ type: string; output_index?: number; item?: { type: string } }> = [];
    for await (const event of stream) events.push(event as never);
    const compactionEvents = events.filter((event) => event.item?.type === 'compaction');
    expect(compactionEvents.map((event) => [event.type, event.output_index])).toEqual([
      ['response.output_item.added', 0],
      ['response.output_item.done', 0],
    ]);
    expect(events.findIndex((event) => event.item?.type === 'compaction')).toBeLessThan(events.findIndex((event) => event.item?.type === 'message'));
    const final = await stream.finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['compaction', 'message']);
  });

  it('compaction_trigger compacts now: the output is the compaction item alone, and a store: false client chains from it', async () => {
    const first = await client.responses.create({ model, input: text('remember the word teapot') });
    const compacted = await client.responses.create({ model, input: [{ type: 'compaction_trigger' }], previous_response_id: first.id });
    expect(compacted.output.map((item) => item.type)).toEqual(['compaction']);
    expect(posts().filter((request) => JSON.stringify(request.body).includes('You are compacting'))).toHaveLength(1);

    // Stateless chaining: the item goes back in the input, and the summary (not the old turn) is what the model sees.
    harness.upstream.reset();
    const item = compacted.output[0] as OpenAI.Responses.ResponseCompactionItem;
    const next = await client.responses.create({
      model,
      store: false,
      input: [
        { type: 'compaction', encrypted_content: item.encrypted_content },
        { role: 'user', content: 'What next?' },
      ],
    });
    expect(next.status).toBe('completed');
    const sent = JSON.stringify(history(posts()[0]!.body));
    expect(sent).toContain('This conversation was compacted');
    expect(sent).not.toContain('remember the word teapot');
  });
});

describe('compaction errors', () => {
  it('a compaction_trigger that is not the last input item is a 400', async () => {
    const error = await client.responses
      .create({ model: 'vllm/qwen-ctx4000', input: [{ type: 'compaction_trigger' }, { role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input[0]');
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('a tampered compaction item of ours is a 400 invalid_encrypted_content', async () => {
    const error = await client.responses
      .create({
        model: 'vllm/qwen-ctx4000',
        input: [
          { type: 'compaction', encrypted_content: 'rse1.AAAA' },
          { role: 'user', content: 'hi' },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('invalid_encrypted_content');
  });

  it('context_management entries other than compaction are a 400 naming the param', async () => {
    const error = await client.responses
      .create({ model: 'vllm/qwen-ctx4000', input: 'hi', context_management: [{ type: 'clear_everything' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('context_management[0].type');
  });
});

describe('OpenAI Responses: native compaction', () => {
  const model = 'openai/gpt-4o-mini-ctx4000';

  it('passes context_management to OpenAI, keeps its compaction item verbatim and sends it back; 20 more turns go on', async () => {
    const conversation = await client.conversations.create();
    let compactions = 0;
    let lastCompaction: string | null = null;
    for (let turn = 0; turn < 22; turn++) {
      harness.upstream.reset();
      harness.upstream.enqueue({ kind: 'text', text: 'Noted.' });
      const response = await client.responses.create({ model, conversation: conversation.id, input: text(`turn ${turn}`), context_management: compaction });
      expect(response.status).toBe('completed');
      // One upstream call: OpenAI compacts inside it.
      expect(posts()).toHaveLength(1);
      const sent = posts()[0]!.body;
      expect(sent.context_management).toEqual([{ type: 'compaction', compact_threshold: 1500 }]);
      if (lastCompaction) {
        // Rendered from the newest compaction item on, which OpenAI gets back byte for byte.
        expect(sent.input[0]).toEqual({ type: 'compaction', encrypted_content: lastCompaction });
      }
      const item = response.output.find((candidate) => candidate.type === 'compaction') as OpenAI.Responses.ResponseCompactionItem | undefined;
      if (item) {
        compactions++;
        expect(response.output.map((candidate) => candidate.type)).toEqual(['compaction', 'message']);
        expect(item.encrypted_content).toMatch(/^mockcmp1\./);
        lastCompaction = item.encrypted_content;
      }
    }
    expect(compactions).toBeGreaterThanOrEqual(3);
  });

  it('a turn on another provider after OpenAI compacted: our own compaction summarizes what OpenAI’s item stood for', async () => {
    const conversation = await client.conversations.create();
    let compacted = false;
    for (let turn = 0; turn < 8 && !compacted; turn++) {
      harness.upstream.enqueue({ kind: 'text', text: 'Noted.' });
      const response = await client.responses.create({ model, conversation: conversation.id, input: text(`secret ${turn}`), context_management: compaction });
      compacted = response.output.some((item) => item.type === 'compaction');
    }
    expect(compacted).toBe(true);

    harness.upstream.reset();
    harness.upstream.enqueue({ kind: 'text', text: 'They exchanged secrets.' }, { kind: 'text', text: 'Hello from Claude.' });
    const switched = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5-ctx4000', conversation: conversation.id, input: 'Who are you now?' });
    expect(switched.output.map((item) => item.type)).toEqual(['compaction', 'message']);
    expect(switched.output_text).toBe('Hello from Claude.');
    const [summaryCall, answerCall] = posts();
    // Anthropic never sees OpenAI's opaque item; the summary call reads the turns it stood for.
    expect(JSON.stringify(summaryCall!.body)).toContain('secret 0');
    expect(JSON.stringify(summaryCall!.body)).not.toContain('mockcmp1.');
    expect(JSON.stringify(answerCall!.body.messages)).toContain('They exchanged secrets.');
    expect(JSON.stringify(answerCall!.body.messages)).not.toContain('mockcmp1.');

    // And the conversation goes on, on Anthropic, from our summary.
    harness.upstream.reset();
    const next = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5-ctx4000', conversation: conversation.id, input: 'And now?' });
    expect(next.status).toBe('completed');
    expect(posts()).toHaveLength(1);
    expect(JSON.stringify(posts()[0]!.body.messages[0])).toContain('They exchanged secrets.');
  });
});

describe('Anthropic: native compaction', () => {
  // Anthropic compacts natively from 50,000 tokens on: a model with a window that large.
  const model = 'anthropic/claude-sonnet-4-6-ctx120000';
  const big = (label: string) => `${label} `.padEnd(40_000, 'lorem ipsum '); // ~10,000 tokens

  it('sends the compact_20260112 edit with its beta, keeps the compaction block and sends it back first', async () => {
    const conversation = await client.conversations.create();
    let block: OpenAI.Responses.ResponseCompactionItem | undefined;
    for (let turn = 0; turn < 8 && !block; turn++) {
      harness.upstream.reset();
      harness.upstream.enqueue({ kind: 'text', text: 'Noted.' });
      const response = await client.responses.create({
        model,
        conversation: conversation.id,
        input: big(`chapter ${turn}`),
        context_management: [{ type: 'compaction', compact_threshold: 50_000 }],
      });
      expect(response.status).toBe('completed');
      const sent = posts()[0]!;
      expect(sent.headers['anthropic-beta']).toBe('compact-2026-01-12');
      expect(sent.body.context_management).toEqual({ edits: [{ type: 'compact_20260112', trigger: { type: 'input_tokens', value: 50_000 } }] });
      block = response.output.find((item) => item.type === 'compaction') as typeof block;
      if (block) expect(response.output.map((item) => item.type)).toEqual(['compaction', 'message']);
    }
    expect(block).toBeDefined();
    expect(block!.encrypted_content).toMatch(/^rse1\./);

    harness.upstream.reset();
    const next = await client.responses.create({ model, conversation: conversation.id, input: 'Go on.' });
    expect(next.status).toBe('completed');
    const messages = posts()[0]!.body.messages;
    // A user notice first (Anthropic wants a user message first), then the block as Anthropic wrote it; nothing before it.
    expect(messages[0]).toEqual({ role: 'user', content: [{ type: 'text', text: '(Earlier messages of this conversation are left out here.)' }] });
    expect(messages[1].content[0]).toMatchObject({ type: 'compaction', content: expect.stringMatching(/^Summary of \d+ tokens/) });
    expect(messages).toHaveLength(3);
    expect(messages[2]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Go on.' }] });
    // The block goes back with the compaction strategy it needs.
    expect(posts()[0]!.body.context_management).toEqual({ edits: [{ type: 'compact_20260112' }] });

    // Another provider reads Anthropic's summary text.
    harness.upstream.reset();
    const gemini = await client.responses.create({ model: 'google/gemini-2.5-flash', conversation: conversation.id, input: 'Gemini here?' });
    expect(gemini.status).toBe('completed');
    expect(posts()).toHaveLength(1);
    expect(JSON.stringify(posts()[0]!.body.contents[0])).toContain('This conversation was compacted');
  });

  it('a threshold under Anthropic’s minimum is served by our own compaction', async () => {
    const first = await client.responses.create({ model, input: text('one') });
    harness.upstream.reset();
    const response = await client.responses.create({
      model,
      input: text('two'),
      previous_response_id: first.id,
      context_management: [{ type: 'compaction', compact_threshold: 1000 }],
    });
    expect(response.output.map((item) => item.type)).toEqual(['compaction', 'message']);
    expect(posts()).toHaveLength(2);
    expect(posts()[1]!.body.context_management).toBeUndefined();
  });
});
