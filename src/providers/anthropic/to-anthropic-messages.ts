import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type {
  ContentPart,
  FunctionCallItem,
  FunctionCallOutputItem,
  InputFilePart,
  InputImagePart,
  Item,
  MessageItem,
  ReasoningItem,
} from '../../items/item.schemas.js';
import type { InputFileSettings } from '../../planning/model-request.js';
import { formatTextFile, type InputFileReader, inputFileLocation, planInputFile } from '../../planning/plan-input-file.js';
import { toPortableItem } from '../../planning/portable-items.js';
import { safeJsonParse } from '../read-body.js';
import {
  type AnthropicAssistantContentBlock,
  type AnthropicDocumentBlock,
  type AnthropicImageBlock,
  type AnthropicMessage,
  type AnthropicServerToolUseBlock,
  type AnthropicTextBlock,
  type AnthropicToolResultBlock,
  type AnthropicUserContentBlock,
  type AnthropicWebSearchToolResultBlock,
  anthropicReasoningDataSchema,
} from './anthropic.api.js';

export interface ConvertMessagesOptions {
  provider: string;
  instructions: string | null;
  items: Item[];
  /** Whether the model reads PDFs, and where the turn's files stand in the request (for errors). */
  inputFiles?: InputFileSettings;
}

export interface AnthropicPrompt {
  /** Instructions first, then every system and developer message in order; empty when there are none. */
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

/**
 * Converts instructions and items to Anthropic's top-level `system` and alternating `messages`.
 * Consecutive items of one role become one message, because Anthropic wants user and assistant to
 * alternate: a turn's reasoning, text and tool calls form one assistant message, and its tool
 * results plus the next user input one user message, tool results first as Anthropic requires.
 * Empty text is skipped (Anthropic rejects empty text blocks) and a message left without blocks is
 * not sent.
 * @see https://platform.claude.com/docs/en/api/messages#body-messages
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
 */
export function convertToAnthropicMessages(options: ConvertMessagesOptions): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  if (options.instructions) {
    system.push({ type: 'text', text: options.instructions });
  }
  const messages: AnthropicMessage[] = [];

  for (const original of options.items) {
    // A search Anthropic ran goes back as its own blocks; OpenAI's own tool items (custom and hosted
    // tools, a search another provider ran) arrive as function calls and text.
    const search = anthropicSearchBlocks(original);
    if (search) {
      appendAssistantBlocks(messages, search);
      continue;
    }
    const item = toPortableItem(original);
    switch (item.type) {
      case 'message':
        switch (item.role) {
          case 'system':
          case 'developer':
            // `messages` has no system role, so system and developer messages found anywhere in the
            // history are folded, in order, into the top-level `system`, ahead of every turn. (Opus 4.8+
            // accept mid-conversation system messages; not used until the model catalog can say which.)
            system.push(...item.content.map((part) => toTextBlock(part, options, `${item.role} messages`)).filter(hasText));
            break;
          case 'user':
            appendUserBlocks(
              messages,
              item.content.flatMap((part, index) => convertUserPart(part, options, inputFileLocation(options.inputFiles, item, index))),
            );
            break;
          case 'assistant':
            appendAssistantBlocks(messages, convertAssistantMessage(item, options));
            break;
          default: {
            const unexpected: never = item.role;
            throw new Error(`unexpected message role ${String(unexpected)}`);
          }
        }
        break;
      case 'function_call':
        appendAssistantBlocks(messages, [{ type: 'tool_use', id: item.call_id, name: item.name, input: parseToolInput(item, options) }]);
        break;
      case 'function_call_output':
        appendUserBlocks(messages, [convertToolResult(item, options)]);
        break;
      case 'reasoning':
        appendAssistantBlocks(messages, convertReasoning(item));
        break;
      case 'compaction': {
        // Anthropic's own block goes back verbatim; any other compaction was rendered as a summary by the planner.
        const anthropic = item.provider_data?.['anthropic'] as { content?: string | null; encrypted_content?: string | null } | undefined;
        if (anthropic) {
          appendAssistantBlocks(messages, [
            {
              type: 'compaction',
              content: anthropic.content ?? null,
              ...(anthropic.encrypted_content ? { encrypted_content: anthropic.encrypted_content } : {}),
            },
          ]);
        }
        break;
      }
      default: {
        const unexpected: never = item;
        throw new Error(`unexpected item type ${(unexpected as { type: string }).type}`);
      }
    }
  }
  return { system, messages };
}

/**
 * The blocks of a web search Anthropic ran (a `web_search_call` that keeps them), verbatim: the
 * result's encrypted content is what lets Claude read the pages again. Null for any other item.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool#multi-turn-conversations
 */
function anthropicSearchBlocks(item: Item): AnthropicAssistantContentBlock[] | null {
  if (item.type !== 'web_search_call') return null;
  const data = item.provider_data?.['anthropic'] as
    | { server_tool_use?: AnthropicServerToolUseBlock; web_search_tool_result?: AnthropicWebSearchToolResultBlock }
    | undefined;
  if (!data?.server_tool_use || !data.web_search_tool_result) return null;
  return [data.server_tool_use, data.web_search_tool_result];
}

/**
 * Adds blocks to the last user message, or starts one. Tool results go after the tool results
 * already there and before any other content: Anthropic rejects a user message whose `tool_result`
 * blocks do not come first.
 */
function appendUserBlocks(messages: AnthropicMessage[], blocks: AnthropicUserContentBlock[]): void {
  if (blocks.length === 0) {
    return;
  }
  const last = messages.at(-1);
  if (last?.role !== 'user') {
    messages.push({ role: 'user', content: blocks });
    return;
  }
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      last.content.splice(leadingCount(last.content, ['tool_result']), 0, block);
    } else {
      last.content.push(block);
    }
  }
}

/**
 * Adds blocks to the last assistant message, or starts one. Thinking blocks go after the thinking
 * blocks already there and before text and tool_use: an assistant message that holds thinking must
 * start with it.
 */
function appendAssistantBlocks(messages: AnthropicMessage[], blocks: AnthropicAssistantContentBlock[]): void {
  if (blocks.length === 0) {
    return;
  }
  const last = messages.at(-1);
  if (last?.role !== 'assistant') {
    messages.push({ role: 'assistant', content: blocks });
    return;
  }
  for (const block of blocks) {
    if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      last.content.splice(leadingCount(last.content, ['thinking', 'redacted_thinking']), 0, block);
    } else {
      last.content.push(block);
    }
  }
}

function leadingCount(blocks: Array<{ type: string }>, types: string[]): number {
  const index = blocks.findIndex((block) => !types.includes(block.type));
  return index === -1 ? blocks.length : index;
}

function convertAssistantMessage(item: MessageItem, options: ConvertMessagesOptions): AnthropicTextBlock[] {
  // Refusals are replayed as the text the user saw; Anthropic history has no refusal block.
  return item.content.map((part) => toTextBlock(part, options, 'assistant messages')).filter(hasText);
}

function convertUserPart(part: ContentPart, options: ConvertMessagesOptions, location: string | null): AnthropicUserContentBlock[] {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'refusal':
      return [markClientBreakpoint(toTextBlock(part, options, 'user messages'), part)].filter(hasText);
    case 'input_image':
      return [markClientBreakpoint(convertImage(part, options), part)];
    case 'input_file':
      return [markClientBreakpoint(convertFile(part, options, location), part)];
    default: {
      const unexpected: never = part;
      throw new Error(`unexpected content part ${(unexpected as { type: string }).type}`);
    }
  }
}

/** What Claude reads of `input_file`s: PDFs (unless the catalog says the model does not) and images, as bytes or from a URL; text files become plain-text documents. */
export function anthropicFileReader(provider: string, pdf: boolean): InputFileReader {
  const reads = (mediaType: string) => (pdf && mediaType === 'application/pdf') || IMAGE_MEDIA_TYPES.has(mediaType);
  return {
    provider,
    reads,
    fetches: reads,
    fileIds: false,
    describes: pdf ? 'PDFs, images (JPEG, PNG, GIF, WebP) and text files' : 'images (JPEG, PNG, GIF, WebP) and text files',
  };
}

const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** @see https://platform.claude.com/docs/en/build-with-claude/vision */
function convertImage(part: InputImagePart, options: ConvertMessagesOptions): AnthropicImageBlock {
  if (!part.image_url) {
    throw unsupported(options, 'input_image.file_id');
  }
  // Anthropic has no detail setting; it resizes every image by its own rule.
  const dataUrl = parseBase64DataUrl(part.image_url);
  if (dataUrl) {
    if (!IMAGE_MEDIA_TYPES.has(dataUrl.mediaType)) {
      throw unsupported(options, `input_image of type ${dataUrl.mediaType}`);
    }
    return { type: 'image', source: { type: 'base64', media_type: dataUrl.mediaType, data: dataUrl.data } };
  }
  if (isHttpUrl(part.image_url)) {
    return { type: 'image', source: { type: 'url', url: part.image_url } };
  }
  throw unsupported(options, 'input_image.image_url other than a base64 data URL or an http(s) URL');
}

/**
 * A file as a document (a PDF's bytes or URL, a text file's text with its name as the title) or an
 * image; any other type is refused by planInputFile. A URL Claude cannot fetch was fetched by the
 * server before (resolveInputFiles).
 * @see https://platform.claude.com/docs/en/build-with-claude/pdf-support
 * @see https://platform.claude.com/docs/en/build-with-claude/citations#plain-text-documents
 */
function convertFile(
  part: InputFilePart,
  options: ConvertMessagesOptions,
  location: string | null,
): AnthropicDocumentBlock | AnthropicImageBlock | AnthropicTextBlock {
  const plan = planInputFile(part, anthropicFileReader(options.provider, options.inputFiles?.pdf ?? true), location);
  const title = plan.kind !== 'fetch' && plan.filename ? { title: plan.filename } : {};
  switch (plan.kind) {
    case 'bytes':
      return plan.mediaType === 'application/pdf'
        ? { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: plan.data }, ...title }
        : { type: 'image', source: { type: 'base64', media_type: plan.mediaType, data: plan.data } };
    case 'url':
      return plan.mediaType === 'application/pdf'
        ? { type: 'document', source: { type: 'url', url: plan.url }, ...title }
        : { type: 'image', source: { type: 'url', url: plan.url } };
    case 'text':
      // An empty document would be refused; the empty file still shows, named, as text.
      return plan.text === ''
        ? { type: 'text', text: formatTextFile(plan) }
        : { type: 'document', source: { type: 'text', media_type: 'text/plain', data: plan.text }, ...title };
    default:
      throw new Error(`input_file planned as '${plan.kind}' reached the Anthropic conversion`);
  }
}

/**
 * Anthropic wants `input` as an object, so the raw argument string is parsed. An empty string (some
 * providers send it for a call without arguments) stands for `{}`.
 */
function parseToolInput(item: FunctionCallItem, options: ConvertMessagesOptions): Record<string, unknown> {
  if (item.arguments.trim() === '') {
    return {};
  }
  const parsed = safeJsonParse(item.arguments);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new UnsupportedFeatureError({
      param: 'input',
      message: `function_call '${item.call_id}' has arguments that are not a JSON object, which provider '${options.provider}' requires`,
    });
  }
  return parsed.value as Record<string, unknown>;
}

/** @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#handling-results-from-client-tools */
function convertToolResult(item: FunctionCallOutputItem, options: ConvertMessagesOptions): AnthropicToolResultBlock {
  if (typeof item.output === 'string') {
    return { type: 'tool_result', tool_use_id: item.call_id, content: item.output };
  }
  const content = item.output.flatMap((part, index): Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock> => {
    switch (part.type) {
      case 'input_text':
        return part.text === '' ? [] : [{ type: 'text', text: part.text }];
      case 'input_image':
        return [convertImage(part, options)];
      case 'input_file':
        return [convertFile(part, options, inputFileLocation(options.inputFiles, item, index))];
      default: {
        const unexpected: never = part;
        throw new Error(`unexpected content part ${(unexpected as { type: string }).type}`);
      }
    }
  });
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: item.call_id, content: content.length === 0 ? '' : content };
  // A breakpoint inside the output marks the whole result: the planner places markers on top-level blocks.
  return item.output.some((part) => part.prompt_cache_breakpoint) ? { ...block, cache_control: { type: 'ephemeral' } } : block;
}

/**
 * The client's `prompt_cache_breakpoint` becomes a marker the cache planner keeps as a client
 * breakpoint (applyAnthropicCache sets its TTL and drops the oldest when there are too many).
 */
function markClientBreakpoint<B extends AnthropicUserContentBlock>(block: B, part: ContentPart): B {
  return 'prompt_cache_breakpoint' in part && part.prompt_cache_breakpoint ? { ...block, cache_control: { type: 'ephemeral' } } : block;
}

/**
 * Replays a thinking or redacted_thinking block exactly as Anthropic sent it (text, signature and
 * data untouched; Anthropic rejects modified blocks).
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
function convertReasoning(item: ReasoningItem): AnthropicAssistantContentBlock[] {
  const data = anthropicReasoningDataSchema.safeParse(item.provider_data?.['anthropic']);
  if (!data.success) {
    // The reasoning policy (reasoning/plan-reasoning-replay.ts) chose which reasoning comes this far;
    // one without Anthropic provider data (another provider's, or stored before signatures were
    // kept) cannot be verified by Anthropic and is dropped.
    return [];
  }
  if ('redacted' in data.data) {
    return [{ type: 'redacted_thinking', data: data.data.redacted }];
  }
  return [{ type: 'thinking', thinking: data.data.thinking, signature: data.data.signature }];
}

function toTextBlock(part: ContentPart, options: ConvertMessagesOptions, where: string): AnthropicTextBlock {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    default:
      throw unsupported(options, `${part.type} content in ${where}`);
  }
}

function hasText(block: AnthropicTextBlock): boolean {
  return block.text !== '';
}

function parseBase64DataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+)(?:;[^;,]+)*;base64,/i.exec(url);
  return match?.[1] ? { mediaType: match[1].toLowerCase(), data: url.slice(match[0].length) } : null;
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function unsupported(options: ConvertMessagesOptions, feature: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError({
    param: 'input',
    message: `${feature} is not supported by provider '${options.provider}'`,
  });
}
