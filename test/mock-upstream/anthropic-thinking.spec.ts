// Anthropic thinking on the mock: tool calls with signed thinking, the `thinking` configuration
// checks, and the replay rules (reference §5.1), each over real HTTP with the passing and the failing case.
import {
  budgetBelowMinimumMessage,
  budgetNotBelowMaxTokensMessage,
  findThinkingConfigError,
  findThinkingReplayError,
  forcedToolChoiceMessage,
  invalidRedactedDataMessage,
  invalidSignatureMessage,
  missingThinkingMessage,
  modifiedThinkingMessage,
  temperatureWithThinkingMessage,
  thinkingWhileDisabledMessage,
  topKWithThinkingMessage,
  unsupportedThinkingTypeMessage,
} from './anthropic-messages-shapes.js';
import { type MockUpstream } from './mock-upstream.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

const anthropicHeaders = { 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' };

function postMessages(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${upstream.origin}/v1/messages`, { body: JSON.stringify(body), headers: { ...anthropicHeaders, ...headers }, method: 'POST' });
}

const tools = [
  { name: 'get_weather', input_schema: { type: 'object' } },
  { name: 'get_time', input_schema: { type: 'object' } },
];
const manual = { type: 'enabled', budget_tokens: 2048 };
const adaptive = { type: 'adaptive' };

const request = (messages: unknown[], extra: Json = {}): Json => ({ model: 'claude-sonnet-4-5', max_tokens: 4096, tools, messages, ...extra });
const user = (text: string): Json => ({ role: 'user', content: text });
const results = (...ids: string[]): Json => ({ role: 'user', content: ids.map((id) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' })) });
const toolUseIds = (content: Json[]): string[] => content.filter((block) => block['type'] === 'tool_use').map((block) => block['id']);

async function ok(body: Json, headers?: Record<string, string>): Promise<Json> {
  const response = await postMessages(body, headers);
  const answer = (await response.json()) as Json;
  expect({ status: response.status, error: answer['error'] }).toEqual({ status: 200, error: undefined });
  return answer;
}

async function rejected(body: Json, headers?: Record<string, string>): Promise<string> {
  const response = await postMessages(body, headers);
  expect(response.status).toBe(400);
  const answer = (await response.json()) as Json;
  expect(answer['error']['type']).toBe('invalid_request_error');
  return answer['error']['message'];
}

/** Runs one tool step: queues the scenario, sends the history, returns the assistant message to replay. */
async function step(messages: Json[], scenario: Parameters<MockUpstream['enqueue']>[0], extra: Json = {}): Promise<Json> {
  upstream.enqueue(scenario);
  const answer = await ok(request(messages, extra));
  return { role: 'assistant', content: answer['content'] };
}

describe('Anthropic thinking', () => {
  describe('tool_calls with reasoning', () => {
    it('answers JSON with a signed thinking block, an optional redacted block, then the calls; thinking billed as output', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        reasoning: 'Need the weather.',
        redactedThinking: true,
        calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }],
      });
      const answer = await ok(request([user('Weather?')], { thinking: manual }));
      expect(answer['content']).toEqual([
        { type: 'thinking', thinking: 'Need the weather.', signature: 'sig_1' },
        { type: 'redacted_thinking', data: Buffer.from('mock-redacted-thinking:msg_mock000001').toString('base64') },
        { type: 'tool_use', id: 'toolu_mock1_0', name: 'get_weather', input: { city: 'Paris' } },
      ]);
      expect(answer['stop_reason']).toBe('tool_use');
      // 'Need the weather.' is 5 tokens, 'get_weather{"city":"Paris"}' 7.
      expect(answer['usage']['output_tokens']).toBe(12);
    });

    it('streams thinking_delta fragments and a signature_delta, the redacted block whole, then the tool_use block', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        reasoning: 'Hmm, weather.',
        redactedThinking: true,
        calls: [{ name: 'get_weather', arguments: '{}' }],
        chunkSize: 5,
      });
      const response = await postMessages({ ...request([user('Weather?')], { thinking: manual }), stream: true });
      const events = (await response.text())
        .split('\n\n')
        .filter((chunk) => chunk.trim() !== '')
        .map((chunk) => JSON.parse(chunk.split('\ndata: ')[1]!) as Json);
      const starts = events.filter((event) => event['type'] === 'content_block_start').map((event) => event['content_block']);
      expect(starts).toEqual([
        { type: 'thinking', thinking: '', signature: '' },
        { type: 'redacted_thinking', data: expect.any(String) },
        { type: 'tool_use', id: 'toolu_mock1_0', name: 'get_weather', input: {} },
      ]);
      const deltas = events.filter((event) => event['type'] === 'content_block_delta' && event['index'] === 0).map((event) => event['delta']);
      expect(deltas).toEqual([
        { type: 'thinking_delta', thinking: 'Hmm, ' },
        { type: 'thinking_delta', thinking: 'weath' },
        { type: 'thinking_delta', thinking: 'er.' },
        { type: 'signature_delta', signature: 'sig_1' },
      ]);
    });

    it('sends no thinking when the request disables it, and empty thinking text with display omitted', async () => {
      const scenario = { kind: 'tool_calls' as const, reasoning: 'Secret.', calls: [{ name: 'get_weather', arguments: '{}' }] };
      upstream.enqueue(scenario, scenario, scenario);
      expect((await ok(request([user('a')], { thinking: { type: 'disabled' } })))['content'].map((block: Json) => block['type'])).toEqual(['tool_use']);
      expect((await ok(request([user('a')], { thinking: { ...manual, display: 'omitted' } })))['content'][0]).toEqual({
        type: 'thinking',
        thinking: '',
        signature: 'sig_2',
      });
      // Opus 4.7 omits the text by default; display summarized brings it back.
      expect(
        (await ok(request([user('a')], { model: 'claude-opus-4-7', thinking: { type: 'adaptive', display: 'summarized' } })))['content'][0]['thinking'],
      ).toBe('Secret.');
    });
  });

  describe('a 3-step tool loop replayed verbatim', () => {
    it.each([
      ['manual thinking with the interleaved beta', { thinking: manual }, { 'anthropic-beta': 'interleaved-thinking-2025-05-14' }],
      ['adaptive thinking', { thinking: adaptive, output_config: { effort: 'high' } }, {}],
      ['adaptive thinking on Opus 4.7, display omitted by default', { model: 'claude-opus-4-7', thinking: adaptive }, {}],
    ])('succeeds with %s', async (_name, extra, headers) => {
      const history: Json[] = [user('Weather and time in Paris?')];
      const send = async (scenario: Parameters<MockUpstream['enqueue']>[0]): Promise<Json> => {
        upstream.enqueue(scenario);
        return ok(request(history, extra), headers);
      };

      const first = await send({
        kind: 'tool_calls',
        reasoning: 'Weather first.',
        redactedThinking: true,
        calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }],
      });
      history.push({ role: 'assistant', content: first['content'] }, results(...toolUseIds(first['content'])));
      const second = await send({ kind: 'tool_calls', reasoning: 'Now the time.', calls: [{ name: 'get_time', arguments: '{}' }] });
      history.push({ role: 'assistant', content: second['content'] }, results(...toolUseIds(second['content'])));
      const third = await send({ kind: 'text', text: 'Sunny, 10:00.' });

      expect(third['content']).toEqual([{ type: 'text', text: 'Sunny, 10:00.' }]);
      expect(upstream.requests.map((record) => record.body.messages.length)).toEqual([1, 3, 5]);
    });
  });

  describe('thinking configuration', () => {
    it.each([
      ['a budget below 1024', { thinking: { type: 'enabled', budget_tokens: 512 } }, {}, budgetBelowMinimumMessage],
      ['a budget not below max_tokens', { thinking: { type: 'enabled', budget_tokens: 4096 } }, {}, budgetNotBelowMaxTokensMessage],
      ['enabled on Opus 4.7', { model: 'claude-opus-4-7', thinking: manual }, {}, unsupportedThinkingTypeMessage('enabled')],
      ['enabled on Opus 4.8', { model: 'claude-opus-4-8-20261101', thinking: manual }, {}, unsupportedThinkingTypeMessage('enabled')],
      ['disabled on Opus 5.5', { model: 'claude-opus-5-5', thinking: { type: 'disabled' } }, {}, unsupportedThinkingTypeMessage('disabled')],
      ['manual thinking with tool_choice any', { thinking: manual, tool_choice: { type: 'any' } }, {}, forcedToolChoiceMessage],
      ['manual thinking with tool_choice tool', { thinking: manual, tool_choice: { type: 'tool', name: 'get_time' } }, {}, forcedToolChoiceMessage],
      ['manual thinking with temperature 0.5', { thinking: manual, temperature: 0.5 }, {}, temperatureWithThinkingMessage],
      ['adaptive thinking with temperature 0', { thinking: adaptive, temperature: 0 }, {}, temperatureWithThinkingMessage],
      ['thinking with top_k', { thinking: manual, top_k: 5 }, {}, topKWithThinkingMessage],
      [
        'an unknown effort',
        { thinking: adaptive, output_config: { effort: 'extreme' } },
        {},
        "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'",
      ],
    ])('rejects %s with Anthropic’s message', async (_name, extra, headers, message) => {
      upstream.enqueue({ kind: 'text', text: 'kept' });
      expect(await rejected(request([user('x')], extra), headers)).toBe(message);
      expect(upstream.requests[0]!.scenario).toBeUndefined();
    });

    it.each([
      ['a budget of 1024 below max_tokens', { thinking: { type: 'enabled', budget_tokens: 1024 } }, {}],
      [
        'a budget above max_tokens with the interleaved-thinking beta',
        { thinking: { type: 'enabled', budget_tokens: 8192 } },
        { 'anthropic-beta': 'interleaved-thinking-2025-05-14' },
      ],
      ['adaptive on Opus 4.7 with an effort', { model: 'claude-opus-4-7', thinking: adaptive, output_config: { effort: 'xhigh' } }, {}],
      ['adaptive thinking with forced tool use', { thinking: adaptive, tool_choice: { type: 'any' } }, {}],
      ['thinking with temperature 1 and top_p 0.95', { thinking: manual, temperature: 1, top_p: 0.95 }, {}],
      ['no thinking with temperature, top_k and forced tool use', { temperature: 0, top_k: 5, tool_choice: { type: 'any' } }, {}],
      ['disabled thinking with temperature 0', { thinking: { type: 'disabled' }, temperature: 0 }, {}],
    ])('accepts %s', async (_name, extra, headers) => {
      await ok(request([user('x')], extra), headers);
    });
  });

  describe('replaying thinking', () => {
    /** A first step answered with thinking and one call; returns its assistant message. */
    const firstStep = (extra: Json = { thinking: manual }, reasoning: string | null = 'Weather first.') =>
      step([user('Weather?')], { kind: 'tool_calls', ...(reasoning === null ? {} : { reasoning }), calls: [{ name: 'get_weather', arguments: '{}' }] }, extra);

    it('rejects an ongoing manual-thinking loop whose assistant message does not open with thinking', async () => {
      const assistant = await firstStep();
      const [, toolUse] = assistant['content'];
      expect(await rejected(request([user('Weather?'), { role: 'assistant', content: [toolUse] }, results(toolUse.id)], { thinking: manual }))).toBe(
        missingThinkingMessage(1, 'tool_use'),
      );
      const withText = { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, toolUse] };
      const message = await rejected(request([user('Weather?'), withText, results(toolUse.id)], { thinking: manual }));
      expect(message).toBe(missingThinkingMessage(1, 'text'));
      expect(message).toMatch(
        /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `text`\. When `thinking` is enabled, a final `assistant` message must start with a thinking block \(preceeding the lastmost set of `tool_use` and `tool_result` blocks\)\./,
      );
      // History from elsewhere (no thinking at all) is refused the same way in manual mode.
      const foreign = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_other', name: 'get_weather', input: {} }] };
      expect(await rejected(request([user('Weather?'), foreign, results('toolu_other')], { thinking: manual }))).toBe(missingThinkingMessage(1, 'tool_use'));
      // The same loop passes with its thinking block.
      await ok(request([user('Weather?'), assistant, results(toolUse.id)], { thinking: manual }));
    });

    it('in adaptive mode rejects a dropped thinking block only where the answer had one', async () => {
      const thought = await firstStep({ thinking: adaptive });
      const [, toolUse] = thought['content'];
      expect(await rejected(request([user('Weather?'), { role: 'assistant', content: [toolUse] }, results(toolUse.id)], { thinking: adaptive }))).toBe(
        missingThinkingMessage(1, 'tool_use'),
      );
      // Adaptive thinking may skip thinking: an answer issued without it replays without it.
      const unthought = await firstStep({ thinking: adaptive }, null);
      expect(unthought['content'].map((block: Json) => block['type'])).toEqual(['tool_use']);
      await ok(request([user('Weather?'), unthought, results(unthought['content'][0].id)], { thinking: adaptive }));
    });

    it('rejects a dropped thinking block at a later step of the loop (the mock knows it issued one)', async () => {
      const first = await firstStep();
      const history = [user('Weather?'), first, results(first['content'][1].id)];
      const second = await step(
        history,
        { kind: 'tool_calls', reasoning: 'And the time.', calls: [{ name: 'get_time', arguments: '{}' }] },
        { thinking: manual },
      );
      const [, call] = second['content'];
      expect(await rejected(request([...history, { role: 'assistant', content: [call] }, results(call.id)], { thinking: manual }))).toBe(
        missingThinkingMessage(3, 'tool_use'),
      );
      await ok(request([...history, second, results(call.id)], { thinking: manual }));
    });

    it('rejects thinking text changed after it was signed, and a signature it never issued', async () => {
      const assistant = await firstStep();
      const [thinking, toolUse] = assistant['content'];
      const replay = (block: Json) => request([user('Weather?'), { role: 'assistant', content: [block, toolUse] }, results(toolUse.id)], { thinking: manual });
      expect(await rejected(replay({ ...thinking, thinking: 'Weather first!' }))).toBe(modifiedThinkingMessage(1, 0));
      expect(modifiedThinkingMessage(1, 0)).toBe(
        'messages.1.content.0: `thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.',
      );
      expect(await rejected(replay({ ...thinking, signature: 'EqQBCgIYAhIM-from-another-model' }))).toBe(invalidSignatureMessage(1, 0));
      expect(invalidSignatureMessage(1, 0)).toBe('messages.1.content.0: Invalid `signature` in `thinking` block.');
      expect(await rejected(replay({ type: 'redacted_thinking', data: 'Zm9yZ2Vk' }))).toBe(invalidRedactedDataMessage(1, 0));
      await ok(replay(thinking));
    });

    it('does not check thinking of completed turns', async () => {
      const assistant = await firstStep();
      const toolUse = assistant['content'][1];
      const altered = { role: 'assistant', content: [{ ...assistant['content'][0], thinking: 'changed', signature: 'unknown' }, toolUse] };
      const completed = [user('Weather?'), altered, results(toolUse.id), { role: 'assistant', content: 'Sunny.' }, user('Thanks')];
      await ok(request(completed, { thinking: manual }));
    });

    it('with thinking disabled rejects thinking only in a final assistant message', async () => {
      const assistant = await firstStep();
      const toolUse = assistant['content'][1];
      await ok(request([user('Weather?'), assistant, results(toolUse.id)], { thinking: { type: 'disabled' } }));
      await ok(request([user('Weather?'), assistant, results(toolUse.id)]));
      const prefill = { role: 'assistant', content: [{ ...assistant['content'][0] }, { type: 'text', text: 'So' }] };
      expect(await rejected(request([user('Weather?'), prefill]))).toBe(thinkingWhileDisabledMessage(1, 0));
      expect(thinkingWhileDisabledMessage(1, 0)).toBe(
        'messages.1.content.0: When thinking is disabled, an `assistant` message in the final position cannot contain `thinking`. To use thinking blocks, enable `thinking` in your request.',
      );
    });
  });

  describe('the pure checks', () => {
    const issued = { signatures: new Map([['sig_a', new Set(['t'])]]), redacted: new Set(['data_a']), openedWithThinking: new Set(['toolu_a']) };
    const assistant = (content: Json[]) => ({ role: 'assistant', content });
    const toolUse = { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} };

    it('findThinkingConfigError reads the model, the betas and the sampling settings', () => {
      expect(findThinkingConfigError(request([], { thinking: { type: 'enabled' } }))).toBe('thinking.enabled.budget_tokens: Field required');
      expect(findThinkingConfigError(request([], { thinking: { type: 'on' } }))).toMatch(/^thinking: Input tag 'on' found using 'type'/);
      expect(findThinkingConfigError(request([], { thinking: { type: 'enabled', budget_tokens: 5000 } }), ['interleaved-thinking-2025-05-14'])).toBeNull();
      // Opus 5.5 thinks without being asked, so the sampling rules hold without a thinking field.
      expect(findThinkingConfigError(request([], { model: 'claude-opus-5-5', temperature: 0.2 }))).toBe(temperatureWithThinkingMessage);
    });

    it('findThinkingReplayError takes thinking verbatim, redacted data issued, and nothing from completed turns', () => {
      const loop = (content: Json[], extra: Json = { thinking: manual }) => request([user('q'), assistant(content), results('toolu_a')], extra);
      expect(findThinkingReplayError(loop([{ type: 'thinking', thinking: 't', signature: 'sig_a' }, toolUse]), issued)).toBeNull();
      expect(findThinkingReplayError(loop([{ type: 'redacted_thinking', data: 'data_a' }, toolUse]), issued)).toBeNull();
      expect(findThinkingReplayError(loop([{ type: 'redacted_thinking', data: 'data_b' }, toolUse]), issued)).toBe(invalidRedactedDataMessage(1, 0));
      expect(findThinkingReplayError(loop([toolUse], { thinking: adaptive }), issued)).toBe(missingThinkingMessage(1, 'tool_use'));
      expect(findThinkingReplayError(loop([toolUse], {}), issued)).toBeNull();
      expect(
        findThinkingReplayError(request([user('q'), assistant([{ type: 'thinking', thinking: 't', signature: 'sig_a' }])], { thinking: manual }), issued),
      ).toBe('messages.1: The final block in an assistant message cannot be `thinking`.');
    });
  });
});
