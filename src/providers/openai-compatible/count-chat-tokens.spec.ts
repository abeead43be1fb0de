import { encode, encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { newMessageItem, newModelRequest } from '../../../test/factories.js';
import type { CacheSettings } from '../../caching/plan-cache.js';
import type { Item } from '../../items/item.schemas.js';
import type { FunctionTool, ModelRequest } from '../../planning/model-request.js';
import type { CallProvider } from '../call-provider.js';
import { countChatTokens, toChatTextPrompt } from './count-chat-tokens.js';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter.js';

const tools: FunctionTool[] = [{ name: 'get_weather', description: null, parameters: null, strict: null }];

/** Instructions, a tool, and a tool round trip: every kind of text a chat prompt carries. */
const history: Item[] = [
  newMessageItem({ id: 'msg_1', text: 'Weather in Paris?' }),
  { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
  { type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: 'sunny', status: 'completed' },
];

const request = (overrides: Partial<ModelRequest> = {}): ModelRequest =>
  newModelRequest({ model: 'gpt-4o', instructions: 'Be brief.', items: history, tools, ...overrides });

const cache = (charsPerToken: number): CacheSettings => ({
  mode: 'off',
  capabilities: {
    kind: 'automatic-prefix',
    minTokens: 1024,
    maxBreakpoints: 0,
    lookback: 0,
    ttls: [],
    retention: ['in_memory'],
    promptCacheKey: true,
    multipliers: { read: 0.5, write5m: 1, write1h: 1, storagePerHour: 0 },
    thinkingKept: false,
  },
  gapsMs: [],
  charsPerToken,
});

/** Makes sure counting a chat prompt never calls the upstream: Chat Completions has no count endpoint. */
const noUpstream: CallProvider = () => Promise.reject(new Error('no upstream call expected'));

function newAdapter(dialect: 'openai' | 'generic' = 'openai') {
  return new OpenAICompatibleAdapter({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', dialect, callProvider: noUpstream });
}

describe(toChatTextPrompt.name, () => {
  it('reads every message kind, tool definitions and a response schema', () => {
    const prompt = toChatTextPrompt({
      model: 'gpt-4o',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Rules.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Think.',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c', content: 'done' },
      ],
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: { type: 'json_object' },
    });

    expect(prompt).toEqual({
      messages: [
        { role: 'developer', texts: ['Rules.'], toolCalls: 0, media: 0 },
        { role: 'user', texts: ['Look:'], toolCalls: 0, media: 1 },
        { role: 'assistant', texts: ['Think.', 'f', '{}'], toolCalls: 1, media: 0 },
        { role: 'tool', texts: ['done'], toolCalls: 0, media: 0 },
      ],
      definitions: ['[{"type":"function","function":{"name":"f"}}]', '{"type":"json_object"}'],
    });
  });
});

describe(countChatTokens.name, () => {
  it('counts a small OpenAI prompt exactly as OpenAI frames it', async () => {
    const count = await countChatTokens({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello world' },
      ],
    });

    expect(count).toEqual({ inputTokens: 16, source: 'tokenizer' });
  });
});

describe(`${OpenAICompatibleAdapter.name}.countInputTokens`, () => {
  it('counts an OpenAI model with its tokenizer over the body stream() sends', async () => {
    const count = await newAdapter().countInputTokens(request(), new AbortController().signal);

    // Computed here apart from the module: gpt-tokenizer's own chat framing for the plain messages,
    // then the tool call (name, arguments, 3 tokens of framing) and the tools' JSON as sent.
    const toolsJson = JSON.stringify([{ type: 'function', function: { name: 'get_weather' } }]);
    const framed = encodeChat(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '' },
        { role: 'tool', content: 'sunny' },
      ],
      'gpt-4o',
    ).length;
    const expected = framed + encode('get_weather').length + encode('{"city":"Paris"}').length + 3 + encode(toolsJson).length;
    expect(expected).toBe(52);
    expect(count).toEqual({ inputTokens: expected, source: 'tokenizer' });
  });

  it('estimates any other model from characters, at the calibrated characters per token', async () => {
    // 'Be brief.' 9 + 'Weather in Paris?' 17 + 'get_weather' 11 + '{"city":"Paris"}' 16 + 'sunny' 5
    // + the tools' JSON 55 = 113 characters.
    const toolsJson = JSON.stringify([{ type: 'function', function: { name: 'get_weather' } }]);
    expect(toolsJson).toHaveLength(55);

    expect(await newAdapter('generic').countInputTokens(request({ model: 'qwen3-8b' }), new AbortController().signal)).toEqual({
      inputTokens: 29,
      source: 'estimate',
    });
    expect(await newAdapter('generic').countInputTokens(request({ model: 'qwen3-8b', cache: cache(2.5) }), new AbortController().signal)).toEqual({
      inputTokens: 46,
      source: 'estimate',
    });
  });

  it('counts the whole prompt: a longer history counts more', async () => {
    const sut = newAdapter();
    const short = await sut.countInputTokens(request({ items: history.slice(0, 1), tools: [] }), new AbortController().signal);
    const long = await sut.countInputTokens(request(), new AbortController().signal);

    expect(short).toEqual({ inputTokens: 3 + (3 + 1 + 3) + (3 + 1 + 4), source: 'tokenizer' });
    expect(long.inputTokens).toBeGreaterThan(short.inputTokens);
  });
});
