import { UnsupportedFeatureError } from '../common/unsupported-feature-error.js';
import type { InputFilePart, Item } from '../items/item.schemas.js';
import type { CreateResponseBody } from '../items/responses.schemas.js';
import type { InputFileSettings } from './model-request.js';

/**
 * How one provider takes `input_file` parts. Text files need no entry: they are text to every
 * provider, inlined where it has no text document of its own.
 */
export interface InputFileReader {
  /** Provider name as configured, for error messages. */
  provider: string;
  /** Media types the provider reads as themselves when their bytes are sent (PDF, images…). */
  reads(mediaType: string): boolean;
  /** Media types the provider fetches itself from an https URL; the server fetches the others. */
  fetches(mediaType: string): boolean;
  /** OpenAI's file ids resolve there (OpenAI's Chat Completions); this server has no Files API. */
  fileIds: boolean;
  /** What it reads, text files included, in words for errors: `PDFs, images and text files`. */
  describes: string;
}

/** What one `input_file` part becomes for a provider (planInputFile). */
export type InputFilePlan =
  /** The bytes (base64) of a type the provider reads. */
  | { kind: 'bytes'; mediaType: string; data: string; filename: string | null }
  /** An https URL the provider fetches itself. */
  | { kind: 'url'; mediaType: string; url: string; filename: string | null }
  /** A text file, decoded from UTF-8: sent as text (see formatTextFile) or as a provider's text document. */
  | { kind: 'text'; mediaType: string; text: string; filename: string | null }
  /** An OpenAI file id. */
  | { kind: 'file_id'; fileId: string; filename: string | null }
  /** A URL the server must fetch first (providers/resolve-input-files.ts); the part is planned again with its bytes. */
  | { kind: 'fetch'; url: string };

/**
 * Decides what an `input_file` part becomes for a provider: its bytes or its URL where the provider
 * reads the type, text for text files (`text/*` and the `application/*` types that are text: JSON,
 * XML, YAML, source code), an OpenAI file id where those resolve, or a URL the server must fetch
 * because the provider cannot, or because the type is not known before the answer says it. Any other
 * type is a 400 naming it. The type is the data URL's, else the file name's extension, else what the
 * bytes start with (PDF, PNG, JPEG, GIF). `location` is where the part stands in the request
 * (`input[0].content[1]`), or null for a part of the history, whose errors name `input`.
 * @see https://platform.openai.com/docs/guides/pdf-files
 */
export function planInputFile(part: InputFilePart, reader: InputFileReader, location: string | null): InputFilePlan {
  const filename = part.filename || null;
  if (part.file_data) return planFileData(part, part.file_data, filename, reader, location);
  if (part.file_url) return planFileUrl(part.file_url, filename, reader, location);
  if (part.file_id) {
    if (reader.fileIds) return { kind: 'file_id', fileId: part.file_id, filename };
    throw new UnsupportedFeatureError({
      param: paramAt(location, 'file_id'),
      message: `input_file.file_id is not supported by provider '${reader.provider}' (this server has no Files API): send the file as file_data or file_url`,
    });
  }
  throw new UnsupportedFeatureError({
    param: paramAt(location),
    message: 'input_file needs one of file_data, file_url or file_id',
    code: 'missing_required_parameter',
  });
}

/** A text file as text a model reads: its content, headed by its name and type. */
export function formatTextFile(plan: Extract<InputFilePlan, { kind: 'text' }>): string {
  const name = plan.filename === null ? '' : ` name="${plan.filename.replace(/["&<>]/g, (character) => `&#${character.charCodeAt(0)};`)}"`;
  return `<file${name} media_type="${plan.mediaType}">\n${plan.text}\n</file>`;
}

/**
 * Where each of this turn's items that carry files stands in the client's `input` (`input[2]`), by
 * item id, so errors can name the part. Input items map one to one to the turn's items, except the
 * `compaction_trigger`, which is a request control.
 */
export function inputFilePaths(input: CreateResponseBody['input'], items: Item[]): Record<string, string> {
  const paths: Record<string, string> = {};
  if (!Array.isArray(input)) return paths;
  let next = 0;
  input.forEach((entry, index) => {
    if (entry.type === 'compaction_trigger') return;
    const item = items[next++];
    if (item && hasInputFile(item) && !(item.id in paths)) paths[item.id] = `input[${index}]`;
  });
  return paths;
}

/** The location planInputFile takes for a file part of an item: `input[2].content[1]` for this turn's input, null for history. */
export function inputFileLocation(settings: InputFileSettings | undefined, item: Item, index: number): string | null {
  const path = settings?.paths[item.id];
  if (path === undefined) return null;
  return `${path}.${item.type === 'message' ? 'content' : 'output'}[${index}]`;
}

/** The type of a file given as `file_data`, or null when nothing says it (see planInputFile); the data is not checked. */
export function fileDataMediaType(part: InputFilePart): string | null {
  if (!part.file_data) return null;
  const header = readDataUrlHeader(part.file_data);
  const payload = header ? part.file_data.slice(header.length) : part.file_data;
  return header?.mediaType ?? mediaTypeFromName(part.filename ?? null) ?? (header && !header.base64 ? null : sniffMediaType(payload.slice(0, 16)));
}

/**
 * Text as a model reads it: `text/*`, JSON and XML (with their `+json`/`+xml` kinds), and the
 * `application/*` names servers give source code and configuration.
 */
export function isTextMediaType(mediaType: string): boolean {
  return mediaType.startsWith('text/') || mediaType.endsWith('+json') || mediaType.endsWith('+xml') || TEXT_APPLICATION_TYPES.has(mediaType);
}

/** The media type a file name's extension stands for; null for none or one not listed. */
export function mediaTypeFromName(name: string | null): string | null {
  const extension = /\.([a-z0-9]+)$/i.exec(name ?? '')?.[1]?.toLowerCase();
  return (extension && MEDIA_TYPES_BY_EXTENSION[extension]) || null;
}

/** The type the first bytes show, for the few formats whose signature is unmistakable. */
export function sniffMediaType(start: Buffer | string): string | null {
  const bytes = typeof start === 'string' ? Buffer.from(start.replace(/\s/g, '').slice(0, 16), 'base64') : start.subarray(0, 12);
  const startsWith = (signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (startsWith([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  return null;
}

/** The media type of a `type[;parameters]` string, lowercased; null for none or `application/octet-stream`, which says nothing. */
export function declaredType(value: string): string | null {
  const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === '' || type === 'application/octet-stream' ? null : type;
}

function planFileData(part: InputFilePart, fileData: string, filename: string | null, reader: InputFileReader, location: string | null): InputFilePlan {
  // A file the server fetched keeps its URL beside its bytes: errors about the bytes name the URL.
  const field = part.file_url ? 'file_url' : 'file_data';
  const label = describeFile(filename, part.file_url ?? null);
  const data = parseFileData(fileData);
  if (data === null) {
    throw new UnsupportedFeatureError({
      param: paramAt(location, field),
      message: `input_file${label}: file_data must be a base64 data URL (data:<media type>;base64,<data>) or base64`,
      code: 'invalid_value',
    });
  }
  const mediaType = data.mediaType ?? mediaTypeFromName(filename) ?? sniffMediaType(data.base64.slice(0, 16));
  if (mediaType === null) {
    throw new UnsupportedFeatureError({
      param: paramAt(location, field),
      message: `input_file${label} has no media type: send file_data as a data URL (data:<media type>;base64,<data>) or give a filename with an extension`,
      code: 'invalid_value',
    });
  }
  if (reader.reads(mediaType)) return { kind: 'bytes', mediaType, data: data.base64, filename };
  if (!isTextMediaType(mediaType)) throw unsupportedType(reader, mediaType, label, location);
  const text = decodeUtf8(data.base64);
  if (text === null) {
    throw new UnsupportedFeatureError({
      param: paramAt(location, field),
      message: `input_file${label} of type ${mediaType} is not UTF-8 text`,
      code: 'invalid_value',
    });
  }
  return { kind: 'text', mediaType, text, filename };
}

function planFileUrl(url: string, filename: string | null, reader: InputFileReader, location: string | null): InputFilePlan {
  if (!/^https?:\/\//i.test(url)) {
    throw new UnsupportedFeatureError({
      param: paramAt(location, 'file_url'),
      message: 'input_file.file_url must be an http or https URL',
      code: 'invalid_value',
    });
  }
  // The name says the type when it has a known extension; the answer says it otherwise.
  const guessed = mediaTypeFromName(filename) ?? mediaTypeFromName(urlPath(url));
  if (guessed !== null) {
    if (reader.fetches(guessed) && /^https:/i.test(url)) return { kind: 'url', mediaType: guessed, url, filename };
    if (!reader.reads(guessed) && !isTextMediaType(guessed)) throw unsupportedType(reader, guessed, describeFile(filename, url), location);
  }
  return { kind: 'fetch', url };
}

/** The 400 for a file of a type the provider cannot read: it names the file, the type and what the provider reads. */
export function unsupportedFileType(
  reader: InputFileReader,
  mediaType: string,
  file: { filename: string | null; url: string | null },
  location: string | null,
): UnsupportedFeatureError {
  return unsupportedType(reader, mediaType, describeFile(file.filename, file.url), location);
}

function unsupportedType(reader: InputFileReader, mediaType: string, label: string, location: string | null): UnsupportedFeatureError {
  return new UnsupportedFeatureError({
    param: paramAt(location),
    message: `input_file${label} of type ${mediaType} is not supported by provider '${reader.provider}': it reads ${reader.describes}`,
  });
}

/** Base64 and the declared type of `file_data`: a data URL (base64 or percent-encoded) or bare base64; null when it is neither. */
function parseFileData(fileData: string): { mediaType: string | null; base64: string } | null {
  const header = readDataUrlHeader(fileData);
  if (header && !header.base64) return { mediaType: header.mediaType, base64: percentDecode(fileData.slice(header.length)).toString('base64') };
  const base64 = fileData.slice(header?.length ?? 0).replace(/\s/g, '');
  return isBase64(base64) ? { mediaType: header?.mediaType ?? null, base64 } : null;
}

/** `data:<type>[;parameter…][;base64],`: the type (RFC 2397's text/plain when none is named), whether base64 follows, and the header's length. */
function readDataUrlHeader(fileData: string): { mediaType: string | null; base64: boolean; length: number } | null {
  const match = /^data:([^,]*),/i.exec(fileData);
  if (!match) return null;
  const [type = '', ...parameters] = (match[1] ?? '').split(';');
  return {
    mediaType: type.trim() === '' ? 'text/plain' : declaredType(type),
    base64: parameters.some((parameter) => parameter.trim().toLowerCase() === 'base64'),
    length: match[0].length,
  };
}

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** Percent-decodes to bytes (decodeURIComponent would refuse bytes that are not UTF-8). */
function percentDecode(text: string): Buffer {
  const chunks: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(/%([0-9a-fA-F]{2})/g)) {
    chunks.push(Buffer.from(text.slice(last, match.index), 'utf8'), Buffer.from([Number.parseInt(match[1] ?? '0', 16)]));
    last = match.index + match[0].length;
  }
  chunks.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(chunks);
}

function decodeUtf8(base64: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    return null;
  }
}

function urlPath(url: string): string {
  return url.split(/[?#]/)[0] ?? '';
}

function describeFile(filename: string | null, url: string | null): string {
  if (filename !== null) return ` '${filename}'`;
  return url === null ? '' : ` at ${url}`;
}

function paramAt(location: string | null, field?: string): string {
  if (location === null) return 'input';
  return field === undefined ? location : `${location}.${field}`;
}

function hasInputFile(item: Item): boolean {
  switch (item.type) {
    case 'message':
      return item.content.some((part) => part.type === 'input_file');
    case 'function_call_output':
    case 'custom_tool_call_output':
      return Array.isArray(item.output) && item.output.some((part) => part.type === 'input_file');
    default:
      return false;
  }
}

const TEXT_APPLICATION_TYPES = new Set([
  'application/ecmascript',
  'application/graphql',
  'application/javascript',
  'application/json',
  'application/jsonl',
  'application/sql',
  'application/toml',
  'application/typescript',
  'application/x-httpd-php',
  'application/x-javascript',
  'application/x-ndjson',
  'application/x-perl',
  'application/x-php',
  'application/x-python',
  'application/x-ruby',
  'application/x-sh',
  'application/x-shellscript',
  'application/x-sql',
  'application/x-tex',
  'application/x-toml',
  'application/x-typescript',
  'application/x-yaml',
  'application/xml',
  'application/yaml',
]);

// Documents, images, audio and video the providers read, the office and archive types clients send
// by mistake (so the 400 can name them without a fetch), and text and source files.
const MEDIA_TYPES_BY_EXTENSION: Record<string, string> = {
  '7z': 'application/x-7z-compressed',
  aac: 'audio/aac',
  aiff: 'audio/aiff',
  avi: 'video/avi',
  bash: 'text/x-shellscript',
  bmp: 'image/bmp',
  c: 'text/x-c',
  cc: 'text/x-c++',
  cfg: 'text/plain',
  cjs: 'text/javascript',
  conf: 'text/plain',
  cpp: 'text/x-c++',
  cs: 'text/x-csharp',
  css: 'text/css',
  csv: 'text/csv',
  diff: 'text/x-diff',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  flac: 'audio/flac',
  gif: 'image/gif',
  go: 'text/x-go',
  gz: 'application/gzip',
  h: 'text/x-c',
  heic: 'image/heic',
  heif: 'image/heif',
  hpp: 'text/x-c++',
  htm: 'text/html',
  html: 'text/html',
  ini: 'text/plain',
  java: 'text/x-java',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  js: 'text/javascript',
  json: 'application/json',
  jsonl: 'application/jsonl',
  jsx: 'text/javascript',
  kt: 'text/x-kotlin',
  log: 'text/plain',
  lua: 'text/x-lua',
  markdown: 'text/markdown',
  md: 'text/markdown',
  mjs: 'text/javascript',
  mov: 'video/mov',
  mp3: 'audio/mp3',
  mp4: 'video/mp4',
  mpeg: 'video/mpeg',
  mpg: 'video/mpg',
  ndjson: 'application/x-ndjson',
  odp: 'application/vnd.oasis.opendocument.presentation',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odt: 'application/vnd.oasis.opendocument.text',
  ogg: 'audio/ogg',
  patch: 'text/x-diff',
  pdf: 'application/pdf',
  php: 'text/x-php',
  pl: 'text/x-perl',
  png: 'image/png',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  py: 'text/x-python',
  r: 'text/x-r',
  rb: 'text/x-ruby',
  rs: 'text/x-rust',
  rst: 'text/x-rst',
  rtf: 'application/rtf',
  scala: 'text/x-scala',
  sh: 'text/x-shellscript',
  sql: 'application/sql',
  svg: 'image/svg+xml',
  swift: 'text/x-swift',
  tar: 'application/x-tar',
  tex: 'text/x-tex',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  toml: 'application/toml',
  ts: 'text/x-typescript',
  tsv: 'text/tab-separated-values',
  tsx: 'text/x-typescript',
  txt: 'text/plain',
  wav: 'audio/wav',
  webm: 'video/webm',
  webp: 'image/webp',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  zip: 'application/zip',
};
