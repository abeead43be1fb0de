import { convertOpenAICompatibleUsage } from './openai-compatible-usage.js';

describe(convertOpenAICompatibleUsage.name, () => {
  it('maps OpenAI usage with cached and reasoning tokens', () => {
    expect(
      convertOpenAICompatibleUsage({
        prompt_tokens: 2006,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1920 },
        completion_tokens_details: { reasoning_tokens: 256 },
      }),
    ).toEqual({ inputTokens: 2006, cachedInputTokens: 1920, cacheWriteTokens: 0, outputTokens: 300, reasoningTokens: 256 });
  });

  it("reads DeepSeek's prompt_cache_hit_tokens when cached_tokens is absent", () => {
    expect(convertOpenAICompatibleUsage({ prompt_tokens: 82, completion_tokens: 41, prompt_cache_hit_tokens: 64 })).toEqual({
      inputTokens: 82,
      cachedInputTokens: 64,
      cacheWriteTokens: 0,
      outputTokens: 41,
      reasoningTokens: 0,
    });
  });

  it('treats missing and null counts as 0, and no usage as null', () => {
    expect(convertOpenAICompatibleUsage({ prompt_tokens: 3, prompt_tokens_details: null })).toEqual({
      inputTokens: 3,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
    });
    expect(convertOpenAICompatibleUsage(null)).toBeNull();
    expect(convertOpenAICompatibleUsage(undefined)).toBeNull();
  });
});
