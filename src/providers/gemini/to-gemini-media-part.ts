import type { z } from 'zod';
import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { InputImagePart, inputFilePartSchema } from '../../items/item.schemas.js';
import type { GeminiFileDataPart, GeminiInlineDataPart } from './gemini.api.js';

type InputFilePart = z.infer<typeof inputFilePartSchema>;

/**
 * An image as `inlineData` (data URL: the bytes travel in the request) or `fileData` (http(s) URL:
 * Gemini fetches it). Gemini needs a MIME type for a URL too, so it is guessed from the extension,
 * JPEG when there is none. `detail` has no per-part equivalent on all models (`mediaResolution` is
 * Gemini 3 only), so it is not sent.
 * @see https://ai.google.dev/gemini-api/docs/image-understanding
 * @see https://ai.google.dev/api/caching#FileData
 */
export function convertToGeminiImagePart(part: InputImagePart, provider: string): GeminiInlineDataPart | GeminiFileDataPart {
  if (!part.image_url) {
    throw unsupported(provider, 'input_image.file_id');
  }
  const inline = parseDataUrl(part.image_url);
  if (inline) {
    return { inlineData: inline };
  }
  if (isHttpUrl(part.image_url)) {
    return { fileData: { mimeType: guessMimeType(part.image_url, 'image/jpeg'), fileUri: part.image_url } };
  }
  throw unsupported(provider, 'input_image.image_url other than a data URL or an http(s) URL');
}

/**
 * A document (typically a PDF) as `inlineData`, or as `fileData` for a URL. `file_data` is a data
 * URL as the Responses API documents it; bare base64 is accepted too, its type taken from the file
 * name (PDF, the only type the Responses API promises, when it has none).
 * @see https://ai.google.dev/gemini-api/docs/document-processing
 */
export function convertToGeminiFilePart(part: InputFilePart, provider: string): GeminiInlineDataPart | GeminiFileDataPart {
  if (part.file_data) {
    return {
      inlineData: parseDataUrl(part.file_data) ?? { mimeType: guessMimeType(part.filename ?? '', 'application/pdf'), data: part.file_data },
    };
  }
  if (part.file_url) {
    if (!isHttpUrl(part.file_url)) {
      throw unsupported(provider, 'input_file.file_url other than an http(s) URL');
    }
    return { fileData: { mimeType: guessMimeType(part.filename ?? part.file_url, 'application/pdf'), fileUri: part.file_url } };
  }
  throw unsupported(provider, part.file_id ? 'input_file.file_id' : 'input_file without file_data or file_url');
}

/** `data:<type>[;param…][;base64],<data>` → base64 bytes and type; null for anything else. */
function parseDataUrl(url: string): { mimeType: string; data: string } | null {
  const match = /^data:([^,]*),(.*)$/s.exec(url);
  if (!match) {
    return null;
  }
  const [, meta = '', payload = ''] = match;
  const [mimeType = '', ...parameters] = meta.split(';');
  const isBase64 = parameters.some((parameter) => parameter.trim().toLowerCase() === 'base64');
  return {
    // RFC 2397's default type, when the URL names none.
    mimeType: mimeType.trim() || 'text/plain',
    // Gemini takes base64 only; a percent-encoded payload is re-encoded.
    data: isBase64 ? payload : Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64'),
  };
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

// The types Gemini's image and document guides list; anything else falls back to the caller's default.
const MIME_TYPES_BY_EXTENSION: Record<string, string> = {
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  pdf: 'application/pdf',
  png: 'image/png',
  txt: 'text/plain',
  webp: 'image/webp',
};

function guessMimeType(nameOrUrl: string, fallback: string): string {
  const path = nameOrUrl.split(/[?#]/)[0] ?? '';
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension && MIME_TYPES_BY_EXTENSION[extension]) || fallback;
}

function unsupported(provider: string, feature: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError({ param: 'input', message: `${feature} is not supported by provider '${provider}'` });
}
