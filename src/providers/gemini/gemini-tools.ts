import type { FunctionTool, ToolChoice, WebSearchPlan } from '../../planning/model-request.js';
import type { GeminiFunctionDeclaration, GeminiRequestBody, GeminiTool, GeminiToolConfig } from './gemini.api.js';

export type GeminiToolFields = Pick<GeminiRequestBody, 'tools' | 'toolConfig'>;

/**
 * Converts function tools and the tool choice to `tools` + `toolConfig`. All functions go into one
 * Tool's `functionDeclarations`, the shape Google's own SDKs send. Parameters travel as
 * `parametersJsonSchema`, which takes full JSON Schema (`additionalProperties`, `$ref`, `anyOf`, …)
 * as the Responses API allows it; the older `parameters` field takes only an OpenAPI 3.0 subset and
 * would reject or silently drop parts of a client's schema. Gemini has no strict mode, so `strict` is
 * not sent, and no way to forbid parallel calls, so `parallelToolCalls` is ignored: the model may
 * still return several calls, which the turn handles like any parallel calls.
 * @see https://ai.google.dev/api/caching#FunctionDeclaration
 * @see https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
 */
export function prepareGeminiTools(options: { tools: FunctionTool[]; toolChoice: ToolChoice; webSearch?: WebSearchPlan | undefined }): GeminiToolFields {
  // OpenAI's web_search is Google Search grounding; Gemini picks its own queries and sources.
  const search: GeminiTool[] = options.webSearch ? [{ googleSearch: {} }] : [];
  // A toolConfig without declarations is meaningless (and `ANY` with nothing to call is rejected).
  if (options.tools.length === 0) {
    return search.length > 0 ? { tools: search } : {};
  }
  return {
    tools: [{ functionDeclarations: options.tools.map(convertTool) }, ...search],
    toolConfig: convertGeminiToolChoice(options.toolChoice),
  };
}

function convertTool(tool: FunctionTool): GeminiFunctionDeclaration {
  const declaration: GeminiFunctionDeclaration = { name: tool.name };
  if (tool.description !== null) {
    declaration.description = tool.description;
  }
  if (tool.parameters !== null) {
    declaration.parametersJsonSchema = tool.parameters;
  }
  return declaration;
}

/**
 * `required` is `ANY` (the model must call some function); a named function is `ANY` restricted to
 * that one name. `none` keeps the declarations and sends `NONE`, so the model still sees the tools it
 * used earlier in the history.
 * @see https://ai.google.dev/api/caching#FunctionCallingConfig
 */
export function convertGeminiToolChoice(toolChoice: ToolChoice): GeminiToolConfig {
  if (typeof toolChoice === 'object') {
    // A `native` choice (a hosted tool's) is OpenAI's alone; the planner never sends it here.
    return toolChoice.type === 'function'
      ? { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [toolChoice.name] } }
      : { functionCallingConfig: { mode: 'AUTO' } };
  }
  switch (toolChoice) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    default: {
      const unexpected: never = toolChoice;
      throw new Error(`unexpected tool choice ${String(unexpected)}`);
    }
  }
}
