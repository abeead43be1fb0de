import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { ContentPart, FunctionCallOutputItem, InputFilePart, InputImagePart, Item, MessageItem, ReasoningItem } from '../../items/item.schemas.js';
import type { InputFileSettings } from '../../planning/model-request.js';
import { formatTextFile, type InputFileReader, inputFileLocation, planInputFile } from '../../planning/plan-input-file.js';
import { toPortableItems } from '../../planning/portable-items.js';
import type {
  OpenAICompatibleAssistantMessage,
  OpenAICompatibleDialect,
  OpenAICompatibleImagePart,
  OpenAICompatibleMessage,
  OpenAICompatibleTextPart,
  OpenAICompatibleUserContentPart,
} from './openai-compatible.api.js';

export interface ConvertMessagesOptions {
  provider: string;
  dialect: OpenAICompatibleDialect;
  instructions: string | null;
  items: Item[];
  /** Give every assistant tool-call message a `reasoning_content`, `""` where none is stored (DeepSeek V4, Kimi while thinking). */
  backfillReasoningContent?: boolean;
  /** Whether the model reads PDFs, and where the turn's files stand in the request (for errors); absent, only OpenAI reads PDFs. */
  inputFiles?: InputFileSettings;
}

/**
 * Converts instructions and items to Chat Completions messages. Consecutive `function_call` items
 * become one assistant message with `tool_calls` (joined to the assistant text right before them),
 * because Chat Completions expects a turn's parallel calls in a single message.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 * @see https://platform.openai.com/docs/guides/function-calling
 */
export function convertToOpenAICompatibleMessages(options: ConvertMessagesOptions): OpenAICompatibleMessage[] {
  const messages: OpenAICompatibleMessage[] = [];
  if (options.instructions) {
    messages.push({ role: 'system', content: options.instructions });
  }

  // Reasoning this server produced waits for the assistant message of its step.
  let pendingReasoning: string | null = null;
  const takeReasoning = (message: OpenAICompatibleAssistantMessage) => {
    if (pendingReasoning !== null && message.reasoning_content === undefined) message.reasoning_content = pendingReasoning;
    pendingReasoning = null;
  };
  // OpenAI's own tool items (custom and hosted tools) arrive as function calls and text.
  for (const item of toPortableItems(options.items)) {
    switch (item.type) {
      case 'message': {
        const message = convertMessage(item, options);
        if (message.role === 'assistant') takeReasoning(message);
        else pendingReasoning = null;
        messages.push(message);
        break;
      }
      case 'function_call': {
        const toolCall = {
          id: item.call_id,
          type: 'function' as const,
          // Passed through byte for byte: re-serializing would change what the model sees on replay.
          function: { name: item.name, arguments: item.arguments },
        };
        const previous = messages.at(-1);
        if (previous?.role === 'assistant') {
          previous.tool_calls ??= [];
          previous.tool_calls.push(toolCall);
          if (previous.content === '') {
            previous.content = null;
          }
          takeReasoning(previous);
        } else {
          const message: OpenAICompatibleAssistantMessage = { role: 'assistant', content: null };
          takeReasoning(message);
          message.tool_calls = [toolCall];
          messages.push(message);
        }
        break;
      }
      case 'function_call_output':
        messages.push({ role: 'tool', tool_call_id: item.call_id, content: convertToolOutput(item, options) });
        break;
      case 'reasoning':
        // Only this server's own reasoning goes back (the replay policy chose which); another
        // vendor's thinking would be foreign text in the model's reasoning channel.
        if (isOwnReasoning(item, options.provider)) pendingReasoning = (pendingReasoning ?? '') + (item.content ?? []).map((part) => part.text).join('');
        break;
      case 'compaction':
        // Rendered as a summary message by the planner: nothing here reads a compaction item.
        break;
      default: {
        const unexpected: never = item;
        throw new Error(`unexpected item type ${(unexpected as { type: string }).type}`);
      }
    }
  }
  if (options.backfillReasoningContent) {
    for (const message of messages)
      if (message.role === 'assistant' && message.tool_calls && message.reasoning_content === undefined) message.reasoning_content = '';
  }
  return messages;
}

/** Reasoning streamed by this provider carries `{chat: {provider}}` (see openai-compatible-stream). */
function isOwnReasoning(item: ReasoningItem, provider: string): boolean {
  const chat = item.provider_data?.['chat'];
  return typeof chat === 'object' && chat !== null && (chat as { provider?: unknown }).provider === provider;
}

function convertMessage(item: MessageItem, options: ConvertMessagesOptions): OpenAICompatibleMessage {
  switch (item.role) {
    case 'assistant':
      return convertAssistantMessage(item, options);
    case 'user':
      return {
        role: 'user',
        content: simplify(item.content.map((part, index) => convertUserPart(part, options, inputFileLocation(options.inputFiles, item, index)))),
      };
    case 'system':
    case 'developer': {
      // `developer` is OpenAI's own role (o1 and later); other servers only know `system`.
      const role = item.role === 'developer' && options.dialect === 'openai' ? 'developer' : 'system';
      return { role, content: simplify(item.content.map((part) => toTextPart(part, options, `${item.role} messages`))) };
    }
    default: {
      const unexpected: never = item.role;
      throw new Error(`unexpected message role ${String(unexpected)}`);
    }
  }
}

function convertAssistantMessage(item: MessageItem, options: ConvertMessagesOptions): OpenAICompatibleAssistantMessage {
  // Refusals are replayed as text: Chat Completions history has no refusal content on other servers.
  const text = item.content.map((part) => toTextPart(part, options, 'assistant messages').text).join('');
  return { role: 'assistant', content: text };
}

function convertUserPart(part: ContentPart, options: ConvertMessagesOptions, location: string | null): OpenAICompatibleUserContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'refusal':
      return toTextPart(part, options, 'user messages');
    case 'input_image':
      return convertImage(part, options);
    case 'input_file':
      return convertFile(part, options, location);
    default: {
      const unexpected: never = part;
      throw new Error(`unexpected content part ${(unexpected as { type: string }).type}`);
    }
  }
}

/**
 * What a chat server reads of `input_file`s: PDFs as `file` parts where the catalog says the model
 * takes them (OpenAI, gateways that parse PDFs), images as `image_url` parts, OpenAI file ids on
 * OpenAI itself. Text files are text parts everywhere.
 */
export function chatFileReader(provider: string, dialect: OpenAICompatibleDialect, pdf: boolean): InputFileReader {
  return {
    provider,
    reads: (mediaType) => (pdf && mediaType === 'application/pdf') || CHAT_IMAGE_TYPES.has(mediaType),
    // `image_url` takes a URL; a `file` part takes only bytes or an id.
    fetches: (mediaType) => CHAT_IMAGE_TYPES.has(mediaType),
    fileIds: dialect === 'openai',
    describes: pdf ? 'PDFs, images and text files' : 'images and text files',
  };
}

/** @see https://platform.openai.com/docs/guides/images-vision#image-input-requirements */
const CHAT_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * A file as a `file` part (a PDF's bytes as a data URL, or an OpenAI file id), an image as an
 * `image_url` part, a text file as a text part headed by its name; planInputFile refuses the rest.
 * A URL the server must fetch was fetched before (resolveInputFiles).
 * @see https://platform.openai.com/docs/guides/pdf-files?api-mode=chat
 */
function convertFile(part: InputFilePart, options: ConvertMessagesOptions, location: string | null): OpenAICompatibleUserContentPart {
  const plan = planInputFile(part, chatFileReaderFor(options), location);
  switch (plan.kind) {
    case 'bytes':
      return plan.mediaType === 'application/pdf'
        ? { type: 'file', file: { filename: plan.filename ?? 'document.pdf', file_data: `data:application/pdf;base64,${plan.data}` } }
        : { type: 'image_url', image_url: { url: `data:${plan.mediaType};base64,${plan.data}` } };
    case 'url':
      return { type: 'image_url', image_url: { url: plan.url } };
    case 'text':
      return { type: 'text', text: formatTextFile(plan) };
    case 'file_id':
      return { type: 'file', file: { ...(plan.filename ? { filename: plan.filename } : {}), file_id: plan.fileId } };
    default:
      throw new Error(`input_file planned as '${plan.kind}' reached the Chat Completions conversion`);
  }
}

function chatFileReaderFor(options: ConvertMessagesOptions): InputFileReader {
  return chatFileReader(options.provider, options.dialect, options.inputFiles?.pdf ?? options.dialect === 'openai');
}

/** @see https://platform.openai.com/docs/guides/images-vision#specify-image-input-detail-level */
function convertImage(part: InputImagePart, options: ConvertMessagesOptions): OpenAICompatibleImagePart {
  if (!part.image_url) {
    throw unsupported(options, 'input_image.file_id');
  }
  const imageUrl: OpenAICompatibleImagePart['image_url'] = { url: part.image_url };
  // Chat Completions knows only low/high/auto; `original` (full resolution) is closest to `high`.
  if (part.detail === 'low') {
    imageUrl.detail = 'low';
  } else if (part.detail === 'high' || part.detail === 'original') {
    imageUrl.detail = 'high';
  }
  return { type: 'image_url', image_url: imageUrl };
}

function toTextPart(part: ContentPart, options: ConvertMessagesOptions, where: string): OpenAICompatibleTextPart {
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

/** A lone text part goes as a plain string, the form every server accepts. */
function simplify<T extends OpenAICompatibleUserContentPart>(parts: T[]): string | T[] {
  const [first] = parts;
  if (parts.length === 1 && first?.type === 'text') {
    return first.text;
  }
  return parts.length === 0 ? '' : parts;
}

function convertToolOutput(item: FunctionCallOutputItem, options: ConvertMessagesOptions): string {
  if (typeof item.output === 'string') {
    return item.output;
  }
  return item.output
    .map((part, index) => {
      if (part.type === 'input_text') return part.text;
      // A tool message holds text only: a text file is text, anything else cannot go.
      if (part.type === 'input_file') {
        const plan = planInputFile(part, chatFileReaderFor(options), inputFileLocation(options.inputFiles, item, index));
        if (plan.kind === 'text') return formatTextFile(plan);
      }
      throw unsupported(
        options,
        `${part.type === 'input_file' ? 'input_file content other than a text file' : `${part.type} content`} in function_call_output`,
      );
    })
    .join('');
}

function unsupported(options: ConvertMessagesOptions, feature: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError({
    param: 'input',
    message: `${feature} is not supported by provider '${options.provider}'`,
  });
}
