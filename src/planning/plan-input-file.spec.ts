import { UnsupportedFeatureError } from '../common/unsupported-feature-error.js';
import type { InputFilePart, Item } from '../items/item.schemas.js';
import { estimateItemTokens } from './estimate-tokens.js';
import {
  fileDataMediaType,
  formatTextFile,
  type InputFileReader,
  inputFileLocation,
  inputFilePaths,
  isTextMediaType,
  planInputFile,
  sniffMediaType,
} from './plan-input-file.js';

/** A provider that reads PDFs and PNGs, and fetches PDFs itself. */
const reader: InputFileReader = {
  provider: 'vendor',
  reads: (mediaType) => mediaType === 'application/pdf' || mediaType === 'image/png',
  fetches: (mediaType) => mediaType === 'application/pdf',
  fileIds: false,
  describes: 'PDFs, PNG images and text files',
};

const file = (fields: Omit<InputFilePart, 'type'>): InputFilePart => ({ type: 'input_file', ...fields });
const base64 = (text: string) => Buffer.from(text).toString('base64');

function refusal(part: InputFilePart, location: string | null = 'input[0].content[0]', target = reader): UnsupportedFeatureError {
  try {
    planInputFile(part, target, location);
  } catch (error) {
    if (error instanceof UnsupportedFeatureError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe(planInputFile.name, () => {
  it.each([
    ['a base64 data URL', file({ file_data: 'data:application/pdf;base64,JVBERi0x' }), 'application/pdf', 'JVBERi0x'],
    ['a data URL with parameters', file({ file_data: 'data:Application/PDF;name=a.pdf;base64,JVBERi0x' }), 'application/pdf', 'JVBERi0x'],
    ['bare base64 named by its extension', file({ filename: 'chart.PNG', file_data: 'iVBORw==' }), 'image/png', 'iVBORw=='],
    ['bare base64 that starts like a PDF', file({ file_data: 'JVBERi0xLjc=' }), 'application/pdf', 'JVBERi0xLjc='],
    [
      'an octet-stream data URL named by its extension',
      file({ filename: 'a.pdf', file_data: 'data:application/octet-stream;base64,JVBERi0x' }),
      'application/pdf',
      'JVBERi0x',
    ],
    ['base64 broken over lines', file({ filename: 'a.pdf', file_data: 'JVBE\nRi0x' }), 'application/pdf', 'JVBERi0x'],
  ])('sends the bytes of %s the provider reads', (_name, part, mediaType, data) => {
    expect(planInputFile(part, reader, null)).toEqual({ kind: 'bytes', mediaType, data, filename: part.filename ?? null });
  });

  it.each([
    ['text/plain', 'data:text/plain;base64,aMOp', 'hé'],
    ['text/plain', 'data:,h%C3%A9%20%E2%9C%93', 'hé ✓'],
    ['text/markdown', `data:text/markdown;charset=utf-8;base64,${base64('# Title')}`, '# Title'],
    ['text/csv', `data:text/csv;base64,${base64('a,b\n1,2')}`, 'a,b\n1,2'],
    ['application/json', `data:application/json;base64,${base64('{"a":1}')}`, '{"a":1}'],
    ['application/ld+json', 'data:application/ld+json,%7B%7D', '{}'],
    ['text/html', `data:text/html;base64,${base64('<p>hi</p>')}`, '<p>hi</p>'],
  ])('decodes %s as UTF-8 text', (mediaType, fileData, text) => {
    expect(planInputFile(file({ filename: 'f', file_data: fileData }), reader, null)).toEqual({ kind: 'text', mediaType, text, filename: 'f' });
  });

  it('takes a text file by its extension and drops a byte order mark', () => {
    expect(planInputFile(file({ filename: 'main.py', file_data: base64('\ufeffprint(1)') }), reader, null)).toEqual({
      kind: 'text',
      mediaType: 'text/x-python',
      text: 'print(1)',
      filename: 'main.py',
    });
  });

  it('leaves an https URL of a type the provider fetches to the provider, and every other URL to the server', () => {
    expect(planInputFile(file({ file_url: 'https://example.com/a/report.pdf?v=2' }), reader, null)).toEqual({
      kind: 'url',
      mediaType: 'application/pdf',
      url: 'https://example.com/a/report.pdf?v=2',
      filename: null,
    });
    // Over plain http, a type it only reads as bytes, a text file, or a URL that says no type.
    for (const url of ['http://example.com/report.pdf', 'https://example.com/chart.png', 'https://example.com/notes.md', 'https://example.com/download?id=7']) {
      expect(planInputFile(file({ file_url: url }), reader, null)).toEqual({ kind: 'fetch', url });
    }
    // The file name says the type before the URL does.
    expect(planInputFile(file({ filename: 'notes.txt', file_url: 'https://example.com/report.pdf' }), reader, null)).toEqual({
      kind: 'fetch',
      url: 'https://example.com/report.pdf',
    });
  });

  it('takes a file id only where file ids resolve', () => {
    expect(planInputFile(file({ file_id: 'file-1', filename: 'a.pdf' }), { ...reader, fileIds: true }, null)).toEqual({
      kind: 'file_id',
      fileId: 'file-1',
      filename: 'a.pdf',
    });
    expect(refusal(file({ file_id: 'file-1' }))).toMatchObject({
      param: 'input[0].content[0].file_id',
      message: "input_file.file_id is not supported by provider 'vendor' (this server has no Files API): send the file as file_data or file_url",
    });
  });

  it('refuses a type the provider cannot read, naming the part, the file, the type and what it reads', () => {
    const docx = refusal(file({ filename: 'report.docx', file_data: 'UEsDBBQ=' }));
    expect(docx).toMatchObject({
      param: 'input[0].content[0]',
      message:
        "input_file 'report.docx' of type application/vnd.openxmlformats-officedocument.wordprocessingml.document is not supported by provider 'vendor': it reads PDFs, PNG images and text files",
      code: undefined,
    });
    expect(refusal(file({ file_data: 'data:image/jpeg;base64,/9j/4A==' })).message).toBe(
      "input_file of type image/jpeg is not supported by provider 'vendor': it reads PDFs, PNG images and text files",
    );
    // A URL whose extension names such a type is refused without a fetch.
    expect(refusal(file({ file_url: 'https://example.com/archive.zip' })).message).toBe(
      "input_file at https://example.com/archive.zip of type application/zip is not supported by provider 'vendor': it reads PDFs, PNG images and text files",
    );
  });

  it.each([
    ['no source', file({}), 'input[0].content[0]', 'missing_required_parameter', 'input_file needs one of file_data, file_url or file_id'],
    [
      'data that is not base64',
      file({ filename: 'a.pdf', file_data: 'not base64!' }),
      'input[0].content[0].file_data',
      'invalid_value',
      'must be a base64 data URL',
    ],
    ['data of no known type', file({ file_data: 'AAAA' }), 'input[0].content[0].file_data', 'invalid_value', 'has no media type'],
    [
      'text that is not UTF-8',
      file({ filename: 'a.txt', file_data: '/w==' }),
      'input[0].content[0].file_data',
      'invalid_value',
      "input_file 'a.txt' of type text/plain is not UTF-8 text",
    ],
    ['a URL that is not http(s)', file({ file_url: 's3://bucket/a.pdf' }), 'input[0].content[0].file_url', 'invalid_value', 'must be an http or https URL'],
  ])('refuses %s', (_name, part, param, code, message) => {
    expect(refusal(part)).toMatchObject({ param, code, message: expect.stringContaining(message) });
  });

  it('names the URL, not the data, when a file the server fetched is refused', () => {
    const fetched = file({ file_url: 'http://example.com/a.txt', file_data: 'data:text/plain;base64,/w==' });
    expect(refusal(fetched)).toMatchObject({
      param: 'input[0].content[0].file_url',
      message: 'input_file at http://example.com/a.txt of type text/plain is not UTF-8 text',
    });
  });

  it('names `input` for a file of the history, which has no place in this request', () => {
    expect(refusal(file({ file_id: 'file-1' }), null).param).toBe('input');
    expect(refusal(file({ file_data: 'AAAA' }), null).param).toBe('input');
  });
});

describe(formatTextFile.name, () => {
  it('heads the text with the file name (escaped) and type', () => {
    expect(formatTextFile({ kind: 'text', mediaType: 'text/csv', text: 'a,b', filename: 'q"1<2>.csv' })).toBe(
      '<file name="q&#34;1&#60;2&#62;.csv" media_type="text/csv">\na,b\n</file>',
    );
    expect(formatTextFile({ kind: 'text', mediaType: 'text/plain', text: 'x', filename: null })).toBe('<file media_type="text/plain">\nx\n</file>');
  });
});

describe(inputFilePaths.name, () => {
  const message = (id: string, withFile: boolean): Item => ({
    type: 'message',
    id,
    role: 'user',
    status: 'completed',
    content: withFile ? [{ type: 'input_file', file_id: 'f' }] : [{ type: 'input_text', text: 'x' }],
  });

  it("maps this turn's items with files to their place in the client's input, past a compaction_trigger", () => {
    const input = [
      { type: 'message' as const, role: 'user' as const, content: 'x' },
      { type: 'compaction_trigger' as const },
      { type: 'message' as const, role: 'user' as const, content: [] },
    ];
    expect(inputFilePaths(input as never, [message('msg_a', false), message('msg_b', true)])).toEqual({ msg_b: 'input[2]' });
    expect(inputFilePaths('hello', [message('msg_a', false)])).toEqual({});
  });

  it('gives the location of a part of a message or of a tool output', () => {
    const settings = { pdf: true, paths: { msg_b: 'input[2]', fco_1: 'input[4]' } };
    expect(inputFileLocation(settings, message('msg_b', true), 1)).toBe('input[2].content[1]');
    const output: Item = { type: 'function_call_output', id: 'fco_1', call_id: 'c', output: [], status: 'completed' };
    expect(inputFileLocation(settings, output, 0)).toBe('input[4].output[0]');
    expect(inputFileLocation(settings, message('msg_old', true), 0)).toBeNull();
    expect(inputFileLocation(undefined, message('msg_b', true), 0)).toBeNull();
  });
});

describe('media types', () => {
  it.each([
    ['text/plain', true],
    ['text/x-python', true],
    ['application/json', true],
    ['application/vnd.api+json', true],
    ['image/svg+xml', true],
    ['application/yaml', true],
    ['application/pdf', false],
    ['application/zip', false],
    ['application/octet-stream', false],
  ])('%s is text: %s', (mediaType, text) => {
    expect(isTextMediaType(mediaType)).toBe(text);
  });

  it('knows PDF, PNG, JPEG and GIF by their first bytes', () => {
    expect(sniffMediaType(Buffer.from('%PDF-1.7'))).toBe('application/pdf');
    expect(sniffMediaType('iVBORw0KGgoAAAANSUhEUg==')).toBe('image/png');
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffMediaType(Buffer.from('GIF89a'))).toBe('image/gif');
    expect(sniffMediaType(Buffer.from('hello'))).toBeNull();
  });

  it('reads the type of file_data without decoding it', () => {
    expect(fileDataMediaType(file({ file_data: 'data:text/csv;base64,YSxi' }))).toBe('text/csv');
    expect(fileDataMediaType(file({ filename: 'a.md', file_data: 'IyBh' }))).toBe('text/markdown');
    expect(fileDataMediaType(file({ file_data: 'JVBERi0x' }))).toBe('application/pdf');
    expect(fileDataMediaType(file({ file_url: 'https://example.com/a.txt' }))).toBeNull();
  });
});

describe('the token estimate of files', () => {
  it('counts a text file by its text and any other file flat', () => {
    const text = 'x'.repeat(3000);
    const item = (part: InputFilePart): Item => ({ type: 'message', id: 'm', role: 'user', status: 'completed', content: [part] });
    expect(estimateItemTokens(item(file({ file_data: `data:text/plain;base64,${base64(text)}` })), 4)).toBe(Math.ceil((3000 + 16) / 4));
    expect(estimateItemTokens(item(file({ file_data: `data:text/plain,${text}` })), 4)).toBe(Math.ceil((3000 + 16) / 4));
    expect(estimateItemTokens(item(file({ file_data: 'data:application/pdf;base64,JVBERi0x' })), 4)).toBe(4 + 1600);
  });
});
