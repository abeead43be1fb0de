import type { FunctionTool, ToolChoice, WebSearchPlan } from '../../planning/model-request.js';
import type { AnthropicRequestBody, AnthropicTool, AnthropicToolChoice, AnthropicWebSearchTool } from './anthropic.api.js';
import { toAnthropicOutputSchema } from './anthropic-output-schema.js';

export type AnthropicToolFields = Pick<AnthropicRequestBody, 'tools' | 'tool_choice'>;

/**
 * Converts function tools and the tool choice to Messages API fields.
 *
 * `none` drops the tools instead of sending `tool_choice: {type: 'none'}`, which the API only
 * accepts since February 2025 and which Anthropic-compatible endpoints and older model deployments
 * reject. The exception is a history that already holds `tool_use` / `tool_result` blocks: Anthropic
 * rejects those without tool definitions ("Requests which include `tool_use` or `tool_result` blocks
 * must define tools"), so there the tools stay and `{type: 'none'}` forbids new calls.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
 * @see https://platform.claude.com/docs/en/release-notes/api
 */
export function prepareAnthropicTools(options: {
  tools: FunctionTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean | null;
  historyHasToolBlocks: boolean;
  /** The model has structured outputs: a tool the client marked `strict` is sent as a strict tool. */
  strictTools?: boolean;
  /** OpenAI's `web_search`, sent as Anthropic's web search tool. */
  webSearch?: WebSearchPlan | undefined;
}): AnthropicToolFields {
  if (options.tools.length === 0 && !options.webSearch) {
    return {};
  }
  const tools: Array<AnthropicTool | AnthropicWebSearchTool> = options.tools.map((tool) => convertTool(tool, options.strictTools === true));
  if (options.webSearch) tools.push(toWebSearchTool(options.webSearch));
  const { toolChoice } = options;
  if (toolChoice === 'none') {
    return options.historyHasToolBlocks ? { tools, tool_choice: { type: 'none' } } : {};
  }
  // Anthropic's parallel switch lives inside tool_choice, so it cannot go without one.
  const parallel = options.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  return { tools, tool_choice: { ...convertToolChoice(toolChoice), ...parallel } };
}

/**
 * A strict tool (`strict: true` from the client, on a model with structured outputs) gets its schema
 * in the subset Anthropic decodes, as a `json_schema` text format does.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#specifying-client-tools
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/strict-tool-use
 */
function convertTool(tool: FunctionTool, strictTools: boolean): AnthropicTool {
  const schema = tool.parameters ?? { type: 'object', properties: {} };
  const strict = strictTools && tool.strict === true;
  const converted: AnthropicTool = { name: tool.name, input_schema: strict ? toAnthropicOutputSchema(schema).schema : schema };
  if (strict) converted.strict = true;
  if (tool.description !== null) {
    converted.description = tool.description;
  }
  return converted;
}

/** @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool#tool-definition */
function toWebSearchTool(plan: WebSearchPlan): AnthropicWebSearchTool {
  return {
    type: 'web_search_20250305',
    name: 'web_search',
    ...(plan.allowedDomains ? { allowed_domains: plan.allowedDomains } : {}),
    ...(plan.userLocation ? { user_location: { type: 'approximate', ...plan.userLocation } } : {}),
  };
}

function convertToolChoice(toolChoice: Exclude<ToolChoice, 'none'>): Exclude<AnthropicToolChoice, { type: 'none' }> {
  switch (toolChoice) {
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    default:
      // A `native` choice (a hosted tool's) is OpenAI's alone; the planner never sends it here.
      return toolChoice.type === 'function' ? { type: 'tool', name: toolChoice.name } : { type: 'auto' };
  }
}
