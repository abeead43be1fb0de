import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { ContentPart, FunctionCallItem, FunctionCallOutputItem, Item, MessageItem, ReasoningItem } from '../../items/item.schemas.js';
import type { InputFileSettings } from '../../planning/model-request.js';
import { formatTextFile, type InputFileReader, inputFileLocation, planInputFile } from '../../planning/plan-input-file.js';
import { toPortableItems } from '../../planning/portable-items.js';
import { safeJsonParse } from '../read-body.js';
import type { GeminiContent, GeminiFunctionCallPart, GeminiFunctionResponsePart, GeminiPart, GeminiSystemInstruction, GeminiTextPart } from './gemini.api.js';
import { readGeminiThoughtSignature } from './gemini-provider-data.js';
import { convertToGeminiFilePart, convertToGeminiImagePart, geminiFileReader } from './to-gemini-media-part.js';

export interface ConvertContentsOptions {
  provider: string;
  instructions: string | null;
  items: Item[];
  /** Whether the model reads PDFs, and where the turn's files stand in the request (for errors). */
  inputFiles?: InputFileSettings;
}

export interface GeminiPrompt {
  systemInstruction: GeminiSystemInstruction | null;
  contents: GeminiContent[];
}

/**
 * Converts instructions and items to `systemInstruction` + `contents`. Consecutive items of the same
 * role become one content (a turn's text, thoughts and parallel calls are one `model` content, its
 * function responses one `user` content), the shape Gemini produces and validates against. Gemini
 * has no call ids: each output is named after the call it answers, found by `call_id` in the
 * history, and a turn's outputs are put in the order of its calls.
 * @see https://ai.google.dev/api/caching#Content
 * @see https://ai.google.dev/gemini-api/docs/function-calling#parallel_function_calling
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function convertToGeminiContents(options: ConvertContentsOptions): GeminiPrompt {
  const { provider } = options;
  const files = { reader: geminiFileReader(provider, options.inputFiles?.pdf ?? true), settings: options.inputFiles };
  const systemParts: GeminiTextPart[] = options.instructions ? [{ text: options.instructions }] : [];
  // OpenAI's own tool items (custom and hosted tools) arrive as function calls and text.
  const items = toPortableItems(options.items);
  const calls = indexFunctionCalls(items);
  // Where each function response's call stood in the history, to sort a turn's responses by.
  const callPositions = new Map<GeminiPart, number>();
  const contents: GeminiContent[] = [];

  const append = (role: GeminiContent['role'], parts: GeminiPart[]): void => {
    // Gemini rejects a content without parts (and an empty text part), so empty messages are skipped.
    if (parts.length === 0) {
      return;
    }
    const previous = contents.at(-1);
    if (previous?.role === role) {
      previous.parts.push(...parts);
    } else {
      contents.push({ role, parts });
    }
  };

  for (const item of items) {
    switch (item.type) {
      case 'message':
        if (item.role === 'system' || item.role === 'developer') {
          // Gemini has one systemInstruction and no system role in `contents`. An instruction that
          // arrives mid-history (a client updating its rules) is folded into it, in order, so it
          // keeps the authority of an instruction; only its position in the dialogue is lost.
          systemParts.push(...convertSystemMessage(item, provider));
        } else {
          append(item.role === 'user' ? 'user' : 'model', convertMessage(item, provider, files));
        }
        break;
      case 'function_call':
        append('model', [convertFunctionCall(item, provider)]);
        break;
      case 'function_call_output': {
        const call = calls.get(item.call_id);
        if (!call) {
          throw unsupported(provider, `function_call_output for call_id '${item.call_id}' without its function_call`);
        }
        const part: GeminiFunctionResponsePart = {
          functionResponse: { name: call.name, response: convertFunctionOutput(item, provider, files) },
        };
        callPositions.set(part, call.position);
        append('user', [part]);
        break;
      }
      case 'reasoning':
        append('model', convertReasoning(item));
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

  for (const content of contents) {
    sortFunctionResponses(content, callPositions);
  }
  return { systemInstruction: systemParts.length > 0 ? { parts: systemParts } : null, contents };
}

function indexFunctionCalls(items: Item[]): Map<string, { name: string; position: number }> {
  const calls = new Map<string, { name: string; position: number }>();
  for (const item of items) {
    if (item.type === 'function_call' && !calls.has(item.call_id)) {
      calls.set(item.call_id, { name: item.name, position: calls.size });
    }
  }
  return calls;
}

/**
 * Gemini pairs responses with calls by position ("the number of function response parts must equal
 * the number of function call parts of the function call turn"), so a client that returns outputs
 * in another order than the calls still gets them matched up. Other parts keep their places.
 */
function sortFunctionResponses(content: GeminiContent, callPositions: Map<GeminiPart, number>): void {
  const slots: number[] = [];
  const responses: GeminiPart[] = [];
  content.parts.forEach((part, index) => {
    if (callPositions.has(part)) {
      slots.push(index);
      responses.push(part);
    }
  });
  responses.sort((a, b) => (callPositions.get(a) ?? 0) - (callPositions.get(b) ?? 0));
  responses.forEach((part, index) => {
    const slot = slots[index];
    if (slot !== undefined) {
      content.parts[slot] = part;
    }
  });
}

function convertSystemMessage(item: MessageItem, provider: string): GeminiTextPart[] {
  return item.content.flatMap((part) => toTextParts(part, provider, `${item.role} messages`));
}

/** How this request's files are read: the reader, and where the turn's files stand in the request. */
interface FileContext {
  reader: InputFileReader;
  settings: InputFileSettings | undefined;
}

function convertMessage(item: MessageItem, provider: string, files: FileContext): GeminiPart[] {
  if (item.role === 'assistant') {
    // Refusals are replayed as text: Gemini history has no refusal part.
    return item.content.flatMap((part) => toTextParts(part, provider, 'assistant messages'));
  }
  return item.content.flatMap((part, index): GeminiPart[] => {
    switch (part.type) {
      case 'input_image':
        return [convertToGeminiImagePart(part, provider)];
      case 'input_file':
        return [convertToGeminiFilePart(part, files.reader, inputFileLocation(files.settings, item, index))];
      default:
        return toTextParts(part, provider, 'user messages');
    }
  });
}

function toTextParts(part: ContentPart, provider: string, where: string): GeminiTextPart[] {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return part.text === '' ? [] : [{ text: part.text }];
    case 'refusal':
      return part.refusal === '' ? [] : [{ text: part.refusal }];
    default:
      throw unsupported(provider, `${part.type} content in ${where}`);
  }
}

/**
 * `args` is a JSON object on the wire, so the argument string is parsed (and loses its exact bytes,
 * which Gemini never saw anyway: it produced an object). The thought signature goes back on the
 * same part: Gemini 3 rejects a function call of the current turn that comes back without it.
 * @see https://ai.google.dev/api/caching#FunctionCall
 */
function convertFunctionCall(item: FunctionCallItem, provider: string): GeminiFunctionCallPart {
  const part: GeminiFunctionCallPart = { functionCall: { name: item.name, args: parseArguments(item, provider) } };
  // Another model's calls of the current turn carry Google's `skip_thought_signature_validator`
  // sentinel here: the reasoning replay plan put it in their provider data (signForeignCalls).
  const signature = readGeminiThoughtSignature(item.provider_data);
  if (signature) {
    part.thoughtSignature = signature;
  }
  return part;
}

function parseArguments(item: FunctionCallItem, provider: string): Record<string, unknown> {
  // Some models and clients write no arguments at all for a function without parameters.
  if (item.arguments.trim() === '') {
    return {};
  }
  const parsed = safeJsonParse(item.arguments);
  if (!parsed.ok || !isJsonObject(parsed.value)) {
    throw unsupported(provider, `function_call '${item.call_id}' with arguments that are not a JSON object`);
  }
  return parsed.value;
}

/**
 * `response` must be a JSON object. An output that already is one (as a string) is sent as such, so
 * the model sees structured fields; anything else goes under `output`, the key Gemini documents for
 * a function's output.
 * @see https://ai.google.dev/api/caching#FunctionResponse
 */
function convertFunctionOutput(item: FunctionCallOutputItem, provider: string, files: FileContext): Record<string, unknown> {
  const text =
    typeof item.output === 'string'
      ? item.output
      : item.output
          .map((part, index) => {
            if (part.type === 'input_text') return part.text;
            // A text file is text here too; Gemini 2.5 takes nothing but JSON in a function response.
            if (part.type === 'input_file') {
              const plan = planInputFile(part, files.reader, inputFileLocation(files.settings, item, index));
              if (plan.kind === 'text') return formatTextFile(plan);
            }
            throw unsupported(
              provider,
              `${part.type === 'input_file' ? 'input_file content other than a text file' : `${part.type} content`} in function_call_output`,
            );
          })
          .join('');
  const parsed = safeJsonParse(text);
  return parsed.ok && isJsonObject(parsed.value) ? parsed.value : { output: text };
}

/**
 * A thought is replayed only with its signature, which is what lets Gemini trust it; without one
 * (another provider's reasoning, a thought that never got a signature) it is dropped.
 */
function convertReasoning(item: ReasoningItem): GeminiTextPart[] {
  // Whether thoughts come back at all is the reasoning policy's choice (reasoning/plan-reasoning-replay.ts);
  // what reaches here goes back when signed.
  const signature = readGeminiThoughtSignature(item.provider_data);
  const text = (item.content ?? []).map((part) => part.text).join('') || item.summary.map((part) => part.text).join('');
  if (!signature || text === '') {
    return [];
  }
  return [{ text, thought: true, thoughtSignature: signature }];
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unsupported(provider: string, feature: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError({ param: 'input', message: `${feature} is not supported by provider '${provider}'` });
}
