import { convertAnthropicUsage, mergeAnthropicUsage } from './anthropic-usage.js';

describe(convertAnthropicUsage.name, () => {
  it('adds cache reads and writes to the uncached input_tokens', () => {
    expect(convertAnthropicUsage({ input_tokens: 4, cache_read_input_tokens: 2048, cache_creation_input_tokens: 188, output_tokens: 42 })).toEqual({
      inputTokens: 2240,
      cachedInputTokens: 2048,
      cacheWriteTokens: 188,
      outputTokens: 42,
      reasoningTokens: 0,
    });
  });

  it('keeps the 1 h writes of cache_creation apart, and carries the split through message_delta', () => {
    const usage = {
      input_tokens: 4,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      output_tokens: 1,
    };
    expect(convertAnthropicUsage(usage)).toEqual({
      inputTokens: 3004,
      cachedInputTokens: 0,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: 2000,
      outputTokens: 1,
      reasoningTokens: 0,
    });
    expect(convertAnthropicUsage(mergeAnthropicUsage(usage, { output_tokens: 9 }))).toMatchObject({ cacheWrite1hTokens: 2000, outputTokens: 9 });
  });

  it('counts the web searches the server tool ran (billed per search), as message_delta reports them', () => {
    const start = { input_tokens: 2_000, output_tokens: 1 };
    const delta = { output_tokens: 310, server_tool_use: { web_search_requests: 2, web_fetch_requests: 1 } };
    expect(convertAnthropicUsage(mergeAnthropicUsage(start, delta))).toEqual({
      inputTokens: 2_000,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 310,
      reasoningTokens: 0,
      webSearchCalls: 2,
    });
    expect(convertAnthropicUsage({ ...start, server_tool_use: { web_search_requests: 0 } })).not.toHaveProperty('webSearchCalls');
  });

  it('adds the compaction steps of usage.iterations, billed but left out of the top-level counts (compaction beta)', () => {
    const usage = {
      input_tokens: 23_000,
      output_tokens: 1_000,
      iterations: [
        { type: 'compaction', input_tokens: 180_000, output_tokens: 3_500, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        { type: 'message', input_tokens: 23_000, output_tokens: 1_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      ],
    };
    expect(convertAnthropicUsage(usage)).toEqual({
      inputTokens: 203_000,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 4_500,
      reasoningTokens: 0,
    });
    // message_delta carries the iterations; message_start's counts stay.
    expect(
      convertAnthropicUsage(mergeAnthropicUsage({ input_tokens: 23_000, output_tokens: 1 }, { output_tokens: 1_000, iterations: usage.iterations })),
    ).toMatchObject({
      inputTokens: 203_000,
      outputTokens: 4_500,
    });
  });

  it('treats missing or null counts as 0 and no usage as null', () => {
    expect(convertAnthropicUsage({ input_tokens: 7, cache_read_input_tokens: null })).toEqual({
      inputTokens: 7,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
    });
    expect(convertAnthropicUsage(null)).toBeNull();
  });
});

describe(mergeAnthropicUsage.name, () => {
  it('overlays the counts the later event reports and keeps the rest', () => {
    expect(mergeAnthropicUsage({ input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 }, { output_tokens: 30, input_tokens: null })).toEqual({
      input_tokens: 10,
      cache_read_input_tokens: 5,
      output_tokens: 30,
    });
    expect(mergeAnthropicUsage(null, { output_tokens: 3 })).toEqual({ output_tokens: 3 });
    expect(mergeAnthropicUsage({ output_tokens: 3 }, undefined)).toEqual({ output_tokens: 3 });
  });
});
