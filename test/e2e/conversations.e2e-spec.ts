import OpenAI from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
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
const contents = (index: number) => (harness.upstream.requests[index]!.body.messages as Array<{ content: unknown }>).map((message) => message.content);
const user = (text: string) => ({ type: 'message' as const, role: 'user' as const, content: text });
const textOf = (item: OpenAI.Conversations.ConversationItem) => (item as { content: Array<{ text: string }> }).content[0]!.text;

async function listAll(conversationId: string, order: 'asc' | 'desc', limit = 100): Promise<OpenAI.Conversations.ConversationItem[]> {
  const items: OpenAI.Conversations.ConversationItem[] = [];
  for await (const item of client.conversations.items.list(conversationId, { order, limit })) items.push(item);
  return items;
}

describe('/v1/conversations CRUD', () => {
  it('creates, reads, updates and deletes a conversation and its items', async () => {
    const conversation = await client.conversations.create({
      metadata: { topic: 'demo' },
      items: [user('first'), { type: 'message', role: 'assistant', content: 'second' }],
    });
    expect(conversation).toEqual({ id: expect.stringMatching(/^conv_/), object: 'conversation', created_at: expect.any(Number), metadata: { topic: 'demo' } });
    expect(await client.conversations.retrieve(conversation.id)).toEqual(conversation);

    const updated = await client.conversations.update(conversation.id, { metadata: { owner: 'me' } });
    expect(updated.metadata).toEqual({ owner: 'me' }); // replaced, not merged

    const items = await listAll(conversation.id, 'asc');
    expect(items).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'first' }] },
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'second', annotations: [], logprobs: [] }],
      },
    ]);

    const added = await client.conversations.items.create(conversation.id, { items: [user('third')] });
    expect(added).toMatchObject({ object: 'list', has_more: false, data: [{ type: 'message', role: 'user', status: 'completed' }] });
    expect(added.first_id).toBe(added.data[0]!.id);
    expect(await client.conversations.items.retrieve(added.data[0]!.id!, { conversation_id: conversation.id })).toEqual(added.data[0]);

    const afterDelete = await client.conversations.items.delete(items[0]!.id!, { conversation_id: conversation.id });
    expect(afterDelete).toEqual(updated);
    expect((await listAll(conversation.id, 'asc')).map(textOf)).toEqual(['second', 'third']);
    await expect(client.conversations.items.retrieve(items[0]!.id!, { conversation_id: conversation.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    expect(await client.conversations.delete(conversation.id)).toEqual({ id: conversation.id, object: 'conversation.deleted', deleted: true });
    await expect(client.conversations.retrieve(conversation.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.conversations.items.list(conversation.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.create({ model, input: 'x', conversation: conversation.id })).rejects.toMatchObject({ status: 404, param: 'conversation' });
  });

  it('auto-paginates 250 items in both orders', async () => {
    const conversation = await client.conversations.create();
    for (let start = 0; start < 250; start += 20) {
      const batch = Array.from({ length: Math.min(20, 250 - start) }, (_, offset) => user(`item ${start + offset}`));
      await client.conversations.items.create(conversation.id, { items: batch });
    }
    const expected = Array.from({ length: 250 }, (_, index) => `item ${index}`);
    expect((await listAll(conversation.id, 'asc', 100)).map(textOf)).toEqual(expected);
    expect((await listAll(conversation.id, 'desc', 33)).map(textOf)).toEqual([...expected].reverse());
    const firstPage = await client.conversations.items.list(conversation.id, { limit: 20 });
    expect(firstPage.data.map(textOf)).toEqual(expected.slice(-20).reverse()); // default order is desc
    expect(firstPage.has_more).toBe(true);
  });

  it('rejects bad input with the right status and param', async () => {
    const conversation = await client.conversations.create();
    const tooMany = Array.from({ length: 21 }, (_, index) => user(`${index}`));
    await expect(client.conversations.create({ items: tooMany })).rejects.toMatchObject({ status: 400, param: 'items' });
    await expect(client.conversations.items.create(conversation.id, { items: tooMany })).rejects.toMatchObject({ status: 400, param: 'items' });
    await expect(client.conversations.items.create(conversation.id, { items: [{ type: 'function_call_output' } as never] })).rejects.toMatchObject({
      status: 400,
      param: 'items[0].call_id',
    });
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    await expect(client.conversations.create({ metadata })).rejects.toMatchObject({ status: 400, param: 'metadata' });
    await expect(client.conversations.update(conversation.id, { metadata: { ['k'.repeat(65)]: 'v' } })).rejects.toMatchObject({ status: 400 });
    await expect(client.conversations.retrieve('conv_unknown')).rejects.toMatchObject({ status: 404, error: { type: 'invalid_request_error' } });
    await expect(client.conversations.items.delete('msg_unknown', { conversation_id: conversation.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.create({ model, input: 'x', conversation: conversation.id, previous_response_id: 'resp_1' })).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
    });
    // Nothing was added by the failed calls.
    expect(await listAll(conversation.id, 'asc')).toEqual([]);
  });
});

describe('responses with conversation', () => {
  it('runs a 10-turn conversation from its id alone, each turn seeing every earlier item in order', async () => {
    const conversation = await client.conversations.create();
    for (let turn = 1; turn <= 10; turn++) {
      const response = await client.responses.create({
        model,
        input: `turn ${turn}`,
        conversation: turn % 2 === 0 ? { id: conversation.id } : conversation.id,
      });
      expect(response.conversation).toEqual({ id: conversation.id });
      expect((await client.responses.retrieve(response.id)).conversation).toEqual({ id: conversation.id });
    }
    const expected: string[] = [];
    for (let turn = 1; turn < 10; turn++) expected.push(`turn ${turn}`, `echo: turn ${turn}`);
    expect(contents(9)).toEqual([...expected, 'turn 10']);
    expect(await listAll(conversation.id, 'asc').then((items) => items.length)).toBe(20);
  });

  it('uses items added by hand, and leaves deleted items out of later turns', async () => {
    const conversation = await client.conversations.create({ items: [user('hello')] });
    await client.responses.create({ model, input: 'one', conversation: conversation.id });
    const added = await client.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'developer', content: 'be nice' }] });
    await client.responses.create({ model, input: 'two', conversation: conversation.id });
    expect(contents(1)).toEqual(['hello', 'one', 'echo: one', 'be nice', 'two']);

    await client.conversations.items.delete(added.data[0]!.id!, { conversation_id: conversation.id });
    const helloId = (await listAll(conversation.id, 'asc'))[0]!.id!;
    await client.conversations.items.delete(helloId, { conversation_id: conversation.id });
    await client.responses.create({ model, input: 'three', conversation: conversation.id });
    expect(contents(2)).toEqual(['one', 'echo: one', 'two', 'echo: two', 'three']);
    // A deleted item cannot come back by reference either.
    await expect(client.responses.create({ model, input: [{ type: 'item_reference', id: helloId }] })).rejects.toMatchObject({
      status: 400,
      param: 'input[0].id',
    });
  });

  it('keeps a failed or cancelled turn out of the conversation', async () => {
    const conversation = await client.conversations.create({ items: [user('kept')] });
    harness.upstream.enqueue({ kind: 'stream_error', afterChunks: 2 });
    const stream = await client.responses.create({ model, input: 'lost', conversation: conversation.id, stream: true });
    let failed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) if (event.type === 'response.failed') failed = event.response;
    expect(failed?.status).toBe('failed');
    expect((await listAll(conversation.id, 'asc')).map(textOf)).toEqual(['kept']);
    // The failed turn is still inspectable on its own.
    expect((await client.responses.inputItems.list(failed!.id)).data.map((item) => textOf(item as never))).toEqual(['lost']);

    // A client that disconnects mid-stream leaves nothing behind either.
    harness.upstream.enqueue({ kind: 'hang', afterChunks: 2 });
    const controller = new AbortController();
    const abandoned = await client.responses.create({ model, input: 'abandoned', conversation: conversation.id, stream: true }, { signal: controller.signal });
    for await (const event of abandoned) {
      if (event.type === 'response.output_text.delta') controller.abort();
    }
    await harness.upstream.waitFor(() => harness.upstream.requests.at(-1)!.aborted, 5_000);
    const prisma = harness.app.get(PrismaClient);
    await eventually(() => prisma.response.findFirst({ where: { conversationId: conversation.id, status: 'cancelled' } }));
    expect((await listAll(conversation.id, 'asc')).map(textOf)).toEqual(['kept']);
  });

  it('store: false still adds the turn to the conversation, but keeps no response', async () => {
    const conversation = await client.conversations.create();
    const response = await client.responses.create({ model, input: 'quiet', conversation: conversation.id, store: false });
    expect((await listAll(conversation.id, 'asc')).map(textOf)).toEqual(['quiet', 'echo: quiet']);
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('20 turns fired at once lose nothing: each turn appends its input and output contiguously', async () => {
    const conversation = await client.conversations.create({ items: [user('start')] });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => client.responses.create({ model, input: `parallel ${index}`, conversation: conversation.id })),
    );
    const items = await listAll(conversation.id, 'asc');
    expect(items).toHaveLength(1 + 20 * 2);
    expect(textOf(items[0]!)).toBe('start');
    const seen = new Set<string>();
    for (let index = 1; index < items.length; index += 2) {
      const input = textOf(items[index]!);
      const output = items[index + 1]!;
      expect(input).toMatch(/^parallel \d+$/);
      expect(textOf(output)).toBe(`echo: ${input}`);
      const response = responses[Number(input.split(' ')[1])]!;
      expect(output.id).toBe(response.output[0]!.id);
      seen.add(input);
    }
    expect(seen.size).toBe(20);
  });

  it("keeps projects apart: B can neither see nor change A's conversation", async () => {
    const conversation = await client.conversations.create({ metadata: { owner: 'a' }, items: [user('private')] });
    const itemId = (await listAll(conversation.id, 'asc'))[0]!.id!;
    const other = harness.clientB;
    const attempts = [
      other.conversations.retrieve(conversation.id),
      other.conversations.update(conversation.id, { metadata: { owner: 'b' } }),
      other.conversations.items.list(conversation.id),
      other.conversations.items.create(conversation.id, { items: [user('intrusion')] }),
      other.conversations.items.retrieve(itemId, { conversation_id: conversation.id }),
      other.conversations.items.delete(itemId, { conversation_id: conversation.id }),
      other.conversations.delete(conversation.id),
      other.responses.create({ model, input: 'x', conversation: conversation.id }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ status: 404 });
    expect(await client.conversations.retrieve(conversation.id)).toMatchObject({ metadata: { owner: 'a' } });
    expect((await listAll(conversation.id, 'asc')).map(textOf)).toEqual(['private']);
  });
});
