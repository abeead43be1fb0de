// Prompt caching as each vendor reports it, over real HTTP: the routes feed the emulators and put
// their numbers in the vendors' usage fields. The clock is the server's `now` option, so TTLs pass
// without sleeping.

import type { MockUpstream } from './mock-upstream.js';
import { startMockUpstream } from './mock-upstream.js';

type Json = Record<string, any>;

let clock = Date.parse('2026-03-01T12:00:00.000Z');
const minutes = (count: number): void => {
  clock += count * 60_000;
};
let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockUpstream({ now: () => clock });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  await upstream.close();
});

/** The mock's estimate for one unit: its JSON, a token per four characters, rounded up. */
const tokens = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);
/** About `count` tokens of text that never repeats a block of another call. */
const filler = (count: number, seed = 'a'): string => `${seed} `.repeat(count * 2).slice(0, count * 4);

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
  server = upstream,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server.origin}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

describe('Anthropic prompt caching', () => {
  const headers = { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' };
  const messages = (body: Json, server?: MockUpstream) =>
    post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, ...body }, headers, 'POST', server);
  const ephemeral = { type: 'ephemeral' };
  const system = { type: 'text', text: filler(1500, 'rules') };
  const question = (text: string, marked = false) => ({ role: 'user', content: [{ type: 'text', text, ...(marked ? { cache_control: ephemeral } : {}) }] });
  const turn = (text: string) => [question('first question'), { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] }, question(text, true)];
  const block = (text: string) => tokens({ type: 'text', text });

  it('writes at a breakpoint on the first turn and reads the same prefix on the next', async () => {
    const first = await messages({ system: [{ ...system, cache_control: ephemeral }], messages: [question('first question')] });
    expect(first.status).toBe(200);
    const written = tokens(system);
    expect(written).toBeGreaterThan(1024);
    expect(first.body['usage']).toEqual({
      input_tokens: block('first question'),
      cache_creation_input_tokens: written,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 },
      output_tokens: expect.any(Number),
      service_tier: 'standard',
    });

    const second = await messages({ system: [{ ...system, cache_control: ephemeral }], messages: [question('another question')] });
    expect(second.body['usage']).toMatchObject({ input_tokens: block('another question'), cache_creation_input_tokens: 0, cache_read_input_tokens: written });
  });

  it('reports the 1h and 5m parts of a write apart, in message_start and message_delta too', async () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      system: [{ ...system, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: turn('second question'),
      stream: true,
    };
    const response = await fetch(`${upstream.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const events = (await response.text())
      .split('\n\n')
      .filter((event) => event.trim() !== '')
      .map((event) => JSON.parse(event.split('\ndata: ')[1]!) as Json);
    const conversation = block('first question') + block('first answer') + block('second question');
    expect(events[0]!['message']['usage']).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: tokens(system) + conversation,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: conversation, ephemeral_1h_input_tokens: tokens(system) },
      output_tokens: 1,
      service_tier: 'standard',
    });
    expect(events.find((event) => event['type'] === 'message_delta')!['usage']).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: tokens(system) + conversation,
      cache_read_input_tokens: 0,
      output_tokens: expect.any(Number),
    });
  });

  it('forgets a 5m entry once the clock passes five minutes, and caches each model apart', async () => {
    const body = { system: [{ ...system, cache_control: ephemeral }], messages: [question('q')] };
    await messages(body);
    minutes(4);
    expect((await messages(body)).body['usage']['cache_read_input_tokens']).toBe(tokens(system));
    minutes(6);
    const expired = (await messages(body)).body['usage'];
    expect(expired).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: tokens(system) });
    expect((await messages({ ...body, model: 'claude-opus-4-1' })).body['usage']['cache_read_input_tokens']).toBe(0);
  });

  it('writes nothing for a prompt below the model minimum', async () => {
    const small = { type: 'text', text: filler(500), cache_control: ephemeral };
    const { body } = await messages({ system: [small], messages: [question('q')] });
    expect(body['usage']).toMatchObject({ input_tokens: block(small.text) + block('q'), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('hashes blocks without their markers: a marker moved to a later block still reads the prefix', async () => {
    await messages({ system: [{ ...system, cache_control: ephemeral }], messages: [question('first question')] });
    const { body } = await messages({ system: [system], messages: turn('second question') });
    expect(body['usage']).toMatchObject({
      cache_read_input_tokens: tokens(system),
      cache_creation_input_tokens: block('first question') + block('first answer') + block('second question'),
      input_tokens: 0,
    });
  });

  it('refuses a fifth breakpoint and a 1h breakpoint after a 5m one, as the API does', async () => {
    const marked = (text: string, ttl?: string) => ({ type: 'text', text, cache_control: ttl ? { type: 'ephemeral', ttl } : ephemeral });
    const five = await messages({ system: ['a', 'b', 'c', 'd'].map((text) => marked(text)), messages: [{ role: 'user', content: [marked('e')] }] });
    expect(five.status).toBe(400);
    expect(five.body).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.' },
      request_id: expect.stringMatching(/^req_mock/),
    });
    const order = await messages({ system: [marked('a')], messages: [{ role: 'user', content: [marked('b', '1h')] }] });
    expect(order.status).toBe(400);
    expect(order.body['error']['message']).toBe(
      "messages.0.content.0.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. " +
        'Note that blocks are processed in the following order: `tools`, `system`, `messages`.',
    );
  });

  it('lets a scenario usage override win over the emulated cache', async () => {
    const body = { system: [{ ...system, cache_control: ephemeral }], messages: [question('q')] };
    await messages(body);
    upstream.enqueue({ kind: 'text', text: 'ok', usage: { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 60 } } });
    expect((await messages(body)).body['usage']).toMatchObject({ input_tokens: 40, cache_read_input_tokens: 60, cache_creation_input_tokens: 0 });
  });

  it('caches tiny prompts on a server started with cacheMinTokens', async () => {
    const tiny = await startMockUpstream({ now: () => clock, cacheMinTokens: 1 });
    try {
      const body = { system: [{ type: 'text', text: 'Be brief.', cache_control: ephemeral }], messages: [question('q')] };
      expect((await messages(body, tiny)).body['usage']['cache_creation_input_tokens']).toBe(block('Be brief.'));
      expect((await messages(body, tiny)).body['usage']['cache_read_input_tokens']).toBe(block('Be brief.'));
    } finally {
      await tiny.close();
    }
  });
});

describe('OpenAI prompt caching', () => {
  const auth = { authorization: 'Bearer sk-test' };
  const instructions = filler(1300, 'house');
  const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
  const responses = (text: string, extra: Json = {}) =>
    post('/v1/responses', { model: 'gpt-5', store: false, instructions, input: [user(text)], ...extra }, auth);
  const chat = (text: string, extra: Json = {}) =>
    post(
      '/v1/chat/completions',
      {
        model: 'gpt-5',
        messages: [
          { role: 'system', content: instructions },
          { role: 'user', content: text },
        ],
        ...extra,
      },
      auth,
    );
  const stepsOf = (count: number) => Math.floor(count / 128) * 128;

  it('Responses: a second request sharing a ≥1,024-token prefix reads it in 128-token steps; input_tokens includes it', async () => {
    const first = (await responses('first')).body['usage'];
    expect(first['input_tokens_details']).toEqual({ cached_tokens: 0, cache_write_tokens: 0 });
    const second = (await responses('second')).body['usage'];
    expect(second['input_tokens_details']['cached_tokens']).toBe(stepsOf(tokens(instructions)));
    expect(second['input_tokens']).toBe(tokens(instructions) + tokens(user('second')));
    // The same input again shares every unit.
    expect((await responses('second')).body['usage']['input_tokens_details']['cached_tokens']).toBe(stepsOf(second['input_tokens']));
  });

  it('Responses: a different prompt_cache_key sees none of another key’s entries', async () => {
    await responses('first', { prompt_cache_key: 'tenant-a' });
    expect((await responses('second', { prompt_cache_key: 'tenant-b' })).body['usage']['input_tokens_details']['cached_tokens']).toBe(0);
    expect((await responses('second')).body['usage']['input_tokens_details']['cached_tokens']).toBe(0);
    expect((await responses('third', { prompt_cache_key: 'tenant-a' })).body['usage']['input_tokens_details']['cached_tokens']).toBeGreaterThan(0);
  });

  it('Responses: in_memory entries are gone after 10 minutes of clock, 24h ones are not; the retention is echoed', async () => {
    await responses('first');
    minutes(10);
    expect((await responses('second')).body['usage']['input_tokens_details']['cached_tokens']).toBe(0);
    const long = await responses('first', { prompt_cache_retention: '24h' });
    expect(long.body['prompt_cache_retention']).toBe('24h');
    minutes(10);
    expect((await responses('second', { prompt_cache_retention: '24h' })).body['usage']['input_tokens_details']['cached_tokens']).toBeGreaterThan(0);
    minutes(5 * 60);
    expect((await responses('third', { prompt_cache_retention: '24h' })).body['usage']['input_tokens_details']['cached_tokens']).toBeGreaterThan(0);
  });

  it('Responses and Chat refuse a retention OpenAI does not know', async () => {
    const expected = {
      error: {
        message: "Invalid value: 'forever'. Supported values are: 'in_memory' and '24h'.",
        type: 'invalid_request_error',
        param: 'prompt_cache_retention',
        code: 'invalid_value',
      },
    };
    expect(await responses('x', { prompt_cache_retention: 'forever' })).toEqual({ status: 400, body: expected });
    expect(await chat('x', { prompt_cache_retention: 'forever' })).toEqual({ status: 400, body: expected });
  });

  it('Chat: cached_tokens in prompt_tokens_details, partitioned by prompt_cache_key, expiring with the clock', async () => {
    const system = tokens({ role: 'system', content: instructions });
    expect((await chat('first')).body['usage']['prompt_tokens_details']).toEqual({ cached_tokens: 0, audio_tokens: 0 });
    const second = (await chat('second')).body['usage'];
    expect(second).toMatchObject({
      prompt_tokens: system + tokens({ role: 'user', content: 'second' }),
      prompt_tokens_details: { cached_tokens: stepsOf(system) },
    });
    expect((await chat('third', { prompt_cache_key: 'other' })).body['usage']['prompt_tokens_details']['cached_tokens']).toBe(0);
    minutes(10);
    expect((await chat('fourth')).body['usage']['prompt_tokens_details']['cached_tokens']).toBe(0);
  });
});

describe('Gemini prompt caching', () => {
  const key = { 'x-goog-api-key': 'test-key' };
  const generate = (body: Json, model = 'gemini-2.5-flash', method = 'generateContent') => post(`/v1beta/models/${model}:${method}`, body, key);
  const caches = {
    create: (body: Json) => post('/v1beta/cachedContents', body, key),
    get: (name: string) => post(`/v1beta/${name}`, undefined, key, 'GET'),
    patch: (name: string, body: Json) => post(`/v1beta/${name}?updateMask=ttl`, body, key, 'PATCH'),
    delete: (name: string) => post(`/v1beta/${name}`, undefined, key, 'DELETE'),
  };
  const systemInstruction = { parts: [{ text: filler(2200, 'manual') }] };
  const turn = (text: string) => ({ role: 'user', parts: [{ text }] });
  const notFound = { status: 403, body: { error: { code: 403, message: 'CachedContent not found (or permission denied)', status: 'PERMISSION_DENIED' } } };

  it('implicit: a request sharing a recent prefix reports cachedContentTokenCount inside promptTokenCount', async () => {
    const first = (await generate({ systemInstruction, contents: [turn('first')] })).body['usageMetadata'];
    expect(first['cachedContentTokenCount']).toBeUndefined();
    const second = (await generate({ systemInstruction, contents: [turn('second')] })).body['usageMetadata'];
    expect(second).toMatchObject({
      promptTokenCount: tokens(systemInstruction) + tokens(turn('second')),
      cachedContentTokenCount: tokens(systemInstruction),
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: tokens(systemInstruction) }],
    });
    // Below gemini-3.1-pro-preview's 4,096 tokens nothing is read.
    await generate({ systemInstruction, contents: [turn('first')] }, 'gemini-3.1-pro-preview');
    expect(
      (await generate({ systemInstruction, contents: [turn('second')] }, 'gemini-3.1-pro-preview')).body['usageMetadata']['cachedContentTokenCount'],
    ).toBeUndefined();
  });

  it('explicit: create, get, patch the TTL, delete, then 403 as Google answers for a gone cache', async () => {
    const created = await caches.create({
      model: 'models/gemini-2.5-flash',
      displayName: 'manual',
      systemInstruction,
      contents: [turn('Read this.')],
      ttl: '600s',
    });
    const size = tokens(systemInstruction) + tokens(turn('Read this.'));
    const createTime = new Date(clock).toISOString();
    expect(created).toEqual({
      status: 200,
      body: {
        name: 'cachedContents/mockcache000001',
        model: 'models/gemini-2.5-flash',
        displayName: 'manual',
        usageMetadata: { totalTokenCount: size },
        createTime,
        updateTime: createTime,
        expireTime: new Date(clock + 600_000).toISOString(),
      },
    });
    const name = created.body['name'] as string;
    expect(await caches.get(name)).toEqual(created);
    expect(upstream.geminiCaches.live()).toEqual([
      expect.objectContaining({ name, model: 'models/gemini-2.5-flash', tokens: size, expireTime: created.body['expireTime'] }),
    ]);

    minutes(5);
    const patched = await caches.patch(name, { ttl: '3600s' });
    expect(patched.body).toMatchObject({ name, updateTime: new Date(clock).toISOString(), expireTime: new Date(clock + 3_600_000).toISOString() });
    expect((await caches.patch(name, { contents: [] })).body['error']).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });

    expect(await caches.delete(name)).toEqual({ status: 200, body: {} });
    expect(upstream.geminiCaches.deleted).toEqual([expect.objectContaining({ name, deleteTime: new Date(clock).toISOString() })]);
    expect(upstream.geminiCaches.live()).toEqual([]);
    expect(await caches.get(name)).toEqual(notFound);
    expect(await caches.delete(name)).toEqual(notFound);
  });

  it('generateContent with cachedContent reads the whole cache and counts it in the prompt, streamed too', async () => {
    const { body: cache } = await caches.create({
      model: 'models/gemini-2.5-flash',
      systemInstruction,
      contents: [turn('Read this.'), { role: 'model', parts: [{ text: 'Done.' }] }],
    });
    const size = cache['usageMetadata']['totalTokenCount'] as number;
    const answer = await generate({ cachedContent: cache['name'], contents: [turn('What does it say?')] });
    expect(answer.status).toBe(200);
    expect(answer.body['candidates'][0]['content']['parts'][0]['text']).toBe('echo: What does it say?');
    expect(answer.body['usageMetadata']).toMatchObject({ promptTokenCount: size + tokens(turn('What does it say?')), cachedContentTokenCount: size });

    const streamed = await fetch(`${upstream.origin}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...key },
      body: JSON.stringify({ cachedContent: cache['name'], contents: [turn('Again?')] }),
    });
    const chunks = (await streamed.text())
      .split('\r\n\r\n')
      .filter((event) => event !== '')
      .map((event) => JSON.parse(event.slice('data: '.length)) as Json);
    for (const chunk of chunks) expect(chunk['usageMetadata']['cachedContentTokenCount']).toBe(size);
  });

  it('refuses cachedContent with systemInstruction, tools or toolConfig, and with another model', async () => {
    const { body: cache } = await caches.create({ model: 'models/gemini-2.5-flash', systemInstruction, contents: [turn('Read this.')] });
    const conflict = await generate({ cachedContent: cache['name'], systemInstruction: { parts: [{ text: 'x' }] }, contents: [turn('q')] });
    expect(conflict).toEqual({
      status: 400,
      body: {
        error: {
          code: 400,
          message:
            'CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.\n\n' +
            'Proposed fix: move those values to CachedContent from GenerateContent request.',
          status: 'INVALID_ARGUMENT',
        },
      },
    });
    const otherModel = await generate({ cachedContent: cache['name'], contents: [turn('q')] }, 'gemini-2.5-pro');
    expect(otherModel.body['error']).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('has to be the same') });
  });

  it('refuses a cache below the minimum with the numbers, in Google’s envelope', async () => {
    const small = await caches.create({ model: 'models/gemini-2.5-flash', contents: [turn('short')] });
    expect(small).toEqual({
      status: 400,
      body: {
        error: {
          code: 400,
          message: `Cached content is too small. total_token_count=${tokens(turn('short'))}, min_total_token_count=2048`,
          status: 'INVALID_ARGUMENT',
        },
      },
    });
  });

  it('answers an expired cache as not found, for get and for generateContent', async () => {
    const { body: cache } = await caches.create({ model: 'models/gemini-2.5-flash', systemInstruction, contents: [turn('Read this.')] });
    minutes(61);
    expect(await caches.get(cache['name'])).toEqual(notFound);
    expect(await generate({ cachedContent: cache['name'], contents: [turn('q')] })).toEqual(notFound);
    expect(upstream.geminiCaches.live()).toEqual([]);
  });
});
