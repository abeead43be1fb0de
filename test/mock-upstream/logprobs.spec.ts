import type { MockUpstream } from './mock-upstream.js';
import { startMockUpstream } from './mock-upstream.js';

type Json = Record<string, any>;

let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockUpstream({ port: 0 });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  await upstream.close();
});

function post(path: string, body: Json): Promise<Response> {
  return fetch(`${upstream.origin}${path}`, {
    body: JSON.stringify(body),
    headers: { authorization: 'Bearer sk-test', 'x-goog-api-key': 'test-key', 'content-type': 'application/json' },
    method: 'POST',
  });
}

/** The JSON payloads of an SSE body (`data:` lines, `[DONE]` left out). */
async function payloads(response: Response): Promise<Json[]> {
  const text = await response.text();
  return text
    .split(/\r?\n\r?\n/)
    .flatMap((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length))
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data) as Json);
}

const bytes = (text: string) => Array.from(Buffer.from(text, 'utf8'));
/** 'Hello world!' in the mock's pieces of four, with one alternative each (the token itself). */
const expected = [
  { token: 'Hell', logprob: 0, bytes: bytes('Hell'), top_logprobs: [{ token: 'Hell', logprob: 0, bytes: bytes('Hell') }] },
  { token: 'o wo', logprob: -0.1, bytes: bytes('o wo'), top_logprobs: [{ token: 'o wo', logprob: -0.1, bytes: bytes('o wo') }] },
  { token: 'rld!', logprob: -0.2, bytes: bytes('rld!'), top_logprobs: [{ token: 'rld!', logprob: -0.2, bytes: bytes('rld!') }] },
];

describe('OpenAI Responses route: logprobs', () => {
  const request = (extra: Json) => ({ model: 'gpt-5', input: 'hi', store: false, ...extra });

  it('puts logprobs on each delta, on .done and on the output_text part when they are included, and echoes top_logprobs', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const events = await payloads(await post('/v1/responses', request({ stream: true, include: ['message.output_text.logprobs'], top_logprobs: 1 })));
    const deltas = events.filter((event) => event['type'] === 'response.output_text.delta');
    expect(deltas.map((event) => event['logprobs'])).toEqual(expected.map((entry) => [entry]));
    expect(events.find((event) => event['type'] === 'response.output_text.done')?.['logprobs']).toEqual(expected);
    const completed = events.at(-1)!;
    expect(completed['response']['output'][0]['content'][0]['logprobs']).toEqual(expected);
    expect(completed['response']['top_logprobs']).toBe(1);
  });

  it('sends empty lists without the include', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const answer = (await (await post('/v1/responses', request({ top_logprobs: 1 }))).json()) as Json;
    expect(answer['output'][0]['content'][0]['logprobs']).toEqual([]);
  });

  it.each([21, -1])('refuses top_logprobs %i with a 400', async (top) => {
    const response = await post('/v1/responses', request({ top_logprobs: top }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'top_logprobs' } });
  });
});

describe('Chat Completions route: logprobs', () => {
  const request = (extra: Json) => ({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], ...extra });

  it('puts choices[0].logprobs.content on each content chunk when logprobs are asked for', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const chunks = await payloads(await post('/v1/chat/completions', request({ stream: true, logprobs: true, top_logprobs: 1 })));
    const withText = chunks.filter((chunk) => chunk['choices']?.[0]?.['delta']?.['content']);
    expect(withText.map((chunk) => chunk['choices'][0]['logprobs'])).toEqual(expected.map((entry) => ({ content: [entry], refusal: null })));
  });

  it('gives a whole answer its tokens', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const answer = (await (await post('/v1/chat/completions', request({ logprobs: true, top_logprobs: 1 }))).json()) as Json;
    expect(answer['choices'][0]['logprobs']).toEqual({ content: expected, refusal: null });
  });

  it('refuses top_logprobs above 20, and top_logprobs without logprobs, with OpenAI 400s', async () => {
    const above = await post('/v1/chat/completions', request({ logprobs: true, top_logprobs: 21 }));
    expect(above.status).toBe(400);
    expect(await above.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'top_logprobs', code: 'integer_above_max_value' } });
    const alone = await post('/v1/chat/completions', request({ top_logprobs: 2 }));
    expect(alone.status).toBe(400);
  });
});

describe('Gemini route: logprobs', () => {
  const request = (generationConfig: Json) => ({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig });
  const gemini = (expectedLogprob: number, token: string) => (expectedLogprob === 0 ? { token } : { token, logProbability: expectedLogprob });

  it('puts a logprobsResult on each streamed chunk, leaving out a log probability of 0 as proto3 JSON does', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const chunks = await payloads(
      await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', request({ responseLogprobs: true, logprobs: 1 })),
    );
    const results = chunks.map((chunk) => chunk['candidates'][0]['logprobsResult']);
    expect(results.map((result) => result['chosenCandidates'].map(({ tokenId: _id, ...rest }: Json) => rest))).toEqual(
      expected.map((entry) => [gemini(entry.logprob, entry.token)]),
    );
    expect(results[1]['topCandidates']).toEqual([{ candidates: [expect.objectContaining({ token: 'o wo', logProbability: -0.1 })] }]);
  });

  it('merges them in a whole generateContent answer', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world!' });
    const answer = (await (await post('/v1beta/models/gemini-2.5-flash:generateContent', request({ responseLogprobs: true }))).json()) as Json;
    const result = answer['candidates'][0]['logprobsResult'];
    expect(result['chosenCandidates'].map((entry: Json) => entry['token'])).toEqual(['Hell', 'o wo', 'rld!']);
    // No alternatives asked for: no topCandidates.
    expect(result).not.toHaveProperty('topCandidates');
  });

  it.each([
    ['logprobs above 20', { responseLogprobs: true, logprobs: 21 }],
    ['logprobs below 0', { responseLogprobs: true, logprobs: -1 }],
    ['logprobs without responseLogprobs', { logprobs: 2 }],
  ])('refuses %s with 400 INVALID_ARGUMENT', async (_name, generationConfig) => {
    const response = await post('/v1beta/models/gemini-2.5-flash:generateContent', request(generationConfig));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });
});
