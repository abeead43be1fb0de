import type { ModelRequest, ReasoningSettings, TextFormat } from '../../planning/model-request.js';
import type { OpenAIResponsesRequestBody, OpenAIResponsesTextFormat } from './openai-responses.api.js';
import { prepareOpenAIResponsesTools } from './openai-responses-tools.js';
import { convertToOpenAIResponsesInput } from './to-openai-responses-input.js';

export interface ToOpenAIResponsesRequestOptions {
  /**
   * Asks for `reasoning.encrypted_content`, without which reasoning cannot be replayed statelessly.
   * False only for models that rejected it (non-reasoning models answer it with a 400).
   */
  includeEncryptedReasoning: boolean;
}

/**
 * Builds the `POST /responses` body. Every call is stateless: our server owns the conversation, so
 * the upstream gets `store: false` and the whole history as input, never `previous_response_id`.
 * Null settings are omitted so the upstream applies its own defaults.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function toOpenAIResponsesRequest(request: ModelRequest, options: ToOpenAIResponsesRequestOptions): OpenAIResponsesRequestBody {
  const body: OpenAIResponsesRequestBody = {
    model: request.model,
    input: convertToOpenAIResponsesInput(request.items, { cacheBreakpoints: (request.cache?.capabilities.maxBreakpoints ?? 0) > 0 }),
    store: false,
    stream: request.stream !== false,
  };
  if (request.instructions) {
    body.instructions = request.instructions;
  }
  Object.assign(
    body,
    prepareOpenAIResponsesTools({
      tools: request.tools,
      nativeTools: request.nativeTools,
      toolChoice: request.toolChoice,
      parallelToolCalls: request.parallelToolCalls,
    }),
  );
  if (request.maxOutputTokens !== null) {
    body.max_output_tokens = request.maxOutputTokens;
  }
  if (request.maxToolCalls !== undefined) {
    body.max_tool_calls = request.maxToolCalls;
  }
  if (request.temperature !== null) {
    body.temperature = request.temperature;
  }
  if (request.topP !== null) {
    body.top_p = request.topP;
  }
  const format = convertTextFormat(request.textFormat);
  if (format || request.verbosity !== null) {
    body.text = { ...(format ? { format } : {}), ...(request.verbosity !== null ? { verbosity: request.verbosity } : {}) };
  }
  if (request.serviceTier !== null) {
    body.service_tier = request.serviceTier;
  }
  const reasoning = convertReasoning(request.reasoning);
  if (reasoning) {
    body.reasoning = reasoning;
  }
  if (request.promptCacheKey !== null) {
    body.prompt_cache_key = request.promptCacheKey;
  }
  if (request.promptCacheRetention !== null) {
    body.prompt_cache_retention = request.promptCacheRetention;
  }
  if (request.promptCacheOptions !== null) {
    body.prompt_cache_options = request.promptCacheOptions;
  }
  if (request.safetyIdentifier !== null) {
    body.safety_identifier = request.safetyIdentifier;
  }
  const include: NonNullable<OpenAIResponsesRequestBody['include']> = [];
  if (options.includeEncryptedReasoning) {
    include.push('reasoning.encrypted_content');
  }
  // OpenAI returns output_text logprobs only when they are included; top_logprobs adds alternatives.
  if (request.logprobs) {
    include.push('message.output_text.logprobs');
    body.top_logprobs = request.logprobs.top;
  }
  if (include.length > 0) {
    body.include = include;
  }
  // OpenAI compacts server-side; `compaction_trigger` (the last input item) makes it compact now.
  // @see https://developers.openai.com/api/docs/guides/compaction
  if (request.nativeCompaction) {
    body.context_management = [{ type: 'compaction', compact_threshold: request.nativeCompaction.threshold }];
    if (request.nativeCompaction.now) {
      body.input.push({ type: 'compaction_trigger' });
      // OpenAI refuses a trigger with max_output_tokens under 20,000; the call writes only the compaction.
      delete body.max_output_tokens;
    }
  }
  return body;
}

/** @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-text */
function convertTextFormat(format: TextFormat): OpenAIResponsesTextFormat | null {
  switch (format.type) {
    case 'text':
      return null;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const converted: Extract<OpenAIResponsesTextFormat, { type: 'json_schema' }> = {
        type: 'json_schema',
        name: format.name,
        schema: format.schema,
      };
      if (format.description !== null) {
        converted.description = format.description;
      }
      if (format.strict !== null) {
        converted.strict = format.strict;
      }
      return converted;
    }
    default: {
      const unexpected: never = format;
      throw new Error(`unexpected text format ${(unexpected as { type: string }).type}`);
    }
  }
}

/** @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-reasoning */
function convertReasoning(settings: ReasoningSettings | null): OpenAIResponsesRequestBody['reasoning'] | null {
  if (!settings) {
    return null;
  }
  const reasoning: NonNullable<OpenAIResponsesRequestBody['reasoning']> = {};
  if (settings.effort !== null) {
    reasoning.effort = settings.effort;
  }
  if (settings.summary !== null) {
    reasoning.summary = settings.summary;
  }
  return Object.keys(reasoning).length > 0 ? reasoning : null;
}
