import type OpenAI from 'openai';
import { type Harness, rawRequest, startHarness } from './harness.js';

// Exact cost_usd and cache_saved_usd of a scripted session per provider. Each upstream answer is
// written out as the vendor sends it (raw SSE), so its usage is known to the token; every expected
// value is worked out by hand below from the vendors' published prices (the sources are in
// config/models.json, checked 2026-12-07).

const ADMIN_KEY = 'costs-e2e-admin-key';
let harness: Harness;

beforeAll(async () => {
  // The server's own compaction summarizes with a cheaper model than the conversation's.
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY, OPENAI_WIRE_API: 'responses', COMPACTION_MODEL: 'google/gemini-2.5-flash' });
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

async function admin(path: string) {
  const response = await rawRequest(harness.origin, path, { method: 'GET', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return response.json as any;
}

/** Streams a create and returns the final Response. */
async function create(body: OpenAI.Responses.ResponseCreateParamsStreaming): Promise<OpenAI.Responses.Response> {
  const stream = await harness.client.responses.create(body);
  let final: OpenAI.Responses.Response | null = null;
  for await (const event of stream) if (event.type === 'response.completed') final = event.response;
  expect(final).not.toBeNull();
  return final!;
}

async function costsOf(
  conversation: string,
): Promise<{ each: Array<{ cost_usd: number; cache_saved_usd: number }>; totals: { cost_usd: number; cache_saved_usd: number } }> {
  const json = await admin(`/admin/v1/conversations/${conversation}`);
  return {
    each: json.responses.map(({ cost_usd, cache_saved_usd }: { cost_usd: number; cache_saved_usd: number }) => ({ cost_usd, cache_saved_usd })),
    totals: json.totals,
  };
}

const anthropicFrame = (payload: Record<string, unknown>) => `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}`;

/** An Anthropic answer with the given usage: `message_start` carries the input side, `message_delta` the output and server tools. */
function anthropicAnswer(text: string, start: Record<string, unknown>, delta: Record<string, unknown>): string[] {
  return [
    anthropicFrame({
      type: 'message_start',
      message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: start },
    }),
    anthropicFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    anthropicFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    anthropicFrame({ type: 'content_block_stop', index: 0 }),
    anthropicFrame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: delta }),
    anthropicFrame({ type: 'message_stop' }),
  ];
}

/** An OpenAI Responses answer: a message (after `searches` web searches), the usage, and the tier that served it. */
function openaiAnswer(text: string, usage: Record<string, unknown>, serviceTier: string, searches = 0): string[] {
  const search = (index: number) => ({ id: `ws_${index}`, type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'prices' } });
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
  const output = [...Array.from({ length: searches }, (_, index) => search(index)), message];
  const response = (status: string, items: unknown[]) => ({
    id: 'resp_up',
    object: 'response',
    model: 'gpt-5',
    status,
    output: items,
    service_tier: serviceTier,
  });
  const events: Array<Record<string, unknown>> = [
    { type: 'response.created', response: response('in_progress', []) },
    ...output.map((item, index) => ({ type: 'response.output_item.done', output_index: index, item })),
    { type: 'response.completed', response: { ...response('completed', output), usage } },
  ];
  return events.map((event, index) => `event: ${event['type']}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}`);
}

/** A Gemini answer in one chunk, with its usage metadata. */
function geminiAnswer(text: string, usageMetadata: Record<string, unknown>, modelVersion: string): string[] {
  return [JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion })];
}

describe('Anthropic (claude-sonnet-4-5: $3 input, $3.75 5m writes, $6 1h writes, $0.30 reads, $15 output; above 200K input $6 / $7.50 / $12 / $0.60 / $22.50; web search $10 per 1,000)', () => {
  it('prices each write by its TTL, reads, searches and the long-context tier, per response and in the totals', async () => {
    const conversation = await harness.client.conversations.create();
    const model = 'anthropic/claude-sonnet-4-5';
    harness.upstream.enqueue(
      {
        kind: 'raw_sse',
        lines: anthropicAnswer(
          'first',
          {
            input_tokens: 12,
            cache_creation_input_tokens: 5_000,
            cache_read_input_tokens: 0,
            cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 4_000 },
            output_tokens: 1,
          },
          { output_tokens: 200 },
        ),
      },
      {
        kind: 'raw_sse',
        lines: anthropicAnswer(
          'second',
          {
            input_tokens: 20,
            cache_creation_input_tokens: 300,
            cache_read_input_tokens: 5_000,
            cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 0 },
            output_tokens: 1,
          },
          { output_tokens: 150, server_tool_use: { web_search_requests: 2 } },
        ),
      },
      {
        kind: 'raw_sse',
        lines: anthropicAnswer(
          'third',
          { input_tokens: 1_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 205_000, output_tokens: 1 },
          { output_tokens: 1_000 },
        ),
      },
    );
    for (const input of ['one', 'two', 'three']) await create({ model, conversation: conversation.id, input, stream: true });

    const { each, totals } = await costsOf(conversation.id);
    // 1: 12 x $3 = 36; 1,000 x $3.75 = 3,750; 4,000 x $6 = 24,000; 200 x $15 = 3,000 → $0.030786.
    //    Uncached: 5,012 x $3 + 3,000 = 18,036 → saved 18,036 - 30,786 = -$0.01275 (a first turn pays to write).
    expect(each[0]!.cost_usd).toBeCloseTo(0.030786, 12);
    expect(each[0]!.cache_saved_usd).toBeCloseTo(-0.01275, 12);
    // 2: 20 x $3 = 60; 5,000 x $0.30 = 1,500; 300 x $3.75 = 1,125; 150 x $15 = 2,250 → 4,935 µ$, plus 2 searches x $0.01.
    //    Uncached: 5,320 x $3 + 2,250 = 18,210 → saved 13,275 µ$.
    expect(each[1]!.cost_usd).toBeCloseTo(0.024935, 12);
    expect(each[1]!.cache_saved_usd).toBeCloseTo(0.013275, 12);
    // 3: 206,000 input > 200K: 1,000 x $6 = 6,000; 205,000 x $0.60 = 123,000; 1,000 x $22.50 = 22,500 → $0.1515.
    //    Uncached: 206,000 x $6 + 22,500 = 1,258,500 → saved $1.107.
    expect(each[2]!.cost_usd).toBeCloseTo(0.1515, 12);
    expect(each[2]!.cache_saved_usd).toBeCloseTo(1.107, 12);
    expect(totals.cost_usd).toBeCloseTo(0.030786 + 0.024935 + 0.1515, 12);
    expect(totals.cache_saved_usd).toBeCloseTo(-0.01275 + 0.013275 + 1.107, 12);
  });
});

describe('OpenAI (gpt-5: $1.25 input, $0.125 cached, $10 output; Priority $2.50 / $0.25 / $20; Flex half; web search $10 per 1,000)', () => {
  it('prices the tier that served each turn, the cached input, the reasoning (as output) and the searches', async () => {
    const conversation = await harness.client.conversations.create();
    const model = 'openai/gpt-5';
    const usage = (input: number, cached: number, output: number, reasoning: number) => ({
      input_tokens: input,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: reasoning },
      total_tokens: input + output,
    });
    harness.upstream.enqueue(
      { kind: 'raw_sse', lines: openaiAnswer('fast', usage(10_000, 6_000, 2_000, 1_500), 'priority', 1) },
      { kind: 'raw_sse', lines: openaiAnswer('cheap', usage(12_000, 10_000, 500, 0), 'flex') },
    );
    const first = await create({ model, conversation: conversation.id, input: 'one', service_tier: 'priority', stream: true });
    const second = await create({ model, conversation: conversation.id, input: 'two', service_tier: 'flex', stream: true });
    expect([first.service_tier, second.service_tier]).toEqual(['priority', 'flex']);

    const { each, totals } = await costsOf(conversation.id);
    // 1 (Priority): 4,000 x $2.50 = 10,000; 6,000 x $0.25 = 1,500; 2,000 x $20 = 40,000 → $0.0515, plus 1 search x $0.01.
    //   Saved: 6,000 x ($2.50 - $0.25) = $0.0135.
    expect(each[0]!.cost_usd).toBeCloseTo(0.0615, 12);
    expect(each[0]!.cache_saved_usd).toBeCloseTo(0.0135, 12);
    // 2 (Flex, half of Standard): (2,000 x $1.25 + 10,000 x $0.125 + 500 x $10) / 2 = (2,500 + 1,250 + 5,000) / 2 → $0.004375.
    //   Saved: 10,000 x ($1.25 - $0.125) / 2 = $0.005625.
    expect(each[1]!.cost_usd).toBeCloseTo(0.004375, 12);
    expect(each[1]!.cache_saved_usd).toBeCloseTo(0.005625, 12);
    expect(totals.cost_usd).toBeCloseTo(0.065875, 12);
    expect(totals.cache_saved_usd).toBeCloseTo(0.019125, 12);
  });
});

describe('Gemini (2.5 Pro: $1.25 input, $0.125 cache reads, $10 output; above 200K $2.50 / $0.25 / $15; thinking billed as output)', () => {
  it('prices the long-context tier, cache reads and thinking; the server’s compaction call at its own model’s prices (2.5 Flash: $0.30 / $2.50); and the project’s totals', async () => {
    const model = 'google/gemini-2.5-pro';
    const since = Math.floor(Date.now() / 1000) - 1;
    harness.upstream.enqueue(
      {
        kind: 'raw_sse',
        lines: geminiAnswer(
          'long',
          { promptTokenCount: 250_000, cachedContentTokenCount: 200_000, candidatesTokenCount: 3_000, thoughtsTokenCount: 2_000 },
          'gemini-2.5-pro',
        ),
      },
      { kind: 'raw_sse', lines: geminiAnswer('short', { promptTokenCount: 1_000, candidatesTokenCount: 100 }, 'gemini-2.5-pro') },
      // The compaction call, which COMPACTION_MODEL sends to gemini-2.5-flash.
      { kind: 'raw_sse', lines: geminiAnswer('Summary: two questions, answered.', { promptTokenCount: 8_000, candidatesTokenCount: 400 }, 'gemini-2.5-flash') },
    );
    const first = await create({ model, input: 'one', stream: true });
    const second = await create({ model, input: 'two', previous_response_id: first.id, stream: true });
    const compacted = await create({ model, input: [{ type: 'compaction_trigger' } as never], previous_response_id: second.id, stream: true });
    expect(compacted.output.map((item) => item.type)).toEqual(['compaction']);
    expect(harness.upstream.requests[2]!.path).toContain('gemini-2.5-flash');

    const cost = async (id: string) => {
      const inspected = await admin(`/admin/v1/responses/${id}`);
      return { cost_usd: inspected.cost_usd, cache_saved_usd: inspected.cache.saved_usd };
    };
    // 1: 250,000 > 200K: 50,000 x $2.50 = 125,000; 200,000 x $0.25 = 50,000; (3,000 + 2,000 thinking) x $15 = 75,000 → $0.25.
    //    Saved: 200,000 x ($2.50 - $0.25) = $0.45.
    const one = await cost(first.id);
    expect(one.cost_usd).toBeCloseTo(0.25, 12);
    expect(one.cache_saved_usd).toBeCloseTo(0.45, 12);
    // 2: 1,000 x $1.25 = 1,250; 100 x $10 = 1,000 → $0.00225; nothing cached.
    const two = await cost(second.id);
    expect(two.cost_usd).toBeCloseTo(0.00225, 12);
    expect(two.cache_saved_usd).toBeCloseTo(0, 12);
    // 3, the compaction call alone, at 2.5 Flash's prices: 8,000 x $0.30 = 2,400; 400 x $2.50 = 1,000 → $0.0034
    // (at 2.5 Pro's it would be $0.014).
    const three = await cost(compacted.id);
    expect(three.cost_usd).toBeCloseTo(0.0034, 12);
    expect(three.cache_saved_usd).toBeCloseTo(0, 12);

    // The project's report sums them under the conversation's model.
    const report = await admin(`/admin/v1/usage?start_time=${since}&end_time=${Math.floor(Date.now() / 1000) + 1}&project_id=project-a&group_by=model`);
    const row = report.data.find((entry: { model: string }) => entry.model === model);
    expect(row.cost_usd).toBeCloseTo(0.25 + 0.00225 + 0.0034, 12);
    expect(row.cache_saved_usd).toBeCloseTo(0.45, 12);
  });
});
