// The tool items of OpenAI's Responses API that this server does not model field by field: the
// calls and outputs of hosted tools (web search, file search, code interpreter, MCP, computer use,
// image generation), of OpenAI's shell and patch tools, and tool search. They are kept as sent
// (every field, in order), passed to OpenAI's Responses wire as they are, and rendered as text for
// every other wire (planning/render-hosted-items.ts), so a conversation that used them goes on.

/** Per item type: the fields the official spec requires besides `type` (and `id`, which we fill in), and who writes it. */
export const hostedItemTypes = {
  web_search_call: { required: ['action'], by: 'model' },
  file_search_call: { required: ['queries'], by: 'model' },
  code_interpreter_call: { required: ['code', 'container_id'], by: 'model' },
  image_generation_call: { required: ['result'], by: 'model' },
  computer_call: { required: ['call_id'], by: 'model' },
  computer_call_output: { required: ['call_id', 'output'], by: 'client' },
  local_shell_call: { required: ['call_id', 'action'], by: 'model' },
  local_shell_call_output: { required: ['output'], by: 'client' },
  shell_call: { required: ['call_id', 'action'], by: 'model' },
  shell_call_output: { required: ['call_id', 'output'], by: 'client' },
  apply_patch_call: { required: ['call_id', 'operation'], by: 'model' },
  apply_patch_call_output: { required: ['call_id'], by: 'client' },
  mcp_list_tools: { required: ['server_label', 'tools'], by: 'model' },
  mcp_call: { required: ['server_label', 'name', 'arguments'], by: 'model' },
  mcp_approval_request: { required: ['server_label', 'name', 'arguments'], by: 'model' },
  mcp_approval_response: { required: ['approval_request_id', 'approve'], by: 'client' },
  tool_search_call: { required: ['arguments'], by: 'model' },
  tool_search_output: { required: ['tools'], by: 'client' },
  additional_tools: { required: ['role', 'tools'], by: 'client' },
  program: { required: ['call_id', 'code'], by: 'model' },
  program_output: { required: ['call_id', 'result'], by: 'client' },
} as const satisfies Record<string, { required: readonly string[]; by: 'model' | 'client' }>;

export type HostedItemType = keyof typeof hostedItemTypes;
export const hostedItemTypeNames = Object.keys(hostedItemTypes) as [HostedItemType, ...HostedItemType[]];

export function isHostedItemType(type: string): type is HostedItemType {
  return Object.hasOwn(hostedItemTypes, type);
}

/**
 * Keys the spec's item resource requires but its input param may leave out ("populated when input
 * items are returned via API"), filled with what they are when the client sent none.
 */
export function withResourceDefaults<T extends { type: string } & Record<string, unknown>>(item: T): T {
  switch (item.type) {
    case 'computer_call_output':
      return { status: 'completed', ...item };
    case 'shell_call': {
      const action = item['action'] as Record<string, unknown> | undefined;
      return { status: 'completed', environment: null, ...item, action: action && { timeout_ms: null, max_output_length: null, ...action } };
    }
    case 'shell_call_output':
      return { status: 'completed', max_output_length: null, ...item };
    default:
      return item;
  }
}

/** The id prefix of a hosted item the client sent without an id (to-canonical-input.ts): ours, never sent to OpenAI. */
export const SERVER_HOSTED_ID_PREFIX = 'item';
