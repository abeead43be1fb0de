import { convertOpenAIResponsesUsage } from './openai-responses-usage.js';

describe(convertOpenAIResponsesUsage.name, () => {
  it('maps every count of ResponseUsage', () => {
    expect(
      convertOpenAIResponsesUsage({
        input_tokens: 2048,
        input_tokens_details: { cached_tokens: 1024, cache_write_tokens: 512 },
        output_tokens: 300,
        output_tokens_details: { reasoning_tokens: 200 },
      }),
    ).toEqual({ inputTokens: 2048, cachedInputTokens: 1024, cacheWriteTokens: 512, outputTokens: 300, reasoningTokens: 200 });
  });

  it('counts absent details (older servers, vLLM) as 0', () => {
    expect(convertOpenAIResponsesUsage({ input_tokens: 10, output_tokens: 5, input_tokens_details: null })).toEqual({
      inputTokens: 10,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 5,
      reasoningTokens: 0,
    });
  });

  it('is null without usage', () => {
    expect(convertOpenAIResponsesUsage(null)).toBeNull();
    expect(convertOpenAIResponsesUsage(undefined)).toBeNull();
  });
});
