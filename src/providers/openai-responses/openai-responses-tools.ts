import type { FunctionTool, NativeTool, ToolChoice } from '../../planning/model-request.js';
import type { OpenAIResponsesFunctionTool, OpenAIResponsesRequestBody, OpenAIResponsesToolChoice } from './openai-responses.api.js';

export type OpenAIResponsesToolFields = Pick<OpenAIResponsesRequestBody, 'tools' | 'tool_choice' | 'parallel_tool_calls'>;

/**
 * Converts function tools and the tool choice to Responses fields; custom and hosted tools (and a
 * choice of one) go as the client sent them, after the functions. Without tools none of the three
 * is sent: `tool_choice: "required"` or a named function would be rejected with nothing to choose.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools
 */
export function prepareOpenAIResponsesTools(options: {
  tools: FunctionTool[];
  nativeTools?: NativeTool[] | undefined;
  toolChoice: ToolChoice;
  parallelToolCalls: boolean | null;
}): OpenAIResponsesToolFields {
  const nativeTools = options.nativeTools ?? [];
  if (options.tools.length === 0 && nativeTools.length === 0) {
    return {};
  }
  const fields: OpenAIResponsesToolFields = {
    tools: [...options.tools.map(convertTool), ...nativeTools],
    tool_choice: convertToolChoice(options.toolChoice),
  };
  if (options.parallelToolCalls !== null) {
    fields.parallel_tool_calls = options.parallelToolCalls;
  }
  return fields;
}

/**
 * `parameters` and `strict` are required (nullable) in the spec, so both are always sent. A null
 * `strict` (the client did not say) goes as `false`: OpenAI documents Responses functions as strict
 * by default (Chat Completions ones as non-strict), and strict mode rejects every schema that is not
 * closed (all properties required, `additionalProperties: false`), which most schemas written for
 * other providers are not. Non-strict is also what the other adapters give such a tool.
 * @see https://platform.openai.com/docs/guides/migrate-to-responses
 * @see https://platform.openai.com/docs/guides/function-calling#strict-mode
 */
function convertTool(tool: FunctionTool): OpenAIResponsesFunctionTool {
  const converted: OpenAIResponsesFunctionTool = {
    type: 'function',
    name: tool.name,
    parameters: tool.parameters,
    strict: tool.strict ?? false,
  };
  if (tool.description !== null) {
    converted.description = tool.description;
  }
  return converted;
}

/** @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tool_choice */
export function convertToolChoice(toolChoice: ToolChoice): OpenAIResponsesToolChoice {
  if (typeof toolChoice === 'string') {
    return toolChoice;
  }
  return toolChoice.type === 'function' ? { type: 'function', name: toolChoice.name } : (toolChoice.choice as OpenAIResponsesToolChoice);
}
