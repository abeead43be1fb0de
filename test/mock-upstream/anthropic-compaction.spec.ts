// Anthropic's server-side compaction on the mock (beta `compact-2026-01-12`), over real HTTP: the beta
// header and the edit's checks, when a request compacts, the compaction block (JSON and streamed),
// `pause_after_compaction`, `usage.iterations`, and the pruning before the last compaction block
// (counts, count_tokens, window). The rules and their sources: anthropic-compaction.ts.
import {
  compactionNeedsStrategyMessage,
  emptyCompactionMessage,
  extraContextManagementMessage,
  measureAnthropicPrompt,
  triggerBelowMinimumMessage,
} from './mock-upstream.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

/** The mock's estimate for one prompt unit: its JSON, a token per four characters, rounded up. */
const tokens = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);
const textTokens = (text: string): number => Math.ceil(text.length / 4);
/** About `count` tokens of text. */
const filler = (count: number, seed: string): string => `${seed} `.repeat(count * 4).slice(0, count * 4);

const version = { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' };
const beta = { ...version, 'anthropic-beta': 'interleaved-thinking-2025-05-14,compact-2026-01-12' };

// A 60,007-token user turn after a 9-token system prompt: 60,016 input tokens.
const big = filler(60_000, 'alpha');
const system = 'Be brief.';
const systemTokens = tokens({ type: 'text', text: system });
const bigTokens = tokens({ type: 'text', text: big });
const promptTokens = systemTokens + bigTokens;
const summary = `Summary of ${bigTokens} tokens: ${big.slice(0, 200)}…`;
const summaryTokens = textTokens(summary);

const compact = (edit: Json = {}): Json => ({ context_management: { edits: [{ type: 'compact_20260112', ...edit }] } });
const above = (edit: Json = {}): Json => compact({ trigger: { type: 'input_tokens', value: promptTokens - 1 }, ...edit });
const request = (messages: unknown[], extra: Json = {}): Json => ({ model: 'claude-sonnet-4-6', max_tokens: 1024, system, messages, ...extra });
const opening = [{ role: 'user', content: big }];

async function post(path: string, body: unknown, headers: Record<string, string> = beta): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${upstream.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function create(body: Json, headers: Record<string, string> = beta): Promise<Json> {
  const answer = await post('/v1/messages', body, headers);
  expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 200, error: undefined });
  return answer.body;
}

/** `event:`/`data:` SSE as parsed data objects. */
async function streamed(body: Json): Promise<Json[]> {
  const response = await fetch(`${upstream.origin}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...beta },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(response.status).toBe(200);
  return (await response.text())
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => JSON.parse(event.slice(event.indexOf('data: ') + 'data: '.length)) as Json);
}

const refusal = (message: string, requestId = 'req_mock000001'): Json => ({
  type: 'error',
  error: { type: 'invalid_request_error', message },
  request_id: requestId,
});
const noCache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } };
const messagePass = (input: number, output: number): Json => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  type: 'message',
});
const compactionPass = {
  input_tokens: 60_016,
  output_tokens: 57,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_creation: null,
  type: 'compaction',
};

it('counts the prompt as the comments say', () => {
  expect([systemTokens, bigTokens, promptTokens, summaryTokens]).toEqual([9, 60_007, 60_016, 57]);
});

describe('the beta header and the edit', () => {
  it('refuses context_management without the compaction beta, as an unknown field', async () => {
    expect(await post('/v1/messages', request(opening, compact()), version)).toEqual({ status: 400, body: refusal(extraContextManagementMessage) });
    expect(extraContextManagementMessage).toBe('context_management: Extra inputs are not permitted');
  });

  it('takes the compact edit for an unknown tag under the context editing beta alone', async () => {
    const answer = await post('/v1/messages', request(opening, compact()), { ...version, 'anthropic-beta': 'context-management-2025-06-27' });
    expect(answer.body['error']['message']).toBe(
      "context_management.edits.0: Input tag 'compact_20260112' found using 'type' does not match any of the expected tags: 'clear_thinking_20251015', 'clear_tool_uses_20250919'",
    );
  });

  it('refuses a trigger below 50,000 and takes 50,000', async () => {
    const low = await post('/v1/messages', request(opening, compact({ trigger: { type: 'input_tokens', value: 49_999 } })));
    expect(low).toEqual({ status: 400, body: refusal('context_management.edits.0.compact_20260112: trigger.value must be at least 50000') });
    expect(triggerBelowMinimumMessage(0)).toBe('context_management.edits.0.compact_20260112: trigger.value must be at least 50000');
    expect((await post('/v1/messages', request(opening, compact({ trigger: { type: 'input_tokens', value: 50_000 } })))).status).toBe(200);
  });

  it.each<[string, Json, string]>([
    [
      'a trigger of another type',
      { trigger: { type: 'tool_uses', value: 60_000 } },
      "context_management.edits.0.compact_20260112.trigger.type: Input should be 'input_tokens'",
    ],
    [
      'a decimal trigger',
      { trigger: { type: 'input_tokens', value: 60_000.5 } },
      'context_management.edits.0.compact_20260112.trigger.value: Input should be a valid integer',
    ],
    [
      'a pause that is no boolean',
      { pause_after_compaction: 'yes' },
      'context_management.edits.0.compact_20260112.pause_after_compaction: Input should be a valid boolean',
    ],
    ['instructions that are no string', { instructions: 7 }, 'context_management.edits.0.compact_20260112.instructions: Input should be a valid string'],
    ['an unknown key', { keep: 3 }, 'context_management.edits.0.compact_20260112.keep: Extra inputs are not permitted'],
  ])('refuses %s', async (_name, edit, message) => {
    expect(await post('/v1/messages', request(opening, compact(edit)))).toEqual({ status: 400, body: refusal(message) });
  });

  it('refuses an edit it does not emulate rather than ignore it', async () => {
    const body = request(opening, { context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] } });
    const answer = await post('/v1/messages', body, { ...version, 'anthropic-beta': 'context-management-2025-06-27' });
    expect(answer.body['error']['message']).toBe(
      "Mock upstream: the context_management edit 'clear_tool_uses_20250919' is not emulated; only 'compact_20260112' is.",
    );
  });
});

describe('when a request compacts', () => {
  it('does not compact at the trigger: the reply alone, and iterations list the message pass', async () => {
    upstream.enqueue({ kind: 'text', text: 'Noted.' });
    const answer = await create(request(opening, compact({ trigger: { type: 'input_tokens', value: promptTokens } })));
    expect(answer['content']).toEqual([{ type: 'text', text: 'Noted.' }]);
    expect(answer['usage']).toEqual({ input_tokens: 60_016, ...noCache, output_tokens: 2, iterations: [messagePass(60_016, 2)], service_tier: 'standard' });
  });

  it('compacts one token above it: the compaction block, then the reply; top-level usage is the message pass', async () => {
    upstream.enqueue({ kind: 'text', text: 'Noted.' });
    const answer = await create(request(opening, above()));
    expect(answer['content']).toEqual([
      { type: 'compaction', content: summary, encrypted_content: null },
      { type: 'text', text: 'Noted.' },
    ]);
    expect(answer['stop_reason']).toBe('end_turn');
    // The message pass read system (9) + summary (57); the compaction pass read everything and wrote the summary.
    expect(answer['usage']).toEqual({
      input_tokens: 66,
      ...noCache,
      output_tokens: 2,
      iterations: [compactionPass, messagePass(66, 2)],
      service_tier: 'standard',
    });
  });

  it('compacts above the default trigger of 150,000', async () => {
    const huge = [{ role: 'user', content: filler(150_000, 'beta') }];
    const answer = await create(request(huge, compact()));
    expect(answer['content'][0]['type']).toBe('compaction');
    expect(answer['content'][0]['content']).toMatch(/^Summary of 150007 tokens: beta beta /);
    const fits = await create(request(opening, compact()));
    expect(fits['content'][0]['type']).toBe('text');
  });

  it('pauses after compaction: the block alone, stop_reason compaction, top-level usage zero', async () => {
    upstream.enqueue({ kind: 'text', text: 'not played' });
    const answer = await create(request(opening, above({ pause_after_compaction: true })));
    expect(answer['content']).toEqual([{ type: 'compaction', content: summary, encrypted_content: null }]);
    expect(answer['stop_reason']).toBe('compaction');
    expect(answer['usage']).toEqual({ input_tokens: 0, ...noCache, output_tokens: 0, iterations: [compactionPass], service_tier: 'standard' });
  });

  it('streams the block as start (content null), one compaction_delta, stop, before the reply; iterations come with message_delta', async () => {
    upstream.enqueue({ kind: 'text', text: 'Noted.', chunkSize: 10 });
    const events = await streamed(request(opening, above()));
    expect(events.map((event) => [event['type'], event['index']])).toEqual([
      ['message_start', undefined],
      ['ping', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['message_delta', undefined],
      ['message_stop', undefined],
    ]);
    expect(events[2]!['content_block']).toEqual({ type: 'compaction', content: null, encrypted_content: null });
    expect(events[3]!['delta']).toEqual({ type: 'compaction_delta', content: summary, encrypted_content: null });
    expect(events[0]!['message']['usage']).toEqual({ input_tokens: 66, ...noCache, output_tokens: 1, service_tier: 'standard' });
    expect(events[8]!).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 66,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 2,
        iterations: [compactionPass, messagePass(66, 2)],
      },
    });
  });

  it('streams a pause as the block alone, then message_delta with stop_reason compaction', async () => {
    const events = await streamed(request(opening, above({ pause_after_compaction: true })));
    expect(events.map((event) => event['type'])).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5]!['delta']['stop_reason']).toBe('compaction');
    expect(events[5]!['usage']['iterations']).toEqual([compactionPass]);
  });

  it('leads thinking and tool calls with the block, and the thinking replays', async () => {
    const tools = [{ name: 'lookup', input_schema: { type: 'object' } }];
    const thinking = { type: 'enabled', budget_tokens: 2048 };
    upstream.enqueue({ kind: 'tool_calls', reasoning: 'Look it up.', calls: [{ id: 'toolu_1', name: 'lookup', arguments: '{}' }] });
    const answer = await create(request(opening, { ...above(), tools, thinking, max_tokens: 4096 }));
    expect(answer['content'].map((block: Json) => block['type'])).toEqual(['compaction', 'thinking', 'tool_use']);
    const replay = [
      ...opening,
      { role: 'assistant', content: answer['content'] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ];
    expect((await post('/v1/messages', request(replay, { ...compact(), tools, thinking, max_tokens: 4096 }))).status).toBe(200);
  });

  it('plays an error scenario without compacting', async () => {
    upstream.enqueue({ kind: 'error', status: 529 });
    expect((await post('/v1/messages', request(opening, above()))).status).toBe(529);
  });
});

describe('a compaction block sent back', () => {
  const block = { type: 'compaction', content: summary, encrypted_content: null };
  const reply = { type: 'text', text: 'Noted.' };
  const next = { role: 'user', content: 'And now?' };
  const compacted = [...opening, { role: 'assistant', content: [block, reply] }, next];
  // system 9 + summary 57 + reply 8 + next 9; before pruning, the 60,007-token turn too.
  const pruned = systemTokens + summaryTokens + tokens(reply) + tokens({ type: 'text', text: 'And now?' });

  it('drops every block before it and counts as its content: count_tokens and the create agree', async () => {
    expect(pruned).toBe(83);
    const count = await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-6', system, messages: compacted, ...compact() });
    expect(count).toEqual({ status: 200, body: { input_tokens: 83, context_management: { original_input_tokens: 83 + 60_007 } } });
    expect(measureAnthropicPrompt({ system, messages: compacted }).inputTokens).toBe(83);
    const answer = await create(request(compacted, compact()));
    expect(answer['usage']['input_tokens']).toBe(83);
    expect(answer['usage']['iterations']).toEqual([messagePass(83, answer['usage']['output_tokens'])]);
  });

  it('lets a conversation that outgrew the window fit again', async () => {
    const model = 'claude-sonnet-4-6-ctx2000';
    const full = [...opening, { role: 'assistant', content: [reply] }, next];
    const over = await post('/v1/messages', { ...request(full, compact()), model });
    expect(over).toEqual({ status: 400, body: refusal(`prompt is too long: ${systemTokens + bigTokens + 8 + 9} tokens > 2000 maximum`) });
    expect((await post('/v1/messages', { ...request(compacted, compact()), model })).status).toBe(200);
  });

  it('counts the last of two blocks only', async () => {
    const older = { type: 'compaction', content: 'x'.repeat(400), encrypted_content: null };
    const twice = [
      ...opening,
      { role: 'assistant', content: [older, reply] },
      { role: 'user', content: 'Go on.' },
      { role: 'assistant', content: [block, reply] },
      next,
    ];
    expect((await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-6', system, messages: twice, ...compact() })).body['input_tokens']).toBe(83);
  });

  it('takes a null-content block (a failed compaction) as a no-op: it prunes and counts nothing', async () => {
    const failed = [...opening, { role: 'assistant', content: [{ type: 'compaction', content: null, encrypted_content: null }, reply] }, next];
    const count = await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-6', system, messages: failed, ...compact() });
    expect(count.body['input_tokens']).toBe(systemTokens + bigTokens + 8 + 9);
  });

  it.each<[string, Record<string, string>, Json]>([
    ['without the beta header', version, {}],
    ['with the beta header but no compact edit', beta, {}],
    ['with an empty edit list', beta, { context_management: { edits: [] } }],
  ])('requires the compact edit: refused %s', async (_name, headers, extra) => {
    expect(await post('/v1/messages', request(compacted, extra), headers)).toEqual({ status: 400, body: refusal(compactionNeedsStrategyMessage(1, 0)) });
    expect(compactionNeedsStrategyMessage(1, 0)).toBe(
      'messages.1.content.0: `compaction` blocks require a `compact_20260112` strategy in `context_management.edits`.',
    );
  });

  it('refuses empty content', async () => {
    const empty = [...opening, { role: 'assistant', content: [{ type: 'compaction', content: '' }, reply] }, next];
    expect(await post('/v1/messages', request(empty, compact()))).toEqual({ status: 400, body: refusal(emptyCompactionMessage(1, 0)) });
    expect(emptyCompactionMessage(1, 0)).toBe('messages.1.content.0.compaction.content: content cannot be empty');
  });
});

describe('count_tokens', () => {
  it('refuses context_management without the beta header', async () => {
    const answer = await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-6', system, messages: opening, ...compact() }, version);
    expect(answer).toEqual({ status: 400, body: refusal(extraContextManagementMessage, 'req_mockcount') });
  });

  it('never compacts: a prompt above the trigger counts whole, as the create that compacts it read it', async () => {
    const count = await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-6', system, messages: opening, ...above() });
    expect(count.body).toEqual({ input_tokens: 60_016, context_management: { original_input_tokens: 60_016 } });
  });

  it('answers the plain shape without context_management', async () => {
    expect((await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-6', system, messages: opening }, version)).body).toEqual({
      input_tokens: 60_016,
    });
  });
});
