import { ApiError } from '../common/api-error.js';
import type { Item } from '../items/item.schemas.js';
import type { UnsupportedToolsMode } from '../items/policies.js';
import type { FunctionToolParam, ToolChoiceParam, ToolParam } from '../items/responses.schemas.js';
import type { ReplayTarget } from '../reasoning/plan-reasoning-replay.js';
import type { FunctionTool, NativeTool, ToolChoice, WebSearchPlan } from './model-request.js';

/** OpenAI's web search tool under each of its names. */
const WEB_SEARCH_TYPES = new Set(['web_search', 'web_search_2025_08_26', 'web_search_preview', 'web_search_preview_2025_03_11']);

/** Wires with a web search of their own that `web_search` maps to. */
const SEARCHING_WIRES = new Set<PlanToolsInput['wire']>(['anthropic', 'gemini']);

/** What a tool name the upstream used stands for: the public name, its namespace, and whether it is a `custom` tool. */
export interface ResolvedToolName {
  name: string;
  namespace: string | null;
  kind: 'function' | 'custom';
}

/** Maps an upstream (flattened) tool name back to the public name, namespace and kind. */
export type ToolNameResolver = (upstreamName: string) => ResolvedToolName;

/** `namespace` tools become plain tools named `<namespace>__<name>`; calls are mapped back. */
const NAMESPACE_SEPARATOR = '__';

export interface PlannedTools {
  tools: FunctionTool[];
  /** Tools OpenAI's Responses wire takes as the client wrote them (custom and hosted tools); empty elsewhere. */
  nativeTools: NativeTool[];
  toolChoice: ToolChoice;
  resolveToolName: ToolNameResolver;
  /** `web_search` for a wire with its own search (Anthropic, Gemini); null when not asked for or not allowed. */
  webSearch: WebSearchPlan | null;
  /** Tool types left out because the client or the deployment allowed it (`unsupported_tools: "drop"`), for the logs. */
  dropped: string[];
}

export interface PlanToolsInput {
  tools: ToolParam[] | null | undefined;
  toolChoice: ToolChoiceParam | null | undefined;
  wire: ReplayTarget['wire'];
  /** `provider/model`, for the error that names the tool the model cannot run. */
  model: string;
  unsupported: UnsupportedToolsMode;
}

type CustomToolParam = { type: 'custom'; name: string; description?: string | null; format?: unknown };

/**
 * The client's tools as the upstream takes them. OpenAI's Responses wire runs hosted tools and
 * custom (freeform) tools itself, so they go as sent. Elsewhere a custom tool becomes a function
 * with one string parameter, `input` (its grammar, if any, in the description), whose calls come
 * back as `custom_tool_call` items; `web_search` becomes the provider's own search on Anthropic and
 * Gemini; any other hosted tool is refused with `unsupported_tool`, or left out when `unsupported` is `drop`.
 */
export function planTools(input: PlanToolsInput): PlannedTools {
  const native = input.wire === 'openai-responses';
  const functions: FunctionTool[] = [];
  const nativeTools: NativeTool[] = [];
  const byUpstreamName = new Map<string, ResolvedToolName>();
  const dropped: string[] = [];
  let webSearch: WebSearchPlan | null = null;
  const addCustom = (tool: CustomToolParam, upstreamName: string, namespace: string | null) => {
    byUpstreamName.set(upstreamName, { name: tool.name, namespace, kind: 'custom' });
    if (native) nativeTools.push({ ...tool, name: upstreamName });
    else functions.push(customAsFunction(tool, upstreamName));
  };
  for (const [index, tool] of (input.tools ?? []).entries()) {
    if (tool.type === 'function') {
      functions.push(toFunctionTool(tool as FunctionToolParam, tool.name as string));
      byUpstreamName.set(tool.name as string, { name: tool.name as string, namespace: null, kind: 'function' });
    } else if (tool.type === 'custom') {
      addCustom(tool as CustomToolParam, tool.name as string, null);
    } else if (tool.type === 'namespace' && Array.isArray(tool.tools)) {
      for (const inner of tool.tools as Array<FunctionToolParam | CustomToolParam>) {
        const upstreamName = flattenName(tool.name as string, inner.name);
        if (inner.type === 'custom') {
          addCustom(inner, upstreamName, tool.name as string);
        } else {
          functions.push(toFunctionTool(inner, upstreamName));
          byUpstreamName.set(upstreamName, { name: inner.name, namespace: tool.name as string, kind: 'function' });
        }
      }
    } else if (native) {
      nativeTools.push(tool as NativeTool);
    } else if (WEB_SEARCH_TYPES.has(tool.type) && SEARCHING_WIRES.has(input.wire)) {
      webSearch = toWebSearchPlan(tool);
    } else if (input.unsupported === 'drop') {
      dropped.push(tool.type);
    } else {
      throw unsupportedToolError(tool.type, input.model, `tools[${index}]`);
    }
  }
  const planned = planToolChoice(input.toolChoice, functions, nativeTools, byUpstreamName, native);
  return {
    tools: planned.tools,
    nativeTools: planned.nativeTools,
    webSearch: webSearch && searchAllowed(input.toolChoice) ? webSearch : null,
    toolChoice: planned.toolChoice,
    resolveToolName: (upstreamName) => byUpstreamName.get(upstreamName) ?? { name: upstreamName, namespace: null, kind: 'function' },
    dropped,
  };
}

export function unsupportedToolError(type: string, model: string, param: string): ApiError {
  return new ApiError(
    400,
    `The tool type '${type}' is not supported by model '${model}'. Remove it, use a model on OpenAI's Responses API, or send "unsupported_tools": "drop" to leave such tools out.`,
    'invalid_request_error',
    param,
    'unsupported_tool',
  );
}

/** The function a custom tool becomes where the wire has no custom tools: one string, the tool's input. */
export function customAsFunction(tool: CustomToolParam, upstreamName: string): FunctionTool {
  const format = tool.format as { type?: string; syntax?: string; definition?: string } | undefined;
  const grammar =
    format?.type === 'grammar' && format.definition
      ? `\n\nThe input must follow this ${format.syntax ?? ''} grammar:\n${format.definition}`.replace('  grammar', ' grammar')
      : '';
  const description = `${tool.description ?? ''}${grammar}`.trim();
  return {
    name: upstreamName,
    description: description === '' ? null : description,
    parameters: {
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input of the tool, exactly as the tool takes it.' } },
      required: ['input'],
      additionalProperties: false,
    },
    strict: null,
  };
}

function toWebSearchPlan(param: ToolParam): WebSearchPlan {
  const tool = param as Record<string, unknown>;
  const filters = tool['filters'] as { allowed_domains?: string[] | null } | null | undefined;
  const location = tool['user_location'] as Record<string, unknown> | null | undefined;
  const userLocation: NonNullable<WebSearchPlan['userLocation']> = {};
  for (const key of ['city', 'region', 'country', 'timezone'] as const) {
    if (typeof location?.[key] === 'string' && location[key] !== '') userLocation[key] = location[key];
  }
  return {
    allowedDomains: filters?.allowed_domains?.length ? filters.allowed_domains : null,
    userLocation: Object.keys(userLocation).length > 0 ? userLocation : null,
  };
}

/** `allowed_tools` that leaves web search out, or `none`, turns it off. */
function searchAllowed(choice: ToolChoiceParam | null | undefined): boolean {
  if (choice === 'none') return false;
  if (typeof choice !== 'object' || choice === null || choice.type !== 'allowed_tools') return true;
  return (choice.tools as Array<{ type: string }>).some((tool) => WEB_SEARCH_TYPES.has(tool.type));
}

/** History items name namespaced tools the way the upstream saw them. */
export function flattenItemToolNames(items: Item[]): Item[] {
  return items.map((item) =>
    (item.type === 'function_call' || item.type === 'custom_tool_call') && item.namespace
      ? { ...item, name: flattenName(item.namespace, item.name), namespace: null }
      : item,
  );
}

function flattenName(namespace: string, name: string): string {
  return `${namespace}${NAMESPACE_SEPARATOR}${name}`;
}

function toFunctionTool(tool: FunctionToolParam, upstreamName: string): FunctionTool {
  return { name: upstreamName, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null };
}

function planToolChoice(
  choice: ToolChoiceParam | null | undefined,
  tools: FunctionTool[],
  nativeTools: NativeTool[],
  names: Map<string, ResolvedToolName>,
  native: boolean,
): { tools: FunctionTool[]; nativeTools: NativeTool[]; toolChoice: ToolChoice } {
  if (choice == null) return { tools, nativeTools, toolChoice: 'auto' };
  if (typeof choice === 'string') return { tools, nativeTools, toolChoice: choice };
  if (choice.type === 'function' || choice.type === 'custom') {
    const name = (choice as { name: string }).name;
    const known = names.get(name);
    if (!known || known.kind !== choice.type) {
      throw ApiError.invalidValue(`tool_choice names ${choice.type} tool '${name}', which is not in tools.`, 'tool_choice');
    }
    // A custom tool is a function on every wire but OpenAI's Responses API.
    if (choice.type === 'custom' && native) return { tools, nativeTools, toolChoice: { type: 'native', choice: { type: 'custom', name } } };
    return { tools, nativeTools, toolChoice: { type: 'function', name } };
  }
  if (choice.type === 'allowed_tools') {
    // Enforced as a hard constraint: the model is only shown the allowed tools.
    const allowed = choice.tools as Array<{ type: string; name?: string }>;
    const allowedNames = new Set(allowed.map((tool) => tool.name).filter((name) => name !== undefined));
    const allowedTypes = new Set(allowed.map((tool) => tool.type));
    return {
      tools: tools.filter((tool) => allowedNames.has(tool.name)),
      nativeTools: nativeTools.filter((tool) => (tool.type === 'custom' ? allowedNames.has(tool.name as string) : allowedTypes.has(tool.type))),
      toolChoice: choice.mode as 'auto' | 'required',
    };
  }
  // A hosted tool (web_search, file_search, mcp, …): OpenAI takes the choice as sent; nothing to force elsewhere.
  return { tools, nativeTools, toolChoice: native ? { type: 'native', choice: { ...choice } } : 'auto' };
}
