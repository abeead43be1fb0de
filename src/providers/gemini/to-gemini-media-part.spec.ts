import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import type { InputFilePart } from '../../items/item.schemas.js';
import { convertToGeminiFilePart, convertToGeminiImagePart, geminiFileReader } from './to-gemini-media-part.js';

const image = (imageUrl: string) => ({ type: 'input_image' as const, image_url: imageUrl, detail: 'auto' as const });

describe(convertToGeminiImagePart.name, () => {
  it.each([
    ['data:image/webp;base64,UklGRg==', { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } }],
    ['https://example.com/a/photo.PNG#top', { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a/photo.PNG#top' } }],
    ['http://example.com/photo.heic', { fileData: { mimeType: 'image/heic', fileUri: 'http://example.com/photo.heic' } }],
    ['https://example.com/image?id=7', { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/image?id=7' } }],
  ])('maps %s', (url, expected) => {
    expect(convertToGeminiImagePart(image(url), 'google')).toEqual(expected);
  });

  it('rejects other schemes', () => {
    expect(() => convertToGeminiImagePart(image('ftp://example.com/a.png'), 'google')).toThrow(UnsupportedFeatureError);
  });
});

describe(convertToGeminiFilePart.name, () => {
  const reader = geminiFileReader('google', true);
  const convert = (part: InputFilePart, location: string | null = null) => convertToGeminiFilePart(part, reader, location);

  it('takes the type of a data URL and skips its parameters', () => {
    expect(convert({ type: 'input_file', file_data: 'data:application/pdf;name=a.pdf;base64,JVBERg==' })).toEqual({
      inlineData: { mimeType: 'application/pdf', data: 'JVBERg==' },
    });
  });

  it('sends a text file as text headed by its name, percent-encoded or base64', () => {
    expect(convert({ type: 'input_file', filename: 'notes.txt', file_data: 'data:text/plain,h%C3%A9' })).toEqual({
      text: '<file name="notes.txt" media_type="text/plain">\nhé\n</file>',
    });
    expect(convert({ type: 'input_file', file_data: `data:text/csv;base64,${Buffer.from('a,b\n1,2').toString('base64')}` })).toEqual({
      text: '<file media_type="text/csv">\na,b\n1,2\n</file>',
    });
  });

  it('types bare base64 by the file name, else by its first bytes', () => {
    expect(convert({ type: 'input_file', filename: 'chart.png', file_data: 'iVBORw==' })).toEqual({ inlineData: { mimeType: 'image/png', data: 'iVBORw==' } });
    expect(convert({ type: 'input_file', file_data: 'JVBERi0xLjc=' })).toEqual({ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0xLjc=' } });
  });

  it('sends an https URL of a type Gemini reads as fileData, typed by the file name before the URL', () => {
    expect(convert({ type: 'input_file', filename: 'scan.pdf', file_url: 'https://example.com/download/7' })).toEqual({
      fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/download/7' },
    });
  });

  it('leaves a URL the server must fetch to resolveInputFiles', () => {
    expect(() => convert({ type: 'input_file', file_url: 'https://example.com/notes.txt' })).toThrow(/planned as 'fetch'/);
  });

  it('refuses what Gemini cannot read, naming the part', () => {
    const docx = { type: 'input_file' as const, filename: 'a.docx', file_data: 'UEsDBA==' };
    let error: unknown;
    try {
      convert(docx, 'input[0].content[1]');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({
      param: 'input[0].content[1]',
      message:
        "input_file 'a.docx' of type application/vnd.openxmlformats-officedocument.wordprocessingml.document is not supported by provider 'google': it reads PDFs, images, audio, video and text files",
    });
    expect(() => convert({ type: 'input_file', file_id: 'file-1' })).toThrow(/input_file.file_id is not supported by provider 'google'/);
    expect(() => convertToGeminiFilePart({ type: 'input_file', file_data: 'JVBERi0xLjc=' }, geminiFileReader('google', false), null)).toThrow(
      /of type application\/pdf is not supported by provider 'google': it reads images, audio, video and text files/,
    );
  });
});
