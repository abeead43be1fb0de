import OpenAI from 'openai';
import { listedModels } from '../mock-upstream/model-lists.js';
import { type Harness, startHarness } from './harness.js';

// GET /v1/models through the official SDK: what each configured provider lists (its own model
// list endpoint, in its own shape, from the mock), as `provider/model`, with the catalog's aliases.

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness();
  client = harness.client;
});
afterAll(() => harness?.close());

const listCalls = () => harness.upstream.requests.filter((request) => request.method === 'GET' && /\/models$/.test(request.path));

describe('GET /v1/models', () => {
  it('lists every provider’s models as provider/model, with the aliases, and leaves out models that do not generate text', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    const ids = models.map((model) => model.id);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
    expect(ids).toEqual(
      expect.arrayContaining([
        ...listedModels.openai.map((id) => `openai/${id}`),
        ...listedModels.openai.map((id) => `vllm/${id}`),
        ...listedModels.anthropic.map((id) => `anthropic/${id}`),
        ...listedModels.gemini.map((id) => `google/${id}`),
        'claude-sonnet',
        'gemini-flash',
      ]),
    );
    expect(ids).not.toContain(`google/${listedModels.geminiEmbedding}`);
    expect(ids).toHaveLength(listedModels.openai.length * 3 + listedModels.anthropic.length + listedModels.gemini.length + 4);

    expect(models.find((model) => model.id === 'anthropic/claude-opus-4-7')).toEqual({
      id: 'anthropic/claude-opus-4-7',
      object: 'model',
      created: Math.floor(Date.UTC(2025, 9, 1) / 1000),
      owned_by: 'anthropic',
      catalog: {
        provider: 'anthropic',
        alias_of: null,
        // Opus 4.7: 1M context, 128K output (its Google Cloud model page; #19, checked 2026-12-07).
        context_window: 1_000_000,
        max_output_tokens: 128_000,
        capabilities: { tools: true, images: true, json_schema: true, reasoning: true },
        pricing: { input: 5, cached_input: 0.5, cache_write: 6.25, cache_write_1h: 10, output: 25 },
      },
    });
    expect(models.find((model) => model.id === 'claude-sonnet')).toMatchObject({
      owned_by: 'anthropic',
      catalog: { provider: 'anthropic', alias_of: 'anthropic/claude-sonnet-4-5', context_window: 200_000 },
    });
    // Each vendor was asked in its own way.
    const anthropic = listCalls().find((request) => request.headers['anthropic-version'] !== undefined);
    expect(anthropic).toMatchObject({ url: '/v1/models?limit=1000', headers: { 'x-api-key': 'sk-ant-upstream-test' } });
    expect(listCalls().find((request) => request.path === '/v1beta/models')).toMatchObject({ headers: { 'x-goog-api-key': 'gemini-upstream-test' } });
  });

  it('keeps each provider’s list for a while instead of asking on every call', async () => {
    await client.models.list();
    const before = listCalls().length;
    await client.models.list();
    expect(listCalls().length).toBe(before);
  });

  it('retrieves one model by its id, slash and all, and answers 404 for a model nobody lists', async () => {
    expect(await client.models.retrieve('google/gemini-2.5-pro')).toMatchObject({ id: 'google/gemini-2.5-pro', object: 'model', owned_by: 'google' });
    expect(await client.models.retrieve('gemini-pro')).toMatchObject({ id: 'gemini-pro', catalog: { alias_of: 'google/gemini-2.5-pro' } });
    const error = await client.models.retrieve('anthropic/claude-nope').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });

  it('takes the id with its slash encoded or not, and answers a malformed escape with an OpenAI-shaped 400', async () => {
    const headers = { authorization: `Bearer ${(client as unknown as { apiKey: string }).apiKey}` };
    for (const path of ['google%2Fgemini-2.5-pro', 'google/gemini-2.5-pro']) {
      const response = await fetch(`${harness.origin}/v1/models/${path}`, { headers });
      expect(await response.json()).toMatchObject({ id: 'google/gemini-2.5-pro' });
    }
    const broken = await fetch(`${harness.origin}/v1/models/google%E0%A4%A`, { headers });
    // Fastify refuses it before routing; the body is OpenAI's error all the same.
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      error: { message: "'/v1/models/google%E0%A4%A' is not a valid url component", type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('needs an API key', async () => {
    const response = await fetch(`${harness.origin}/v1/models`);
    expect(response.status).toBe(401);
  });
});
