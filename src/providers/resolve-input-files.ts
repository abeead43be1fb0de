import { UnsupportedFeatureError } from '../common/unsupported-feature-error.js';
import type { ContentPart, InputFilePart, Item } from '../items/item.schemas.js';
import type { ModelRequest } from '../planning/model-request.js';
import { type InputFileReader, inputFileLocation, isTextMediaType, planInputFile, unsupportedFileType } from '../planning/plan-input-file.js';
import { type FetchInputFile, FileFetchError } from './fetch-input-file.js';

/**
 * Fetches the `file_url`s the provider cannot fetch itself (planInputFile's `fetch` plans: a URL it
 * does not fetch, or a type only the answer tells) and puts each file's bytes in its part as a data
 * URL, beside the URL, so the adapter's conversion finds bytes or a URL the provider fetches. The
 * stored items are not changed: a later turn fetches again, as a provider that fetches URLs does.
 * Returns the request itself when nothing needs fetching.
 */
export async function resolveInputFiles(
  request: ModelRequest,
  reader: InputFileReader,
  fetchFile: FetchInputFile | undefined,
  signal: AbortSignal,
): Promise<ModelRequest> {
  const fetched = new Map<InputFilePart, Promise<InputFilePart>>();
  for (const item of request.items) {
    fileParts(item).forEach((part, index) => {
      if (part.type !== 'input_file' || part.file_data || !part.file_url) return;
      const location = inputFileLocation(request.inputFiles, item, index);
      const plan = planInputFile(part, reader, location);
      if (plan.kind === 'fetch') fetched.set(part, fetchPart(part, plan.url, { reader, location, fetchFile, signal }));
    });
  }
  if (fetched.size === 0) return request;
  const resolved = new Map<ContentPart, InputFilePart>();
  await Promise.all([...fetched].map(async ([part, promise]) => resolved.set(part, await promise)));
  return { ...request, items: request.items.map((item) => replaceParts(item, resolved)) };
}

/** Whether any file part of the request is a URL with no bytes yet: its conversion waits for the fetch. */
export function hasUnfetchedFiles(request: ModelRequest): boolean {
  return request.items.some((item) => fileParts(item).some((part) => part.type === 'input_file' && !part.file_data && Boolean(part.file_url)));
}

async function fetchPart(
  part: InputFilePart,
  url: string,
  context: { reader: InputFileReader; location: string | null; fetchFile: FetchInputFile | undefined; signal: AbortSignal },
): Promise<InputFilePart> {
  const { reader, location } = context;
  const failed = (reason: string) =>
    new UnsupportedFeatureError({
      param: location === null ? 'input' : `${location}.file_url`,
      message: `input_file.file_url ${url} could not be fetched: ${reason}`,
      code: 'invalid_value',
    });
  if (!context.fetchFile) throw failed('this server fetches no files');
  let file: Awaited<ReturnType<FetchInputFile>>;
  try {
    file = await context.fetchFile(url, { accepts: (mediaType) => reader.reads(mediaType) || isTextMediaType(mediaType), signal: context.signal });
  } catch (error) {
    if (!(error instanceof FileFetchError)) throw error;
    if (error.mediaType !== null) throw unsupportedFileType(reader, error.mediaType, { filename: part.filename ?? null, url }, location);
    throw failed(error.message);
  }
  if (file.mediaType === null) throw failed('the answer does not say what type of file it is');
  return { ...part, filename: part.filename || file.filename, file_data: `data:${file.mediaType};base64,${file.data.toString('base64')}` };
}

function fileParts(item: Item): ContentPart[] {
  switch (item.type) {
    case 'message':
      return item.content;
    case 'function_call_output':
    case 'custom_tool_call_output':
      return Array.isArray(item.output) ? item.output : [];
    default:
      return [];
  }
}

function replaceParts(item: Item, resolved: Map<ContentPart, InputFilePart>): Item {
  const swap = <P extends ContentPart>(part: P): P | InputFilePart => resolved.get(part) ?? part;
  switch (item.type) {
    case 'message':
      return item.content.some((part) => resolved.has(part)) ? { ...item, content: item.content.map(swap) } : item;
    case 'function_call_output':
      return Array.isArray(item.output) && item.output.some((part) => resolved.has(part)) ? { ...item, output: item.output.map(swap) } : item;
    case 'custom_tool_call_output':
      return Array.isArray(item.output) && item.output.some((part) => resolved.has(part)) ? { ...item, output: item.output.map(swap) } : item;
    default:
      return item;
  }
}
