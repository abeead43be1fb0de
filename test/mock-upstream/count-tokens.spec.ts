// The token counting routes over real HTTP: each answers exactly the input tokens a create with the
// same body reports in its usage (cache reads and writes included), is recorded like any call, and
// never takes a scenario nor touches a prompt cache. `cacheMinTokens: 1` lets small prompts cache.
import { measureAnthropicPrompt, measureGeminiPrompt, measureResponsesPrompt } from './mock-upstream.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream({ cacheMinTokens: 1 });

/** The mock's estimate for one prompt unit: its JSON, a token per four characters, rounded up. */
const tokens = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);
/** About `count` tokens of text. */
const filler = (count: number, seed = 'a'): string => `${seed} `.repeat(count * 2).slice(0, count * 4);

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(`${upstream.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
}

describe('Anthropic POST /v1/messages/count_tokens', () => {
  const headers = { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' };
  const ephemeral = { type: 'ephemeral' };
  const tool = { name: 'lookup', description: 'Looks a word up.', input_schema: { type: 'object', properties: { word: { type: 'string' } } } };
  const prompt = (marked: boolean): Json => ({
    model: 'claude-sonnet-4-5',
    tools: [tool],
    system: [{ type: 'text', text: filler(300, 'rules'), ...(marked ? { cache_control: ephemeral } : {}) }],
    messages: [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] },
      { role: 'user', content: [{ type: 'text', text: 'second question', ...(marked ? { cache_control: ephemeral } : {}) }] },
    ],
  });
  const expected =
    tokens(tool) +
    tokens({ type: 'text', text: filler(300, 'rules') }) +
    tokens({ type: 'text', text: 'first question' }) +
    tokens({ type: 'text', text: 'first answer' }) +
    tokens({ type: 'text', text: 'second question' });
  const totalInput = (usage: Json): number => usage['input_tokens'] + usage['cache_read_input_tokens'] + usage['cache_creation_input_tokens'];

  it('counts without markers what a create reports as input', async () => {
    const count = await post('/v1/messages/count_tokens', prompt(false), headers);
    expect(count.status).toBe(200);
    expect(count.body).toEqual({ input_tokens: expected });
    const created = await post('/v1/messages', { ...prompt(false), max_tokens: 16 }, headers);
    expect(created.body['usage']['input_tokens']).toBe(expected);
    expect(totalInput(created.body['usage'])).toBe(expected);
  });

  it('counts with markers the same total a create splits into writes, then reads', async () => {
    const count = await post('/v1/messages/count_tokens', prompt(true), headers);
    expect(count.body).toEqual({ input_tokens: expected });

    const write = (await post('/v1/messages', { ...prompt(true), max_tokens: 16 }, headers)).body['usage'];
    expect(write).toMatchObject({ input_tokens: 0, cache_creation_input_tokens: expected, cache_read_input_tokens: 0 });
    const read = (await post('/v1/messages', { ...prompt(true), max_tokens: 16 }, headers)).body['usage'];
    expect(read).toMatchObject({ input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: expected });

    expect((await post('/v1/messages/count_tokens', prompt(true), headers)).body).toEqual({ input_tokens: expected });
  });

  it('leaves the cache and the scenario queue alone, and is recorded', async () => {
    upstream.enqueue({ kind: 'text', text: 'queued' });
    await post('/v1/messages/count_tokens', prompt(true), headers);
    expect(upstream.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages/count_tokens', scenario: undefined, finished: true });

    const created = (await post('/v1/messages', { ...prompt(true), max_tokens: 16 }, headers)).body;
    // Nothing was cached by the count: the create writes the whole prompt, and gets the queued answer and the first id.
    expect(created['usage']).toMatchObject({ cache_creation_input_tokens: expected, cache_read_input_tokens: 0 });
    expect(created['content']).toEqual([{ type: 'text', text: 'queued' }]);
    expect(created['id']).toBe('msg_mock000001');
  });

  it('refuses what only a create takes, as Anthropic does', async () => {
    const refused = await post('/v1/messages/count_tokens', { ...prompt(false), max_tokens: 16 }, headers);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Extra inputs are not permitted' },
      request_id: 'req_mockcount',
    });
    expect(refused.headers.get('request-id')).toBe('req_mockcount');
  });

  it('checks the turns and the version header as a create does', async () => {
    const assistantFirst = await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-5', messages: [{ role: 'assistant', content: 'hi' }] }, headers);
    expect(assistantFirst.body['error']['message']).toBe('messages: first message must use the "user" role');
    const noVersion = await post('/v1/messages/count_tokens', prompt(false), { 'x-api-key': 'sk-ant-test' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body['error']['message']).toBe('anthropic-version: header is required');
  });

  it('counts what measureAnthropicPrompt counts', async () => {
    expect(measureAnthropicPrompt(prompt(true)).inputTokens).toBe(expected);
  });

  it('holds cache reads against the context window: the total must fit', async () => {
    const model = (window: number) => ({ ...prompt(true), model: `claude-sonnet-4-5-ctx${window}`, max_tokens: 1 });
    await post('/v1/messages', model(expected + 1), headers);
    const read = await post('/v1/messages', model(expected + 1), headers);
    expect(read.body['usage']['cache_read_input_tokens']).toBe(expected);
    const refused = await post('/v1/messages', model(expected), headers);
    expect(refused.body['error']['message']).toBe(
      `input length and \`max_tokens\` exceed context limit: ${expected} + 1 > ${expected}, decrease input length or \`max_tokens\` and try again`,
    );
  });
});

describe('OpenAI POST /v1/responses/input_tokens', () => {
  const headers = { authorization: 'Bearer sk-test' };
  const instructions = filler(700, 'policy');
  const input = [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: filler(500, 'context') }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'question' }] },
  ];
  const body = { model: 'gpt-5', instructions, input, store: false, prompt_cache_key: 'conversation-42' };
  const expected = tokens(instructions) + tokens(input[0]) + tokens(input[1]);

  it('counts the usage.input_tokens of a create with the same body, before and after the cache holds it', async () => {
    const count = await post('/v1/responses/input_tokens', body, headers);
    expect(count.status).toBe(200);
    expect(count.body).toEqual({ object: 'response.input_tokens', input_tokens: expected });

    const first = (await post('/v1/responses', body, headers)).body['usage'];
    expect(first).toMatchObject({ input_tokens: expected, input_tokens_details: { cached_tokens: 0 } });
    const second = (await post('/v1/responses', body, headers)).body['usage'];
    expect(second).toMatchObject({ input_tokens: expected, input_tokens_details: { cached_tokens: Math.floor(expected / 128) * 128 } });

    expect((await post('/v1/responses/input_tokens', body, headers)).body).toEqual({ object: 'response.input_tokens', input_tokens: expected });
    expect(measureResponsesPrompt(body).inputTokens).toBe(expected);
  });

  it('does not warm the cache nor take a scenario', async () => {
    upstream.enqueue({ kind: 'text', text: 'queued' });
    await post('/v1/responses/input_tokens', body, headers);
    expect(upstream.requests[0]).toMatchObject({ path: '/v1/responses/input_tokens', scenario: undefined });
    const created = (await post('/v1/responses', body, headers)).body;
    expect(created['usage']['input_tokens_details']['cached_tokens']).toBe(0);
    expect(created['output'][0]['content'][0]['text']).toBe('queued');
    expect(created['id']).toBe('resp_mock000001');
  });

  it('checks the input items as a create does, but not store', async () => {
    const orphan = await post(
      '/v1/responses/input_tokens',
      { model: 'gpt-5', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'x' }] },
      headers,
    );
    expect(orphan.status).toBe(400);
    expect(orphan.body).toEqual({
      error: { message: 'No tool call found for function call output with call_id call_1.', type: 'invalid_request_error', param: 'input', code: null },
    });
    const unstored = await post('/v1/responses/input_tokens', { model: 'gpt-5', input: 'hi' }, headers);
    expect(unstored.body).toEqual({ object: 'response.input_tokens', input_tokens: tokens('hi') });
  });
});

describe('Gemini POST /v1beta/models/{model}:countTokens', () => {
  const model = 'gemini-2.5-flash';
  const systemInstruction = { parts: [{ text: 'Be brief.' }] };
  const tools = [{ functionDeclarations: [{ name: 'lookup', description: 'Looks a word up.', parameters: { type: 'OBJECT' } }] }];
  const contents = [
    { role: 'user', parts: [{ text: filler(200, 'context') }] },
    { role: 'model', parts: [{ text: 'ok' }] },
    { role: 'user', parts: [{ text: 'question' }] },
  ];
  const contentTokens = contents.reduce((sum, content) => sum + tokens(content), 0);
  const count = (body: Json, name = model) => post(`/v1beta/models/${name}:countTokens`, body);
  const promptTokenCount = async (body: Json): Promise<number> =>
    (await post(`/v1beta/models/${model}:generateContent`, body)).body['usageMetadata']['promptTokenCount'];

  it('counts {contents} as a create with only those contents reports them', async () => {
    const counted = await count({ contents });
    expect(counted.status).toBe(200);
    expect(counted.body).toEqual({ totalTokens: contentTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: contentTokens }] });
    expect(await promptTokenCount({ contents })).toBe(contentTokens);
  });

  it('counts {generateContentRequest} with its system instruction and tools, as promptTokenCount does', async () => {
    const request = { model: `models/${model}`, systemInstruction, tools, contents, generationConfig: { maxOutputTokens: 64 } };
    const expected = tokens(systemInstruction) + tokens(tools) + contentTokens;
    expect((await count({ generateContentRequest: request })).body['totalTokens']).toBe(expected);
    const { model: _model, ...createBody } = request;
    expect(await promptTokenCount(createBody)).toBe(expected);
    // The implicit cache now holds the prompt; the count does not change, and counting never fed it.
    expect((await count({ generateContentRequest: request })).body['totalTokens']).toBe(expected);
    expect(measureGeminiPrompt(createBody).inputTokens).toBe(expected);
  });

  it('counts an explicit cache in the total and shows it apart, as generateContent does', async () => {
    const cache = await post('/v1beta/cachedContents', { model: `models/${model}`, systemInstruction, contents: contents.slice(0, 2) });
    const name = cache.body['name'] as string;
    const cached = tokens(systemInstruction) + tokens(contents[0]) + tokens(contents[1]);
    const total = cached + tokens(contents[2]);
    const counted = await count({ generateContentRequest: { model: `models/${model}`, cachedContent: name, contents: contents.slice(2) } });
    expect(counted.body).toEqual({
      totalTokens: total,
      cachedContentTokenCount: cached,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }],
    });
    const usage = (await post(`/v1beta/models/${model}:generateContent`, { cachedContent: name, contents: contents.slice(2) })).body['usageMetadata'];
    expect(usage).toMatchObject({ promptTokenCount: total, cachedContentTokenCount: cached });
  });

  it('does not take a scenario, and is recorded with its model', async () => {
    upstream.enqueue({ kind: 'text', text: 'queued' });
    await count({ contents }, 'gemini-2.5-pro');
    expect(upstream.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.5-pro:countTokens', scenario: undefined });
    const created = (await post(`/v1beta/models/${model}:generateContent`, { contents })).body;
    expect(created['candidates'][0]['content']['parts']).toEqual([{ text: 'queued' }]);
  });

  it('refuses a generateContent body sent as it is', async () => {
    const refused = await count({ systemInstruction, contents });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 400, message: 'Invalid JSON payload received. Unknown name "systemInstruction": Cannot find field.', status: 'INVALID_ARGUMENT' },
    });
  });
});
