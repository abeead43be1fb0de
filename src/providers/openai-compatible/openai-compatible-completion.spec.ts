// Fixture openai-compatible-tool-call.json is hand-made from OpenAI's documented chat.completion object
// (a tool call with null content, refusal null, annotations []), not a recording.
import { ProviderError } from '../../common/provider-error.js';
import { readFixtureText } from './__fixtures__/fixture-body.js';
import { convertOpenAICompatibleCompletion } from './openai-compatible-completion.js';

describe(convertOpenAICompatibleCompletion.name, () => {
  it('turns a tool-call completion into the parts a stream would produce', () => {
    expect(convertOpenAICompatibleCompletion(readFixtureText('openai-compatible-tool-call.json'), 'openai')).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-C4hZ5uV1wX3yZ7aB9cD2eF4gH6iJk', model: 'gpt-4.1-2025-04-14' },
      { type: 'tool-call-start', index: 0, callId: 'call_Lk9mN2bV5cX8zA1sD4fG7hJ0', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, delta: '{"city":"Zürich","unit":"celsius"}' },
      {
        type: 'finish',
        serviceTier: 'default',
        reason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: { inputTokens: 84, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 18, reasoningTokens: 0 },
      },
    ]);
  });

  it("emits reasoning before text, marked as the provider's so only it gets it back", () => {
    const body = JSON.stringify({
      id: 'x',
      model: 'deepseek-reasoner',
      choices: [{ index: 0, message: { role: 'assistant', content: 'B', reasoning_content: 'A' }, finish_reason: 'length' }],
    });
    expect(convertOpenAICompatibleCompletion(body, 'deepseek')).toEqual([
      { type: 'response-metadata', id: 'x', model: 'deepseek-reasoner' },
      { type: 'reasoning-delta', delta: 'A' },
      { type: 'reasoning-end', providerData: { chat: { provider: 'deepseek' } } },
      { type: 'text-delta', delta: 'B' },
      { type: 'finish', reason: { unified: 'length', raw: 'length' }, usage: null },
    ]);
  });

  it('throws an error body sent with status 200', () => {
    const error = (() => {
      try {
        convertOpenAICompatibleCompletion('{"error":{"message":"context too long","code":"context_length_exceeded"}}', 'p');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ message: 'context too long', providerCode: 'context_length_exceeded', status: null });
  });

  it('throws malformed upstream response for a body that is not JSON', () => {
    expect(() => convertOpenAICompatibleCompletion('<html>', 'p')).toThrow('malformed upstream response');
  });
});

describe(`${convertOpenAICompatibleCompletion.name} log probabilities`, () => {
  it('gives choices[0].logprobs.content of a whole answer to its text delta', () => {
    const content = [
      { token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [] },
      { token: '!', logprob: -1, bytes: [33], top_logprobs: [{ token: '!', logprob: -1, bytes: [33] }] },
    ];
    const body = JSON.stringify({
      id: 'x',
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, logprobs: { content, refusal: null }, finish_reason: 'stop' }],
    });
    const parts = convertOpenAICompatibleCompletion(body, 'vllm');
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', delta: 'Hi!', logprobs: content }]);
  });
});
