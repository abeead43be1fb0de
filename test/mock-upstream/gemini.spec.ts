import { geminiModelFromPath } from './gemini.js';
import type { MockUpstream } from './mock-upstream.js';
import { loadChunkFixture, startMockUpstream } from './mock-upstream.js';

type Json = Record<string, any>;

let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockUpstream({ port: 0 });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  await upstream.close();
});

type Method = 'generateContent' | 'streamGenerateContent?alt=sse' | 'streamGenerateContent';

function post(body: unknown, method: Method = 'generateContent', model = 'gemini-2.5-flash', server = upstream): Promise<Response> {
  return fetch(`${server.origin}/v1beta/models/${model}:${method}`, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test-key' },
    method: 'POST',
  });
}

/** The `data:` payloads of a Gemini SSE body, checking Google's CRLF framing on the way. */
function parseSse(text: string): string[] {
  expect(text.endsWith('\r\n\r\n')).toBe(true);
  return text
    .split('\r\n\r\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

async function stream(body: Json, model?: string): Promise<{ chunks: Json[]; response: Response }> {
  const response = await post(body, 'streamGenerateContent?alt=sse', model);
  const chunks = parseSse(await response.text()).map((payload) => JSON.parse(payload) as Json);
  return { chunks, response };
}

const user = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });

function parts(chunks: Json[]): Json[] {
  return chunks.flatMap((chunk) => chunk['candidates']?.[0]?.['content']?.['parts'] ?? []);
}

function text(chunks: Json[], thought = false): string {
  return parts(chunks)
    .filter((part) => typeof part['text'] === 'string' && (part['thought'] === true) === thought)
    .map((part) => part['text'])
    .join('');
}

describe('Gemini route', () => {
  describe('default echo', () => {
    it('answers generateContent with one GenerateContentResponse named after the model in the path', async () => {
      const response = await post({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'first' }] },
          { role: 'model', parts: [{ text: 'ok' }] },
          { role: 'user', parts: [{ text: 'hello ' }, { inlineData: { mimeType: 'image/png', data: 'AA' } }, { text: 'world' }] },
        ],
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({
        candidates: [{ content: { parts: [{ text: 'echo: hello world' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: {
          // The system instruction and each content as JSON, a token per four characters rounded up per unit.
          promptTokenCount: 57,
          candidatesTokenCount: 5,
          totalTokenCount: 62,
          promptTokensDetails: [{ modality: 'TEXT', tokenCount: 57 }],
        },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'mockresp000001',
      });
      expect(upstream.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:generateContent', scenario: undefined });
      expect(geminiModelFromPath(upstream.requests[0]!.path)).toBe('gemini-2.5-flash');
    });

    it('streams with ?alt=sse as Google does: data events framed by CRLF pairs, no [DONE]', async () => {
      const { chunks, response } = await stream(user('hello world'), 'gemini-3-flash-preview');

      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(text(chunks)).toBe('echo: hello world');
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({ modelVersion: 'gemini-3-flash-preview', responseId: 'mockresp000001' });
      }
      // Running usage on every chunk; the finish reason and the totals on the last one only.
      expect(chunks[0]).toEqual({
        candidates: [{ content: { parts: [{ text: 'echo' }], role: 'model' }, index: 0 }],
        usageMetadata: { promptTokenCount: 12, totalTokenCount: 12, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12 }] },
        modelVersion: 'gemini-3-flash-preview',
        responseId: 'mockresp000001',
      });
      expect(chunks.at(-1)).toMatchObject({
        candidates: [{ finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 },
      });
      expect(upstream.requests[0]?.url).toBe('/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse');
    });

    it('answers streamGenerateContent without alt=sse with one JSON array of the chunks', async () => {
      const response = await post(user('hi'), 'streamGenerateContent');
      const body = (await response.json()) as Json[];

      expect(Array.isArray(body)).toBe(true);
      expect(text(body)).toBe('echo: hi');
      expect(body.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }] });
    });
  });

  describe('scenarios', () => {
    it('text: chunks, chat finish reasons in Gemini words, chat usage overrides as Gemini counts', async () => {
      upstream.enqueue({
        kind: 'text',
        text: 'abcdefgh',
        chunkSize: 3,
        finishReason: 'length',
        usage: { prompt_tokens: 100, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 20 } },
      });

      const { chunks } = await stream(user('x'));

      expect(parts(chunks)).toEqual([{ text: 'abc' }, { text: 'def' }, { text: 'gh' }]);
      expect(chunks.at(-1)?.['candidates'][0]['finishReason']).toBe('MAX_TOKENS');
      expect(chunks.at(-1)?.['usageMetadata']).toEqual({
        promptTokenCount: 100,
        candidatesTokenCount: 10,
        totalTokenCount: 130,
        cachedContentTokenCount: 64,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 100 }],
        cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 64 }],
        thoughtsTokenCount: 20,
      });
    });

    it('text: passes a Gemini finish reason through and can omit usage', async () => {
      upstream.enqueue({ kind: 'text', text: 'x', finishReason: 'RECITATION', quirks: { noUsage: true } });

      const { chunks } = await stream(user('x'));

      expect(chunks).toEqual([
        {
          candidates: [{ content: { parts: [{ text: 'x' }], role: 'model' }, finishReason: 'RECITATION', index: 0 }],
          modelVersion: 'gemini-2.5-flash',
          responseId: 'mockresp000001',
        },
      ]);
    });

    it('tool_calls: all calls in one chunk, args parsed, a deterministic signature on the first call only', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        text: 'Checking.',
        calls: [
          { name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'ignored', name: 'get_weather', arguments: '{"city":"London"}' },
        ],
      });

      const { chunks } = await stream(user('Weather?'));

      expect(text(chunks)).toBe('Checking.');
      expect(chunks.at(-1)).toEqual({
        candidates: [
          {
            content: {
              parts: [
                {
                  functionCall: { name: 'get_weather', args: { city: 'Paris' } },
                  thoughtSignature: Buffer.from('mock-thought-signature:mockresp000001').toString('base64'),
                },
                { functionCall: { name: 'get_weather', args: { city: 'London' } } },
              ],
              role: 'model',
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: expect.objectContaining({ candidatesTokenCount: expect.any(Number) }),
        modelVersion: 'gemini-2.5-flash',
        responseId: 'mockresp000001',
      });
    });

    it('reasoning: thought parts, then answer text whose first part carries the signature; thoughts counted apart', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'Think hard.', text: 'Done.', chunkSize: 6 });

      const { chunks } = await stream(user('Q'));

      expect(parts(chunks)).toEqual([
        { text: 'Think ', thought: true },
        { text: 'hard.', thought: true },
        { text: 'Done.', thoughtSignature: expect.any(String) },
      ]);
      expect(chunks.at(-1)?.['usageMetadata']).toMatchObject({ candidatesTokenCount: 2, thoughtsTokenCount: 3 });
    });

    it('reasoning: generateContent merges the stream into one thought part and one answer part', async () => {
      upstream.enqueue({ kind: 'reasoning', reasoning: 'Think hard.', text: 'Done.', chunkSize: 2 });

      const body = (await (await post(user('Q'))).json()) as Json;

      expect(body['candidates'][0]['content']['parts']).toEqual([
        { text: 'Think hard.', thought: true },
        { text: 'Done.', thoughtSignature: expect.any(String) },
      ]);
    });

    it.each([
      [429, 'RESOURCE_EXHAUSTED'],
      [400, 'INVALID_ARGUMENT'],
      [403, 'PERMISSION_DENIED'],
      [500, 'INTERNAL'],
      [503, 'UNAVAILABLE'],
    ])('error %i: a google.rpc.Status body with status %s', async (status, name) => {
      upstream.enqueue({ kind: 'error', status });

      const response = await post(user('x'), 'streamGenerateContent?alt=sse');

      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: status, message: expect.any(String), status: name }) });
    });

    it('error: wraps the body in an array for the JSON-array stream, and takes a message or a raw body', async () => {
      upstream.enqueue({ kind: 'error', status: 429, message: 'quota' }, { kind: 'error', status: 502, body: '<html>Bad Gateway</html>' });

      const wrapped = await post(user('x'), 'streamGenerateContent');
      expect(await wrapped.json()).toEqual([
        {
          error: {
            code: 429,
            message: 'quota',
            status: 'RESOURCE_EXHAUSTED',
            details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }],
          },
        },
      ]);
      const raw = await post(user('x'));
      expect(raw.status).toBe(502);
      expect(await raw.text()).toBe('<html>Bad Gateway</html>');
    });

    it('stream_error: some chunks, then an error event, then the body ends', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 2, error: { code: 'RESOURCE_EXHAUSTED', message: 'quota exhausted' } });

      const { chunks, response } = await stream(user('hello'));

      expect(response.status).toBe(200);
      expect(chunks).toHaveLength(3);
      expect(chunks.at(-1)).toEqual({ error: { code: 429, message: 'quota exhausted', status: 'RESOURCE_EXHAUSTED', details: expect.any(Array) } });
    });

    it('stream_error: defaults to 503 UNAVAILABLE, and is an HTTP error without SSE', async () => {
      upstream.enqueue({ kind: 'stream_error', afterChunks: 0 });

      const response = await post(user('hello'));

      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
    });

    it('drop: cuts the connection after the given number of chunks', async () => {
      upstream.enqueue({ kind: 'drop', afterChunks: 1 });

      const response = await post(user('hello world'), 'streamGenerateContent?alt=sse');
      await expect(response.text()).rejects.toThrow();
      expect(upstream.requests[0]?.aborted).toBe(false);
    });

    it('hang: writes the first chunks and waits until the client gives up', async () => {
      upstream.enqueue({ kind: 'hang', afterChunks: 1 });
      const controller = new AbortController();

      const response = await fetch(`${upstream.origin}/v1beta/models/m:streamGenerateContent?alt=sse`, {
        body: JSON.stringify(user('hello')),
        headers: { 'content-type': 'application/json' },
        method: 'POST',
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toMatch(/^data: \{"candidates"/);
      controller.abort();

      await upstream.waitFor(() => upstream.requests[0]?.aborted);
    });

    it('malformed: a valid chunk, then truncated JSON', async () => {
      upstream.enqueue({ kind: 'malformed' });

      const response = await post(user('x'), 'streamGenerateContent?alt=sse');
      const payloads = parseSse(await response.text());

      expect(payloads).toHaveLength(2);
      expect(() => JSON.parse(payloads[0]!)).not.toThrow();
      expect(() => JSON.parse(payloads[1]!)).toThrow();
    });

    it('raw_sse: replays the adapter fixtures with Gemini framing', async () => {
      const lines = loadChunkFixture(new URL('../../src/providers/gemini/__fixtures__/gemini-thought.chunks.txt', import.meta.url));
      upstream.enqueue({ kind: 'raw_sse', lines });

      const response = await post(user('x'), 'streamGenerateContent?alt=sse');

      expect(parseSse(await response.text())).toEqual(lines);
    });
  });

  describe('request checks', () => {
    const callTurn = (...names: string[]) => ({ role: 'model', parts: names.map((name) => ({ functionCall: { name, args: {} } })) });
    const responseTurn = (...names: string[]) => ({ role: 'user', parts: names.map((name) => ({ functionResponse: { name, response: { output: 'ok' } } })) });

    async function rejection(body: unknown): Promise<{ status: number; error: Json }> {
      const response = await post(body);
      return { status: response.status, error: ((await response.json()) as Json)['error'] };
    }

    it('rejects function responses that do not match the calls of the turn before in number', async () => {
      const { status, error } = await rejection({ contents: [user('go').contents[0], callTurn('a', 'b'), responseTurn('a')] });

      expect(status).toBe(400);
      expect(error).toEqual({
        code: 400,
        message: 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
        status: 'INVALID_ARGUMENT',
      });
    });

    it('rejects a function call turn answered by plain text', async () => {
      const { error } = await rejection({ contents: [user('go').contents[0], callTurn('a'), user('never mind').contents[0]] });
      expect(error['message']).toMatch(/number of function response parts/);
    });

    it('rejects function responses without a call turn before them', async () => {
      const { error } = await rejection({ contents: [user('go').contents[0], responseTurn('a')] });
      expect(error['message']).toBe('Please ensure that function response turn comes immediately after a function call turn.');
    });

    it.each([
      [
        'a model turn first',
        { contents: [{ role: 'model', parts: [{ text: 'hi' }] }] },
        'Please ensure that multiturn requests alternate between user and model.',
      ],
      [
        'a function call first',
        { contents: [callTurn('a'), responseTurn('a')] },
        'Please ensure that function call turn comes immediately after a user turn or after a function response turn.',
      ],
      ['an unknown role', { contents: [{ role: 'assistant', parts: [{ text: 'hi' }] }] }, 'Please use a valid role: user, model.'],
      ['no contents', { contents: [] }, '* GenerateContentRequest.contents: contents is not specified\n'],
      ['an empty content', { contents: [{ role: 'user', parts: [] }] }, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n'],
    ])('rejects %s', async (_, body, message) => {
      const { status, error } = await rejection(body);
      expect(status).toBe(400);
      expect(error['message']).toBe(message);
    });

    it('rejects an unparsable body', async () => {
      const { error } = await rejection('{"contents": [');
      expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid JSON payload received. Unexpected token.' });
    });

    it('does not take a scenario for a rejected request', async () => {
      upstream.enqueue({ kind: 'text', text: 'kept' });
      await rejection({ contents: [] });

      expect(text((await stream(user('x'))).chunks)).toBe('kept');
    });

    describe('thought signatures', () => {
      async function issueCall(): Promise<{ call: Json; signature: string }> {
        upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }] });
        const [part] = parts((await stream(user('Weather?'))).chunks);
        return { call: part!['functionCall'], signature: part!['thoughtSignature'] };
      }

      const history = (modelPart: Json) => ({
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          { role: 'model', parts: [modelPart] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 18 } } }] },
        ],
      });

      it('rejects a call of the current turn replayed without the signature it was issued', async () => {
        const { call } = await issueCall();

        // Same call, arguments in another key order: still recognised.
        const { status, error } = await rejection(history({ functionCall: { name: 'get_weather', args: { unit: 'c', city: call['args']['city'] } } }));

        expect(status).toBe(400);
        expect(error['message']).toMatch(/^Function call is missing a thought_signature in functionCall parts\. .*`default_api:get_weather` , position 2\./);
      });

      it('accepts the call replayed with its signature', async () => {
        const { call, signature } = await issueCall();

        const response = await post(history({ functionCall: call, thoughtSignature: signature }));

        expect(response.status).toBe(200);
      });

      it('ignores calls it never issued and calls of earlier turns', async () => {
        const { call } = await issueCall();

        expect((await post(history({ functionCall: { name: 'get_time', args: {} } }))).status).toBe(200);
        const earlierTurn = history({ functionCall: call });
        earlierTurn.contents.push({ role: 'model', parts: [{ text: 'It is 18 degrees.' }] }, { role: 'user', parts: [{ text: 'Thanks' }] });
        expect((await post(earlierTurn)).status).toBe(200);
      });
    });
  });

  describe('authorization', () => {
    it('answers 403 PERMISSION_DENIED without an API key when asked to check', async () => {
      const strict = await startMockUpstream({ requireAuthorization: true });
      try {
        const missing = await fetch(`${strict.origin}/v1beta/models/m:generateContent`, { body: JSON.stringify(user('x')), method: 'POST' });
        expect(missing.status).toBe(403);
        expect(await missing.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
        expect((await post(user('x'), 'generateContent', 'm', strict)).status).toBe(200);
        const byQuery = await fetch(`${strict.origin}/v1beta/models/m:generateContent?key=k`, { body: JSON.stringify(user('x')), method: 'POST' });
        expect(byQuery.status).toBe(200);
      } finally {
        await strict.close();
      }
    });
  });
});
