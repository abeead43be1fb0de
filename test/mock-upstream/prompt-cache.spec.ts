import {
  AnthropicCacheEmulator,
  anthropicBreakpoints,
  anthropicMinCacheTokens,
  chatPromptUnits,
  findCacheControlError,
  findRetentionError,
  flattenAnthropicPrompt,
  GeminiImplicitCacheEmulator,
  geminiMinCacheTokens,
  geminiPromptUnits,
  hashUnits,
  OpenAICacheEmulator,
  openAIPartition,
  prefixHashes,
  promptUnit,
  responsesPromptUnits,
  sumTokens,
} from './prompt-cache.js';

const prompt = (count: number, tokens = 100) => ({
  hashes: prefixHashes(Array.from({ length: count }, (_, index) => `block ${index}`)),
  tokens: Array<number>(count).fill(tokens),
});

describe(AnthropicCacheEmulator.name, () => {
  it('writes at breakpoints and reads them back on the next request, with the usage split Anthropic reports', () => {
    const cache = new AnthropicCacheEmulator();
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 })).toEqual({
      read: 0,
      write5m: 2000,
      write1h: 0,
      uncached: 0,
    });
    expect(cache.request({ ...prompt(25), breakpoints: [{ index: 23, ttl: '5m' }], minTokens: 1024, now: 1000 })).toEqual({
      read: 2000,
      write5m: 400,
      write1h: 0,
      uncached: 100,
    });
  });

  it('looks back at most 20 positions from each breakpoint', () => {
    const cache = new AnthropicCacheEmulator();
    cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(cache.request({ ...prompt(40), breakpoints: [{ index: 39, ttl: '5m' }], minTokens: 1024, now: 1 }).read).toBe(0);
    const again = new AnthropicCacheEmulator();
    again.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(again.request({ ...prompt(39), breakpoints: [{ index: 38, ttl: '5m' }], minTokens: 1024, now: 1 }).read).toBe(2000);
  });

  it('caches nothing below the minimum, and forgets entries after their TTL unless read', () => {
    const cache = new AnthropicCacheEmulator();
    expect(cache.request({ ...prompt(5), breakpoints: [{ index: 4, ttl: '5m' }], minTokens: 1024, now: 0 })).toEqual({
      read: 0,
      write5m: 0,
      write1h: 0,
      uncached: 500,
    });
    cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 0 });
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 4 * 60_000 }).read).toBe(2000);
    // The read at 4 min refreshed it: still there 8 min after the write.
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 8 * 60_000 }).read).toBe(2000);
    expect(cache.request({ ...prompt(20), breakpoints: [{ index: 19, ttl: '5m' }], minTokens: 1024, now: 14 * 60_000 }).read).toBe(0);
  });

  it('bills a 1h prefix and a 5m tail apart', () => {
    const cache = new AnthropicCacheEmulator();
    const usage = cache.request({
      ...prompt(30),
      breakpoints: [
        { index: 11, ttl: '1h' },
        { index: 29, ttl: '5m' },
      ],
      minTokens: 1024,
      now: 0,
    });
    expect(usage).toEqual({ read: 0, write1h: 1200, write5m: 1800, uncached: 0 });
  });
});

describe(OpenAICacheEmulator.name, () => {
  it('reads the longest retained prefix in 128-token steps from 1,024 tokens', () => {
    const cache = new OpenAICacheEmulator();
    cache.request({ ...prompt(15), retention: 'in_memory', now: 0 });
    expect(cache.request({ ...prompt(20), retention: 'in_memory', now: 1 })).toEqual({ cached: 1408, total: 2000 });
    expect(cache.request({ ...prompt(20), retention: 'in_memory', now: 10 * 60_000 }).cached).toBe(0);
    cache.request({ ...prompt(20), retention: '24h', now: 20 * 60_000 });
    expect(cache.request({ ...prompt(20), retention: '24h', now: 5 * 60 * 60_000 }).cached).toBe(1920);
  });
});

describe(GeminiImplicitCacheEmulator.name, () => {
  it('reads the longest prefix a recent request shared, once it reaches the minimum', () => {
    const cache = new GeminiImplicitCacheEmulator();
    expect(cache.request({ ...prompt(15), minTokens: 1024, now: 0 })).toEqual({ cached: 0, total: 1500 });
    expect(cache.request({ ...prompt(20), minTokens: 1024, now: 1 })).toEqual({ cached: 1500, total: 2000 });
    expect(cache.request({ ...prompt(20), minTokens: 4096, now: 2 }).cached).toBe(0);
    expect(cache.request({ ...prompt(20), minTokens: 1024, now: 6 * 60_000 }).cached).toBe(0);
  });
});

describe(promptUnit.name, () => {
  it('counts a token per four characters of JSON and ignores the marker at any depth', () => {
    const plain = promptUnit({ type: 'text', text: 'hello' }, 'cache_control');
    expect(plain).toEqual({ key: '{"type":"text","text":"hello"}', tokens: 8 });
    expect(promptUnit({ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }, 'cache_control')).toEqual(plain);
    expect(promptUnit({ content: [{ a: 1, cache_control: {} }] }, 'cache_control').key).toBe('{"content":[{"a":1}]}');
    expect(promptUnit('hi', undefined, 'user:')).toEqual({ key: 'user:"hi"', tokens: 1 });
  });

  it('hashes units per partition, so the same prompt in another partition shares no entry', () => {
    const units = [promptUnit('a'), promptUnit('b')];
    const [first, second] = [hashUnits('p1', units), hashUnits('p2', units)];
    expect(first.tokens).toEqual([1, 1]);
    expect(first.hashes).toHaveLength(2);
    expect(first.hashes.some((hash) => second.hashes.includes(hash))).toBe(false);
    expect(sumTokens(units)).toBe(2);
  });
});

describe('Anthropic prompts', () => {
  const body = {
    tools: [{ name: 'lookup', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral', ttl: '1h' } }],
    system: 'Be brief.',
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
      { role: 'user', content: [{ type: 'text', text: 'more', cache_control: { type: 'ephemeral' } }] },
    ],
  };

  it('flattens tools, system and message blocks in processing order, roles in the message keys', () => {
    const positions = flattenAnthropicPrompt(body);
    expect(positions.map((position) => position.path)).toEqual(['tools.0', 'system', 'messages.0.content', 'messages.1.content.0', 'messages.2.content.0']);
    expect(positions[1]!.key).toBe('{"type":"text","text":"Be brief."}');
    expect(positions[2]!.key).toBe('user:{"type":"text","text":"hi"}');
    expect(positions[3]!.key).toBe('assistant:{"type":"text","text":"hello"}');
    expect(anthropicBreakpoints(positions)).toEqual([
      { index: 0, ttl: '1h' },
      { index: 4, ttl: '5m' },
    ]);
    expect(findCacheControlError(positions)).toBeNull();
  });

  it('refuses a fifth breakpoint, a 1h breakpoint after a 5m one and an unknown TTL, in Anthropic words', () => {
    const marked = (ttl?: string) => ({ type: 'text', text: 'x', cache_control: ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' } });
    const withSystem = (...blocks: unknown[]) => flattenAnthropicPrompt({ system: blocks, messages: [] });
    expect(findCacheControlError(withSystem(...Array.from({ length: 5 }, () => marked())))).toBe(
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    );
    expect(findCacheControlError(withSystem(marked('1h'), marked(), marked()))).toBeNull();
    expect(findCacheControlError(withSystem(marked(), marked('1h')))).toBe(
      "system.1.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. " +
        'Note that blocks are processed in the following order: `tools`, `system`, `messages`.',
    );
    expect(findCacheControlError(withSystem(marked('10m')))).toBe("system.0.cache_control.ephemeral.ttl: Input should be '5m' or '1h'");
  });

  it('knows the per-model minimum cacheable prompt', () => {
    expect(anthropicMinCacheTokens('claude-sonnet-4-5')).toBe(1024);
    expect(anthropicMinCacheTokens('claude-opus-4-1-20250805')).toBe(1024);
    expect(anthropicMinCacheTokens('claude-haiku-4-5')).toBe(4096);
    expect(anthropicMinCacheTokens('claude-opus-4-6')).toBe(4096);
    expect(anthropicMinCacheTokens('claude-opus-4-7')).toBe(4096);
    expect(anthropicMinCacheTokens('claude-opus-5')).toBe(512);
    expect(anthropicMinCacheTokens('claude-3-5-haiku-20241022')).toBe(2048);
  });
});

describe('OpenAI prompts', () => {
  it('splits a Responses request into instructions, tools and input items, markers ignored', () => {
    const tool = { type: 'function', name: 'f', parameters: {} };
    const part = { type: 'input_text', text: 'hi' };
    const units = responsesPromptUnits({
      instructions: 'Be brief.',
      tools: [tool],
      input: [{ role: 'user', content: [{ ...part, prompt_cache_breakpoint: { mode: 'explicit' } }] }],
    });
    expect(units.map((unit) => unit.key)).toEqual(['"Be brief."', JSON.stringify(tool), JSON.stringify({ role: 'user', content: [part] })]);
    expect(responsesPromptUnits({ input: 'hello' }).map((unit) => unit.key)).toEqual(['"hello"']);
  });

  it('splits a chat request into tools and messages', () => {
    const units = chatPromptUnits({
      tools: [{ type: 'function' }],
      messages: [
        { role: 'system', content: 'x' },
        { role: 'user', content: 'y' },
      ],
    });
    expect(units).toHaveLength(3);
  });

  it('partitions by model and prompt_cache_key', () => {
    expect(openAIPartition({ model: 'gpt-5' })).not.toBe(openAIPartition({ model: 'gpt-5', prompt_cache_key: 'a' }));
    expect(openAIPartition({ model: 'gpt-5', prompt_cache_key: 'a' })).not.toBe(openAIPartition({ model: 'gpt-5-mini', prompt_cache_key: 'a' }));
  });

  it('takes in_memory and 24h as retention and refuses anything else', () => {
    expect(findRetentionError(undefined)).toBeNull();
    expect(findRetentionError(null)).toBeNull();
    expect(findRetentionError('24h')).toBeNull();
    expect(findRetentionError('1h')).toBe("Invalid value: '1h'. Supported values are: 'in_memory' and '24h'.");
  });
});

describe('Gemini prompts', () => {
  it('counts the system instruction, the tools as one unit, then each content', () => {
    const units = geminiPromptUnits({
      systemInstruction: { parts: [{ text: 's' }] },
      tools: [{ functionDeclarations: [] }],
      contents: [{ role: 'user', parts: [{ text: 'a' }] }],
    });
    expect(units.map((unit) => unit.key)).toEqual(['{"parts":[{"text":"s"}]}', '[{"functionDeclarations":[]}]', '{"role":"user","parts":[{"text":"a"}]}']);
    expect(geminiPromptUnits({ tools: [], contents: [] })).toEqual([]);
  });

  it('knows the per-model minimum', () => {
    expect(geminiMinCacheTokens('gemini-2.5-flash')).toBe(2048);
    expect(geminiMinCacheTokens('gemini-2.5-flash-lite')).toBe(2048);
    expect(geminiMinCacheTokens('gemini-2.5-pro')).toBe(2048);
    expect(geminiMinCacheTokens('gemini-3-flash-preview')).toBe(1024);
    expect(geminiMinCacheTokens('gemini-3.1-pro-preview')).toBe(4096);
  });
});
