// OpenAI Responses reasoning on the mock: tool calls after a reasoning item, and the stateless replay
// rules (reference §5.3), over real HTTP with the passing and the failing case.
import { findInputError, reasoningOutput } from './openai-responses-shapes.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

function postResponses(body: unknown): Promise<Response> {
  return fetch(`${upstream.baseUrl}/responses`, {
    body: JSON.stringify(body),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    method: 'POST',
  });
}

const include = ['reasoning.encrypted_content'];
const request = (input: unknown, extra: Json = {}): Json => ({
  model: 'gpt-5',
  input,
  store: false,
  include,
  reasoning: { effort: 'high', summary: 'auto' },
  ...extra,
});
const user = (text: string): Json => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const outputOf = (call: Json): Json => ({ type: 'function_call_output', call_id: call['call_id'], output: 'ok' });
/** An output item as a client sends it back: no status, no server-assigned id on calls. */
const replayed = (item: Json): Json => {
  if (item['type'] === 'function_call') return { type: 'function_call', call_id: item['call_id'], name: item['name'], arguments: item['arguments'] };
  return item;
};

async function ok(body: Json): Promise<Json> {
  const response = await postResponses(body);
  const answer = (await response.json()) as Json;
  expect({ status: response.status, error: answer['error'] }).toEqual({ status: 200, error: null });
  return answer;
}

async function rejected(body: Json, status = 400): Promise<Json> {
  const response = await postResponses(body);
  expect(response.status).toBe(status);
  return ((await response.json()) as Json)['error'];
}

describe('OpenAI Responses reasoning', () => {
  describe('tool_calls with reasoning', () => {
    it('answers a reasoning item with summary and encrypted content, then the calls; reasoning tokens counted', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        reasoning: 'Both cities, in parallel.',
        calls: [
          { name: 'get_weather', arguments: '{"city":"Paris"}' },
          { name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      });
      const answer = await ok(request([user('Weather in Paris and Rome?')]));
      expect(answer['output']).toEqual([
        { id: 'rs_mock_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Both cities, in parallel.' }], encrypted_content: 'enc_1' },
        { id: 'fc_mock1_1', type: 'function_call', status: 'completed', arguments: '{"city":"Paris"}', call_id: 'call_mock1_0', name: 'get_weather' },
        { id: 'fc_mock1_2', type: 'function_call', status: 'completed', arguments: '{"city":"Rome"}', call_id: 'call_mock1_1', name: 'get_weather' },
      ]);
      // 'Both cities, in parallel.' is 7 tokens; the calls' names and arguments, 53 characters, 14.
      expect(answer['usage']).toMatchObject({ output_tokens: 21, output_tokens_details: { reasoning_tokens: 7 } });
    });

    it('streams the reasoning item first, its encrypted content on output_item.done only', async () => {
      upstream.enqueue({ kind: 'tool_calls', reasoning: 'Think.', calls: [{ name: 'get_time', arguments: '{}' }] });
      const response = await postResponses({ ...request([user('Time?')]), stream: true });
      const events = (await response.text())
        .split('\n\n')
        .filter((event) => event.trim() !== '')
        .map((event) => JSON.parse(event.split('\ndata: ')[1]!) as Json);
      const items = events
        .filter((event) => event['type'].startsWith('response.output_item.'))
        .map((event) => [event['type'], event['item']['type'], event['item']['encrypted_content']]);
      expect(items).toEqual([
        ['response.output_item.added', 'reasoning', undefined],
        ['response.output_item.done', 'reasoning', 'enc_1'],
        ['response.output_item.added', 'function_call', undefined],
        ['response.output_item.done', 'function_call', undefined],
      ]);
    });

    it('gives a summary only when reasoning.summary asks, encrypted content only when include asks, no reasoning with effort none', async () => {
      const scenario = { kind: 'tool_calls' as const, reasoning: 'Hidden.', calls: [{ name: 'get_time', arguments: '{}' }] };
      upstream.enqueue(scenario, scenario, scenario);
      expect((await ok(request([user('a')], { reasoning: { effort: 'low' } })))['output'][0]).toEqual({
        id: 'rs_mock_1',
        type: 'reasoning',
        summary: [],
        encrypted_content: 'enc_1',
      });
      expect((await ok(request([user('a')], { include: undefined })))['output'][0]).toEqual({
        id: 'rs_mock_2',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Hidden.' }],
      });
      const none = await ok(request([user('a')], { reasoning: { effort: 'none' } }));
      expect(none['output'].map((item: Json) => item['type'])).toEqual(['function_call']);
      expect(none['usage']['output_tokens_details']).toEqual({ reasoning_tokens: 0 });
    });
  });

  it('runs a 3-step tool loop replayed with encrypted reasoning', async () => {
    const input: Json[] = [user('Weather, then time?')];
    upstream.enqueue({ kind: 'tool_calls', reasoning: 'Weather first.', calls: [{ name: 'get_weather', arguments: '{}' }] });
    const first = await ok(request(input));
    input.push(...first['output'].map(replayed), outputOf(first['output'][1]));
    upstream.enqueue({ kind: 'tool_calls', reasoning: 'Now the time.', calls: [{ name: 'get_time', arguments: '{}' }] });
    const second = await ok(request(input));
    input.push(...second['output'].map(replayed), outputOf(second['output'][1]));
    upstream.enqueue({ kind: 'text', text: 'Sunny at 10:00.' });
    const third = await ok(request(input));
    expect(third['output'][0]['content'][0]['text']).toBe('Sunny at 10:00.');
    expect(upstream.requests[2]!.body.input.map((item: Json) => item['type'])).toEqual([
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'reasoning',
      'function_call',
      'function_call_output',
    ]);
  });

  describe('replay rules', () => {
    async function issue(): Promise<{ reasoning: Json; call: Json }> {
      upstream.enqueue({ kind: 'tool_calls', reasoning: 'Weather first.', calls: [{ name: 'get_weather', arguments: '{}' }] });
      const [reasoning, call] = (await ok(request([user('Weather?')])))['output'];
      return { reasoning, call: replayed(call) };
    }

    it('answers 404 for a reasoning item sent by id without its encrypted content', async () => {
      const { reasoning, call } = await issue();
      const { encrypted_content: _dropped, ...byId } = reasoning;
      expect(await rejected(request([user('Weather?'), byId, call, outputOf(call)]), 404)).toEqual({
        message:
          "Item with id 'rs_mock_1' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.",
        type: 'invalid_request_error',
        param: 'input',
        code: null,
      });
    });

    it('rejects a reasoning item left without the item that followed it', async () => {
      const { reasoning, call } = await issue();
      expect((await rejected(request([user('Weather?'), reasoning, outputOf(call)])))['message']).toBe(
        "Item 'rs_mock_1' of type 'reasoning' was provided without its required following item.",
      );
      expect((await rejected(request([user('Weather?'), reasoning])))['message']).toBe(
        "Item 'rs_mock_1' of type 'reasoning' was provided without its required following item.",
      );
    });

    it('rejects encrypted content altered, moved to another item, or never issued', async () => {
      const { reasoning, call } = await issue();
      const replay = (item: Json) => request([user('Weather?'), item, call, outputOf(call)]);
      const unverified = {
        message: 'The encrypted content for item rs_mock_1 could not be verified.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_encrypted_content',
      };
      expect(await rejected(replay({ ...reasoning, encrypted_content: `${reasoning['encrypted_content']}x` }))).toEqual(unverified);
      expect((await rejected(replay({ ...reasoning, id: 'rs_other' })))['message']).toBe('The encrypted content for item rs_other could not be verified.');
      expect(await rejected(replay({ ...reasoning, encrypted_content: 'gAAAAABo-from-another-org' }))).toEqual(unverified);
      await ok(replay(reasoning));
      // The summary is not part of what is verified.
      await ok(replay({ ...reasoning, summary: [] }));
    });
  });

  describe('the pure checks', () => {
    it('findInputError verifies encrypted content against what was issued, by id', () => {
      const issued = new Map([['enc_x', 'rs_x']]);
      const body = (reasoning: Json) => ({ store: false, input: [reasoning, { type: 'message', role: 'assistant', content: [] }] });
      expect(findInputError(body({ type: 'reasoning', id: 'rs_x', encrypted_content: 'enc_x' }), issued)).toBeNull();
      expect(findInputError(body({ type: 'reasoning', id: 'rs_y', encrypted_content: 'enc_x' }), issued)).toMatchObject({
        status: 400,
        code: 'invalid_encrypted_content',
      });
      expect(findInputError(body({ type: 'reasoning', id: 'rs_x' }), issued)).toMatchObject({ status: 404 });
    });

    it('reasoningOutput follows the request’s reasoning settings', () => {
      expect(reasoningOutput({})).toEqual({ reasons: true, summary: true });
      expect(reasoningOutput({ reasoning: { effort: 'low' } })).toEqual({ reasons: true, summary: false });
      expect(reasoningOutput({ reasoning: { summary: 'detailed' } })).toEqual({ reasons: true, summary: true });
      expect(reasoningOutput({ reasoning: { effort: 'none', summary: 'auto' } })).toEqual({ reasons: false, summary: true });
    });
  });
});
