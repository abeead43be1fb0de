import { newMessageItem, newModelRequest } from '../../test/factories.js';
import { UnsupportedFeatureError } from '../common/unsupported-feature-error.js';
import type { ContentPart, Item } from '../items/item.schemas.js';
import type { InputFileReader } from '../planning/plan-input-file.js';
import { type FetchInputFile, FileFetchError } from './fetch-input-file.js';
import { resolveInputFiles } from './resolve-input-files.js';

/** Reads PDFs, fetches https PDFs itself. */
const reader: InputFileReader = {
  provider: 'vendor',
  reads: (mediaType) => mediaType === 'application/pdf',
  fetches: (mediaType) => mediaType === 'application/pdf',
  fileIds: false,
  describes: 'PDFs and text files',
};
const signal = new AbortController().signal;

function stubFetch(answer: (url: string) => Awaited<ReturnType<FetchInputFile>>) {
  const urls: string[] = [];
  const fetchFile: FetchInputFile = async (url, options) => {
    urls.push(url);
    const file = answer(url);
    if (file.mediaType !== null && !options.accepts(file.mediaType)) throw new FileFetchError(`the file is of type ${file.mediaType}`, file.mediaType);
    return file;
  };
  return { urls, fetchFile };
}

const withFiles = (...content: ContentPart[]): Item => newMessageItem({ id: 'msg_files', content });
const settings = { pdf: true, paths: { msg_files: 'input[1]' } };

describe(resolveInputFiles.name, () => {
  it('returns the request itself when no file needs the server', async () => {
    const request = newModelRequest({
      items: [withFiles({ type: 'input_file', file_url: 'https://example.com/a.pdf' }, { type: 'input_file', file_data: 'data:text/plain,hi' })],
    });
    const upstream = stubFetch(() => {
      throw new Error('no fetch expected');
    });
    expect(await resolveInputFiles(request, reader, upstream.fetchFile, signal)).toBe(request);
  });

  it('puts the bytes of each URL the provider cannot fetch in its part, beside the URL, leaving the stored items alone', async () => {
    const items = [
      withFiles(
        { type: 'input_text', text: 'compare' },
        { type: 'input_file', file_url: 'http://example.com/a.pdf' },
        { type: 'input_file', filename: 'mine.md', file_url: 'https://example.com/notes' },
      ),
    ];
    const upstream = stubFetch((url) =>
      url.endsWith('a.pdf')
        ? { mediaType: 'application/pdf', data: Buffer.from('%PDF-1.4'), filename: 'a.pdf' }
        : { mediaType: 'text/markdown', data: Buffer.from('# Notes'), filename: 'notes' },
    );
    const resolved = await resolveInputFiles(newModelRequest({ items, inputFiles: settings }), reader, upstream.fetchFile, signal);
    expect(upstream.urls).toEqual(['http://example.com/a.pdf', 'https://example.com/notes']);
    expect(resolved.items[0]).toMatchObject({
      content: [
        { type: 'input_text', text: 'compare' },
        {
          type: 'input_file',
          filename: 'a.pdf',
          file_url: 'http://example.com/a.pdf',
          file_data: `data:application/pdf;base64,${Buffer.from('%PDF-1.4').toString('base64')}`,
        },
        {
          type: 'input_file',
          filename: 'mine.md',
          file_url: 'https://example.com/notes',
          file_data: `data:text/markdown;base64,${Buffer.from('# Notes').toString('base64')}`,
        },
      ],
    });
    expect((items[0] as { content: ContentPart[] }).content[1]).toEqual({ type: 'input_file', file_url: 'http://example.com/a.pdf' });
  });

  it('fetches files in tool outputs too', async () => {
    const output: Item = {
      type: 'function_call_output',
      id: 'fco_1',
      call_id: 'c1',
      status: 'completed',
      output: [{ type: 'input_file', file_url: 'https://example.com/log' }],
    };
    const upstream = stubFetch(() => ({ mediaType: 'text/plain', data: Buffer.from('ok'), filename: 'log' }));
    const resolved = await resolveInputFiles(newModelRequest({ items: [output] }), reader, upstream.fetchFile, signal);
    expect(resolved.items[0]).toMatchObject({ output: [{ file_data: 'data:text/plain;base64,b2s=', filename: 'log' }] });
  });

  it('names the URL of a fetch that failed, in the part of the request it stands in', async () => {
    const upstream = stubFetch(() => {
      throw new FileFetchError("the file is larger than the server's limit of 10 bytes");
    });
    const request = newModelRequest({
      items: [withFiles({ type: 'input_text', text: 'x' }, { type: 'input_file', file_url: 'https://example.com/big.txt' })],
      inputFiles: settings,
    });
    const error = await resolveInputFiles(request, reader, upstream.fetchFile, signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({
      param: 'input[1].content[1].file_url',
      code: 'invalid_value',
      message: "input_file.file_url https://example.com/big.txt could not be fetched: the file is larger than the server's limit of 10 bytes",
    });
  });

  it('refuses an answer of a type the provider cannot read as it refuses such data', async () => {
    const upstream = stubFetch(() => ({ mediaType: 'application/zip', data: Buffer.from('PK'), filename: null }));
    const request = newModelRequest({ items: [withFiles({ type: 'input_file', file_url: 'https://example.com/download' })], inputFiles: settings });
    await expect(resolveInputFiles(request, reader, upstream.fetchFile, signal)).rejects.toMatchObject({
      param: 'input[1].content[0]',
      message: "input_file at https://example.com/download of type application/zip is not supported by provider 'vendor': it reads PDFs and text files",
    });
  });

  it('refuses an answer whose type nothing tells', async () => {
    const upstream = stubFetch(() => ({ mediaType: null, data: Buffer.from('??'), filename: null }));
    const request = newModelRequest({ items: [withFiles({ type: 'input_file', file_url: 'https://example.com/download' })] });
    await expect(resolveInputFiles(request, reader, upstream.fetchFile, signal)).rejects.toMatchObject({
      param: 'input',
      message: expect.stringContaining('the answer does not say what type of file it is'),
    });
  });

  it('refuses before any fetch what the URL already shows it cannot read, and fetches nothing without a fetcher', async () => {
    const upstream = stubFetch(() => {
      throw new Error('no fetch expected');
    });
    const zip = newModelRequest({ items: [withFiles({ type: 'input_file', file_url: 'https://example.com/a.zip' })] });
    await expect(resolveInputFiles(zip, reader, upstream.fetchFile, signal)).rejects.toThrow(/of type application\/zip is not supported/);
    const text = newModelRequest({ items: [withFiles({ type: 'input_file', file_url: 'https://example.com/a.txt' })] });
    await expect(resolveInputFiles(text, reader, undefined, signal)).rejects.toThrow('could not be fetched: this server fetches no files');
  });
});
