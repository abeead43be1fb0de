// Context windows over real HTTP: a prompt that fits its model's window is answered, one token more is
// refused with the vendor's exact status and body, streamed or not, before a scenario is taken. The
// window comes from `-ctx<digits>` in the model name or from the `contextWindows` option.
import { contextWindowOf } from './context-window.js';
import type { MockUpstream } from './mock-upstream.js';
import { startMockUpstream } from './mock-upstream.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

/** The mock's estimate for one prompt unit: its JSON, a token per four characters, rounded up. */
const tokens = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);
const question = 'How long may a prompt be before the model refuses it?';

async function post(path: string, body: unknown, headers: Record<string, string> = {}, server: MockUpstream = upstream): Promise<Response> {
  return fetch(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function json(response: Response): Promise<{ status: number; body: Json }> {
  return { status: response.status, body: (await response.json()) as Json };
}

/** `event:`/`data:` SSE as parsed data objects. */
async function sseData(response: Response): Promise<Json[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => JSON.parse(event.slice(event.indexOf('data: ') + 'data: '.length)) as Json);
}

describe(contextWindowOf.name, () => {
  it.each([
    ['gpt-4o-mini-ctx4000', undefined, 4000],
    ['claude-sonnet-4-5-ctx4000', undefined, 4000],
    ['gemini-2.5-flash-ctx4000', undefined, 4000],
    ['qwen-ctx12', undefined, 12],
    ['gpt-4o-mini', undefined, undefined],
    ['gpt-4o-mini', { 'gpt-4o-mini': 128_000 }, 128_000],
    // The option wins over the name; a name the option does not list still reads its own window.
    ['qwen-ctx12', { 'qwen-ctx12': 500 }, 500],
    ['qwen-ctx12', { 'gpt-4o-mini': 128_000 }, 12],
    // Object's own keys only: `constructor` is no model's window.
    ['constructor', {}, undefined],
  ])('%s with %j has window %s', (model, windows, expected) => {
    expect(contextWindowOf(model, windows)).toBe(expected);
  });
});

describe('OpenAI Responses', () => {
  const body = (model: string, extra: Json = {}): Json => ({ model, input: question, store: false, ...extra });
  const inputTokens = tokens(question);
  const refusal = {
    error: {
      message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
      type: 'invalid_request_error',
      param: 'input',
      code: 'context_length_exceeded',
    },
  };

  it('answers a prompt exactly as long as the window and reports those input tokens', async () => {
    const { status, body: answer } = await json(await post('/v1/responses', body(`gpt-4o-mini-ctx${inputTokens}`)));
    expect(status).toBe(200);
    expect(answer['usage']['input_tokens']).toBe(inputTokens);
  });

  it('refuses one token over the window with a 400, leaving the queued scenario for the next call', async () => {
    upstream.enqueue({ kind: 'text', text: 'queued' });
    const refused = await json(await post('/v1/responses', body(`gpt-4o-mini-ctx${inputTokens - 1}`)));
    expect(refused).toEqual({ status: 400, body: refusal });
    expect(upstream.requests[0]!.scenario).toBeUndefined();

    const next = await json(await post('/v1/responses', body('gpt-4o-mini')));
    expect(next.body['output'][0]['content'][0]['text']).toBe('queued');
  });

  it('fails a stream in-band: created, in_progress, an error event, then response.failed', async () => {
    const response = await post('/v1/responses', body(`gpt-4o-mini-ctx${inputTokens - 1}`, { stream: true }));
    expect(response.status).toBe(200);
    const events = await sseData(response);
    expect(events.map((event) => [event['type'], event['sequence_number']])).toEqual([
      ['response.created', 0],
      ['response.in_progress', 1],
      ['error', 2],
      ['response.failed', 3],
    ]);
    expect(events[2]).toEqual({
      type: 'error',
      sequence_number: 2,
      error: { type: 'invalid_request_error', code: 'context_length_exceeded', message: refusal.error.message, param: 'input' },
    });
    expect(events[3]!['response']).toMatchObject({
      id: 'resp_mock000001',
      status: 'failed',
      error: { code: 'context_length_exceeded', message: refusal.error.message },
      output: [],
      usage: null,
    });
  });

  it('streams a prompt that fits as usual', async () => {
    const events = await sseData(await post('/v1/responses', body(`gpt-4o-mini-ctx${inputTokens}`, { stream: true })));
    expect(events.at(-1)!['type']).toBe('response.completed');
    expect(events.at(-1)!['response']['usage']['input_tokens']).toBe(inputTokens);
  });
});

describe('OpenAI Chat Completions', () => {
  const messages = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: question },
  ];
  const inputTokens = tokens(messages[0]) + tokens(messages[1]);
  const refusal = (window: number) => ({
    error: {
      message: `This model's maximum context length is ${window} tokens. However, your messages resulted in ${inputTokens} tokens. Please reduce the length of the messages.`,
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  });

  it('answers a prompt exactly as long as the window', async () => {
    const { status, body } = await json(await post('/v1/chat/completions', { model: `qwen-ctx${inputTokens}`, messages }));
    expect(status).toBe(200);
    expect(body['usage']['prompt_tokens']).toBe(inputTokens);
  });

  it.each([false, true])('refuses one token over with a 400 naming both counts (stream: %s)', async (stream) => {
    const window = inputTokens - 1;
    const response = await post('/v1/chat/completions', { model: `qwen-ctx${window}`, messages, stream });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await json(response)).toEqual({ status: 400, body: refusal(window) });
  });
});

describe('Anthropic Messages', () => {
  const headers = { 'anthropic-version': '2023-06-01' };
  const system = [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }];
  const request = (model: string, extra: Json = {}): Json => ({ model, max_tokens: 10, system, messages: [{ role: 'user', content: question }], ...extra });
  // Markers do not count; a string content counts as its text block.
  const inputTokens = tokens({ type: 'text', text: 'Be brief.' }) + tokens({ type: 'text', text: question });
  const refusal = (message: string, requestId = 'req_mock000001') => ({
    type: 'error',
    error: { type: 'invalid_request_error', message },
    request_id: requestId,
  });

  it('answers when the prompt and max_tokens exactly fill the window, reporting input + cache write as the count', async () => {
    const { status, body } = await json(await post('/v1/messages', request(`claude-sonnet-4-5-ctx${inputTokens + 10}`), headers));
    expect(status).toBe(200);
    const usage = body['usage'];
    expect(usage['input_tokens'] + usage['cache_read_input_tokens'] + usage['cache_creation_input_tokens']).toBe(inputTokens);
  });

  it.each([false, true])('refuses a prompt one token over the window (stream: %s)', async (stream) => {
    const window = inputTokens - 1;
    const response = await post('/v1/messages', request(`claude-sonnet-4-5-ctx${window}`, { stream }), headers);
    expect(response.headers.get('request-id')).toBe('req_mock000001');
    expect(await json(response)).toEqual({ status: 400, body: refusal(`prompt is too long: ${inputTokens} tokens > ${window} maximum`) });
  });

  it.each([false, true])('refuses a prompt that fits when max_tokens does not (stream: %s)', async (stream) => {
    const window = inputTokens + 9;
    const response = await post('/v1/messages', request(`claude-sonnet-4-5-ctx${window}`, { stream }), headers);
    expect(await json(response)).toEqual({
      status: 400,
      body: refusal(
        `input length and \`max_tokens\` exceed context limit: ${inputTokens} + 10 > ${window}, decrease input length or \`max_tokens\` and try again`,
      ),
    });
  });

  it('checks the request before the window: a malformed request gets its own error', async () => {
    const { body } = await json(await post('/v1/messages', request('claude-sonnet-4-5-ctx1', { max_tokens: undefined }), headers));
    expect(body['error']['message']).toBe('max_tokens: Field required');
  });
});

describe('Gemini', () => {
  const request = {
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    contents: [{ role: 'user', parts: [{ text: question }] }],
  };
  const inputTokens = tokens(request.systemInstruction) + tokens(request.contents[0]);
  const path = (model: string, method: string) => `/v1beta/models/${model}:${method}`;
  const refusal = (window: number) => ({
    error: {
      code: 400,
      message: `The input token count (${inputTokens}) exceeds the maximum number of tokens allowed (${window}).`,
      status: 'INVALID_ARGUMENT',
    },
  });

  it('answers a prompt exactly as long as the window', async () => {
    const { status, body } = await json(await post(path(`gemini-2.5-flash-ctx${inputTokens}`, 'generateContent'), request));
    expect(status).toBe(200);
    expect(body['usageMetadata']['promptTokenCount']).toBe(inputTokens);
  });

  it.each(['generateContent', 'streamGenerateContent?alt=sse'])('refuses one token over with 400 INVALID_ARGUMENT (%s)', async (method) => {
    const window = inputTokens - 1;
    expect(await json(await post(path(`gemini-2.5-flash-ctx${window}`, method), request))).toEqual({ status: 400, body: refusal(window) });
  });

  it('wraps the refusal in an array for streamGenerateContent without alt=sse, as Google does', async () => {
    const window = inputTokens - 1;
    expect(await json(await post(path(`gemini-2.5-flash-ctx${window}`, 'streamGenerateContent'), request))).toEqual({ status: 400, body: [refusal(window)] });
  });
});

describe('the contextWindows option', () => {
  let server: MockUpstream;
  const input = 'x'.repeat(38); // 40 characters of JSON: 10 tokens

  beforeAll(async () => {
    server = await startMockUpstream({ contextWindows: { 'gpt-4o-mini': 10, 'small-ctx1000': 9, 'claude-haiku-4-5': 9, 'gemini-2.5-pro': 9 } });
  });

  afterAll(async () => {
    await server.close();
  });

  it('gives the listed models their windows on every wire, over a -ctx name too', async () => {
    expect(tokens(input)).toBe(10);
    const responses = (model: string) => post('/v1/responses', { model, input, store: false }, {}, server);
    expect((await responses('gpt-4o-mini')).status).toBe(200);
    expect((await responses('small-ctx1000')).status).toBe(400);
    // Unlisted and without -ctx: no limit.
    expect((await responses('gpt-4.1')).status).toBe(200);

    const anthropic = await post(
      '/v1/messages',
      { model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'x'.repeat(100) }] },
      { 'anthropic-version': '2023-06-01' },
      server,
    );
    expect((await json(anthropic)).body['error']['message']).toBe(`prompt is too long: ${tokens({ type: 'text', text: 'x'.repeat(100) })} tokens > 9 maximum`);

    const gemini = await post(
      '/v1beta/models/gemini-2.5-pro:generateContent',
      { contents: [{ role: 'user', parts: [{ text: 'x'.repeat(100) }] }] },
      {},
      server,
    );
    expect((await json(gemini)).body['error']['message']).toBe(
      `The input token count (${tokens({ role: 'user', parts: [{ text: 'x'.repeat(100) }] })}) exceeds the maximum number of tokens allowed (9).`,
    );
  });
});
