import type { ModelRequest, TextFormat } from '../model-adapter.js';
import type { GeminiGenerationConfig, GeminiRequestBody } from './gemini.api.js';
import { prepareGeminiTools } from './gemini-tools.js';
import { convertToGeminiContents } from './to-gemini-contents.js';

/**
 * Builds the `generateContent` / `streamGenerateContent` body (the model goes in the URL, streaming
 * in the method name). Null settings are omitted so the model's defaults apply. Not mapped, because
 * Gemini has no equivalent: `promptCacheKey` (its implicit cache needs no key), `safetyIdentifier`,
 * `parallelToolCalls` (see prepareGeminiTools). `reasoning` is not mapped yet: no `thinkingConfig`
 * is sent, so each model thinks at its default and returns no thought summaries.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function toGeminiRequest(request: ModelRequest, options: { provider: string }): GeminiRequestBody {
  const { systemInstruction, contents } = convertToGeminiContents({
    provider: options.provider,
    instructions: request.instructions,
    items: request.items,
  });
  const body: GeminiRequestBody = { contents };
  if (systemInstruction) {
    body.systemInstruction = systemInstruction;
  }
  Object.assign(body, prepareGeminiTools({ tools: request.tools, toolChoice: request.toolChoice }));
  const generationConfig = toGeminiGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) {
    body.generationConfig = generationConfig;
  }
  return body;
}

/**
 * Sampling settings pass through: Gemini takes temperature in [0, 2] and topP in [0, 1], the same
 * ranges the Responses API validates. Structured output uses `responseJsonSchema`, which takes full
 * JSON Schema, rather than the OpenAPI-subset `responseSchema`.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 * @see https://ai.google.dev/gemini-api/docs/structured-output
 */
export function toGeminiGenerationConfig(request: ModelRequest): GeminiGenerationConfig {
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
  Object.assign(config, convertTextFormat(request.textFormat));
  return config;
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
