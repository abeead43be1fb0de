import type { ModelRequest, TextFormat } from '../../planning/model-request.js';
import type { OpenAICompatibleDialect, OpenAICompatibleRequestBody, OpenAICompatibleResponseFormat } from './openai-compatible.api.js';
import { prepareOpenAICompatibleTools } from './openai-compatible-tools.js';
import { convertToOpenAICompatibleMessages } from './to-openai-compatible-messages.js';

export interface ToRequestOptions {
  provider: string;
  dialect: OpenAICompatibleDialect;
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  stream: boolean;
}

/**
 * Builds the `POST /chat/completions` body. Fields only OpenAI documents (`prompt_cache_key`,
 * `safety_identifier`) are sent for dialect `openai` only, because generic servers may reject
 * unknown fields; null settings are omitted so each server applies its own default. Reasoning goes
 * as planned from the catalog: `reasoning_effort` for models that take an effort (OpenAI, DeepSeek),
 * `thinking: {type: "disabled"}` to turn off a model that thinks by default (DeepSeek).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function toOpenAICompatibleRequest(request: ModelRequest, options: ToRequestOptions): OpenAICompatibleRequestBody {
  const body: OpenAICompatibleRequestBody = {
    model: request.model,
    messages: convertToOpenAICompatibleMessages({
      provider: options.provider,
      dialect: options.dialect,
      instructions: request.instructions,
      items: request.items,
      backfillReasoningContent: request.backfillReasoningContent,
      ...(request.inputFiles ? { inputFiles: request.inputFiles } : {}),
    }),
  };
  if (request.maxOutputTokens !== null) {
    body[options.maxTokensField] = request.maxOutputTokens;
  }
  if (request.temperature !== null) {
    body.temperature = request.temperature;
  }
  if (request.topP !== null) {
    body.top_p = request.topP;
  }
  // A model without structured outputs has the format in its instructions (the planner put it there).
  const responseFormat = request.structuredOutput === 'native' ? convertTextFormat(request.textFormat) : null;
  if (responseFormat) {
    body.response_format = responseFormat;
  }
  // Standard Chat Completions fields (OpenAI, vLLM, SGLang, …); `top_logprobs` only with alternatives asked for.
  if (request.logprobs) {
    body.logprobs = true;
    if (request.logprobs.top > 0) {
      body.top_logprobs = request.logprobs.top;
    }
  }
  Object.assign(
    body,
    prepareOpenAICompatibleTools({
      tools: request.tools,
      toolChoice: request.toolChoice,
      parallelToolCalls: request.parallelToolCalls,
    }),
  );
  if (request.thinking.kind === 'effort') {
    body.reasoning_effort = request.thinking.effort;
  }
  if (request.thinking.kind === 'off') {
    body.thinking = { type: 'disabled' };
  }
  if (options.dialect === 'openai') {
    if (request.promptCacheKey !== null) {
      body.prompt_cache_key = request.promptCacheKey;
    }
    if (request.promptCacheRetention !== null) {
      body.prompt_cache_retention = request.promptCacheRetention;
    }
    if (request.safetyIdentifier !== null) {
      body.safety_identifier = request.safetyIdentifier;
    }
    // OpenAI's own Chat Completions takes both; other chat servers have neither, so they get neither.
    if (request.serviceTier !== null) {
      body.service_tier = request.serviceTier;
    }
    if (request.verbosity !== null) {
      body.verbosity = request.verbosity;
    }
  }
  if (options.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format */
function convertTextFormat(format: TextFormat): OpenAICompatibleResponseFormat | null {
  switch (format.type) {
    case 'text':
      return null;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const jsonSchema: Extract<OpenAICompatibleResponseFormat, { type: 'json_schema' }>['json_schema'] = {
        name: format.name,
        schema: format.schema,
      };
      if (format.strict !== null) {
        jsonSchema.strict = format.strict;
      }
      if (format.description !== null) {
        jsonSchema.description = format.description;
      }
      return { type: 'json_schema', json_schema: jsonSchema };
    }
    default: {
      const unexpected: never = format;
      throw new Error(`unexpected text format ${(unexpected as { type: string }).type}`);
    }
  }
}
