import type { FunctionTool, ToolChoice } from '../../planning/model-request.js';
import type { OpenAICompatibleFunctionTool, OpenAICompatibleRequestBody, OpenAICompatibleToolChoice } from './openai-compatible.api.js';

export type OpenAICompatibleToolFields = Pick<OpenAICompatibleRequestBody, 'tools' | 'tool_choice' | 'parallel_tool_calls'>;

/**
 * Converts function tools and the tool choice to Chat Completions fields. Null fields are omitted
 * rather than sent as null, which stricter servers reject.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools
 */
export function prepareOpenAICompatibleTools(options: {
  tools: FunctionTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean | null;
}): OpenAICompatibleToolFields {
  // Several servers reject `tool_choice` or `parallel_tool_calls` without `tools`, so all three go together.
  if (options.tools.length === 0) {
    return {};
  }
  const fields: OpenAICompatibleToolFields = {
    tools: options.tools.map(convertTool),
    tool_choice: convertToolChoice(options.toolChoice),
  };
  if (options.parallelToolCalls !== null) {
    fields.parallel_tool_calls = options.parallelToolCalls;
  }
  return fields;
}

function convertTool(tool: FunctionTool): OpenAICompatibleFunctionTool {
  const definition: OpenAICompatibleFunctionTool['function'] = { name: tool.name };
  if (tool.description !== null) {
    definition.description = tool.description;
  }
  if (tool.parameters !== null) {
    definition.parameters = tool.parameters;
  }
  if (tool.strict !== null) {
    definition.strict = tool.strict;
  }
  return { type: 'function', function: definition };
}

/** @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-tool_choice */
export function convertToolChoice(toolChoice: ToolChoice): OpenAICompatibleToolChoice {
  if (typeof toolChoice === 'string') {
    return toolChoice;
  }
  // A `native` choice (a hosted tool's) is OpenAI Responses' alone; the planner never sends it here.
  return toolChoice.type === 'function' ? { type: 'function', function: { name: toolChoice.name } } : 'auto';
}
