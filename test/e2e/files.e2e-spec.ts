import OpenAI, { toFile } from 'openai';
import { type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

// The Files API (/v1/files) through the official SDK, as a batch client uses it.

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ MAX_FILE_BYTES: '4096' });
});
afterAll(() => harness?.close());

const jsonl = (lines: unknown[]) => Buffer.from(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);

describe('files', () => {
  it('uploads a JSONL file for a batch, lists, retrieves, reads and deletes it', async () => {
    const bytes = jsonl([{ custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'openai/gpt-test', input: 'hi' } }]);
    const file = await harness.client.files.create({ file: await toFile(bytes, 'requests.jsonl'), purpose: 'batch' });
    expect(file).toEqual({
      id: expect.stringMatching(/^file_/),
      object: 'file',
      bytes: bytes.length,
      created_at: expect.any(Number),
      filename: 'requests.jsonl',
      purpose: 'batch',
      status: 'processed',
    });
    expect(await harness.client.files.retrieve(file.id)).toEqual(file);
    expect(Buffer.from(await (await harness.client.files.content(file.id)).arrayBuffer())).toEqual(bytes);

    const other = await harness.client.files.create({
      file: await toFile(Buffer.from('notes'), 'notes.txt'),
      purpose: 'user_data',
      expires_after: { anchor: 'created_at', seconds: 3_600 },
    });
    expect(other.expires_at).toBe(other.created_at + 3_600);
    const all = await harness.client.files.list();
    expect(all.data.map((entry) => entry.id)).toEqual([other.id, file.id]);
    expect((await harness.client.files.list({ purpose: 'batch' })).data.map((entry) => entry.id)).toEqual([file.id]);
    const page = await harness.client.files.list({ limit: 1, order: 'asc' });
    expect(page.data.map((entry) => entry.id)).toEqual([file.id]);
    expect(page.has_more).toBe(true);

    // Another project sees none of it.
    await expect(harness.clientB.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(await harness.client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    await expect(harness.client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(harness.client.files.content(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await harness.client.files.delete(other.id);
  });

  it('refuses what OpenAI refuses, with the parameter named', async () => {
    const refusal = async (make: () => Promise<unknown>) => {
      try {
        await make();
      } catch (error) {
        if (error instanceof OpenAI.APIError) return { status: error.status, param: error.param, message: error.message };
        throw error;
      }
      throw new Error('not refused');
    };
    expect(await refusal(async () => harness.client.files.create({ file: await toFile(Buffer.from('{}'), 'requests.json'), purpose: 'batch' }))).toMatchObject({
      status: 400,
      param: 'file',
      message: expect.stringContaining('Must be .jsonl'),
    });
    expect(
      await refusal(async () => harness.client.files.create({ file: await toFile(Buffer.from('{}'), 'a.jsonl'), purpose: 'fine-tuning' as 'batch' })),
    ).toMatchObject({ status: 400, param: 'purpose' });
    // Past MAX_FILE_BYTES (4 KiB here): 413, and nothing is stored.
    expect(
      await refusal(async () => harness.client.files.create({ file: await toFile(Buffer.alloc(5_000, 'x'), 'big.jsonl'), purpose: 'batch' })),
    ).toMatchObject({
      status: 413,
      param: 'file',
    });
    const withoutFile = await rawRequest(harness.origin, '/v1/files', {
      headers: { authorization: `Bearer ${PROJECT_A_KEY}`, 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n--x--\r\n',
    });
    expect(withoutFile.status).toBe(400);
    expect((withoutFile.json as { error: { param: string } }).error.param).toBe('file');
    const json = await rawRequest(harness.origin, '/v1/files', { headers: { authorization: `Bearer ${PROJECT_A_KEY}` }, body: '{"purpose":"batch"}' });
    expect(json.status).toBe(400);
    expect((await harness.client.files.list()).data).toEqual([]);
  });
});
