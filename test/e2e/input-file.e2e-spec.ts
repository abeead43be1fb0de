import type OpenAI from 'openai';
import { dataUrl, tinyPdf } from '../files.js';
import { type Harness, startHarness, writeModelsFile } from './harness.js';

// `input_file` parts, through the official SDK, on every wire: what reached the mock vendor (its
// real wire shape), the 400 for a type the provider cannot read, and file URLs the server fetches
// itself (src/planning/plan-input-file.ts, src/providers/resolve-input-files.ts,
// src/providers/fetch-input-file.ts). The mock upstream serves the files at 127.0.0.1, so private
// addresses are allowed here; the cap is small so a too-large file is cheap to make.

const MAX_BYTES = 4096;
let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({
    OPENAI_WIRE_API: 'responses',
    // What is asserted is the files; cache markers would move with the planner's choices.
    CACHE_POLICY: 'off',
    FILE_FETCH_ALLOW_PRIVATE: 'true',
    FILE_FETCH_MAX_BYTES: String(MAX_BYTES),
    // A chat server the catalog says reads PDFs (as OpenAI's own Chat Completions and some gateways do).
    MODELS_FILE: writeModelsFile([{ match: 'vllm/pdf-reader*', capabilities: { pdfInput: true } }]),
  });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

type Body = any;
const pdf = tinyPdf();
const pdfBase64 = pdf.toString('base64');
const NOTES = '# Notes\n\n- ship it ✓\n- «quote» & <tag>';
const notesText = `<file name="notes.md" media_type="text/markdown">\n${NOTES}\n</file>`;
const ASK = 'Summarize these files.';

const files: OpenAI.Responses.ResponseInputMessageContentList = [
  { type: 'input_text', text: ASK },
  { type: 'input_file', filename: 'report.pdf', file_data: dataUrl('application/pdf', pdf) },
  { type: 'input_file', filename: 'notes.md', file_data: dataUrl('text/markdown', NOTES) },
];

/** The model calls that reached the mock (file fetches are requests too). */
const modelCalls = () => harness.upstream.requests.filter((request) => request.method === 'POST');
const fetches = () => harness.upstream.requests.filter((request) => request.path.startsWith('/files/')).map((request) => request.path);

async function failure(request: Promise<unknown>): Promise<Body> {
  const error = await request.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (caught: unknown) => caught,
  );
  return error;
}

describe('a PDF and a text file on every wire', () => {
  it('OpenAI Responses: both go as the client sent them', async () => {
    const response = await client.responses.create({ model: 'openai/gpt-5', input: [{ role: 'user', content: files }] });
    expect(response.status).toBe('completed');
    expect(modelCalls()[0]!.body.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: ASK },
          { type: 'input_file', filename: 'report.pdf', file_data: dataUrl('application/pdf', pdf) },
          { type: 'input_file', filename: 'notes.md', file_data: dataUrl('text/markdown', NOTES) },
        ],
      },
    ]);
  });

  it('Anthropic: the PDF as a base64 document, the text file as a plain-text document, both titled by name; again on the next turn', async () => {
    const first = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: [{ role: 'user', content: files }] });
    const expected = [
      { type: 'text', text: ASK },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdfBase64 }, title: 'report.pdf' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: NOTES }, title: 'notes.md' },
    ];
    expect(modelCalls()[0]!.body.messages).toEqual([{ role: 'user', content: expected }]);

    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', previous_response_id: first.id, input: 'And the second page?' });
    expect(modelCalls()[1]!.body.messages[0]).toEqual({ role: 'user', content: expected });
  });

  it('Gemini: the PDF as inlineData, the text file as text headed by its name', async () => {
    await client.responses.create({ model: 'google/gemini-2.5-flash', input: [{ role: 'user', content: files }] });
    expect(modelCalls()[0]!.body.contents).toEqual([
      { role: 'user', parts: [{ text: ASK }, { inlineData: { mimeType: 'application/pdf', data: pdfBase64 } }, { text: notesText }] },
    ]);
  });

  it('a chat server: the text file as a text part; the PDF a 400 naming the part, since the catalog does not say the model reads PDFs', async () => {
    await client.responses.create({ model: 'vllm/qwen3-8b', input: [{ role: 'user', content: [files[0]!, files[2]!] }] });
    expect(modelCalls()[0]!.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: ASK },
          { type: 'text', text: notesText },
        ],
      },
    ]);

    harness.upstream.reset();
    const error = await failure(client.responses.create({ model: 'vllm/qwen3-8b', input: [{ role: 'user', content: files }] }));
    expect(error.status).toBe(400);
    expect(error.error).toEqual({
      type: 'invalid_request_error',
      param: 'input[0].content[1]',
      code: 'unsupported_parameter',
      message: "input_file 'report.pdf' of type application/pdf is not supported by provider 'vllm': it reads images and text files",
    });
    expect(modelCalls()).toHaveLength(0);
  });

  it('a chat server the catalog says reads PDFs: the PDF as a file part', async () => {
    await client.responses.create({ model: 'vllm/pdf-reader', input: [{ role: 'user', content: files }] });
    expect(modelCalls()[0]!.body.messages[0].content).toEqual([
      { type: 'text', text: ASK },
      { type: 'file', file: { filename: 'report.pdf', file_data: dataUrl('application/pdf', pdf) } },
      { type: 'text', text: notesText },
    ]);
  });
});

describe('a type the provider cannot read', () => {
  const docx = {
    type: 'input_file' as const,
    filename: 'contract.docx',
    file_data: 'data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,UEsDBBQAAAAIAA==',
  };

  it.each(['anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'vllm/qwen3-8b'])(
    '%s: a 400 in OpenAI’s shape naming the part and the type',
    async (model) => {
      const error = await failure(client.responses.create({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Read' }, docx] }] }));
      const provider = model.split('/')[0];
      expect(error).toMatchObject({ status: 400, param: 'input[0].content[1]', code: 'unsupported_parameter' });
      expect(error.error).toEqual({
        type: 'invalid_request_error',
        param: 'input[0].content[1]',
        code: 'unsupported_parameter',
        message: expect.stringMatching(
          new RegExp(
            `^input_file 'contract\\.docx' of type application/vnd\\.openxmlformats-officedocument\\.wordprocessingml\\.document is not supported by provider '${provider}': it reads .*text files$`,
          ),
        ),
      });
      expect(modelCalls()).toHaveLength(0);
    },
  );

  it('a file_id where this server has no Files API: a 400 naming file_id', async () => {
    const error = await failure(
      client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-abc' }] }] }),
    );
    expect(error).toMatchObject({ status: 400, param: 'input[0].content[0].file_id', code: 'unsupported_parameter' });
  });
});

describe('file_url', () => {
  it('is fetched by the server for providers that cannot fetch it (here: not https), and sent as the file itself', async () => {
    const pdfUrl = harness.upstream.serveFile('report.pdf', { body: pdf, contentType: 'application/pdf' });
    const notesUrl = harness.upstream.serveFile('notes.md', { body: NOTES, contentType: 'text/markdown; charset=utf-8' });
    const byUrl: OpenAI.Responses.ResponseInputMessageContentList = [
      { type: 'input_text', text: ASK },
      { type: 'input_file', file_url: pdfUrl },
      { type: 'input_file', file_url: notesUrl },
    ];

    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: [{ role: 'user', content: byUrl }] });
    expect(fetches().sort()).toEqual(['/files/notes.md', '/files/report.pdf']);
    expect(modelCalls()[0]!.body.messages[0].content).toEqual([
      { type: 'text', text: ASK },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdfBase64 }, title: 'report.pdf' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: NOTES }, title: 'notes.md' },
    ]);

    harness.upstream.reset();
    await client.responses.create({ model: 'google/gemini-2.5-flash', input: [{ role: 'user', content: byUrl }] });
    expect(modelCalls()[0]!.body.contents[0].parts).toEqual([
      { text: ASK },
      { inlineData: { mimeType: 'application/pdf', data: pdfBase64 } },
      { text: notesText },
    ]);

    harness.upstream.reset();
    await client.responses.create({ model: 'vllm/qwen3-8b', input: [{ role: 'user', content: [byUrl[0]!, byUrl[2]!] }] });
    expect(modelCalls()[0]!.body.messages[0].content).toEqual([
      { type: 'text', text: ASK },
      { type: 'text', text: notesText },
    ]);
  });

  it('goes to OpenAI as it is: OpenAI fetches it', async () => {
    const url = harness.upstream.serveFile('report.pdf', { body: pdf, contentType: 'application/pdf' });
    await client.responses.create({ model: 'openai/gpt-5', input: [{ role: 'user', content: [{ type: 'input_file', file_url: url }] }] });
    expect(fetches()).toEqual([]);
    expect(modelCalls()[0]!.body.input[0].content).toEqual([{ type: 'input_file', file_url: url }]);
  });

  it.each([
    ['declares its length', false],
    ['is sent chunked', true],
  ])('a file over FILE_FETCH_MAX_BYTES that %s is a 400 naming the file_url', async (_name, chunked) => {
    const url = harness.upstream.serveFile('big.txt', { body: 'x'.repeat(MAX_BYTES * 2), contentType: 'text/plain', chunked });
    const error = await failure(
      client.responses.create({
        model: 'anthropic/claude-sonnet-4-5',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Read' },
              { type: 'input_file', file_url: url },
            ],
          },
        ],
      }),
    );
    expect(error.error).toEqual({
      type: 'invalid_request_error',
      param: 'input[0].content[1].file_url',
      code: 'invalid_value',
      message: `input_file.file_url ${url} could not be fetched: the file is larger than the server's limit of ${MAX_BYTES} bytes`,
    });
    expect(error.status).toBe(400);
    expect(modelCalls()).toHaveLength(0);
  });

  it('a URL that answers 404, or with a type the provider cannot read, is a 400', async () => {
    const missing = `${harness.upstream.origin}/files/nothing-here`;
    const notFound = await failure(
      client.responses.create({ model: 'google/gemini-2.5-flash', input: [{ role: 'user', content: [{ type: 'input_file', file_url: missing }] }] }),
    );
    expect(notFound.status).toBe(400);
    expect(notFound.error).toEqual({
      type: 'invalid_request_error',
      param: 'input[0].content[0].file_url',
      code: 'invalid_value',
      message: `input_file.file_url ${missing} could not be fetched: the server answered 404`,
    });

    const zip = harness.upstream.serveFile('download', { body: 'PK\u0003\u0004', contentType: 'application/zip' });
    const refused = await failure(
      client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: [{ role: 'user', content: [{ type: 'input_file', file_url: zip }] }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.error).toEqual({
      type: 'invalid_request_error',
      param: 'input[0].content[0]',
      code: 'unsupported_parameter',
      message: `input_file at ${zip} of type application/zip is not supported by provider 'anthropic': it reads PDFs, images (JPEG, PNG, GIF, WebP) and text files`,
    });
    expect(modelCalls()).toHaveLength(0);
  });
});
