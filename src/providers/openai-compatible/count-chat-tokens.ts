import { countPromptTokens, type PromptMessage, type TextPrompt } from '../count-prompt-tokens.js';
import type { InputTokenCount } from '../model-adapter.js';
import type { OpenAICompatibleMessage, OpenAICompatibleRequestBody } from './openai-compatible.api.js';

/**
 * Counts the prompt of a Chat Completions body, which has no counting endpoint on any server: with
 * OpenAI's tokenizer for OpenAI models (`tokenizer`), else from characters (`estimate`, see
 * count-prompt-tokens.ts). Everything the model reads is counted: messages (text, tool calls' names
 * and arguments, tool outputs, reasoning sent back), tool definitions and a response schema, as the
 * JSON we send them in.
 */
export function countChatTokens(body: OpenAICompatibleRequestBody, options: { charsPerToken?: number; signal?: AbortSignal } = {}): Promise<InputTokenCount> {
  return countPromptTokens(body.model, toChatTextPrompt(body), options);
}

export function toChatTextPrompt(body: OpenAICompatibleRequestBody): TextPrompt {
  const definitions: string[] = [];
  if (body.tools && body.tools.length > 0) definitions.push(JSON.stringify(body.tools));
  if (body.response_format) definitions.push(JSON.stringify(body.response_format));
  return { messages: body.messages.map(toPromptMessage), definitions };
}

function toPromptMessage(message: OpenAICompatibleMessage): PromptMessage {
  const prompt: PromptMessage = { role: message.role, texts: [], toolCalls: 0, media: 0 };
  switch (message.role) {
    case 'system':
    case 'developer':
    case 'user':
      if (typeof message.content === 'string') {
        prompt.texts.push(message.content);
        break;
      }
      for (const part of message.content) {
        if (part.type === 'text') prompt.texts.push(part.text);
        else prompt.media++;
      }
      break;
    case 'assistant':
      if (message.reasoning_content) prompt.texts.push(message.reasoning_content);
      if (message.content) prompt.texts.push(message.content);
      for (const call of message.tool_calls ?? []) {
        prompt.texts.push(call.function.name, call.function.arguments);
        prompt.toolCalls++;
      }
      break;
    case 'tool':
      prompt.texts.push(message.content);
      break;
    default: {
      const unexpected: never = message;
      throw new Error(`unexpected message role ${(unexpected as { role: string }).role}`);
    }
  }
  return prompt;
}
