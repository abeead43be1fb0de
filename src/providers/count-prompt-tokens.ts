import { DEFAULT_CHARS_PER_TOKEN } from '../caching/cache-types.js';
import type { InputTokenCount } from './model-adapter.js';

/**
 * Counting a prompt where the upstream has no counting endpoint (Chat Completions servers, a
 * Responses server without `/responses/input_tokens`): with OpenAI's own tokenizer for OpenAI
 * models (gpt-tokenizer ships their BPE ranks, pure JS), else an estimate from characters. Each wire
 * first reduces its request body to a TextPrompt, so the same count serves both wires.
 */

/** One message as a tokenizer reads it. */
export interface PromptMessage {
  role: string;
  /** What the model reads, in pieces: text content, a tool call's name and arguments, a tool's output. */
  texts: string[];
  /** Tool calls the message carries; each costs a few tokens of framing beyond its name and arguments. */
  toolCalls: number;
  /** Images and files: billed by pixels or pages, not by the length of their bytes, so counted flat. */
  media: number;
}

/** A request's prompt as text, whatever its wire. */
export interface TextPrompt {
  messages: PromptMessage[];
  /** JSON the model reads beside the messages: tool definitions, a response schema. */
  definitions: string[];
}

/** The same flat figure the planners use (planning/estimate-tokens.ts) for an image or a document. */
export const FLAT_MEDIA_TOKENS = 1_600;

export type OpenAIEncodingName = 'o200k_base' | 'cl100k_base';

/**
 * The BPE encoding of an OpenAI model, or null for a model whose tokenizer is not OpenAI's. GPT-3.5
 * and GPT-4 (with Azure's `gpt-35` spelling) use cl100k_base; GPT-4o, GPT-4.1, GPT-4.5, GPT-5,
 * gpt-oss and the o-series use o200k_base (gpt-oss's o200k_harmony only adds special tokens). An
 * `openai/` prefix (OpenRouter's model names) is read past.
 * @see https://github.com/openai/tiktoken/blob/main/tiktoken/model.py
 */
export function openAIEncodingFor(model: string): OpenAIEncodingName | null {
  const name = model.toLowerCase().replace(/^openai\//, '');
  if (/^gpt-(3\.?5|4)(-|$)/.test(name)) return 'cl100k_base';
  if (/^(gpt-|chatgpt-|o[134](-|$))/.test(name)) return 'o200k_base';
  return null;
}

export interface CountPromptTokensOptions {
  /** Characters per token for the estimate: the model's calibrated figure, else 4. */
  charsPerToken?: number;
  signal?: AbortSignal;
}

/** Counts with OpenAI's tokenizer where the model is OpenAI's (`tokenizer`), else estimates (`estimate`). */
export async function countPromptTokens(model: string, prompt: TextPrompt, options: CountPromptTokensOptions = {}): Promise<InputTokenCount> {
  const encoding = openAIEncodingFor(model);
  if (encoding === null) {
    return { inputTokens: estimatePromptTokens(prompt, options.charsPerToken ?? DEFAULT_CHARS_PER_TOKEN), source: 'estimate' };
  }
  return { inputTokens: await tokenizePrompt(prompt, encoding, options.signal), source: 'tokenizer' };
}

/** Every character the model reads (texts and definitions) over `charsPerToken`, plus media flat. */
export function estimatePromptTokens(prompt: TextPrompt, charsPerToken: number): number {
  let chars = prompt.definitions.reduce((sum, definition) => sum + definition.length, 0);
  let media = 0;
  for (const message of prompt.messages) {
    chars += message.texts.reduce((sum, text) => sum + text.length, 0);
    media += message.media;
  }
  const divisor = Number.isFinite(charsPerToken) && charsPerToken > 0 ? charsPerToken : DEFAULT_CHARS_PER_TOKEN;
  return Math.ceil(chars / divisor) + media * FLAT_MEDIA_TOKENS;
}

// OpenAI's documented chat framing: every message is `<|start|>{role}<|message|>{content}<|end|>`,
// 3 tokens beside its role and content, and every reply is primed with `<|start|>assistant<|message|>`.
// @see https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken
const MESSAGE_FRAMING_TOKENS = 3;
const REPLY_PRIMING_TOKENS = 3;
// Not documented: gpt-tokenizer's figure for a call's framing beside its name and arguments.
const TOOL_CALL_FRAMING_TOKENS = 3;

// Text that looks like a special token (`<|endoftext|>` in a user's message) is read as plain text,
// as the API does, instead of throwing.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

// Tokenizing runs on the event loop: give it back between messages after this many characters.
const YIELD_EVERY_CHARS = 256 * 1024;

/**
 * Tokens of a prompt in an OpenAI encoding: messages framed as documented; tool calls and the
 * definitions (tools, response schema) tokenized as the JSON we send, which is close to but not what
 * OpenAI renders them as internally. Media counts flat.
 */
export async function tokenizePrompt(prompt: TextPrompt, encodingName: OpenAIEncodingName, signal?: AbortSignal): Promise<number> {
  const encoding = await loadEncoding(encodingName);
  const count = (text: string) => (text === '' ? 0 : encoding.countTokens(text, PLAIN_TEXT));
  let tokens = REPLY_PRIMING_TOKENS + prompt.definitions.reduce((sum, definition) => sum + count(definition), 0);
  let charsSinceYield = 0;
  for (const message of prompt.messages) {
    tokens += MESSAGE_FRAMING_TOKENS + count(message.role) + message.toolCalls * TOOL_CALL_FRAMING_TOKENS + message.media * FLAT_MEDIA_TOKENS;
    for (const text of message.texts) {
      tokens += count(text);
      charsSinceYield += text.length;
    }
    if (charsSinceYield >= YIELD_EVERY_CHARS) {
      charsSinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
  }
  return tokens;
}

type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

const encodings = new Map<OpenAIEncodingName, Promise<Encoding>>();

// Loaded on first use: each encoding's rank table costs a few hundred milliseconds and tens of MB.
function loadEncoding(name: OpenAIEncodingName): Promise<Encoding> {
  let encoding = encodings.get(name);
  if (!encoding) {
    encoding = name === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base');
    encodings.set(name, encoding);
  }
  return encoding;
}
