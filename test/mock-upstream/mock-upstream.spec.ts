import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MockUpstream } from './mock-upstream.js';
import { loadChunkFixture, startMockUpstream, waitFor } from './mock-upstream.js';

type Json = Record<string, any>;

let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockUpstream({ port: 0 });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  await upstream.close();
});

function postChat(body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${upstream.baseUrl}/chat/completions`, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    method: 'POST',
    ...init,
  });
}

/** The `data:` payloads of an SSE body, in order, `[DONE]` included. */
function parseSse(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

async function streamChat(body: Json): Promise<{ chunks: Json[]; payloads: string[]; response: Response }> {
  const response = await postChat({ ...body, stream: true });
  const payloads = parseSse(await response.text());
  const chunks = payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as Json);
  return { chunks, payloads, response };
}

const user = (content: unknown) => ({ messages: [{ role: 'user', content }], model: 'gpt-4o-mini' });

function deltas(chunks: Json[]): Json[] {
  return chunks.filter((chunk) => chunk['choices'].length > 0).map((chunk) => chunk['choices'][0]['delta']);
}

function streamedText(chunks: Json[]): string {
  return deltas(chunks)
    .map((delta) => delta['content'] ?? '')
    .join('');
}

describe('startMockUpstream', () => {
  it('listens on a free port and exposes the OpenAI base URL', () => {
    expect(upstream.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(upstream.baseUrl).toBe(`${upstream.origin}/v1`);
  });

  describe('default echo', () => {
    it('answers a JSON chat.completion', async () => {
      const response = await postChat({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hello ' },
              { type: 'image_url', image_url: { url: 'x' } },
              { type: 'text', text: 'world' },
            ],
          },
        ],
        model: 'gpt-4o-mini',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const body = (await response.json()) as Json;
      expect(body).toEqual({
        id: 'chatcmpl-mock000001',
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'gpt-4o-mini',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'echo: hello world', refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          // Each message as JSON, a token per four characters rounded up per message.
          prompt_tokens: 62,
          completion_tokens: 5,
          total_tokens: 67,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
        system_fingerprint: 'fp_mock0001',
      });
    });

    it('echoes nothing when there is no user message', async () => {
      const body = (await (await postChat({ messages: [{ role: 'system', content: 'x' }], model: 'm' })).json()) as Json;
      expect(body['choices'][0]['message']['content']).toBe('echo: ');
    });

    it('streams like OpenAI: role chunk, content chunks, finish chunk, usage chunk, [DONE]', async () => {
      const { chunks, payloads, response } = await streamChat({ ...user('hello world'), stream_options: { include_usage: true } });
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(payloads.at(-1)).toBe('[DONE]');
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({
          id: 'chatcmpl-mock000001',
          object: 'chat.completion.chunk',
          created: chunks[0]?.['created'],
          model: 'gpt-4o-mini',
          system_fingerprint: 'fp_mock0001',
        });
      }
      const first = chunks[0]!;
      expect(first['choices']).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
      expect(first['usage']).toBeNull();

      const content = chunks.slice(1, -2);
      expect(content.length).toBeGreaterThan(2);
      for (const chunk of content) {
        expect(Object.keys(chunk['choices'][0]['delta'])).toEqual(['content']);
        expect(chunk['choices'][0]['finish_reason']).toBeNull();
      }
      expect(streamedText(chunks)).toBe('echo: hello world');

      expect(chunks.at(-2)!['choices']).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
      expect(chunks.at(-1)).toMatchObject({
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
    });

    it('sends no usage without stream_options.include_usage', async () => {
      const { chunks } = await streamChat(user('hi'));
      expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
      expect(chunks.at(-1)!['choices'][0]['finish_reason']).toBe('stop');
    });

    it('also answers under vendor path prefixes', async () => {
      const response = await fetch(`${upstream.origin}/v1beta/openai/chat/completions`, {
        body: JSON.stringify(user('x')),
        method: 'POST',
      });
      expect(response.status).toBe(200);
    });
  });

  describe('recording', () => {
    it('records method, path, headers and body before answering', async () => {
      const seen: string[] = [];
      const unsubscribe = upstream.on('request', (request) => seen.push(request.path));
      await postChat({ ...user('hi'), temperature: 0.2 });
      unsubscribe();
      expect(seen).toEqual(['/v1/chat/completions']);
      expect(upstream.requests).toHaveLength(1);
      const [request] = upstream.requests;
      expect(request).toMatchObject({
        aborted: false,
        body: { messages: [{ role: 'user', content: 'hi' }], model: 'gpt-4o-mini', temperature: 0.2 },
        finished: true,
        method: 'POST',
        path: '/v1/chat/completions',
        scenario: undefined,
      });
      expect(request!.headers['authorization']).toBe('Bearer sk-test');
      expect(JSON.parse(request!.rawBody)).toEqual(request!.body);
    });

    it('records and rejects a body that is not JSON with 400', async () => {
      const response = await postChat('{"model":');
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { message: expect.stringContaining('could not parse the JSON body'), type: 'invalid_request_error', param: null, code: null },
      });
      expect(upstream.requests[0]).toMatchObject({ body: undefined, rawBody: '{"model":' });
    });

    it('records and rejects an unknown path with 404', async () => {
      const response = await fetch(`${upstream.baseUrl}/embeddings?x=1`, { body: '{}', method: 'POST' });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { message: 'Invalid URL (POST /v1/embeddings)', type: 'invalid_request_error', param: null, code: null },
      });
      expect(upstream.requests[0]).toMatchObject({ path: '/v1/embeddings', url: '/v1/embeddings?x=1' });
    });

    it('consumes scenarios FIFO, then falls back to the echo', async () => {
      upstream.enqueue({ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' });
      const contents: string[] = [];
      for (let index = 0; index < 3; index++) {
        const body = (await (await postChat(user('q'))).json()) as Json;
        contents.push(body['choices'][0]['message']['content']);
      }
      expect(contents).toEqual(['one', 'two', 'echo: q']);
      expect(upstream.requests.map((request) => request.scenario?.kind)).toEqual(['text', 'text', undefined]);
    });

    it('reset() clears requests, queue and the id sequence', async () => {
      upstream.enqueue({ kind: 'error', status: 500 });
      await postChat(user('a'));
      upstream.reset();
      expect(upstream.requests).toEqual([]);
      const body = (await (await postChat(user('b'))).json()) as Json;
      expect(body['id']).toBe('chatcmpl-mock000001');
    });
  });

  describe('text scenario', () => {
    it('answers the text with overridden usage and finish reason', async () => {
      upstream.enqueue({ kind: 'text', text: 'cut', finishReason: 'length', usage: { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 64 } } });
      const body = (await (await postChat(user('x'))).json()) as Json;
      expect(body['choices'][0]).toMatchObject({ finish_reason: 'length', message: { content: 'cut' } });
      expect(body['usage']).toMatchObject({ prompt_tokens: 100, completion_tokens: 1, total_tokens: 101, prompt_tokens_details: { cached_tokens: 64 } });
    });

    it('streams in chunks of chunkSize', async () => {
      upstream.enqueue({ kind: 'text', text: 'abcdefg', chunkSize: 3 });
      const { chunks } = await streamChat(user('x'));
      expect(deltas(chunks).map((delta) => delta['content'] ?? null)).toEqual(['', 'abc', 'def', 'g', null]);
    });

    it('contentInFirstChunk puts text beside the role', async () => {
      upstream.enqueue({ kind: 'text', text: 'abcdef', chunkSize: 3, quirks: { contentInFirstChunk: true } });
      const { chunks } = await streamChat(user('x'));
      expect(deltas(chunks)).toEqual([{ role: 'assistant', content: 'abc', refusal: null }, { content: 'def' }, {}]);
    });

    it('roleInSecondChunk sends the role with the second chunk', async () => {
      upstream.enqueue({ kind: 'text', text: 'abcdef', chunkSize: 3, quirks: { roleInSecondChunk: true } });
      const { chunks } = await streamChat(user('x'));
      expect(deltas(chunks)).toEqual([{ content: '' }, { role: 'assistant', content: 'abc', refusal: null }, { content: 'def' }, {}]);
    });

    it('usageWithFinishChunk puts usage on the finish chunk', async () => {
      upstream.enqueue({ kind: 'text', text: 'abcd', quirks: { usageWithFinishChunk: true } });
      const { chunks, payloads } = await streamChat(user('x'));
      const last = chunks.at(-1)!;
      expect(last['choices'][0]['finish_reason']).toBe('stop');
      expect(last['usage']).toMatchObject({ completion_tokens: 1 });
      expect(chunks.filter((chunk) => 'usage' in chunk)).toHaveLength(1);
      expect(payloads.at(-1)).toBe('[DONE]');
    });

    it('emptyContentLastChunk sends the vLLM finish chunk', async () => {
      upstream.enqueue({ kind: 'text', text: 'ab', quirks: { emptyContentLastChunk: true } });
      const { chunks } = await streamChat({ ...user('x'), stream_options: { include_usage: true } });
      expect(chunks.at(-2)!['choices']).toEqual([{ index: 0, delta: { content: '' }, logprobs: null, finish_reason: 'stop', stop_reason: null }]);
      expect(chunks.at(-1)!['choices']).toEqual([]);
    });

    it('noUsage withholds usage even when asked for', async () => {
      upstream.enqueue({ kind: 'text', text: 'ab', quirks: { noUsage: true } }, { kind: 'text', text: 'ab', quirks: { noUsage: true } });
      const { chunks } = await streamChat({ ...user('x'), stream_options: { include_usage: true } });
      expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
      const body = (await (await postChat(user('x'))).json()) as Json;
      expect('usage' in body).toBe(false);
    });
  });

  describe('tool_calls scenario', () => {
    const calls = [
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_fixed', name: 'get_time', arguments: '{}' },
    ];

    it('streams calls as OpenAI does', async () => {
      upstream.enqueue({ kind: 'tool_calls', calls, argumentChunkSize: 8 });
      const { chunks } = await streamChat({ ...user('x'), stream_options: { include_usage: true } });
      expect(deltas(chunks)).toEqual([
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: 'call_mock1_0', type: 'function', function: { name: 'get_weather', arguments: '' } }],
          refusal: null,
        },
        { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
        { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
        { tool_calls: [{ index: 1, id: 'call_fixed', type: 'function', function: { name: 'get_time', arguments: '' } }] },
        { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
        {},
      ]);
      expect(chunks.at(-2)!['choices'][0]['finish_reason']).toBe('tool_calls');
      expect(chunks.at(-1)!['usage']).toBeDefined();
    });

    it('waits for a call that allows tools: tool_choice "none" gets the default answer and leaves the step queued', async () => {
      upstream.enqueue({ kind: 'tool_calls', calls: calls.slice(0, 1) });
      const forbidden = await streamChat({ ...user('no tools now'), tool_choice: 'none' });
      expect(streamedText(forbidden.chunks)).toBe('echo: no tools now');
      const allowed = await streamChat(user('now'));
      expect(deltas(allowed.chunks)[0]!['tool_calls'][0]['function']['name']).toBe('get_weather');
    });

    it('streams content before the calls', async () => {
      upstream.enqueue({ kind: 'tool_calls', calls: calls.slice(0, 1), text: 'Let me check.' });
      const { chunks } = await streamChat(user('x'));
      const all = deltas(chunks);
      expect(all[0]).toEqual({ role: 'assistant', content: '', refusal: null });
      expect(streamedText(chunks)).toBe('Let me check.');
      const firstCall = all.findIndex((delta) => 'tool_calls' in delta);
      expect(all.slice(1, firstCall).every((delta) => typeof delta['content'] === 'string')).toBe(true);
    });

    it('answers message.tool_calls with content null', async () => {
      upstream.enqueue({ kind: 'tool_calls', calls });
      const body = (await (await postChat(user('x'))).json()) as Json;
      expect(body['choices'][0]).toEqual({
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [
            { id: 'call_mock1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_fixed', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      });
    });
  });

  describe('reasoning scenario', () => {
    it('streams reasoning_content before content (DeepSeek)', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'think hard', text: 'answer' });
      const { chunks } = await streamChat({ ...user('x'), stream_options: { include_usage: true } });
      const all = deltas(chunks);
      expect(all[0]).toEqual({ role: 'assistant', content: null, reasoning_content: '' });
      expect(all.map((delta) => delta['reasoning_content'] ?? '').join('')).toBe('think hard');
      expect(streamedText(chunks)).toBe('answer');
      const lastReasoning = all.findLastIndex((delta) => typeof delta['reasoning_content'] === 'string' && delta['reasoning_content'] !== '');
      const firstContent = all.findIndex((delta) => typeof delta['content'] === 'string');
      expect(lastReasoning).toBeLessThan(firstContent);
      expect(chunks.at(-1)!['usage']).toMatchObject({ completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 3 } });
    });

    it('can name the field `reasoning` and answers JSON too', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'hmm', text: 'ok', field: 'reasoning' }, { kind: 'reasoning', reasoning: 'hmm', text: 'ok' });
      const { chunks } = await streamChat(user('x'));
      expect(
        deltas(chunks)
          .map((delta) => delta['reasoning'] ?? '')
          .join(''),
      ).toBe('hmm');
      const body = (await (await postChat(user('x'))).json()) as Json;
      expect(body['choices'][0]['message']).toMatchObject({ content: 'ok', reasoning_content: 'hmm' });
    });
  });

  describe('error scenario', () => {
    it('answers an OpenAI error envelope with the given status and headers', async () => {
      upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
      const response = await postChat(user('x'));
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(await response.json()).toEqual({
        error: { message: expect.stringContaining('Rate limit'), type: 'requests', param: null, code: 'rate_limit_exceeded' },
      });
    });

    it('simulates a bad key with 401', async () => {
      upstream.enqueue({ kind: 'error', status: 401 });
      const response = await postChat(user('x'), { headers: {} });
      expect(response.status).toBe(401);
      expect(((await response.json()) as Json)['error']).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
    });

    it('sends a custom JSON or text body', async () => {
      upstream.enqueue(
        { kind: 'error', status: 400, body: { error: { message: 'custom' } } },
        { kind: 'error', status: 502, body: '<html>Bad Gateway</html>' },
      );
      expect(await (await postChat(user('x'))).json()).toEqual({ error: { message: 'custom' } });
      const response = await postChat(user('x'));
      expect(response.status).toBe(502);
      expect(await response.text()).toBe('<html>Bad Gateway</html>');
    });

    it('requires a bearer key only when started with requireAuthorization', async () => {
      const strict = await startMockUpstream({ requireAuthorization: true });
      try {
        const response = await fetch(`${strict.baseUrl}/chat/completions`, { body: JSON.stringify(user('x')), method: 'POST' });
        expect(response.status).toBe(401);
        const accepted = await fetch(`${strict.baseUrl}/chat/completions`, {
          body: JSON.stringify(user('x')),
          headers: { authorization: 'Bearer anything' },
          method: 'POST',
        });
        expect(accepted.status).toBe(200);
      } finally {
        await strict.close();
      }
    });
  });

  describe('failure scenarios', () => {
    it('stream_error sends an error event mid-stream and ends without [DONE]', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 2, error: { message: 'boom', code: 'overloaded' } });
      const { payloads } = await streamChat(user('hello'));
      expect(payloads).toHaveLength(3);
      expect(JSON.parse(payloads[2]!)).toEqual({ error: { message: 'boom', type: 'server_error', param: null, code: 'overloaded' } });
    });

    it('stream_error on a JSON request is a 500', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 1 });
      const response = await postChat(user('x'));
      expect(response.status).toBe(500);
      expect(((await response.json()) as Json)['error']['type']).toBe('server_error');
    });

    it('drop cuts the connection after some chunks without marking the request aborted', async () => {
      upstream.enqueue({ kind: 'drop', afterChunks: 2 });
      const response = await postChat({ ...user('hello'), stream: true });
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      const request = await waitFor(() => upstream.requests.find((candidate) => candidate.scenario?.kind === 'drop' && !candidate.finished));
      expect(request.aborted).toBe(false);
    });

    it('drop on a JSON request fails the fetch', async () => {
      upstream.enqueue({ kind: 'drop', afterChunks: 0 });
      await expect(postChat(user('x'))).rejects.toThrow();
    });

    it('malformed answers a JSON request with a body that does not parse', async () => {
      upstream.enqueue({ kind: 'malformed' });
      const response = await postChat(user('x'));
      expect(response.status).toBe(200);
      await expect(response.json()).rejects.toThrow();
    });

    it('malformed stream has a data line that does not parse', async () => {
      upstream.enqueue({ kind: 'malformed' });
      const response = await postChat({ ...user('x'), stream: true });
      const payloads = parseSse(await response.text());
      expect(JSON.parse(payloads[0]!)['choices'][0]['delta']['role']).toBe('assistant');
      expect(() => JSON.parse(payloads[1]!)).toThrow();
      expect(payloads[2]).toBe('[DONE]');
    });

    it('raw_sse replays a chunk fixture verbatim', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'mock-upstream-')), 'openai-text.chunks.txt');
      writeFileSync(
        file,
        ['# recorded by hand for this test', '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"hi"}}]}', '', '[DONE]', ''].join('\n'),
      );
      const lines = loadChunkFixture(file);
      expect(lines).toEqual(['{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"hi"}}]}', '[DONE]']);
      upstream.enqueue({ kind: 'raw_sse', lines });
      const response = await postChat({ ...user('x'), stream: true });
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(await response.text()).toBe(`data: ${lines[0]}\n\ndata: [DONE]\n\n`);
    });
  });

  describe('aborts and close()', () => {
    it('marks a hanging request aborted when the client gives up', async () => {
      upstream.enqueue({ kind: 'hang' });
      const controller = new AbortController();
      const pending = postChat(user('x'), { signal: controller.signal });
      const request = await upstream.waitForRequests(1);
      expect(request.aborted).toBe(false);
      controller.abort();
      await expect(pending).rejects.toThrow();
      await waitFor(() => request.aborted);
      expect(request.finished).toBe(false);
    });

    it('marks a stream aborted when the client stops reading mid-stream', async () => {
      upstream.enqueue({ kind: 'text', text: 'a'.repeat(200), chunkSize: 1, delayMs: 10 });
      let unsubscribe: () => void = () => undefined;
      const aborted = new Promise((resolve) => {
        unsubscribe = upstream.on('abort', resolve);
      });
      const response = await postChat({ ...user('x'), stream: true });
      const reader = response.body!.getReader();
      await reader.read();
      await reader.cancel();
      await aborted;
      unsubscribe();
      expect(upstream.requests[0]).toMatchObject({ aborted: true, finished: false });
    });

    it('hang with afterChunks sends some chunks, then nothing', async () => {
      upstream.enqueue({ kind: 'hang', afterChunks: 1 });
      const controller = new AbortController();
      const response = await postChat({ ...user('x'), stream: true }, { signal: controller.signal });
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(parseSse(first)).toHaveLength(1);
      controller.abort();
      await upstream.waitFor(() => upstream.requests[0]?.aborted);
    });

    it('close() does not wait for a hanging request', async () => {
      const server = await startMockUpstream();
      server.enqueue({ kind: 'hang' });
      const pending = fetch(`${server.baseUrl}/chat/completions`, { body: JSON.stringify(user('x')), method: 'POST' });
      pending.catch(() => undefined);
      const request = await server.waitForRequests(1);
      const startedAt = Date.now();
      await server.close();
      expect(Date.now() - startedAt).toBeLessThan(1000);
      await expect(pending).rejects.toThrow();
      expect(request).toMatchObject({ aborted: false, finished: false });
      await expect(fetch(`${server.origin}/v1/chat/completions`, { method: 'POST' })).rejects.toThrow();
    });
  });

  describe('waitFor', () => {
    it('rejects with the description after the timeout', async () => {
      await expect(waitFor(() => false, 20, 'never')).rejects.toThrow('waitFor: never not met within 20 ms');
    });
  });
});
