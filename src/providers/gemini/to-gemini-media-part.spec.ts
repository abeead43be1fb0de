import { UnsupportedFeatureError } from '../../common/unsupported-feature-error.js';
import { convertToGeminiFilePart, convertToGeminiImagePart } from './to-gemini-media-part.js';

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
  it('takes the type of a data URL and skips its parameters', () => {
    expect(convertToGeminiFilePart({ type: 'input_file', file_data: 'data:application/pdf;name=a.pdf;base64,JVBERg==' }, 'google')).toEqual({
      inlineData: { mimeType: 'application/pdf', data: 'JVBERg==' },
    });
  });

  it('re-encodes a percent-encoded data URL as base64', () => {
    expect(convertToGeminiFilePart({ type: 'input_file', file_data: 'data:text/plain,h%C3%A9' }, 'google')).toEqual({
      inlineData: { mimeType: 'text/plain', data: Buffer.from('hé').toString('base64') },
    });
  });

  it('types bare base64 by the file name', () => {
    expect(convertToGeminiFilePart({ type: 'input_file', filename: 'chart.png', file_data: 'iVBORw==' }, 'google')).toEqual({
      inlineData: { mimeType: 'image/png', data: 'iVBORw==' },
    });
  });

  it('sends a URL as fileData, typed by the file name before the URL', () => {
    expect(convertToGeminiFilePart({ type: 'input_file', filename: 'notes.txt', file_url: 'https://example.com/download/7' }, 'google')).toEqual({
      fileData: { mimeType: 'text/plain', fileUri: 'https://example.com/download/7' },
    });
  });

  it.each([
    [{ type: 'input_file' as const, file_id: 'file-1' }, 'input_file.file_id'],
    [{ type: 'input_file' as const }, 'input_file without file_data or file_url'],
    [{ type: 'input_file' as const, file_url: 's3://bucket/a.pdf' }, 'input_file.file_url other than an http(s) URL'],
  ])('rejects %j', (part, feature) => {
    expect(() => convertToGeminiFilePart(part, 'google')).toThrow(
      new UnsupportedFeatureError({ param: 'input', message: `${feature} is not supported by provider 'google'` }),
    );
  });
});
