import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { InputFilePart, InputImagePart } from '../../items/item.schemas.js';
import { formatTextFile, type InputFileReader, mediaTypeFromName, planInputFile } from '../../planning/plan-input-file.js';
import type { GeminiFileDataPart, GeminiInlineDataPart, GeminiTextPart } from './gemini.api.js';

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
    return { fileData: { mimeType: imageTypeOf(part.image_url), fileUri: part.image_url } };
  }
  throw unsupported(provider, 'input_image.image_url other than a data URL or an http(s) URL');
}

/**
 * The types Gemini reads as themselves: PDF (unless the catalog says the model does not), and the
 * images, audio and video its guides list.
 * @see https://ai.google.dev/gemini-api/docs/document-processing
 * @see https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats
 * @see https://ai.google.dev/gemini-api/docs/audio#supported-formats
 * @see https://ai.google.dev/gemini-api/docs/video-understanding#supported-formats
 */
export function geminiFileReader(provider: string, pdf: boolean): InputFileReader {
  const reads = (mediaType: string) => (pdf && mediaType === 'application/pdf') || GEMINI_MEDIA_TYPES.has(mediaType);
  return {
    provider,
    reads,
    fetches: reads,
    fileIds: false,
    describes: pdf ? 'PDFs, images, audio, video and text files' : 'images, audio, video and text files',
  };
}

const GEMINI_MEDIA_TYPES = new Set([
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
 * A file as `inlineData` (its bytes) or `fileData` (an https URL Gemini fetches itself), a text
 * file as text headed by its name; any other type is refused by planInputFile. A URL Gemini is not
 * given was fetched by the server before (resolveInputFiles).
 * @see https://ai.google.dev/gemini-api/docs/document-processing
 * @see https://ai.google.dev/gemini-api/docs/file-input-methods
 */
export function convertToGeminiFilePart(
  part: InputFilePart,
  reader: InputFileReader,
  location: string | null,
): GeminiInlineDataPart | GeminiFileDataPart | GeminiTextPart {
  const plan = planInputFile(part, reader, location);
  switch (plan.kind) {
    case 'bytes':
      return { inlineData: { mimeType: plan.mediaType, data: plan.data } };
    case 'url':
      return { fileData: { mimeType: plan.mediaType, fileUri: plan.url } };
    case 'text':
      return { text: formatTextFile(plan) };
    default:
      throw new Error(`input_file planned as '${plan.kind}' reached the Gemini conversion`);
  }
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

/** An image URL's type from its extension, JPEG when it names none of the image types Gemini's guide lists (or GIF). */
function imageTypeOf(url: string): string {
  const guessed = mediaTypeFromName(url.split(/[?#]/)[0] ?? '');
  return guessed !== null && (guessed === 'image/gif' || (guessed.startsWith('image/') && GEMINI_MEDIA_TYPES.has(guessed))) ? guessed : 'image/jpeg';
}

function unsupported(provider: string, feature: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError({ param: 'input', message: `${feature} is not supported by provider '${provider}'` });
}
