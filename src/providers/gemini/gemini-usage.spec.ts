import { convertGeminiUsage } from './gemini-usage.js';

describe(convertGeminiUsage.name, () => {
  it('keeps cached tokens inside input and adds thinking tokens to output', () => {
    expect(
      convertGeminiUsage({ promptTokenCount: 5291, cachedContentTokenCount: 4089, candidatesTokenCount: 23, thoughtsTokenCount: 219, totalTokenCount: 5533 }),
    ).toEqual({ inputTokens: 5291, cachedInputTokens: 4089, cacheWriteTokens: 0, outputTokens: 242, reasoningTokens: 219 });
  });

  it('reads missing counts (a blocked prompt, a chunk before any output) as 0', () => {
    expect(convertGeminiUsage({ promptTokenCount: 21, totalTokenCount: 21 })).toEqual({
      inputTokens: 21,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('returns null without usageMetadata', () => {
    expect(convertGeminiUsage(undefined)).toBeNull();
    expect(convertGeminiUsage(null)).toBeNull();
  });
});
