import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import { formatInstruction } from '../../planning/format-instruction.js';
import type { ModelRequest } from '../../planning/model-request.js';
import { ANTHROPIC_COMPACTION_BETA, type AnthropicMessage, type AnthropicRequestBody, type AnthropicTextBlock } from './anthropic.api.js';
import { toAnthropicOutputSchema } from './anthropic-output-schema.js';
import { prepareAnthropicTools } from './anthropic-tools.js';
import { convertToAnthropicMessages } from './to-anthropic-messages.js';

export interface ToAnthropicRequestOptions {
  provider: string;
  /** Used when the request sets no limit; Anthropic requires `max_tokens` on every call. */
  defaultMaxOutputTokens: number;
}

/**
 * Builds the `POST /v1/messages` body, streamed unless the client waits for a short whole answer.
 * `promptCacheKey` has no Anthropic equivalent and is not sent. Thinking comes planned (plan-thinking: budget or adaptive effort, and
 * the sampling guards already applied).
 * @see https://platform.claude.com/docs/en/api/messages
 */
export function toAnthropicRequest(request: ModelRequest, options: ToAnthropicRequestOptions): AnthropicRequestBody {
  if (request.temperature !== null && request.temperature > 1) {
    throw new UnsupportedFeatureError({ param: 'temperature', message: 'Anthropic models take temperature between 0 and 1' });
  }
  const prompt = convertToAnthropicMessages({
    provider: options.provider,
    instructions: request.instructions,
    items: request.items,
    ...(request.inputFiles ? { inputFiles: request.inputFiles } : {}),
  });
  const system = [...prompt.system];
  const outputFormat = toOutputFormat(request);
  // In `instruction` mode the planner already put the format into the instructions; `json_object`
  // has no Anthropic equivalent (every decoded object must be closed), so it is asked for in words.
  const instruction = request.structuredOutput === 'native' && request.textFormat.type === 'json_object' ? formatInstruction(request.textFormat) : null;
  if (instruction) {
    system.push({ type: 'text', text: instruction });
  }

  const body: AnthropicRequestBody = {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? options.defaultMaxOutputTokens,
    ...toSystemField(system),
    messages: prompt.messages,
    ...prepareAnthropicTools({
      tools: request.tools,
      toolChoice: request.toolChoice,
      parallelToolCalls: request.parallelToolCalls,
      historyHasToolBlocks: hasToolBlocks(prompt.messages),
      strictTools: request.structuredOutput === 'native',
      webSearch: request.webSearch,
    }),
  };
  if (outputFormat) body.output_config = { format: outputFormat };
  if (request.temperature !== null) {
    body.temperature = request.temperature;
  }
  // Claude Sonnet 4.5 and Haiku 4.5 reject a request that sets both temperature and top_p, so
  // temperature, the setting clients usually mean, wins when both are set.
  if (request.topP !== null && request.temperature === null) {
    body.top_p = request.topP;
  }
  if (request.safetyIdentifier !== null) {
    body.metadata = { user_id: request.safetyIdentifier };
  }
  const serviceTier = anthropicServiceTier(request.serviceTier);
  if (serviceTier) body.service_tier = serviceTier;
  switch (request.thinking.kind) {
    case 'budget':
      body.thinking = { type: 'enabled', budget_tokens: request.thinking.budgetTokens };
      break;
    case 'adaptive':
      // Newer models omit the thinking text unless asked; a client asking for a summary gets one.
      body.thinking = request.includeThoughts ? { type: 'adaptive', display: 'summarized' } : { type: 'adaptive' };
      body.output_config = { ...body.output_config, effort: request.thinking.effort };
      break;
    case 'off':
      body.thinking = { type: 'disabled' };
      break;
    default:
      break;
  }
  // Anthropic compacts server-side once the prompt crosses the trigger (default 150,000; at least 50,000).
  // @see https://platform.claude.com/docs/en/build-with-claude/compaction
  if (request.nativeCompaction) {
    const { threshold } = request.nativeCompaction;
    body.context_management = { edits: [{ type: 'compact_20260112', ...(threshold !== null ? { trigger: { type: 'input_tokens', value: threshold } } : {}) }] };
  } else if (hasCompactionBlock(body.messages)) {
    // Anthropic refuses a compaction block sent back without the compaction strategy; its default
    // trigger (150,000 tokens) then applies to this request too.
    body.context_management = { edits: [{ type: 'compact_20260112' }] };
  }
  if (request.stream !== false || body.max_tokens > WHOLE_ANSWER_MAX_TOKENS) body.stream = true;
  return body;
}

/**
 * The largest `max_tokens` asked for as one JSON answer. Anthropic's SDKs refuse a non-streamed
 * call expected to run past ten minutes (an hour per 128,000 output tokens: 21,333 tokens), since
 * networks drop connections that stay idle that long; a larger one is streamed even for a client
 * that waits for the whole answer.
 * @see https://platform.claude.com/docs/en/api/errors#long-requests
 */
const WHOLE_ANSWER_MAX_TOKENS = 21_333;

/** A lone block goes as a plain string, the form every Anthropic-compatible endpoint accepts. */
function toSystemField(blocks: AnthropicTextBlock[]): Pick<AnthropicRequestBody, 'system'> {
  const [first] = blocks;
  if (!first) {
    return {};
  }
  return { system: blocks.length === 1 ? first.text : blocks };
}

/**
 * A `json_schema` format as Anthropic's structured output, on models that have it (the catalog's
 * `jsonSchema`); the schema in the subset Anthropic decodes (the rest is checked after the turn).
 * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
 */
function toOutputFormat(request: ModelRequest): { type: 'json_schema'; schema: Record<string, unknown> } | null {
  if (request.textFormat.type !== 'json_schema' || request.structuredOutput !== 'native') return null;
  return { type: 'json_schema', schema: toAnthropicOutputSchema(request.textFormat.schema).schema };
}

/** Beta features the body uses, for the `anthropic-beta` header: compaction blocks and edits need theirs. */
export function anthropicBetas(body: AnthropicRequestBody): string[] {
  return body.context_management !== undefined || hasCompactionBlock(body.messages) ? [ANTHROPIC_COMPACTION_BETA] : [];
}

function hasCompactionBlock(messages: AnthropicMessage[]): boolean {
  return messages.some((message) => message.role === 'assistant' && message.content.some((block) => block.type === 'compaction'));
}

function hasToolBlocks(messages: AnthropicMessage[]): boolean {
  return messages.some((message) => message.content.some((block) => block.type === 'tool_use' || block.type === 'tool_result'));
}

/**
 * OpenAI's tiers in Anthropic's terms: priority (and OpenAI's aliases of it) or `auto` may use
 * Priority Tier capacity; `default` keeps to standard; `flex` and `scale` have no equivalent and are
 * standard too. Anthropic reports the tier it served in `usage.service_tier`.
 */
export function anthropicServiceTier(tier: ModelRequest['serviceTier']): AnthropicRequestBody['service_tier'] | null {
  switch (tier) {
    case null:
      return null;
    case 'auto':
    case 'priority':
    case 'fast':
    case 'ultrafast':
      return 'auto';
    default:
      return 'standard_only';
  }
}
