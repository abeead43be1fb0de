// Reasoning on the Chat Completions route, DeepSeek and Kimi style: `reasoning_content` before tool
// calls, and the vendors' replay rules by model (reference §5.4), over real HTTP.
import {
  chatThinkingOf,
  deepSeekMissingReasoningMessage,
  deepSeekReasonerReplayMessage,
  findReasoningReplayError,
  kimiMissingReasoningMessage,
} from './chat-completions-shapes.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

function postChat(body: unknown): Promise<Response> {
  return fetch(`${upstream.baseUrl}/chat/completions`, {
    body: JSON.stringify(body),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    method: 'POST',
  });
}

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
const request = (model: string, messages: unknown[], extra: Json = {}): Json => ({ model, messages, tools, ...extra });
const user = (content: string): Json => ({ role: 'user', content });
const toolResult = (message: Json): Json[] => message['tool_calls'].map((call: Json) => ({ role: 'tool', tool_call_id: call['id'], content: 'ok' }));
const callMessage = (id: string, extra: Json = {}): Json => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
  ...extra,
});

async function ok(body: Json): Promise<Json> {
  const response = await postChat(body);
  const answer = (await response.json()) as Json;
  expect({ status: response.status, error: answer['error'] }).toEqual({ status: 200, error: undefined });
  return answer;
}

async function rejected(body: Json): Promise<Json> {
  const response = await postChat(body);
  expect(response.status).toBe(400);
  return ((await response.json()) as Json)['error'];
}

describe('Chat Completions reasoning', () => {
  describe('tool_calls with reasoning', () => {
    it('answers a message with reasoning_content, content null and the calls; reasoning tokens counted', async () => {
      upstream.enqueue({ kind: 'tool_calls', reasoning: 'Call the tool.', calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
      const answer = await ok(request('deepseek-v4-pro', [user('Weather?')]));
      expect(answer['choices'][0]).toEqual({
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          reasoning_content: 'Call the tool.',
          refusal: null,
          annotations: [],
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      });
      // 'Call the tool.' is 4 tokens, 'get_weather{"city":"Paris"}' 7.
      expect(answer['usage']).toMatchObject({ completion_tokens: 11, completion_tokens_details: { reasoning_tokens: 4 } });
    });

    it('streams the reasoning, then content, then the calls, as DeepSeek does', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        reasoning: 'Think it.',
        text: 'Sure.',
        calls: [{ id: 'call_1', name: 'get_weather', arguments: '{}' }],
        chunkSize: 5,
      });
      const response = await postChat({ ...request('deepseek-v4-flash', [user('Weather?')]), stream: true, stream_options: { include_usage: true } });
      const chunks = (await response.text())
        .split('\n\n')
        .filter((event) => event.trim() !== '' && event !== 'data: [DONE]')
        .map((event) => JSON.parse(event.slice('data: '.length)) as Json);
      const deltas = chunks.filter((chunk) => chunk['choices'].length > 0).map((chunk) => chunk['choices'][0]['delta']);
      expect(deltas.slice(0, 5)).toEqual([
        { role: 'assistant', content: null, reasoning_content: '' },
        { content: null, reasoning_content: 'Think' },
        { content: null, reasoning_content: ' it.' },
        { content: 'Sure.', reasoning_content: null },
        { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      ]);
      expect(chunks.at(-1)!['usage']['completion_tokens_details']['reasoning_tokens']).toBe(3);
    });

    it('names the field `reasoning` when asked (vLLM), and sends none when the request disables thinking', async () => {
      upstream.enqueue(
        { kind: 'tool_calls', reasoning: 'Hmm.', field: 'reasoning', calls: [{ name: 'get_weather', arguments: '{}' }] },
        { kind: 'tool_calls', reasoning: 'Hmm.', calls: [{ name: 'get_weather', arguments: '{}' }] },
        { kind: 'reasoning', reasoning: 'Hmm.', text: 'Hi.' },
      );
      expect((await ok(request('qwen3-8b', [user('a')])))['choices'][0]['message']['reasoning']).toBe('Hmm.');
      const off = await ok(request('deepseek-v4-pro', [user('a')], { thinking: { type: 'disabled' } }));
      expect(off['choices'][0]['message']).not.toHaveProperty('reasoning_content');
      expect(off['usage']['completion_tokens_details']['reasoning_tokens']).toBe(0);
      const text = await ok(request('kimi-k2.6', [user('a')], { thinking: { type: 'disabled' } }));
      expect(text['choices'][0]['message']).toEqual({ role: 'assistant', content: 'Hi.', refusal: null, annotations: [] });
    });
  });

  it('runs a 3-step DeepSeek V4 tool loop replaying every reasoning_content', async () => {
    const messages: Json[] = [user('Weather in Paris, then Rome?')];
    for (const city of ['Paris', 'Rome']) {
      upstream.enqueue({ kind: 'tool_calls', reasoning: `Now ${city}.`, calls: [{ name: 'get_weather', arguments: `{"city":"${city}"}` }] });
      const message = (await ok(request('deepseek-v4-pro', messages)))['choices'][0]['message'];
      messages.push(message, ...toolResult(message));
    }
    upstream.enqueue({ kind: 'reasoning', reasoning: 'Both known.', text: 'Sunny in both.' });
    const last = await ok(request('deepseek-v4-pro', messages));
    expect(last['choices'][0]['message']['content']).toBe('Sunny in both.');
    expect(
      upstream.requests[2]!.body.messages.filter((message: Json) => message['role'] === 'assistant').map((message: Json) => message['reasoning_content']),
    ).toEqual(['Now Paris.', 'Now Rome.']);
  });

  describe('DeepSeek V4', () => {
    const history = (extra: Json = {}) => [user('a'), callMessage('call_1', extra), { role: 'tool', tool_call_id: 'call_1', content: 'ok' }];

    it('rejects an assistant tool-call message without reasoning_content, in DeepSeek’s words', async () => {
      upstream.enqueue({ kind: 'text', text: 'kept' });
      expect(await rejected(request('deepseek-v4-pro', history()))).toEqual({
        message: 'The `reasoning_content` in the thinking mode must be passed back to the API.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      });
      // Also in later turns: tool-call turns keep their reasoning for good.
      expect((await rejected(request('deepseek-v4-flash', [...history(), { role: 'assistant', content: 'Done.' }, user('b')])))['message']).toBe(
        deepSeekMissingReasoningMessage,
      );
      expect(upstream.requests.every((record) => record.scenario === undefined)).toBe(true);
    });

    it('accepts reasoning_content, an empty one, and any history with thinking disabled', async () => {
      await ok(request('deepseek-v4-pro', history({ reasoning_content: 'Because.' })));
      await ok(request('deepseek-v4-pro', history({ reasoning_content: '' })));
      await ok(request('deepseek-v4-pro', history(), { thinking: { type: 'disabled' } }));
      // Assistant messages without tool calls need none.
      await ok(request('deepseek-v4-pro', [user('a'), { role: 'assistant', content: 'Hi.' }, user('b')]));
    });
  });

  describe('DeepSeek R1 (deepseek-reasoner)', () => {
    it('rejects reasoning_content from before the last user message', async () => {
      const body = request('deepseek-reasoner', [user('a'), { role: 'assistant', content: 'Hi.', reasoning_content: 'Greet.' }, user('b')]);
      expect(await rejected(body)).toEqual({
        message: deepSeekReasonerReplayMessage,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      });
    });

    it('accepts the reasoning of the tool loop after the last user message, and history without reasoning', async () => {
      await ok(
        request('deepseek-reasoner', [
          user('a'),
          callMessage('call_1', { reasoning_content: 'Tool.' }),
          { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
        ]),
      );
      await ok(request('deepseek-reasoner', [user('a'), { role: 'assistant', content: 'Hi.' }, user('b')]));
    });
  });

  describe('Kimi', () => {
    const history = (extra: Json = {}) => [
      user('a'),
      { role: 'assistant', content: 'Hi.' },
      user('b'),
      callMessage('call_1', extra),
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ];

    it('rejects an assistant tool-call message without reasoning_content, naming its index', async () => {
      expect(await rejected(request('kimi-k2.6', history()))).toEqual({
        message: 'thinking is enabled but reasoning_content is missing in assistant tool call message at index 3',
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      // K3 always thinks: disabling does not lift the rule.
      expect((await rejected(request('moonshotai/kimi-k3', history(), { thinking: { type: 'disabled' } })))['message']).toBe(kimiMissingReasoningMessage(3));
    });

    it('accepts it with reasoning_content, with thinking disabled on K2.6, and on K2 releases that do not think', async () => {
      await ok(request('kimi-k2.6', history({ reasoning_content: 'Tool.' })));
      await ok(request('kimi-k2.6', history(), { thinking: { type: 'disabled' } }));
      await ok(request('kimi-k2-0905-preview', history()));
    });
  });

  describe('the pure checks', () => {
    it('chatThinkingOf tells the family and whether the model thinks', () => {
      expect(chatThinkingOf({ model: 'deepseek-v4-pro' })).toEqual({ family: 'deepseek-v4', enabled: true });
      expect(chatThinkingOf({ model: 'deepseek-v4-flash', thinking: { type: 'disabled' } })).toEqual({ family: 'deepseek-v4', enabled: false });
      expect(chatThinkingOf({ model: 'deepseek-reasoner' })).toEqual({ family: 'deepseek-r1', enabled: true });
      expect(chatThinkingOf({ model: 'Kimi-K2.7-Code', thinking: { type: 'disabled' } })).toEqual({ family: 'kimi', enabled: true });
      expect(chatThinkingOf({ model: 'kimi-k2-turbo-preview' })).toEqual({ family: 'kimi', enabled: false });
      expect(chatThinkingOf({ model: 'deepseek-chat' })).toEqual({ family: 'other', enabled: true });
    });

    it('findReasoningReplayError ignores vLLM’s `reasoning` field: DeepSeek reads reasoning_content only', () => {
      const body = request('deepseek-v4-pro', [user('a'), callMessage('call_1', { reasoning: 'x' }), { role: 'tool', tool_call_id: 'call_1', content: 'ok' }]);
      expect(findReasoningReplayError(body)).toEqual({ message: deepSeekMissingReasoningMessage, code: 'invalid_request_error' });
      expect(findReasoningReplayError({ ...body, model: 'gpt-4o' })).toBeNull();
    });
  });
});
