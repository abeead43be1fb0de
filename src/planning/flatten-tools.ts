import { ApiError } from '../common/api-error.js';
import type { Item } from '../items/item.schemas.js';
import type { FunctionToolParam, ToolChoiceParam, ToolParam } from '../items/responses.schemas.js';
import type { FunctionTool, ToolChoice } from './model-request.js';

/** Maps an upstream (flattened) tool name back to the public name and namespace. */
export type ToolNameResolver = (upstreamName: string) => { name: string; namespace: string | null };

/** `namespace` tools become plain functions named `<namespace>__<name>`; calls are mapped back. */
const NAMESPACE_SEPARATOR = '__';

export interface PlannedTools {
  tools: FunctionTool[];
  toolChoice: ToolChoice;
  resolveToolName: ToolNameResolver;
  /** Tool types we could not offer the model (hosted tools with no equivalent), for the logs. */
  dropped: string[];
}

/**
 * Flattens the public tool list into the function tools every upstream understands. Hosted tools
 * without an equivalent are dropped rather than failing the request: real clients (coding agents)
 * send them routinely and expect the model to simply not have them.
 */
export function planTools(tools: ToolParam[] | null | undefined, toolChoice: ToolChoiceParam | null | undefined): PlannedTools {
  const functions: FunctionTool[] = [];
  const byUpstreamName = new Map<string, { name: string; namespace: string | null }>();
  const dropped: string[] = [];
  for (const tool of tools ?? []) {
    if (tool.type === 'function') {
      functions.push(toFunctionTool(tool as FunctionToolParam, tool.name as string));
      byUpstreamName.set(tool.name as string, { name: tool.name as string, namespace: null });
    } else if (tool.type === 'namespace' && Array.isArray(tool.tools)) {
      for (const inner of tool.tools as FunctionToolParam[]) {
        const upstreamName = flattenName(tool.name as string, inner.name);
        functions.push(toFunctionTool(inner, upstreamName));
        byUpstreamName.set(upstreamName, { name: inner.name, namespace: tool.name as string });
      }
    } else {
      dropped.push(tool.type);
    }
  }
  const planned = planToolChoice(toolChoice, functions);
  return {
    tools: planned.tools,
    toolChoice: planned.toolChoice,
    resolveToolName: (upstreamName) => byUpstreamName.get(upstreamName) ?? { name: upstreamName, namespace: null },
    dropped,
  };
}

/** History items name namespaced functions the way the upstream saw them. */
export function flattenItemToolNames(items: Item[]): Item[] {
  return items.map((item) =>
    item.type === 'function_call' && item.namespace ? { ...item, name: flattenName(item.namespace, item.name), namespace: null } : item,
  );
}

function flattenName(namespace: string, name: string): string {
  return `${namespace}${NAMESPACE_SEPARATOR}${name}`;
}

function toFunctionTool(tool: FunctionToolParam, upstreamName: string): FunctionTool {
  return { name: upstreamName, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null };
}

function planToolChoice(choice: ToolChoiceParam | null | undefined, tools: FunctionTool[]): { tools: FunctionTool[]; toolChoice: ToolChoice } {
  if (choice == null) return { tools, toolChoice: 'auto' };
  if (typeof choice === 'string') return { tools, toolChoice: choice };
  if (choice.type === 'function') {
    const name = (choice as { name: string }).name;
    if (!tools.some((tool) => tool.name === name)) {
      throw ApiError.invalidValue(`tool_choice names function '${name}', which is not in tools.`, 'tool_choice');
    }
    return { tools, toolChoice: { type: 'function', name } };
  }
  if (choice.type === 'allowed_tools') {
    // Enforced as a hard constraint: the model is only shown the allowed functions.
    const allowed = new Set((choice.tools as Array<{ name?: string }>).map((tool) => tool.name).filter((name) => name !== undefined));
    return { tools: tools.filter((tool) => allowed.has(tool.name)), toolChoice: choice.mode as 'auto' | 'required' };
  }
  // A hosted tool type (web_search, file_search, ...): nothing to force upstream.
  return { tools, toolChoice: 'auto' };
}
