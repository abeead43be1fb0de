// OpenAI Responses' native compaction on the mock, over real HTTP: `context_management` thresholds,
// the compaction item (JSON and streamed), its signed `encrypted_content` and what a forged one gets,
// the pruning before the last compaction item (counts, window), `compaction_trigger`, and
// `POST /v1/responses/compact`. The rules and their sources: openai-compaction.ts.
import { compactionSummaryTokens, defaultCompactThreshold, isMockCompaction, readMockCompaction, startMockUpstream } from './mock-upstream.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

/** The mock's estimate for one prompt unit: its JSON, a token per four characters, rounded up. */
const tokens = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);
/** About `count` tokens of text. */
const filler = (count: number, seed: string): string => `${seed} `.repeat(count * 4).slice(0, count * 4);

const user = (text: string): Json => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const assistant = (text: string): Json => ({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
const trigger = { type: 'compaction_trigger' };

// One long user turn: 1,519 tokens as the mock counts it, so a 1,000-token threshold can sit below it.
const first = user(filler(1500, 'alpha'));
const firstTokens = tokens(first);
const echo = (text: string): string => `echo: ${text}`;
const echoTokens = (text: string): number => Math.ceil(echo(text).length / 4);

const request = (input: unknown, extra: Json = {}): Json => ({ model: 'gpt-5', input, store: false, ...extra });
const compactAbove = (threshold: number): Json => ({ context_management: [{ type: 'compaction', compact_threshold: threshold }] });

async function post(path: string, body: unknown, origin = upstream.origin): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${origin}${path}`, {
    body: JSON.stringify(body),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    method: 'POST',
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function create(body: Json): Promise<Json> {
  const answer = await post('/v1/responses', body);
  expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 200, error: null });
  return answer.body;
}

async function countInput(body: Json): Promise<number> {
  const answer = await post('/v1/responses/input_tokens', body);
  expect(answer.status).toBe(200);
  return answer.body['input_tokens'];
}

/** `event:`/`data:` SSE as parsed data objects. */
async function streamed(body: Json): Promise<Json[]> {
  const response = await fetch(`${upstream.baseUrl}/responses`, {
    body: JSON.stringify({ ...body, stream: true }),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    method: 'POST',
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => JSON.parse(event.slice(event.indexOf('data: ') + 'data: '.length)) as Json);
}

const usage = (input: number, output: number, cached = 0): Json => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: input + output,
});

const refusal = (message: string, param: string | null, code: string | null): Json => ({ error: { message, type: 'invalid_request_error', param, code } });

/** A compacting answer's compaction item, as a client sends it back (created_by would be stripped; there is none). */
async function issuedItem(): Promise<Json> {
  const answer = await create(request([first], compactAbove(firstTokens - 1)));
  return answer['output'][0];
}

it('counts the long turn as the comments say', () => {
  expect(firstTokens).toBe(1519);
  expect(compactionSummaryTokens(firstTokens)).toBe(152);
});

describe('context_management: shape', () => {
  it.each<[string, unknown, Json]>([
    [
      'an object',
      { type: 'compaction' },
      refusal("Invalid type for 'context_management': expected an array of objects, but got an object instead.", 'context_management', 'invalid_type'),
    ],
    [
      'a string',
      'compaction',
      refusal("Invalid type for 'context_management': expected an array of objects, but got a string instead.", 'context_management', 'invalid_type'),
    ],
    [
      'an empty array',
      [],
      refusal(
        "Invalid 'context_management': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'context_management',
        'empty_array',
      ),
    ],
    [
      'a string entry',
      ['compaction'],
      refusal("Invalid type for 'context_management[0]': expected an object, but got a string instead.", 'context_management[0]', 'invalid_type'),
    ],
    [
      'an entry without type',
      [{ compact_threshold: 1000 }],
      refusal("Missing required parameter: 'context_management[0].type'.", 'context_management[0].type', 'missing_required_parameter'),
    ],
    [
      'a type that is no string',
      [{ type: 7 }],
      refusal("Invalid type for 'context_management[0].type': expected a string, but got an integer instead.", 'context_management[0].type', 'invalid_type'),
    ],
    [
      'an unknown key',
      [{ type: 'compaction', foo: 1 }],
      refusal("Unknown parameter: 'context_management[0].foo'.", 'context_management[0].foo', 'unknown_parameter'),
    ],
    [
      'an unknown type',
      [{ type: 'foo' }],
      refusal("Invalid context management type: 'foo'. Currently only 'compaction' is supported.", 'context_management', null),
    ],
    [
      'a threshold below 1000',
      [{ type: 'compaction', compact_threshold: 999 }],
      refusal(
        "Invalid 'context_management[0].compact_threshold': integer below minimum value. Expected a value >= 1000, but got 999 instead.",
        'context_management[0].compact_threshold',
        'integer_below_min_value',
      ),
    ],
    [
      'a decimal threshold in the second entry',
      [{ type: 'compaction' }, { type: 'compaction', compact_threshold: 1500.5 }],
      refusal(
        "Invalid type for 'context_management[1].compact_threshold': expected an integer, but got a decimal number instead.",
        'context_management[1].compact_threshold',
        'invalid_type',
      ),
    ],
    [
      'a string threshold',
      [{ type: 'compaction', compact_threshold: '1000' }],
      refusal(
        "Invalid type for 'context_management[0].compact_threshold': expected an integer, but got a string instead.",
        'context_management[0].compact_threshold',
        'invalid_type',
      ),
    ],
  ])('refuses %s with a 400 naming the path', async (_name, value, expected) => {
    upstream.enqueue({ kind: 'text', text: 'queued' });
    expect(await post('/v1/responses', request('hi', { context_management: value }))).toEqual({ status: 400, body: expected });
    // Refused before a scenario is taken.
    expect(upstream.requests[0]!.scenario).toBeUndefined();
  });

  it.each([[[{ type: 'compaction', compact_threshold: 1000 }]], [[{ type: 'compaction', compact_threshold: null }]], [[{ type: 'compaction' }]], [null]])(
    'accepts %j',
    async (value) => {
      expect((await post('/v1/responses', request('hi', { context_management: value }))).status).toBe(200);
    },
  );
});

describe('context_management: when a create compacts', () => {
  it('does not compact at the threshold: the answer and its usage are as without context_management', async () => {
    const answer = await create(request([first], compactAbove(firstTokens)));
    expect(answer['output'].map((item: Json) => item['type'])).toEqual(['message']);
    expect(answer['usage']).toEqual(usage(1519, echoTokens(first.content[0].text)));
  });

  it('compacts one token above it: the compaction item first, then the reply; the summary counts as output', async () => {
    const answer = await create(request([first], compactAbove(firstTokens - 1)));
    expect(answer['status']).toBe('completed');
    const [compaction, message] = answer['output'];
    expect(compaction).toEqual({ id: 'cmp_mock1', type: 'compaction', encrypted_content: expect.stringMatching(/^mockcmp1\.[\w-]+\.[\w-]+$/) });
    expect(Object.keys(compaction)).toEqual(['id', 'type', 'encrypted_content']);
    expect(message).toMatchObject({
      id: 'msg_mock1_1',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: echo(first.content[0].text) }],
    });
    expect(readMockCompaction(compaction['encrypted_content'])).toEqual({ summarized_tokens: 1519, issued_at_seq: 1 });
    // Input: everything the compaction pass read. Output: the 152-token summary plus the reply.
    expect(answer['usage']).toEqual(usage(1519, 152 + echoTokens(first.content[0].text)));
    // context_management is not echoed on the Response.
    expect(answer).not.toHaveProperty('context_management');
  });

  it('compares instructions and tools too, but summarizes only the input items', async () => {
    const instructions = 'Be brief.';
    const tools = [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }];
    const total = tokens(instructions) + tokens(tools[0]) + firstTokens;
    const below = await create(request([first], { instructions, tools, ...compactAbove(total) }));
    expect(below['output']).toHaveLength(1);
    const above = await create(request([first], { instructions, tools, ...compactAbove(total - 1) }));
    expect(above['usage']['input_tokens']).toBe(total);
    expect(readMockCompaction(above['output'][0]['encrypted_content'])).toEqual({ summarized_tokens: firstTokens, issued_at_seq: 2 });
  });

  it('takes the smallest threshold of several entries', async () => {
    const answer = await create(
      request([first], {
        context_management: [
          { type: 'compaction', compact_threshold: 5000 },
          { type: 'compaction', compact_threshold: 1000 },
        ],
      }),
    );
    expect(answer['output'][0]['type']).toBe('compaction');
  });

  it('defaults an omitted or null threshold to 80% of the window, or 200,000 without one', async () => {
    expect(defaultCompactThreshold(2000)).toBe(1600);
    expect(defaultCompactThreshold(undefined)).toBe(200_000);
    // A 1,600-token window: 1,519 fits, and exceeds its default threshold of 1,280.
    for (const entry of [{ type: 'compaction' }, { type: 'compaction', compact_threshold: null }]) {
      const answer = await create(request([first], { model: 'gpt-5-ctx1600', context_management: [entry] }));
      expect(answer['output'][0]['type']).toBe('compaction');
    }
    // 80% of 1,899 is 1,519 (rounded down): not above it; 80% of 1,898 is 1,518.
    expect((await create(request([first], { model: 'gpt-5-ctx1899', context_management: [{ type: 'compaction' }] })))['output'][0]['type']).toBe('message');
    expect((await create(request([first], { model: 'gpt-5-ctx1898', context_management: [{ type: 'compaction' }] })))['output'][0]['type']).toBe('compaction');
    // No window: 200,000.
    expect((await create(request([first], { context_management: [{ type: 'compaction' }] })))['output'][0]['type']).toBe('message');
  });

  it('refuses a prompt beyond the window before compacting it', async () => {
    const answer = await post('/v1/responses', request([first], { model: 'gpt-5-ctx1518', ...compactAbove(1000) }));
    expect(answer.status).toBe(400);
    expect(answer.body['error']['code']).toBe('context_length_exceeded');
  });

  it('streams the compaction item as output_item.added then output_item.done at output_index 0, before the message', async () => {
    const events = await streamed(request([first], compactAbove(1000)));
    expect(events.slice(0, 5).map((event) => [event['type'], event['sequence_number'], event['output_index']])).toEqual([
      ['response.created', 0, undefined],
      ['response.in_progress', 1, undefined],
      ['response.output_item.added', 2, 0],
      ['response.output_item.done', 3, 0],
      ['response.output_item.added', 4, 1],
    ]);
    expect(events[2]!['item']).toEqual({ id: 'cmp_mock1', type: 'compaction' });
    const done = events[3]!['item'];
    expect(done).toEqual({ id: 'cmp_mock1', type: 'compaction', encrypted_content: expect.any(String) });
    expect(isMockCompaction(done['encrypted_content'])).toBe(true);
    // Nothing else is said about the compaction: every later event belongs to the message.
    expect(events.slice(4, -1).every((event) => event['output_index'] === 1)).toBe(true);
    expect(events[4]!['item']['type']).toBe('message');
    const completed = events.at(-1)!;
    expect(completed['type']).toBe('response.completed');
    expect(completed['response']['output'][0]).toEqual(done);
    expect(completed['response']['usage']).toEqual(usage(1519, 152 + echoTokens(first.content[0].text)));
  });

  it('leads a tool call answer too, and leaves failure scenarios alone', async () => {
    upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'lookup', arguments: '{}' }] }, { kind: 'error', status: 429 });
    const tools = [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }];
    const answer = await create(request([first], { tools, ...compactAbove(1000) }));
    expect(answer['output'].map((item: Json) => item['type'])).toEqual(['compaction', 'function_call']);
    expect((await post('/v1/responses', request([first], compactAbove(1000)))).status).toBe(429);
  });
});

describe('a compaction item sent back', () => {
  const second = user('And now?');
  const reply = assistant(echo(first.content[0].text));

  it('drops every item before it and counts as its summary: /input_tokens and the create agree', async () => {
    const compaction = await issuedItem();
    const pruned = 152 + tokens(reply) + tokens(second);
    expect(pruned).toBe(152 + 1522 + 21);
    expect(await countInput(request([first, compaction, reply, second]))).toBe(pruned);
    // The client may prune them itself: the same count.
    expect(await countInput(request([compaction, reply, second]))).toBe(pruned);
    // Without the compaction item the full history counts.
    expect(await countInput(request([first, reply, second]))).toBe(firstTokens + tokens(reply) + tokens(second));
    const answer = await create(request([first, compaction, reply, second]));
    expect(answer['usage']['input_tokens']).toBe(pruned);
    expect(answer['output'].map((item: Json) => item['type'])).toEqual(['message']);
  });

  it('counts only the last of two compaction items, and summarizes from it', async () => {
    const older = await issuedItem();
    const newer = (await create(request([older, reply, second], compactAbove(1000))))['output'][0];
    // The second pass summarized the pruned input: 152 + 1522 + 21 tokens.
    expect(readMockCompaction(newer['encrypted_content'])).toEqual({ summarized_tokens: 1695, issued_at_seq: 2 });
    expect(await countInput(request([first, older, reply, second, newer, user('Third.')]))).toBe(170 + tokens(user('Third.')));
  });

  it('lets a conversation that outgrew the window fit again', async () => {
    const compaction = await issuedItem();
    const model = 'gpt-5-ctx2000';
    const over = await post('/v1/responses', request([first, reply, second], { model }));
    expect(over).toEqual({
      status: 400,
      body: refusal('Your input exceeds the context window of this model. Please adjust your input and try again.', 'input', 'context_length_exceeded'),
    });
    const fits = await create(request([first, compaction, reply, second], { model }));
    expect(fits['usage']['input_tokens']).toBe(1695);
  });

  it('stays valid after reset() and on another server of the same process', async () => {
    const compaction = await issuedItem();
    upstream.reset();
    expect((await post('/v1/responses', request([compaction, second]))).status).toBe(200);
    const other = await startMockUpstream();
    try {
      expect((await post('/v1/responses', request([compaction, second]), other.origin)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('accepts it with or without its id (the spec makes id optional)', async () => {
    const { id: _id, ...withoutId } = await issuedItem();
    expect((await post('/v1/responses', request([withoutId, second]))).status).toBe(200);
  });

  const unverified = (named: string) =>
    refusal(
      `The encrypted content ${named} could not be verified. Reason: Encrypted content could not be decrypted or parsed.`,
      null,
      'invalid_encrypted_content',
    );

  it.each<[string, (issued: Json) => Json, string]>([
    ['forged, with an id', () => ({ type: 'compaction', id: 'cmp_forged', encrypted_content: 'gAAAAABforgedcontent==' }), 'for item cmp_forged'],
    ['forged, without an id', () => ({ type: 'compaction', encrypted_content: 'gAAAAABforgedcontent==' }), 'gAAA...nt=='],
    [
      'altered by one character',
      (issued) => ({ ...issued, encrypted_content: `${issued['encrypted_content'].slice(0, -1)}${issued['encrypted_content'].endsWith('A') ? 'B' : 'A'}` }),
      'for item cmp_mock1',
    ],
    [
      'with another payload under the signature',
      (issued) => ({ ...issued, encrypted_content: issued['encrypted_content'].replace(/\.[\w-]+\./, '.eyJ4IjoxfQ.') }),
      'for item cmp_mock1',
    ],
  ])('refuses one %s: 400 invalid_encrypted_content, on create and on /input_tokens', async (_name, make, named) => {
    const item = make(await issuedItem());
    expect(await post('/v1/responses', request([item, second]))).toEqual({ status: 400, body: unverified(named) });
    expect(await post('/v1/responses/input_tokens', request([item, second]))).toEqual({ status: 400, body: unverified(named) });
  });

  it('refuses one without encrypted_content', async () => {
    expect(await post('/v1/responses', request([{ type: 'compaction', id: 'cmp_1' }, second]))).toEqual({
      status: 400,
      body: refusal("Missing required parameter: 'input[0].encrypted_content'.", 'input[0].encrypted_content', 'missing_required_parameter'),
    });
  });

  it('isMockCompaction tells issued content from anything else', async () => {
    const issued = (await issuedItem())['encrypted_content'];
    expect(isMockCompaction(issued)).toBe(true);
    expect([isMockCompaction('gAAAAAB'), isMockCompaction(`${issued}x`), isMockCompaction(undefined), isMockCompaction('mockcmp1.e30.AAAA')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('compaction_trigger', () => {
  it('answers exactly one compaction item, completed; the trigger is not counted; the queued answer is not played', async () => {
    upstream.enqueue({ kind: 'text', text: 'not played' });
    const answer = await create(request([first, trigger]));
    expect(answer['status']).toBe('completed');
    expect(answer['output']).toEqual([{ id: 'cmp_mock1', type: 'compaction', encrypted_content: expect.any(String) }]);
    expect(readMockCompaction(answer['output'][0]['encrypted_content'])).toEqual({ summarized_tokens: 1519, issued_at_seq: 1 });
    expect(answer['usage']).toEqual(usage(1519, 152));
    expect(upstream.requests[0]!.scenario).toEqual({ kind: 'text', text: 'not played' });
    expect(await countInput(request([first, trigger]))).toBe(1519);
  });

  it('streams created, in_progress, the item added and done, completed', async () => {
    const events = await streamed(request([first, trigger], { max_output_tokens: 20_000 }));
    expect(events.map((event) => [event['type'], event['output_index']])).toEqual([
      ['response.created', undefined],
      ['response.in_progress', undefined],
      ['response.output_item.added', 0],
      ['response.output_item.done', 0],
      ['response.completed', undefined],
    ]);
    expect(events[4]!['response']['output']).toEqual([events[3]!['item']]);
  });

  it('still plays a failure scenario', async () => {
    upstream.enqueue({ kind: 'error', status: 503 });
    expect((await post('/v1/responses', request([first, trigger]))).status).toBe(503);
  });

  it.each<[string, unknown[], Json, Json]>([
    ['not last', [trigger, first], {}, refusal("The 'compaction_trigger' item must be the final input item.", 'input', null)],
    ['twice', [first, trigger, trigger], {}, refusal("Only one 'compaction_trigger' item may be provided.", 'input', null)],
    [
      'with max_output_tokens below 20,000',
      [first, trigger],
      { max_output_tokens: 19_999 },
      refusal("'compaction_trigger' requires 'max_output_tokens' to be at least 20000 when specified.", 'max_output_tokens', null),
    ],
  ])('refuses a trigger %s', async (_name, input, extra, expected) => {
    expect(await post('/v1/responses', request(input, extra))).toEqual({ status: 400, body: expected });
  });
});

describe('POST /v1/responses/compact', () => {
  const developer = { type: 'message', role: 'developer', content: 'Be brief.' };
  const input = [developer, { role: 'user', content: 'Plan a trip.' }, assistant('Where to?'), first];

  it('answers every user message, then one compaction item; usage reads the input and writes the summary', async () => {
    const answer = await post('/v1/responses/compact', { model: 'gpt-5', input, instructions: 'You are a planner.' });
    expect(answer.status).toBe(200);
    const summarized = tokens(developer) + tokens(input[1]) + tokens(input[2]) + firstTokens;
    expect(answer.body).toEqual({
      id: 'resp_mock000001',
      object: 'response.compaction',
      created_at: expect.any(Number),
      output: [
        { type: 'message', status: 'completed', content: [{ type: 'input_text', text: 'Plan a trip.' }], role: 'user' },
        { type: 'message', status: 'completed', content: first['content'], role: 'user' },
        { id: 'cmp_mock1', type: 'compaction', encrypted_content: expect.any(String) },
      ],
      usage: usage(tokens('You are a planner.') + summarized, compactionSummaryTokens(summarized)),
    });
    expect(readMockCompaction(answer.body['output'][2]['encrypted_content'])).toEqual({ summarized_tokens: summarized, issued_at_seq: 1 });
  });

  it('takes the output back as input: the old compaction prunes, and only the new one is returned', async () => {
    const compacted = (await post('/v1/responses/compact', { model: 'gpt-5', input })).body['output'];
    const next = await post('/v1/responses', request([...compacted, user('Go on.')]));
    expect(next.status).toBe(200);
    const [oldCompaction] = compacted.slice(-1);
    const summaryTokens = compactionSummaryTokens(readMockCompaction(oldCompaction['encrypted_content'])!.summarized_tokens);
    expect(next.body['usage']['input_tokens']).toBe(summaryTokens + tokens(user('Go on.')));

    const again = await post('/v1/responses/compact', { model: 'gpt-5', input: [...compacted, user('Go on.')] });
    expect(again.body['output'].map((item: Json) => item['type'])).toEqual(['message', 'message', 'message', 'compaction']);
    expect(readMockCompaction(again.body['output'][3]['encrypted_content'])!.summarized_tokens).toBe(summaryTokens + tokens(user('Go on.')));
  });

  it('compacts a string input as one user message', async () => {
    const answer = await post('/v1/responses/compact', { model: 'gpt-5', input: 'Hello there.' });
    expect(answer.body['output'][0]).toEqual({ type: 'message', status: 'completed', content: [{ type: 'input_text', text: 'Hello there.' }], role: 'user' });
    expect(answer.body['usage']['input_tokens']).toBe(tokens('Hello there.'));
  });

  it.each<[string, Json, Json]>([
    ['without model', { input }, refusal("Missing required parameter: 'model'.", 'model', 'missing_required_parameter')],
    [
      'with a previous_response_id (nothing is stored upstream)',
      { model: 'gpt-5', previous_response_id: 'resp_123' },
      refusal("Previous response with id 'resp_123' not found.", 'previous_response_id', 'previous_response_not_found'),
    ],
    [
      'with a forged compaction item',
      { model: 'gpt-5', input: [{ type: 'compaction', id: 'cmp_x', encrypted_content: 'forged' }] },
      refusal(
        'The encrypted content for item cmp_x could not be verified. Reason: Encrypted content could not be decrypted or parsed.',
        null,
        'invalid_encrypted_content',
      ),
    ],
    [
      'beyond the window',
      { model: 'gpt-5-ctx100', input },
      refusal('Your input exceeds the context window of this model. Please adjust your input and try again.', 'input', 'context_length_exceeded'),
    ],
  ])('refuses a body %s', async (_name, body, expected) => {
    expect(await post('/v1/responses/compact', body)).toEqual({ status: 400, body: expected });
  });

  it('plays an error scenario', async () => {
    upstream.enqueue({ kind: 'error', status: 429 });
    expect((await post('/v1/responses/compact', { model: 'gpt-5', input })).status).toBe(429);
  });
});
