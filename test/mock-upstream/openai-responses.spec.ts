import OpenAI from 'openai';
import type { MockUpstream } from './mock-upstream.js';
import { startMockUpstream, waitFor } from './mock-upstream.js';
import { loadResponsesFixture } from './openai-responses.js';

type Json = Record<string, any>;

let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockUpstream({ port: 0 });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  await upstream.close();
});

function postResponses(body: unknown, init: RequestInit & { path?: string } = {}): Promise<Response> {
  const { path = '/v1/responses', ...rest } = init;
  return fetch(`${upstream.origin}${path}`, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    method: 'POST',
    ...rest,
  });
}

/** A stateless request as our adapter sends it. */
const request = (input: unknown, extra: Json = {}): Json => ({ model: 'gpt-5', input, store: false, ...extra });
const user = (text: string): Json => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

interface SseEvent {
  event: string;
  data: Json;
}

/** Each event as `event:` name and parsed `data:`; asserts every event has both, and no `[DONE]`. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => {
      const match = /^event: (.+)\ndata: (.+)$/.exec(event);
      expect(match).not.toBeNull();
      return { event: match![1]!, data: JSON.parse(match![2]!) as Json };
    });
}

async function stream(body: Json): Promise<{ events: SseEvent[]; response: Response }> {
  const response = await postResponses({ ...body, stream: true });
  return { events: parseSse(await response.text()), response };
}

const types = (events: SseEvent[]) => events.map((event) => event.data['type'] as string);

describe('OpenAI Responses route', () => {
  describe('default echo', () => {
    it('streams the documented event order with sequence numbers from 0 and full snapshots', async () => {
      const { events, response } = await stream(
        request([user('first'), { role: 'assistant', content: 'ok' }, user('hello world')], { instructions: 'Be brief.' }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      events.forEach((event, index) => {
        expect(event.event).toBe(event.data['type']);
        expect(event.data['sequence_number']).toBe(index);
      });
      expect(
        events
          .filter((event) => event.event === 'response.output_text.delta')
          .map((event) => event.data['delta'])
          .join(''),
      ).toBe('echo: hello world');
      expect(events[0]!.data['response']).toEqual({
        id: 'resp_mock000001',
        object: 'response',
        created_at: expect.any(Number),
        status: 'in_progress',
        background: false,
        completed_at: null,
        conversation: null,
        error: null,
        incomplete_details: null,
        instructions: 'Be brief.',
        max_output_tokens: null,
        max_tool_calls: null,
        model: 'gpt-5',
        output: [],
        parallel_tool_calls: true,
        previous_response_id: null,
        prompt_cache_key: null,
        prompt_cache_retention: null,
        reasoning: { effort: null, summary: null },
        safety_identifier: null,
        service_tier: 'default',
        store: false,
        temperature: 1,
        text: { format: { type: 'text' }, verbosity: 'medium' },
        tool_choice: 'auto',
        tools: [],
        top_logprobs: 0,
        top_p: 1,
        truncation: 'disabled',
        usage: null,
        user: null,
        metadata: {},
      });
      const delta = events[4]!.data;
      expect(delta).toEqual({
        type: 'response.output_text.delta',
        sequence_number: 4,
        item_id: 'msg_mock1_0',
        output_index: 0,
        content_index: 0,
        delta: 'echo',
        logprobs: [],
        obfuscation: expect.any(String),
      });
      const completed = events.at(-1)!.data['response'];
      expect(completed).toMatchObject({ status: 'completed', completed_at: expect.any(Number) });
      expect(completed['output']).toEqual([
        {
          id: 'msg_mock1_0',
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'echo: hello world' }],
          role: 'assistant',
        },
      ]);
      // The instructions and each input item as JSON, a token per four characters rounded up per unit.
      expect(completed['usage']).toEqual({
        input_tokens: 55,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 60,
      });
    });

    it('answers the final Response as JSON when not streaming, and echoes a string input', async () => {
      const response = await postResponses(request('hi there', { temperature: 0.5, text: { format: { type: 'json_object' } } }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const body = (await response.json()) as Json;
      expect(body).toMatchObject({
        object: 'response',
        status: 'completed',
        temperature: 0.5,
        text: { format: { type: 'json_object' }, verbosity: 'medium' },
        output: [{ type: 'message', content: [{ type: 'output_text', text: 'echo: hi there' }] }],
      });
    });

    it('leaves obfuscation out when the request turns it off', async () => {
      const { events } = await stream(request('x', { stream_options: { include_obfuscation: false } }));
      expect(events.find((event) => event.event === 'response.output_text.delta')!.data).not.toHaveProperty('obfuscation');
    });

    it('matches any prefix ending in /v1/responses (Azure) and nothing else', async () => {
      expect((await postResponses(request('x'), { path: '/openai/v1/responses' })).status).toBe(200);
      expect((await postResponses(request('x'), { path: '/v1/responses/resp_1/cancel' })).status).toBe(404);
    });
  });

  describe('scenarios', () => {
    it('tool_calls streams function_call items with their arguments in deltas', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        text: 'Checking.',
        calls: [
          { name: 'get_weather', arguments: '{"city":"Zürich"}' },
          { id: 'call_given', name: 'get_time', arguments: '{}' },
        ],
        argumentChunkSize: 5,
      });
      const { events } = await stream(request([user('weather?')]));
      const added = events.filter((event) => event.event === 'response.output_item.added').map((event) => [event.data['output_index'], event.data['item']]);
      expect(added).toEqual([
        [0, { id: 'msg_mock1_0', type: 'message', status: 'in_progress', content: [], role: 'assistant' }],
        [1, { id: 'fc_mock1_1', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_mock1_0', name: 'get_weather' }],
        [2, { id: 'fc_mock1_2', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_given', name: 'get_time' }],
      ]);
      const deltas = events.filter((event) => event.event === 'response.function_call_arguments.delta' && event.data['output_index'] === 1);
      expect(deltas.map((event) => event.data['delta'])).toEqual(['{"cit', 'y":"Z', 'ürich', '"}']);
      expect(events.find((event) => event.event === 'response.function_call_arguments.done')!.data).toMatchObject({
        item_id: 'fc_mock1_1',
        name: 'get_weather',
        arguments: '{"city":"Zürich"}',
      });
      expect(events.at(-1)!.data['response']['output'].map((item: Json) => item['status'])).toEqual(['completed', 'completed', 'completed']);
    });

    it('reasoning streams a summary and hands out encrypted content only when include asks for it', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'Think first.', text: 'Answer.' }, { kind: 'reasoning', reasoning: 'Again.', text: 'Done.' });
      const withInclude = await stream(request([user('q')], { include: ['reasoning.encrypted_content'] }));
      expect(types(withInclude.events).slice(2, 10)).toEqual([
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
      ]);
      expect(withInclude.events[2]!.data['item']).toEqual({ id: 'rs_mock_1', type: 'reasoning', summary: [] });
      expect(withInclude.events[9]!.data['item']).toEqual({
        id: 'rs_mock_1',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Think first.' }],
        encrypted_content: 'enc_1',
      });
      expect(withInclude.events.at(-1)!.data['response']['usage']['output_tokens_details']).toEqual({ reasoning_tokens: 3 });

      const without = await stream(request([user('q')]));
      expect(without.events.at(-1)!.data['response']['output'][0]).toEqual({
        id: 'rs_mock_2',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Again.' }],
      });
    });

    it('text with finishReason length ends incomplete, and usage overrides use the chat names', async () => {
      upstream.enqueue({
        kind: 'text',
        text: 'Once upon',
        finishReason: 'length',
        usage: { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 64 } },
      });
      const { events } = await stream(request('tell a story'));
      const last = events.at(-1)!.data;
      expect(last['type']).toBe('response.incomplete');
      expect(last['response']).toMatchObject({
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        output: [{ status: 'incomplete' }],
        usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 64, cache_write_tokens: 0 }, total_tokens: 103 },
      });
    });

    it('error answers with the status and OpenAI envelope, or a verbatim string body', async () => {
      upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }, { kind: 'error', status: 502, body: '<html>Bad Gateway</html>' });
      const limited = await postResponses(request('x', { stream: true }));
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(((await limited.json()) as Json)['error']).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      const proxy = await postResponses(request('x'));
      expect(proxy.status).toBe(502);
      expect(await proxy.text()).toBe('<html>Bad Gateway</html>');
    });

    it('stream_error sends response.failed after N events, numbered on', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 5, error: { code: 'rate_limit_exceeded', message: 'Slow down' } });
      const { events } = await stream(request('x'));
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.failed',
      ]);
      expect(events[5]!.data).toMatchObject({
        sequence_number: 5,
        response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Slow down' }, usage: null },
      });
    });

    it('stream_error on a JSON request is a 500', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 1 });
      const response = await postResponses(request('x'));
      expect(response.status).toBe(500);
      expect(((await response.json()) as Json)['error']['type']).toBe('server_error');
    });

    it('drop cuts the connection after some events', async () => {
      upstream.enqueue({ kind: 'drop', afterChunks: 2 });
      const response = await postResponses(request('x', { stream: true }));
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      const record = await waitFor(() => upstream.requests.find((candidate) => candidate.scenario?.kind === 'drop' && !candidate.finished));
      expect(record.aborted).toBe(false);
    });

    it('hang sends some events, then nothing until the client gives up', async () => {
      upstream.enqueue({ kind: 'hang', afterChunks: 1 });
      const controller = new AbortController();
      const response = await postResponses(request('x', { stream: true }), { signal: controller.signal });
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(types(parseSse(first))).toEqual(['response.created']);
      controller.abort();
      await upstream.waitFor(() => upstream.requests[0]?.aborted);
    });

    it('malformed sends a data line that does not parse, or a truncated JSON body', async () => {
      upstream.enqueue({ kind: 'malformed' }, { kind: 'malformed' });
      const streamed = await (await postResponses(request('x', { stream: true }))).text();
      const [created, broken] = streamed.split('\n\n');
      expect(created).toMatch(/^event: response\.created\ndata: /);
      expect(broken).toMatch(/^event: response\.in_progress\ndata: /);
      expect(() => JSON.parse(broken!.split('\ndata: ')[1]!)).toThrow();
      await expect((await postResponses(request('x'))).json()).rejects.toThrow();
    });

    it('raw_sse replays a Responses fixture verbatim', async () => {
      const lines = loadResponsesFixture(new URL('../../src/providers/openai-responses/__fixtures__/openai-responses-text.chunks.txt', import.meta.url));
      expect(lines[0]).toMatch(/^event: response\.created\ndata: \{/);
      upstream.enqueue({ kind: 'raw_sse', lines });
      const response = await postResponses(request('x', { stream: true }));
      expect(await response.text()).toBe(lines.map((line) => `${line}\n\n`).join(''));
    });
  });

  describe('the official SDK reads every stream without complaint', () => {
    it.each([
      ['echo', undefined],
      [
        'tool_calls',
        {
          kind: 'tool_calls' as const,
          text: 'Let me check.',
          calls: [
            { name: 'a', arguments: '{"x":1}' },
            { name: 'b', arguments: '{}' },
          ],
        },
      ],
      ['reasoning', { kind: 'reasoning' as const, reasoning: 'Hmm, think.', text: 'There.' }],
    ])('%s', async (_name, scenario) => {
      if (scenario) upstream.enqueue(scenario);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: upstream.baseUrl, maxRetries: 0 });
      const responseStream = client.responses.stream({ model: 'gpt-5', input: 'hello', store: false, include: ['reasoning.encrypted_content'] });
      const final = await responseStream.finalResponse();
      expect(final.status).toBe('completed');
      expect(final.output.length).toBeGreaterThan(0);
    });
  });

  describe('stateless input checks (what OpenAI rejects with store: false)', () => {
    async function rejection(body: Json, status = 400): Promise<Json> {
      const response = await postResponses(body);
      expect(response.status).toBe(status);
      return ((await response.json()) as Json)['error'];
    }

    const call = { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' };
    const output = { type: 'function_call_output', call_id: 'call_1', output: 'ok' };
    const assistant = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi', annotations: [] }] };

    it('requires store: false', async () => {
      expect(await rejection({ model: 'gpt-5', input: 'x' })).toMatchObject({ param: 'store', type: 'invalid_request_error' });
      expect(await rejection({ model: 'gpt-5', input: 'x', store: true })).toMatchObject({ param: 'store' });
    });

    it('rejects item ids OpenAI never stored, without consuming the queued scenario', async () => {
      upstream.enqueue({ kind: 'text', text: 'kept for later' });
      // OpenAI answers these with 404, the status of an item it cannot find.
      expect(await rejection(request([{ ...user('x'), id: 'msg_ours' }]), 404)).toEqual({
        message:
          "Item with id 'msg_ours' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.",
        type: 'invalid_request_error',
        param: 'input',
        code: null,
      });
      expect((await rejection(request([user('x'), { ...call, id: 'fc_ours' }, output]), 404))['message']).toMatch(/^Item with id 'fc_ours' not found/);
      expect((await rejection(request([{ type: 'item_reference', id: 'rs_abc' }]), 404))['message']).toMatch(/^Item with id 'rs_abc' not found/);
      expect(upstream.requests.every((record) => record.scenario === undefined)).toBe(true);
      const accepted = (await (await postResponses(request('x'))).json()) as Json;
      expect(accepted['output'][0]['content'][0]['text']).toBe('kept for later');
    });

    it('accepts back only the reasoning it issued, under its own id, with a following item', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'r', text: 't' });
      const answer = (await (await postResponses(request([user('x')], { include: ['reasoning.encrypted_content'] }))).json()) as Json;
      const issued = answer['output'][0];
      expect(issued).toEqual({ type: 'reasoning', id: 'rs_mock_1', summary: [{ type: 'summary_text', text: 'r' }], encrypted_content: 'enc_1' });
      expect((await postResponses(request([user('x'), issued, call, output, assistant, user('y')]))).status).toBe(200);

      expect(await rejection(request([user('x'), { ...issued, encrypted_content: 'gAAAA-forged' }, assistant]))).toMatchObject({
        message: 'The encrypted content for item rs_mock_1 could not be verified.',
        code: 'invalid_encrypted_content',
      });
      // Well-formed but never issued: the mock remembers what it handed out.
      expect((await rejection(request([user('x'), { ...issued, id: 'rs_mock_999', encrypted_content: 'enc_999' }, assistant])))['code']).toBe(
        'invalid_encrypted_content',
      );
      // Encrypted content is bound to the id it was issued with; our own rs_ ids do not fit it.
      expect((await rejection(request([user('x'), { ...issued, id: 'rs_ours_1' }, assistant])))['code']).toBe('invalid_encrypted_content');
      expect((await rejection(request([user('x'), { type: 'reasoning', id: 'rs_mock_1', summary: [] }, assistant]), 404))['message']).toMatch(
        /^Item with id 'rs_mock_1' not found/,
      );
      expect((await rejection(request([user('x'), issued, user('y')])))['message']).toBe(
        "Item 'rs_mock_1' of type 'reasoning' was provided without its required following item.",
      );
    });

    it('pairs tool calls and outputs', async () => {
      expect((await rejection(request([user('x'), output])))['message']).toBe('No tool call found for function call output with call_id call_1.');
      expect((await rejection(request([user('x'), call])))['message']).toBe('No tool output found for function call call_1.');
      expect((await postResponses(request([user('x'), call, output]))).status).toBe(200);
    });

    it('answers 400 to a body that is not JSON', async () => {
      expect((await rejection('{not json' as unknown as Json))['message']).toMatch(/could not parse the JSON body/);
    });
  });

  it('requires a bearer key only when started with requireAuthorization', async () => {
    const strict = await startMockUpstream({ requireAuthorization: true });
    try {
      const response = await fetch(`${strict.baseUrl}/responses`, { body: JSON.stringify(request('x')), method: 'POST' });
      expect(response.status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});
