import { loadAnthropicFixture } from './anthropic-messages.js';
import { startMockUpstream } from './mock-upstream.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

const anthropicHeaders = { 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' };

function postMessages(body: unknown, headers: Record<string, string> = anthropicHeaders, init: RequestInit = {}): Promise<Response> {
  return fetch(`${upstream.origin}/v1/messages`, { body: JSON.stringify(body), headers, method: 'POST', ...init });
}

const request = (content: unknown, extra: Json = {}): Json => ({
  max_tokens: 256,
  messages: [{ role: 'user', content }],
  model: 'claude-sonnet-4-5',
  ...extra,
});

interface SseEvent {
  event: string;
  data: Json;
}

/** Splits an SSE body into events, checking Anthropic's framing: `event:` names the payload's type. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const match = /^event: (\S+)\ndata: (.*)$/s.exec(chunk);
      expect(match).not.toBeNull();
      const data = JSON.parse(match![2]!) as Json;
      expect(data['type']).toBe(match![1]);
      return { event: match![1]!, data };
    });
}

async function stream(body: Json): Promise<{ events: SseEvent[]; response: Response }> {
  const response = await postMessages({ ...body, stream: true });
  return { events: parseSse(await response.text()), response };
}

function textOf(events: SseEvent[]): string {
  return events
    .filter(({ data }) => data['type'] === 'content_block_delta' && data['delta']['type'] === 'text_delta')
    .map(({ data }) => data['delta']['text'])
    .join('');
}

async function expectInvalidRequest(body: unknown, message: string | RegExp, headers: Record<string, string> = anthropicHeaders): Promise<void> {
  const response = await postMessages(body, headers);
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    type: 'error',
    error: { type: 'invalid_request_error', message: typeof message === 'string' ? message : expect.stringMatching(message) },
    request_id: expect.stringMatching(/^req_mock\d{6}$/),
  });
}

describe('mock upstream: Anthropic Messages', () => {
  describe('default echo', () => {
    it('answers a JSON Message with usage and records the call', async () => {
      const response = await postMessages(
        request(
          [
            { type: 'text', text: 'hello ' },
            { type: 'text', text: 'world' },
          ],
          { system: 'Be brief.' },
        ),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('request-id')).toBe('req_mock000001');
      expect(await response.json()).toEqual({
        id: 'msg_mock000001',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'echo: hello world' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        // Each block as JSON, a token per four characters rounded up per block; 'echo: hello world' = 17 characters.
        usage: {
          input_tokens: 25,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: 5,
          service_tier: 'standard',
        },
      });
      expect(upstream.requests[0]).toMatchObject({
        path: '/v1/messages',
        headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' },
        body: { model: 'claude-sonnet-4-5' },
      });
    });

    it('streams message_start, ping, one text block, message_delta and message_stop', async () => {
      const { events, response } = await stream(request('hello world'));
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(events.map(({ event }) => event)).toEqual([
        'message_start',
        'ping',
        'content_block_start',
        ...Array(5).fill('content_block_delta'),
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect(events[0]!.data).toEqual({
        type: 'message_start',
        message: {
          id: 'msg_mock000001',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 9,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
            output_tokens: 1,
            service_tier: 'standard',
          },
        },
      });
      expect(textOf(events)).toBe('echo: hello world');
      expect(events.at(-2)!.data).toEqual({
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        // The counts only: message_delta carries no per-TTL split.
        usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 },
      });
    });

    it('echoes the last user text, skipping a message that holds only tool results', async () => {
      const body = {
        ...request('weather?'),
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
        ],
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
      };
      expect(((await (await postMessages(body)).json()) as Json)['content']).toEqual([{ type: 'text', text: 'echo: weather?' }]);
    });
  });

  describe('request validation', () => {
    const toolUse = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] };
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];

    it.each([
      ['missing max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens: Field required'],
      ['temperature above 1', request('x', { temperature: 1.2 }), 'temperature: Input should be less than or equal to 1'],
      [
        'a first message from the assistant',
        request('x', { messages: [{ role: 'assistant', content: 'x' }] }),
        'messages: first message must use the "user" role',
      ],
      [
        'two user messages in a row',
        request('x', {
          messages: [
            { role: 'user', content: 'a' },
            { role: 'user', content: 'b' },
          ],
        }),
        'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
      ],
      ['an empty text block', request([{ type: 'text', text: '' }]), 'messages: text content blocks must be non-empty'],
      [
        'a tool_result without a tool_use before it',
        request('x', { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }] }], tools }),
        /unexpected `tool_use_id` found in `tool_result` blocks: toolu_9/,
      ],
      [
        'a tool_use left without its tool_result',
        request('x', { messages: [{ role: 'user', content: 'go' }, toolUse, { role: 'user', content: 'next' }], tools }),
        /^messages\.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
      ],
      [
        'tool blocks without tools',
        request('x', {
          messages: [{ role: 'user', content: 'go' }, toolUse, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }] }],
        }),
        'Requests which include `tool_use` or `tool_result` blocks must define tools.',
      ],
      [
        'a tool_result after text',
        request('x', {
          messages: [
            { role: 'user', content: 'go' },
            toolUse,
            {
              role: 'user',
              content: [
                { type: 'text', text: 'first' },
                { type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' },
              ],
            },
          ],
          tools,
        }),
        /`tool_result` blocks must come first/,
      ],
      [
        'thinking after text',
        request('x', {
          messages: [
            { role: 'user', content: 'go' },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'a' },
                { type: 'thinking', thinking: 't', signature: 's' },
              ],
            },
            { role: 'user', content: 'next' },
          ],
        }),
        /the first block must be thinking or redacted_thinking/,
      ],
    ])('answers 400 invalid_request_error for %s, without taking a scenario', async (_name, body, message) => {
      upstream.enqueue({ kind: 'text', text: 'kept for the next call' });
      await expectInvalidRequest(body, message);
      expect(upstream.requests[0]!.scenario).toBeUndefined();
      expect(((await (await postMessages(request('x'))).json()) as Json)['content'][0]['text']).toBe('kept for the next call');
    });

    it('requires the anthropic-version header', async () => {
      await expectInvalidRequest(request('x'), 'anthropic-version: header is required', { 'content-type': 'application/json' });
    });

    it('accepts a full tool round trip with thinking first', async () => {
      const response = await postMessages(
        request('x', {
          messages: [
            { role: 'user', content: 'go' },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', thinking: 't', signature: 'sig_1' },
                { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' },
                { type: 'text', text: 'and?' },
              ],
            },
          ],
          tools,
        }),
      );
      expect(response.status).toBe(200);
    });

    it('requires x-api-key only when started with requireAuthorization', async () => {
      const strict = await startMockUpstream({ requireAuthorization: true });
      try {
        const url = `${strict.origin}/v1/messages`;
        const rejected = await fetch(url, { body: JSON.stringify(request('x')), headers: { 'anthropic-version': '2023-06-01' }, method: 'POST' });
        expect(rejected.status).toBe(401);
        expect(((await rejected.json()) as Json)['error']).toEqual({ type: 'authentication_error', message: 'x-api-key header is required' });
        const accepted = await fetch(url, { body: JSON.stringify(request('x')), headers: anthropicHeaders, method: 'POST' });
        expect(accepted.status).toBe(200);
      } finally {
        await strict.close();
      }
    });
  });

  describe('scenarios', () => {
    const calls = [
      { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      { id: 'toolu_fixed', name: 'get_time', arguments: '{}' },
    ];

    it('text maps the chat finish reason and the usage override to Anthropic terms', async () => {
      upstream.enqueue({
        kind: 'text',
        text: 'cut',
        finishReason: 'length',
        usage: { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens: 7 },
      });
      const { events } = await stream(request('x'));
      expect(events.at(-2)!.data).toMatchObject({
        delta: { stop_reason: 'max_tokens' },
        usage: { input_tokens: 40, cache_read_input_tokens: 60, cache_creation_input_tokens: 0, output_tokens: 7 },
      });
    });

    it('tool_calls streams tool_use blocks after the text, input in input_json_delta fragments', async () => {
      upstream.enqueue({ kind: 'tool_calls', calls, text: 'Checking.' });
      const { events } = await stream(request('x'));
      const starts = events.filter(({ event }) => event === 'content_block_start').map(({ data }) => data);
      expect(starts).toEqual([
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_mock1_0', name: 'get_weather', input: {} } },
        { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_fixed', name: 'get_time', input: {} } },
      ]);
      const fragments = events
        .filter(({ data }) => data['index'] === 1 && data['delta']?.['type'] === 'input_json_delta')
        .map(({ data }) => data['delta']['partial_json']);
      expect(fragments[0]).toBe('');
      expect(fragments.length).toBeGreaterThan(3);
      expect(fragments.join('')).toBe(calls[0]!.arguments);
      expect(events.at(-2)!.data['delta']['stop_reason']).toBe('tool_use');
    });

    it('tool_calls answers JSON with the input parsed', async () => {
      upstream.enqueue({ kind: 'tool_calls', calls });
      const body = (await (await postMessages(request('x'))).json()) as Json;
      expect(body['content']).toEqual([
        { type: 'tool_use', id: 'toolu_mock1_0', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
        { type: 'tool_use', id: 'toolu_fixed', name: 'get_time', input: {} },
      ]);
      expect(body['stop_reason']).toBe('tool_use');
    });

    it('reasoning streams a thinking block with a deterministic signature, then the text', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'think hard', text: 'answer' });
      const { events } = await stream(request('x'));
      const thinking = events.filter(({ data }) => data['index'] === 0 && data['type'] === 'content_block_delta').map(({ data }) => data['delta']);
      expect(
        thinking
          .filter((delta) => delta['type'] === 'thinking_delta')
          .map((delta) => delta['thinking'])
          .join(''),
      ).toBe('think hard');
      expect(thinking.at(-1)).toEqual({ type: 'signature_delta', signature: 'sig_1' });
      expect(textOf(events)).toBe('answer');
    });

    it('reasoning answers JSON with thinking before text', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'hmm', text: 'ok' });
      expect(((await (await postMessages(request('x'))).json()) as Json)['content']).toEqual([
        { type: 'thinking', thinking: 'hmm', signature: 'sig_1' },
        { type: 'text', text: 'ok' },
      ]);
    });

    it.each([
      [429, 'rate_limit_error'],
      [529, 'overloaded_error'],
      [503, 'overloaded_error'],
      [401, 'authentication_error'],
      [400, 'invalid_request_error'],
      [500, 'api_error'],
    ])('error %i answers Anthropic’s envelope with type %s', async (status, type) => {
      upstream.enqueue({ kind: 'error', status, headers: { 'retry-after': '2' } });
      const response = await postMessages(request('x'));
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(await response.json()).toEqual({ type: 'error', error: { type, message: expect.any(String) }, request_id: 'req_mock000001' });
    });

    it('error sends a custom message, JSON body or text body', async () => {
      upstream.enqueue({ kind: 'error', status: 400, message: 'custom' }, { kind: 'error', status: 502, body: '<html>Bad Gateway</html>' });
      expect(((await (await postMessages(request('x'))).json()) as Json)['error']).toEqual({ type: 'invalid_request_error', message: 'custom' });
      expect(await (await postMessages(request('x'))).text()).toBe('<html>Bad Gateway</html>');
    });

    it('stream_error sends an overloaded error event after N events and nothing after it', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 4 });
      const { events } = await stream(request('hello'));
      expect(events.map(({ event }) => event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'error']);
      expect(events[4]!.data).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    });

    it('stream_error on a JSON request is a 529 for overloaded_error', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 1 }, { kind: 'stream_error', afterChunks: 1, error: { type: 'api_error', message: 'boom' } });
      expect((await postMessages(request('x'))).status).toBe(529);
      const response = await postMessages(request('x'));
      expect(response.status).toBe(500);
      expect(((await response.json()) as Json)['error']).toEqual({ type: 'api_error', message: 'boom' });
    });

    it('drop cuts the connection mid-stream', async () => {
      upstream.enqueue({ kind: 'drop', afterChunks: 3 });
      const response = await postMessages(request('hello', { stream: true }));
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
    });

    it('hang with afterChunks sends the opening events, then nothing until the client leaves', async () => {
      upstream.enqueue({ kind: 'hang', afterChunks: 2 });
      const controller = new AbortController();
      const response = await postMessages(request('x', { stream: true }), anthropicHeaders, { signal: controller.signal });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('event: ping')) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(parseSse(text).map(({ event }) => event)).toEqual(['message_start', 'ping']);
      controller.abort();
      await upstream.waitFor(() => upstream.requests[0]?.aborted);
    });

    it('malformed streams a data line that does not parse, and a JSON body that does not', async () => {
      upstream.enqueue({ kind: 'malformed' }, { kind: 'malformed' });
      const text = await (await postMessages(request('x', { stream: true }))).text();
      const [first, second] = text.split('\n\n');
      expect(first).toMatch(/^event: message_start\n/);
      expect(() => JSON.parse(second!.split('data: ')[1]!)).toThrow();
      await expect((await postMessages(request('x'))).json()).rejects.toThrow();
    });

    it('raw_sse replays an Anthropic fixture verbatim', async () => {
      const events = loadAnthropicFixture(new URL('../../src/providers/anthropic/__fixtures__/anthropic-text.chunks.txt', import.meta.url));
      expect(events[0]).toMatch(/^event: message_start\ndata: \{/);
      upstream.enqueue({ kind: 'raw_sse', lines: events });
      const response = await postMessages(request('x', { stream: true }));
      expect(await response.text()).toBe(events.map((event) => `${event}\n\n`).join(''));
    });
  });
});
