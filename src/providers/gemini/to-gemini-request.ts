import type { ModelRequest, TextFormat } from '../../planning/model-request.js';
import type { GeminiGenerationConfig, GeminiRequestBody } from './gemini.api.js';
import { prepareGeminiTools } from './gemini-tools.js';
import { convertToGeminiContents } from './to-gemini-contents.js';

/**
 * Builds the `generateContent` / `streamGenerateContent` body (the model goes in the URL, streaming
 * in the method name). Null settings are omitted so the model's defaults apply. Not mapped, because
 * Gemini has no equivalent: `promptCacheKey` (its implicit cache needs no key), `safetyIdentifier`,
 * `parallelToolCalls` (see prepareGeminiTools). Thinking comes planned: a budget on 2.5, a level on
 * 3+, never both; `includeThoughts` when the client asked for a summary.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function toGeminiRequest(request: ModelRequest, options: { provider: string }): GeminiRequestBody {
  const { systemInstruction, contents } = convertToGeminiContents({
    provider: options.provider,
    instructions: request.instructions,
    items: request.items,
    ...(request.inputFiles ? { inputFiles: request.inputFiles } : {}),
  });
  const body: GeminiRequestBody = { contents };
  if (systemInstruction) {
    body.systemInstruction = systemInstruction;
  }
  Object.assign(body, prepareGeminiTools({ tools: request.tools, toolChoice: request.toolChoice, webSearch: request.webSearch }));
  const generationConfig = toGeminiGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) {
    body.generationConfig = generationConfig;
  }
  const serviceTier = geminiServiceTier(request.serviceTier);
  if (serviceTier) body.serviceTier = serviceTier;
  return body;
}

/** OpenAI's tiers in Gemini's terms; `auto` and `scale` leave Gemini's default (standard). */
export function geminiServiceTier(tier: ModelRequest['serviceTier']): GeminiRequestBody['serviceTier'] | null {
  switch (tier) {
    case 'default':
      return 'standard';
    case 'flex':
      return 'flex';
    case 'priority':
    case 'fast':
    case 'ultrafast':
      return 'priority';
    default:
      return null;
  }
}

/**
 * Sampling settings pass through: Gemini takes temperature in [0, 2] and topP in [0, 1], the same
 * ranges the Responses API validates. Structured output uses `responseJsonSchema`, which takes full
 * JSON Schema, rather than the OpenAPI-subset `responseSchema`.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 * @see https://ai.google.dev/gemini-api/docs/structured-output
 */
function toGeminiGenerationConfig(request: ModelRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.maxOutputTokens !== null) {
    config.maxOutputTokens = request.maxOutputTokens;
  }
  if (request.temperature !== null) {
    config.temperature = request.temperature;
  }
  if (request.topP !== null) {
    config.topP = request.topP;
  }
  // `logprobs` (alternatives per token, documented as [0, 20]; Google's guides say 1–20) only when some are asked for.
  if (request.logprobs) {
    config.responseLogprobs = true;
    if (request.logprobs.top > 0) config.logprobs = request.logprobs.top;
  }
  // A model without structured outputs has the schema in its instructions; it still answers in JSON.
  Object.assign(config, request.structuredOutput === 'native' ? convertTextFormat(request.textFormat) : jsonMimeType(request.textFormat));
  const thinking: NonNullable<GeminiGenerationConfig['thinkingConfig']> = {};
  if (request.thinking.kind === 'budget') thinking.thinkingBudget = request.thinking.budgetTokens;
  if (request.thinking.kind === 'level') thinking.thinkingLevel = request.thinking.level;
  if (request.includeThoughts) thinking.includeThoughts = true;
  if (Object.keys(thinking).length > 0) config.thinkingConfig = thinking;
  return config;
}

function jsonMimeType(format: TextFormat): GeminiGenerationConfig {
  return format.type === 'text' ? {} : { responseMimeType: 'application/json' };
}

/** @see https://ai.google.dev/gemini-api/docs/structured-output */
function convertTextFormat(format: TextFormat): GeminiGenerationConfig {
  switch (format.type) {
    case 'text':
      return {};
    case 'json_object':
      return { responseMimeType: 'application/json' };
    case 'json_schema':
      // `name`, `description` and `strict` have no Gemini field; the schema is always enforced.
      return { responseMimeType: 'application/json', responseJsonSchema: format.schema };
    default: {
      const unexpected: never = format;
      throw new Error(`unexpected text format ${(unexpected as { type: string }).type}`);
    }
  }
}
