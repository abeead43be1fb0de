// Gemini thinking on the mock: `thinkingConfig` checks, thought summaries, Gemini 3 tool calls with
// thought signatures and their replay rules (reference §5.2), over real HTTP with the passing and the failing case.
import {
  budgetAndLevelMessage,
  budgetInvalidMessage,
  budgetZeroMessage,
  corruptedSignatureMessage,
  findThinkingConfigError,
  levelNotAllowedMessage,
  levelUnsupportedMessage,
  thinkingOutput,
} from './gemini-shapes.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();

function post(body: unknown, model: string, method = 'generateContent'): Promise<Response> {
  return fetch(`${upstream.origin}/v1beta/models/${model}:${method}`, {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test-key' },
    method: 'POST',
  });
}

const tools = [{ functionDeclarations: [{ name: 'get_weather' }, { name: 'get_time' }] }];
const user = (text: string): Json => ({ role: 'user', parts: [{ text }] });
const withThinking = (thinkingConfig: Json, contents: Json[] = [user('Q')]): Json => ({ contents, tools, generationConfig: { thinkingConfig } });
const responsesTo = (model: Json): Json => ({
  role: 'user',
  parts: model['parts']
    .filter((part: Json) => part['functionCall'])
    .map((part: Json) => ({ functionResponse: { name: part['functionCall']['name'], response: { output: 'ok' } } })),
});

async function ok(body: Json, model: string, method?: string): Promise<Json> {
  const response = await post(body, model, method);
  const answer = (await response.json()) as Json;
  expect({ status: response.status, error: answer['error'] }).toEqual({ status: 200, error: undefined });
  return answer;
}

async function rejected(body: Json, model: string): Promise<string> {
  const response = await post(body, model);
  const answer = (await response.json()) as Json;
  expect(response.status).toBe(400);
  expect(answer['error']).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  return answer['error']['message'];
}

/** The model content of a generateContent answer, as a client replays it. */
const modelContent = (answer: Json): Json => answer['candidates'][0]['content'];

describe('Gemini thinking', () => {
  describe('thinkingConfig', () => {
    it.each([
      ['both a budget and a level', 'gemini-3-flash-preview', { thinkingBudget: 1024, thinkingLevel: 'LOW' }, budgetAndLevelMessage],
      ['a level on Gemini 2.5', 'gemini-2.5-flash', { thinkingLevel: 'low' }, levelUnsupportedMessage],
      ['budget 0 on 2.5 Pro', 'gemini-2.5-pro', { thinkingBudget: 0 }, budgetZeroMessage],
      ['a budget above 2.5 Pro’s range', 'gemini-2.5-pro', { thinkingBudget: 52_428 }, budgetInvalidMessage(52_428)],
      ['a budget below 2.5 Pro’s range', 'gemini-2.5-pro', { thinkingBudget: 64 }, budgetInvalidMessage(64)],
      ['a budget below 2.5 Flash-Lite’s range', 'gemini-2.5-flash-lite', { thinkingBudget: 100 }, budgetInvalidMessage(100)],
      ['a budget above 2.5 Flash’s range', 'gemini-2.5-flash', { thinkingBudget: 24_577 }, budgetInvalidMessage(24_577)],
      ['MEDIUM on Gemini 3 Pro', 'gemini-3-pro-preview', { thinkingLevel: 'MEDIUM' }, levelNotAllowedMessage('MEDIUM')],
      ['MINIMAL on Gemini 3.7 Flash', 'gemini-3.7-flash', { thinkingLevel: 'minimal' }, levelNotAllowedMessage('MINIMAL')],
      [
        'an unknown level',
        'gemini-3-flash-preview',
        { thinkingLevel: 'EXTREME' },
        expect.stringMatching(/^Invalid value at 'generation_config\.thinking_config\.thinking_level'/),
      ],
    ])('rejects %s', async (_name, model, config, message) => {
      upstream.enqueue({ kind: 'text', text: 'kept' });
      expect(await rejected(withThinking(config), model)).toEqual(message);
      expect(upstream.requests[0]!.scenario).toBeUndefined();
    });

    it('words them as Gemini does', () => {
      expect(budgetAndLevelMessage).toBe('You can only set only one of thinking budget and thinking level.');
      expect(budgetZeroMessage).toBe('Budget 0 is invalid. This model only works in thinking mode.');
      expect(levelNotAllowedMessage('MEDIUM')).toBe('Thinking level MEDIUM is not supported for this model. Please retry with other thinking level.');
    });

    it.each([
      ['budget 0 on 2.5 Flash', 'gemini-2.5-flash', { thinkingBudget: 0 }],
      ['dynamic thinking on 2.5 Pro', 'gemini-2.5-pro', { thinkingBudget: -1 }],
      ['the smallest 2.5 Pro budget', 'gemini-2.5-pro', { thinkingBudget: 128 }],
      ['a lowercase level on Gemini 3 Pro', 'gemini-3-pro-preview', { thinkingLevel: 'low' }],
      ['MINIMAL on Gemini 3 Flash', 'gemini-3-flash-preview', { thinkingLevel: 'MINIMAL' }],
      ['a budget on Gemini 3 (kept for compatibility)', 'gemini-3-flash-preview', { thinkingBudget: 2048 }],
      ['includeThoughts alone', 'gemini-2.5-flash', { includeThoughts: true }],
    ])('accepts %s', async (_name, model, config) => {
      await ok(withThinking(config), model);
    });
  });

  describe('thought summaries', () => {
    const reasoning = { kind: 'reasoning' as const, reasoning: 'Think hard.', text: 'Done.' };

    it('come with includeThoughts, are counted without it, and are gone with budget 0', async () => {
      upstream.enqueue(reasoning, reasoning, reasoning);
      const shown = await ok(withThinking({ includeThoughts: true, thinkingBudget: 1024 }), 'gemini-2.5-flash');
      expect(modelContent(shown)['parts']).toEqual([
        { text: 'Think hard.', thought: true },
        { text: 'Done.', thoughtSignature: expect.any(String) },
      ]);
      expect(shown['usageMetadata']).toMatchObject({ candidatesTokenCount: 2, thoughtsTokenCount: 3 });

      const hidden = await ok(withThinking({ thinkingBudget: 1024 }), 'gemini-2.5-flash');
      expect(modelContent(hidden)['parts']).toEqual([{ text: 'Done.', thoughtSignature: expect.any(String) }]);
      expect(hidden['usageMetadata']).toMatchObject({ thoughtsTokenCount: 3 });

      const off = await ok(withThinking({ thinkingBudget: 0, includeThoughts: true }), 'gemini-2.5-flash');
      expect(modelContent(off)['parts'].map((part: Json) => part['thought'] ?? false)).toEqual([false]);
      expect(off['usageMetadata']).not.toHaveProperty('thoughtsTokenCount');
    });
  });

  describe('Gemini 3 tool calls with thinking', () => {
    const parallel = {
      kind: 'tool_calls' as const,
      reasoning: 'Both cities.',
      calls: [
        { name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    };

    it('streams thought parts, then the parallel calls in one chunk, the signature on the first call only', async () => {
      upstream.enqueue(parallel);
      const response = await post(withThinking({ includeThoughts: true, thinkingLevel: 'HIGH' }), 'gemini-3-pro-preview', 'streamGenerateContent?alt=sse');
      const chunks = (await response.text())
        .split('\r\n\r\n')
        .filter((event) => event !== '')
        .map((event) => JSON.parse(event.slice('data: '.length)) as Json);
      const parts = chunks.flatMap((chunk) => chunk['candidates'][0]['content']['parts']);
      expect(parts).toEqual([
        { text: 'Both', thought: true },
        { text: ' cit', thought: true },
        { text: 'ies.', thought: true },
        {
          functionCall: { name: 'get_weather', args: { city: 'Paris' } },
          thoughtSignature: Buffer.from('mock-thought-signature:mockresp000001').toString('base64'),
        },
        { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
      ]);
      expect(chunks.at(-1)!['usageMetadata']).toMatchObject({ thoughtsTokenCount: 3 });
    });

    it.each(['gemini-3-pro-preview', 'gemini-3-flash-preview'])('runs a 3-step tool loop on %s replaying the parts verbatim', async (model) => {
      const contents: Json[] = [user('Weather in Paris and Rome, then the time?')];
      const config = { includeThoughts: true };
      upstream.enqueue(parallel);
      const first = modelContent(await ok(withThinking(config, contents), model));
      contents.push(first, responsesTo(first));
      upstream.enqueue({ kind: 'tool_calls', reasoning: 'Now the time.', calls: [{ name: 'get_time', arguments: '{}' }] });
      const second = modelContent(await ok(withThinking(config, contents), model));
      contents.push(second, responsesTo(second));
      upstream.enqueue({ kind: 'text', text: 'Sunny in both, 10:00.' });
      const third = await ok(withThinking(config, contents), model);
      expect(modelContent(third)['parts'][0]['text']).toBe('Sunny in both, 10:00.');
      expect(first['parts'].map((part: Json) => Object.keys(part))).toEqual([['text', 'thought'], ['functionCall', 'thoughtSignature'], ['functionCall']]);
    });
  });

  describe('thought signatures of the current turn', () => {
    const model = 'gemini-3-flash-preview';

    /** One step with a single call, its model content and the history to send next. */
    async function issueStep(contents: Json[], name: string): Promise<Json> {
      upstream.enqueue({ kind: 'tool_calls', calls: [{ name, arguments: '{}' }] });
      return modelContent(await ok({ contents, tools }, model));
    }

    const loop = (modelTurn: Json) => ({ contents: [user('Weather?'), modelTurn, responsesTo(modelTurn)], tools });
    const call = (name: string, extra: Json = {}) => ({ role: 'model', parts: [{ functionCall: { name, args: {} }, ...extra }] });

    it('rejects a call replayed without its signature, and accepts the sentinel in its place', async () => {
      const issued = await issueStep([user('Weather?')], 'get_weather');
      expect(await rejected(loop(call('get_weather')), model)).toMatch(/^Function call is missing a thought_signature in functionCall parts\./);
      await ok(loop(call('get_weather', { thoughtSignature: 'skip_thought_signature_validator' })), model);
      await ok(loop(issued), model);
    });

    it('rejects another vendor’s call without a signature on Gemini 3 only, and takes it with the sentinel', async () => {
      expect(await rejected(loop(call('get_time')), model)).toMatch(/`default_api:get_time` , position 2\./);
      await ok(loop(call('get_time', { thoughtSignature: 'skip_thought_signature_validator' })), model);
      await ok(loop(call('get_time')), 'gemini-2.5-flash');
    });

    it('rejects a signature it never issued, or one moved to another step, as corrupted', async () => {
      const first = await issueStep([user('Weather?')], 'get_weather');
      expect(await rejected(loop(call('get_weather', { thoughtSignature: 'Q29ycnVwdGVk' })), model)).toBe(corruptedSignatureMessage);
      expect(await rejected(loop(call('get_time', { thoughtSignature: 'c2lnbmVkIGVsc2V3aGVyZQ==' })), model)).toBe('Corrupted thought signature.');
      const history = [user('Weather?'), first, responsesTo(first)];
      const second = await issueStep(history, 'get_time');
      const swapped = { role: 'model', parts: [{ ...second['parts'][0], thoughtSignature: first['parts'][0]['thoughtSignature'] }] };
      expect(await rejected({ contents: [...history, swapped, responsesTo(swapped)], tools }, model)).toBe(corruptedSignatureMessage);
      await ok({ contents: [...history, second, responsesTo(second)], tools }, model);
    });

    it('does not check signatures of completed turns', async () => {
      const contents = [
        user('Weather?'),
        call('get_weather', { thoughtSignature: 'b2xk' }),
        responsesTo(call('get_weather')),
        { role: 'model', parts: [{ text: 'Sunny.' }] },
        user('Thanks'),
      ];
      await ok({ contents, tools }, model);
    });

    it('accepts identical parallel calls, the second one unsigned', async () => {
      upstream.enqueue({
        kind: 'tool_calls',
        calls: [
          { name: 'get_weather', arguments: '{}' },
          { name: 'get_weather', arguments: '{}' },
        ],
      });
      const issued = modelContent(await ok({ contents: [user('Twice?')], tools }, model));
      await ok({ contents: [user('Twice?'), issued, responsesTo(issued)], tools }, model);
    });
  });

  describe('the pure checks', () => {
    it('findThinkingConfigError reads generationConfig.thinkingConfig only', () => {
      expect(findThinkingConfigError({ contents: [] }, 'gemini-2.5-pro')).toBeNull();
      expect(findThinkingConfigError({ generationConfig: { thinkingConfig: { thinkingBudget: 1.5 } } }, 'gemini-2.5-pro')).toMatch(/thinking_budget/);
      expect(findThinkingConfigError({ generationConfig: { thinkingConfig: { thinkingLevel: 'HIGH' } } }, 'gemini-3.1-pro-preview')).toBeNull();
    });

    it('thinkingOutput shows thoughts without a thinkingConfig, as the scenarios always did', () => {
      expect(thinkingOutput({})).toEqual({ thinks: true, thoughts: true });
      expect(thinkingOutput({ generationConfig: { thinkingConfig: { thinkingLevel: 'LOW' } } })).toEqual({ thinks: true, thoughts: false });
      expect(thinkingOutput({ generationConfig: { thinkingConfig: { thinkingBudget: 0, includeThoughts: true } } })).toEqual({
        thinks: false,
        thoughts: false,
      });
    });
  });
});
