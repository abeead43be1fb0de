import { encodeChat as encodeChatCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encodeChat as encodeChatO200k, encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import {
  countPromptTokens,
  estimatePromptTokens,
  FLAT_MEDIA_TOKENS,
  openAIEncodingFor,
  type PromptMessage,
  type TextPrompt,
  tokenizePrompt,
} from './count-prompt-tokens.js';

const message = (role: string, ...texts: string[]): PromptMessage => ({ role, texts, toolCalls: 0, media: 0 });
const prompt = (messages: PromptMessage[], definitions: string[] = []): TextPrompt => ({ messages, definitions });

describe(openAIEncodingFor.name, () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['gpt-4.1', 'o200k_base'],
    ['gpt-4.5-preview', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['gpt-oss-120b', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-2025-04-16', 'o200k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['GPT-4O', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['gpt-35-turbo', 'cl100k_base'],
    ['qwen3-8b', null],
    ['Qwen/Qwen3-8B', null],
    ['deepseek-chat', null],
    ['llama-3.1-70b', null],
    ['o2-model', null],
    ['omni', null],
  ])('%s → %s', (model, encoding) => {
    expect(openAIEncodingFor(model)).toBe(encoding);
  });
});

describe(tokenizePrompt.name, () => {
  it('counts "hello world" as 2 tokens in o200k_base, framed as one user message: 3 + 1 + 2 + 3', async () => {
    expect(encodeO200k('hello world')).toEqual([24912, 2375]);

    expect(await tokenizePrompt(prompt([message('user', 'hello world')]), 'o200k_base')).toBe(9);
  });

  it('frames messages as OpenAI documents it, which is what encodeChat produces', async () => {
    const chat = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hello world' },
    ];
    const messages = chat.map((entry) => message(entry.role, entry.content));

    expect(await tokenizePrompt(prompt(messages), 'o200k_base')).toBe(16);
    expect(encodeChatO200k(chat, 'gpt-4o')).toHaveLength(16);
    expect(await tokenizePrompt(prompt(messages), 'cl100k_base')).toBe(encodeChatCl100k(chat, 'gpt-4').length);
  });

  it('adds definitions as tokenized JSON, tool calls with 3 tokens of framing, media flat', async () => {
    const call: PromptMessage = { role: 'assistant', texts: ['get_weather', '{"city":"Paris"}'], toolCalls: 1, media: 0 };
    const image: PromptMessage = { role: 'user', texts: ['What is this?'], toolCalls: 0, media: 1 };
    const tools = '[{"type":"function","function":{"name":"get_weather"}}]';

    const tokens = await tokenizePrompt(prompt([call, image], [tools]), 'o200k_base');

    const expected =
      3 + // reply priming
      encodeO200k(tools).length +
      (3 + 1 + 2 + 5 + 3) + // assistant: framing, role, name, arguments, call framing
      (3 + 1 + encodeO200k('What is this?').length + FLAT_MEDIA_TOKENS);
    expect(tokens).toBe(expected);
  });

  it('reads text that looks like a special token as plain text', async () => {
    expect(await tokenizePrompt(prompt([message('user', 'a <|endoftext|> b')]), 'o200k_base')).toBe(3 + 1 + 9 + 3);
  });

  it('gives the event loop back on a long prompt and stops once the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const long = prompt([message('user', 'word '.repeat(60_000)), message('user', 'more')]);
    setImmediate(() => controller.abort(reason));

    await expect(tokenizePrompt(long, 'o200k_base', controller.signal)).rejects.toBe(reason);
  });
});

describe(estimatePromptTokens.name, () => {
  it('divides every character the model reads by the characters per token, and adds media flat', () => {
    const call: PromptMessage = { role: 'assistant', texts: ['get_weather', '{"city":"Paris"}'], toolCalls: 1, media: 0 };
    const withImage: PromptMessage = { role: 'user', texts: ['abcd'], toolCalls: 0, media: 2 };

    // 11 + 16 + 4 + 9 = 40 characters; roles are not counted.
    expect(estimatePromptTokens(prompt([call, withImage], ['{"a":"b"}']), 4)).toBe(10 + 2 * FLAT_MEDIA_TOKENS);
    expect(estimatePromptTokens(prompt([call, withImage], ['{"a":"b"}']), 3)).toBe(14 + 2 * FLAT_MEDIA_TOKENS);
  });

  it('falls back to 4 characters per token for a figure that is not one', () => {
    expect(estimatePromptTokens(prompt([message('user', 'abcdefgh')]), 0)).toBe(2);
  });
});

describe(countPromptTokens.name, () => {
  const hello = prompt([message('user', 'hello world')]);

  it('uses the tokenizer for an OpenAI model', async () => {
    expect(await countPromptTokens('gpt-4o', hello)).toEqual({ inputTokens: 9, source: 'tokenizer' });
  });

  it('estimates for any other model, at the given characters per token', async () => {
    expect(await countPromptTokens('qwen3-8b', hello)).toEqual({ inputTokens: 3, source: 'estimate' });
    expect(await countPromptTokens('qwen3-8b', hello, { charsPerToken: 2 })).toEqual({ inputTokens: 6, source: 'estimate' });
  });
});
