import { ProviderError } from '../../common/provider-error.js';
import { convertOpenAIResponsesResponse } from './openai-responses-response.js';

const usage = { input_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 10 } };

function body(fields: Record<string, unknown>): string {
  return JSON.stringify({ id: 'resp_1', object: 'response', model: 'gpt-5', error: null, incomplete_details: null, output: [], usage, ...fields });
}

describe(convertOpenAIResponsesResponse.name, () => {
  it('yields the parts a stream of the same Response would have produced', () => {
    const output = [
      { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think.' }], encrypted_content: 'enc' },
      { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'save', arguments: '{"a":1}' },
    ];
    expect(convertOpenAIResponsesResponse(body({ status: 'completed', output }), 'openai')).toEqual([
      { type: 'response-metadata', id: 'resp_1', model: 'gpt-5' },
      { type: 'reasoning-summary-delta', delta: 'Think.', index: 0 },
      { type: 'reasoning-end', providerData: { openai: { id: 'rs_1', encrypted_content: 'enc' } } },
      { type: 'tool-call-start', index: 1, callId: 'call_1', name: 'save' },
      { type: 'tool-call-delta', index: 1, delta: '{"a":1}' },
      {
        type: 'finish',
        reason: { unified: 'tool-calls', raw: 'completed' },
        usage: { inputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 10 },
      },
    ]);
  });

  it('finishes an incomplete Response with its reason', () => {
    const output = [{ id: 'msg_1', type: 'message', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'Once' }] }];
    const parts = convertOpenAIResponsesResponse(body({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output }), 'openai');
    expect(parts.slice(1)).toEqual([
      { type: 'text-delta', delta: 'Once' },
      { type: 'finish', reason: { unified: 'length', raw: 'max_output_tokens' }, usage: expect.any(Object) },
    ]);
  });

  it('throws a failed Response, and an error envelope sent with status 200', () => {
    expect(() => convertOpenAIResponsesResponse(body({ status: 'failed', error: { code: 'server_error', message: 'Boom' } }), 'openai')).toThrow(
      expect.objectContaining({ message: 'Boom', providerCode: 'server_error' }),
    );
    expect(() =>
      convertOpenAIResponsesResponse(JSON.stringify({ error: { message: 'Bad key', type: 'invalid_request_error', code: 'invalid_api_key' } }), 'openai'),
    ).toThrow(expect.objectContaining({ message: 'Bad key', providerCode: 'invalid_api_key' }));
  });

  it('rejects bodies that are not a final Response', () => {
    for (const text of ['{"id":"resp_1",', body({ status: 'in_progress' }), '[]']) {
      let error: unknown;
      try {
        convertOpenAIResponsesResponse(text, 'openai');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ message: 'malformed upstream response' });
    }
  });
});

describe(`${convertOpenAIResponsesResponse.name} log probabilities`, () => {
  it("gives a non-streamed answer's output_text logprobs to its text delta", () => {
    const logprobs = [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [] }];
    const output = [
      { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs }] },
    ];
    const parts = convertOpenAIResponsesResponse(body({ status: 'completed', output }), 'openai');
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', delta: 'Hi', logprobs }]);
  });

  it('refuses an output_text part whose logprobs are malformed', () => {
    const output = [{ id: 'msg_1', type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Hi', logprobs: [{ logprob: 'high' }] }] }];
    expect(() => convertOpenAIResponsesResponse(body({ status: 'completed', output }), 'openai')).toThrow('malformed upstream response');
  });
});
