import { type ContentPart, type InputFilePart, type Item, readableCompaction } from '../items/item.schemas.js';
import { fileDataMediaType, isTextMediaType } from './plan-input-file.js';

/**
 * Images and documents are counted flat: providers bill them by pixels or pages, not by the
 * length of their base64, and the cache planners use the same figure.
 */
const FLAT_MEDIA_TOKENS = 1_600;

/** Role markers, ids and separators every item costs on every wire, whatever its text. */
const ITEM_OVERHEAD_CHARS = 16;

/**
 * An item's share of the prompt in tokens, from its text and the model's calibrated characters per
 * token (`caching/token-calibration.ts`). Only what the model reads is counted: text, tool names and
 * arguments, reasoning text; media flat. Good to a few percent once calibrated; the context planner
 * anchors it to the usage the provider reported for the thread's previous turn.
 */
export function estimateItemTokens(item: Item, charsPerToken: number): number {
  const { chars, flat } = measureItem(item);
  return Math.ceil((chars + ITEM_OVERHEAD_CHARS) / charsPerToken) + flat;
}

/** Tokens of text that is not an item (instructions, tool definitions, output format). */
export function estimateTextTokens(text: string, charsPerToken: number): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / charsPerToken);
}

function measureItem(item: Item): { chars: number; flat: number } {
  switch (item.type) {
    case 'message':
      return measureParts(item.content);
    case 'function_call':
      return { chars: item.name.length + item.arguments.length, flat: 0 };
    case 'function_call_output':
    case 'custom_tool_call_output':
      return typeof item.output === 'string' ? { chars: item.output.length, flat: 0 } : measureParts(item.output);
    case 'reasoning': {
      const text = item.summary.reduce((sum, part) => sum + part.text.length, 0) + (item.content ?? []).reduce((sum, part) => sum + part.text.length, 0);
      return { chars: text + (item.encrypted_content?.length ?? 0), flat: 0 };
    }
    case 'compaction': {
      // Ours is read as its summary; a provider's own is opaque, and about as long as what it holds.
      const readable = readableCompaction(item);
      return { chars: readable ? readable.summary.length : item.encrypted_content.length, flat: 0 };
    }
    case 'custom_tool_call':
      return { chars: item.name.length + item.input.length, flat: 0 };
    default: {
      // A hosted tool's item: about its JSON, which is what a wire without it gets as text.
      const { provider_data: _providerData, ...fields } = item;
      return { chars: JSON.stringify(fields).length, flat: 0 };
    }
  }
}

function measureParts(parts: ReadonlyArray<ContentPart>): { chars: number; flat: number } {
  let chars = 0;
  let flat = 0;
  for (const part of parts) {
    if (part.type === 'input_file' && isTextFile(part)) chars += textFileChars(part.file_data ?? '');
    else if (part.type === 'input_image' || part.type === 'input_file') flat += FLAT_MEDIA_TOKENS;
    else chars += ('text' in part ? part.text : part.refusal).length;
  }
  return { chars, flat };
}

/** A text file is read as its text (plan-input-file.ts), so it costs what its text costs. */
function isTextFile(part: InputFilePart): boolean {
  const mediaType = fileDataMediaType(part);
  return mediaType !== null && isTextMediaType(mediaType);
}

/** About the characters of a text file's `file_data`: three quarters of its base64, or the data URL as written. */
function textFileChars(fileData: string): number {
  const comma = fileData.startsWith('data:') ? fileData.indexOf(',') + 1 : 0;
  const base64 = comma === 0 || /;base64,/i.test(fileData.slice(0, comma));
  return Math.ceil(((fileData.length - comma) * (base64 ? 3 : 4)) / 4);
}
