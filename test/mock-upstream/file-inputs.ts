// Files in requests, as each vendor takes them: the checks the real APIs apply to document, image
// and file parts (so tests prove the server sends shapes the vendors accept), and `GET /files/{name}`,
// which serves the files a test registered with `serveFile`, standing in for a file host that
// `input_file.file_url`s point to. Messages not on record in the vendors' documentation are phrased
// by the mock after the vendor's style, and say so.
import type { Route, RouteContext } from './mock-upstream.js';
import { sendJson } from './wire.js';

type Json = Record<string, unknown>;

/** A file `GET /files/{name}` serves. */
export interface MockFile {
  /** The `Content-Type` header; none when null. */
  contentType: string | null;
  body: Buffer;
  /** Sent chunked, without `Content-Length`, as a server that streams does. */
  chunked: boolean;
}

export const fileRoutes: Route[] = [{ method: 'GET', matches: (path) => path.startsWith('/files/'), handle: handleFile }];

async function handleFile(context: RouteContext): Promise<void> {
  const { record, response } = context;
  const file = context.files.get(decodeURIComponent(record.path.slice('/files/'.length)));
  if (!file) {
    sendJson(response, 404, { error: 'not found' });
    return;
  }
  const headers: Record<string, string> = file.contentType === null ? {} : { 'content-type': file.contentType };
  if (!file.chunked) headers['content-length'] = String(file.body.length);
  response.writeHead(200, headers);
  if (file.chunked) {
    // Two writes, so the length shows only as the bytes arrive.
    const half = Math.floor(file.body.length / 2);
    response.write(file.body.subarray(0, half));
    response.end(file.body.subarray(half));
    return;
  }
  response.end(file.body);
}

// ---- Anthropic --------------------------------------------------------------------------------

const anthropicImageTypes = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/**
 * What Anthropic refuses in an `image` or `document` block at `path` (`messages.0.content.1`), or
 * null: an image's base64 source must be one of its four types; a document is a PDF (base64 that
 * decodes to a PDF, or a URL), plain text (`text/plain`, a string) or content blocks.
 * @see https://platform.claude.com/docs/en/build-with-claude/pdf-support
 * @see https://platform.claude.com/docs/en/build-with-claude/citations#plain-text-documents
 */
export function findAnthropicMediaBlockError(path: string, block: Json): string | null {
  const type = block['type'];
  if (type !== 'image' && type !== 'document') return null;
  const source = block['source'];
  if (!isObject(source)) return `${path}.${type}.source: Field required`;
  const sourceType = source['type'];
  const at = `${path}.${type}.source.${String(sourceType)}`;
  if (type === 'image') {
    if (sourceType === 'url') return typeof source['url'] === 'string' ? null : `${at}.url: Field required`;
    if (sourceType !== 'base64') return tagError(`${path}.image.source`, sourceType, ['base64', 'file', 'url']);
    if (!anthropicImageTypes.includes(String(source['media_type'])))
      return `${at}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
    return isBase64(source['data']) ? null : `${at}.data: Input should be valid base64`;
  }
  if (block['title'] !== undefined && block['title'] !== null && typeof block['title'] !== 'string')
    return `${path}.document.title: Input should be a valid string`;
  switch (sourceType) {
    case 'base64':
      if (source['media_type'] !== 'application/pdf') return `${at}.media_type: Input should be 'application/pdf'`;
      if (!isBase64(source['data'])) return `${at}.data: Input should be valid base64`;
      // Phrased by the mock: Anthropic refuses bytes that are not a PDF.
      return Buffer.from(source['data'] as string, 'base64')
        .subarray(0, 5)
        .toString('latin1') === '%PDF-'
        ? null
        : `${path}: The PDF specified was not valid.`;
    case 'text':
      if (source['media_type'] !== 'text/plain') return `${at}.media_type: Input should be 'text/plain'`;
      return typeof source['data'] === 'string' ? null : `${at}.data: Input should be a valid string`;
    case 'url':
      return typeof source['url'] === 'string' ? null : `${at}.url: Field required`;
    case 'content':
      return Array.isArray(source['content']) || typeof source['content'] === 'string' ? null : `${at}.content: Field required`;
    default:
      return tagError(`${path}.document.source`, sourceType, ['base64', 'content', 'file', 'text', 'url']);
  }
}

function tagError(path: string, tag: unknown, expected: string[]): string {
  return `${path}: Input tag '${String(tag)}' found using 'type' does not match any of the expected tags: ${expected.map((name) => `'${name}'`).join(', ')}`;
}

// ---- Gemini -----------------------------------------------------------------------------------

/**
 * The MIME types Gemini takes in `inlineData` and `fileData`: documents (PDF and the text types its
 * document guide lists), images, audio and video.
 * @see https://ai.google.dev/gemini-api/docs/document-processing
 * @see https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats
 */
const geminiMimeTypes = new Set([
  'application/pdf',
  'application/json',
  'application/rtf',
  'application/x-javascript',
  'application/x-python',
  'application/x-typescript',
  'text/css',
  'text/csv',
  'text/html',
  'text/javascript',
  'text/markdown',
  'text/md',
  'text/plain',
  'text/rtf',
  'text/x-python',
  'text/x-typescript',
  'text/xml',
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/heic',
  'image/heif',
  'audio/wav',
  'audio/mp3',
  'audio/mpeg',
  'audio/aiff',
  'audio/aac',
  'audio/ogg',
  'audio/flac',
  'video/mp4',
  'video/mpeg',
  'video/mov',
  'video/quicktime',
  'video/avi',
  'video/x-flv',
  'video/mpg',
  'video/webm',
  'video/wmv',
  'video/3gpp',
]);

/**
 * What Gemini refuses in a part holding data, or null: `inlineData` needs a MIME type Gemini reads
 * and base64 bytes; `fileData` a `fileUri` (an https URL, a Files API or a `gs://` URI) and a
 * MIME type. `c` and `p` are the part's indexes in `contents` and in its `parts`.
 * @see https://ai.google.dev/api/caching#Blob
 * @see https://ai.google.dev/api/caching#FileData
 */
export function findGeminiMediaPartError(c: number, p: number, part: Json): string | null {
  const inline = part['inlineData'];
  if (inline !== undefined) {
    if (!isObject(inline) || typeof inline['mimeType'] !== 'string')
      return `* GenerateContentRequest.contents[${c}].parts[${p}].inline_data.mime_type: mime_type is not specified.\n`;
    if (!geminiMimeTypes.has(inline['mimeType'])) return `Unsupported MIME type: ${inline['mimeType']}`;
    return isBase64(inline['data']) ? null : `Invalid value at 'contents[${c}].parts[${p}].inline_data.data' (TYPE_BYTES), Base64 decoding failed`;
  }
  const file = part['fileData'];
  if (file !== undefined) {
    if (!isObject(file) || typeof file['fileUri'] !== 'string' || !/^(https?|gs):\/\//.test(file['fileUri'])) {
      return `* GenerateContentRequest.contents[${c}].parts[${p}].file_data.file_uri: file_uri must be a valid URI.\n`;
    }
    if (typeof file['mimeType'] !== 'string') return `* GenerateContentRequest.contents[${c}].parts[${p}].file_data.mime_type: mime_type is not specified.\n`;
    return geminiMimeTypes.has(file['mimeType']) ? null : `Unsupported MIME type: ${file['mimeType']}`;
  }
  return null;
}

// ---- OpenAI Chat Completions --------------------------------------------------------------------

/**
 * What Chat Completions refuses in a user message's content parts, or null: a known part type; an
 * `image_url` with its `url`; a `file` with a `file_id` or `file_data` that is a base64 data URL.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 * @see https://platform.openai.com/docs/guides/pdf-files?api-mode=chat
 */
export function findChatContentError(body: Json): { message: string; param: string } | null {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  for (const [m, message] of messages.entries()) {
    if (!isObject(message) || !Array.isArray(message['content'])) continue;
    for (const [p, part] of (message['content'] as unknown[]).entries()) {
      if (!isObject(part)) continue;
      const param = `messages[${m}].content[${p}]`;
      switch (part['type']) {
        case 'text':
          if (typeof part['text'] !== 'string') return { message: `Missing required parameter: '${param}.text'.`, param: `${param}.text` };
          break;
        case 'image_url':
          if (!isObject(part['image_url']) || typeof part['image_url']['url'] !== 'string') {
            return { message: `Missing required parameter: '${param}.image_url.url'.`, param: `${param}.image_url.url` };
          }
          break;
        case 'file': {
          const file = part['file'];
          if (!isObject(file) || (file['file_data'] === undefined && file['file_id'] === undefined)) {
            // Phrased by the mock.
            return { message: `Invalid '${param}.file': one of 'file_data' or 'file_id' must be provided.`, param: `${param}.file` };
          }
          if (file['file_data'] !== undefined && !(typeof file['file_data'] === 'string' && /^data:[^;,]+;base64,[A-Za-z0-9+/]+=*$/.test(file['file_data']))) {
            // Phrased by the mock.
            return {
              message: `Invalid '${param}.file.file_data'. Expected a base64-encoded data URL with a MIME type (e.g. 'data:application/pdf;base64,...').`,
              param: `${param}.file.file_data`,
            };
          }
          break;
        }
        case 'input_audio':
        case 'refusal':
          break;
        default:
          return {
            message: `Invalid value: '${String(part['type'])}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', and 'file'.`,
            param: `${param}.type`,
          };
      }
    }
  }
  return null;
}

// ---- OpenAI Responses -------------------------------------------------------------------------

/**
 * What the Responses API refuses in a message's `input_file` part, or null: it must name its file
 * by one of `file_id`, `file_data` or `file_url`. (Phrased by the mock.)
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export function findResponsesInputFileError(index: number, item: Json): { message: string; param: string } | null {
  const content = item['content'];
  if (!Array.isArray(content)) return null;
  for (const [p, part] of content.entries()) {
    if (!isObject(part) || part['type'] !== 'input_file') continue;
    if (['file_id', 'file_data', 'file_url'].some((key) => typeof part[key] === 'string' && part[key] !== '')) continue;
    const param = `input[${index}].content[${p}]`;
    return { message: `Invalid '${param}': an input_file needs one of 'file_id', 'file_data' or 'file_url'.`, param };
  }
  return null;
}

/** Base64 as the vendors' decoders take it: padding optional, the URL-safe alphabet too. */
function isBase64(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.replace(/=+$/, '').length % 4 !== 1 && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
