import { dataUrl, tinyPdf } from '../files.js';
import { useMockUpstream } from './use-mock-upstream.js';

type Json = Record<string, any>;

const upstream = useMockUpstream();
const pdf = tinyPdf().toString('base64');

async function post(path: string, body: Json, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${upstream.origin}${path}`, {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers },
    method: 'POST',
  });
  return { status: response.status, json: (await response.json()) as Json };
}

describe('files in Anthropic messages', () => {
  const send = (block: Json) =>
    post(
      '/v1/messages',
      { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'read' }, block] }] },
      { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' },
    );

  it.each([
    ['a base64 PDF with a title', { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, title: 'a.pdf' }],
    ['a PDF by URL', { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }],
    ['a plain-text document', { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, title: 'notes.txt' }],
    ['a PNG image', { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }],
  ])('takes %s', async (_name, block) => {
    expect((await send(block)).status).toBe(200);
  });

  it.each([
    [
      'a document of another type',
      { type: 'document', source: { type: 'base64', media_type: 'application/zip', data: 'UEsDBA==' } },
      "media_type: Input should be 'application/pdf'",
    ],
    [
      'bytes that are not a PDF',
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'aGVsbG8=' } },
      'The PDF specified was not valid.',
    ],
    ['a text document with another type', { type: 'document', source: { type: 'text', media_type: 'text/csv', data: 'a,b' } }, "Input should be 'text/plain'"],
    ['an unknown source', { type: 'document', source: { type: 'path', path: '/tmp/a.pdf' } }, "Input tag 'path' found using 'type'"],
    ['an image of another type', { type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'Qk0=' } }, "Input should be 'image/jpeg'"],
  ])('refuses %s', async (_name, block, message) => {
    const { status, json } = await send(block);
    expect(status).toBe(400);
    expect(json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining(message) } });
    expect(json['error']['message']).toMatch(/^messages\.0\.content\.1/);
  });
});

describe('files in Gemini contents', () => {
  const send = (part: Json) =>
    post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'read' }, part] }] }, { 'x-goog-api-key': 'k' });

  it.each([
    ['an inline PDF', { inlineData: { mimeType: 'application/pdf', data: pdf } }],
    ['a PDF by URL', { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/a.pdf' } }],
  ])('takes %s', async (_name, part) => {
    expect((await send(part)).status).toBe(200);
  });

  it.each([
    ['a type Gemini does not read', { inlineData: { mimeType: 'application/zip', data: 'UEsDBA==' } }, 'Unsupported MIME type: application/zip'],
    ['data that is not base64', { inlineData: { mimeType: 'application/pdf', data: 'not base64!' } }, 'Base64 decoding failed'],
    ['a file without a URI', { fileData: { mimeType: 'application/pdf' } }, 'file_uri must be a valid URI'],
  ])('refuses %s', async (_name, part, message) => {
    const { status, json } = await send(part);
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining(message) } });
  });
});

describe('files in Chat Completions', () => {
  const send = (part: Json) => post('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 'read' }, part] }] });

  it('takes a file part with a data URL, or a file id', async () => {
    expect((await send({ type: 'file', file: { filename: 'a.pdf', file_data: dataUrl('application/pdf', tinyPdf()) } })).status).toBe(200);
    expect((await send({ type: 'file', file: { file_id: 'file-abc' } })).status).toBe(200);
  });

  it.each([
    ['bare base64', { type: 'file', file: { filename: 'a.pdf', file_data: pdf } }, 'messages[0].content[1].file.file_data'],
    ['a file part naming no file', { type: 'file', file: { filename: 'a.pdf' } }, 'messages[0].content[1].file'],
    ['an unknown part type', { type: 'document', text: 'x' }, 'messages[0].content[1].type'],
  ])('refuses %s', async (_name, part, param) => {
    const { status, json } = await send(part);
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { type: 'invalid_request_error', param } });
  });
});

describe('files in Responses input', () => {
  const send = (part: Json) =>
    post('/v1/responses', { model: 'gpt-5', store: false, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'read' }, part] }] });

  it('takes an input_file that names its file, and refuses one that does not', async () => {
    expect((await send({ type: 'input_file', filename: 'a.pdf', file_data: dataUrl('application/pdf', tinyPdf()) })).status).toBe(200);
    const { status, json } = await send({ type: 'input_file', filename: 'a.pdf' });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { param: 'input[0].content[1]' } });
  });
});

describe('GET /files/{name}', () => {
  it('serves a registered file with its type and length, or chunked, and 404 for any other', async () => {
    const url = upstream.serveFile('notes v1.txt', { body: 'hello', contentType: 'text/plain; charset=utf-8' });
    expect(url).toBe(`${upstream.origin}/files/notes%20v1.txt`);
    const served = await fetch(url);
    expect([served.status, served.headers.get('content-type'), served.headers.get('content-length'), await served.text()]).toEqual([
      200,
      'text/plain; charset=utf-8',
      '5',
      'hello',
    ]);
    const chunked = await fetch(upstream.serveFile('big.bin', { body: Buffer.alloc(10), chunked: true }));
    expect([chunked.headers.get('content-length'), chunked.headers.get('transfer-encoding'), (await chunked.arrayBuffer()).byteLength]).toEqual([
      null,
      'chunked',
      10,
    ]);
    expect((await fetch(`${upstream.origin}/files/missing`)).status).toBe(404);
    expect(upstream.requests.map((request) => request.path)).toEqual(['/files/notes%20v1.txt', '/files/big.bin', '/files/missing']);
  });
});
