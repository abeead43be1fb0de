import { z } from 'zod';
import { openAILogprobSchema } from '../openai-logprobs.js';

/**
 * Chat Completions wire format. Incoming shapes are zod schemas that only name the fields we read,
 * all `.nullish()`, because OpenAI-compatible servers differ in which fields they send and whether
 * they send `null` or nothing; unknown fields are stripped. Outgoing shapes are plain types.
 * @see https://platform.openai.com/docs/api-reference/chat
 */

/** Which flavour of the wire we speak: `openai` is api.openai.com itself, `generic` any other server. */
export type OpenAICompatibleDialect = 'openai' | 'generic';

// ---- outgoing ---------------------------------------------------------------------------------

export interface OpenAICompatibleTextPart {
  type: 'text';
  text: string;
}

export interface OpenAICompatibleImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'low' | 'high' };
}

export interface OpenAICompatibleFilePart {
  type: 'file';
  file: { filename?: string; file_data?: string; file_id?: string };
}

export type OpenAICompatibleUserContentPart = OpenAICompatibleTextPart | OpenAICompatibleImagePart | OpenAICompatibleFilePart;

export interface OpenAICompatibleToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAICompatibleSystemMessage {
  role: 'system' | 'developer';
  content: string | OpenAICompatibleTextPart[];
}

export interface OpenAICompatibleUserMessage {
  role: 'user';
  content: string | OpenAICompatibleUserContentPart[];
}

export interface OpenAICompatibleAssistantMessage {
  role: 'assistant';
  /** Null only when the message carries tool calls and no text. */
  content: string | null;
  /** The model's own reasoning, sent back where the server wants it (DeepSeek, Kimi tool turns). */
  reasoning_content?: string;
  tool_calls?: OpenAICompatibleToolCall[];
}

export interface OpenAICompatibleToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

export type OpenAICompatibleMessage =
  | OpenAICompatibleSystemMessage
  | OpenAICompatibleUserMessage
  | OpenAICompatibleAssistantMessage
  | OpenAICompatibleToolMessage;

export interface OpenAICompatibleFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type OpenAICompatibleToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type OpenAICompatibleResponseFormat =
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };
    };

export interface OpenAICompatibleRequestBody {
  model: string;
  messages: OpenAICompatibleMessage[];
  max_completion_tokens?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  response_format?: OpenAICompatibleResponseFormat;
  logprobs?: true;
  /** Alternatives per token, 0–20; only with `logprobs`. */
  top_logprobs?: number;
  reasoning_effort?: string;
  tools?: OpenAICompatibleFunctionTool[];
  tool_choice?: OpenAICompatibleToolChoice;
  parallel_tool_calls?: boolean;
  prompt_cache_key?: string;
  /** DeepSeek V4 (and Kimi, GLM): thinking is on by default; `disabled` turns it off. */
  thinking?: { type: 'enabled' | 'disabled' };
  prompt_cache_retention?: 'in_memory' | '24h';
  safety_identifier?: string;
  service_tier?: string;
  verbosity?: 'low' | 'medium' | 'high';
  stream?: true;
  stream_options?: { include_usage: true };
}

// ---- incoming ---------------------------------------------------------------------------------

/**
 * `CompletionUsage`, plus DeepSeek's `prompt_cache_hit_tokens` (it reports cache reads there).
 * @see https://api-docs.deepseek.com/api/create-chat-completion
 */
export const openAICompatibleUsageSchema = z.object({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
  prompt_cache_hit_tokens: z.number().nullish(),
});
export type OpenAICompatibleUsage = z.infer<typeof openAICompatibleUsageSchema>;

/** An error object as sent in error bodies and in mid-stream `data: {"error": ...}` chunks. */
const openAICompatibleErrorSchema = z.union([
  z.object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
  }),
  z.string(),
]);

const toolCallDeltaSchema = z.object({
  index: z.number().nullish(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});
export type OpenAICompatibleToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

/**
 * A choice's `logprobs`: its content tokens, each with its `top_logprobs` alternatives.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
const choiceLogprobsSchema = z.object({ content: z.array(openAILogprobSchema).nullish() });

/** Text fields shared by a streamed `delta` and a complete `message`. */
const messageTextFields = {
  content: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  refusal: z.string().nullish(),
};

/**
 * One `chat.completion.chunk`. `reasoning_content` is DeepSeek's, Kimi's and GLM's field for
 * thinking text, `reasoning` vLLM's and OpenRouter's. Moonshot puts `usage` inside the choice.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export const openAICompatibleChunkSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().nullish(),
        delta: z
          .object({
            ...messageTextFields,
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
        usage: openAICompatibleUsageSchema.nullish(),
        /** The chunk's tokens, when `logprobs` was asked for (`refusal` tokens are not read). */
        logprobs: choiceLogprobsSchema.nullish(),
      }),
    )
    .nullish(),
  usage: openAICompatibleUsageSchema.nullish(),
  /** OpenAI's: the tier that served the request. */
  service_tier: z.string().nullish(),
  error: openAICompatibleErrorSchema.nullish(),
});
export type OpenAICompatibleChunk = z.infer<typeof openAICompatibleChunkSchema>;

/**
 * A non-streamed `chat.completion`.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export const openAICompatibleCompletionSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().nullish(),
        message: z
          .object({
            ...messageTextFields,
            tool_calls: z
              .array(
                z.object({
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
        logprobs: choiceLogprobsSchema.nullish(),
      }),
    )
    .nullish(),
  usage: openAICompatibleUsageSchema.nullish(),
  /** OpenAI's: the tier that served the request. */
  service_tier: z.string().nullish(),
  error: openAICompatibleErrorSchema.nullish(),
});
export type OpenAICompatibleCompletion = z.infer<typeof openAICompatibleCompletionSchema>;
