import OpenAI from 'openai';
import { type Harness, rawRequest, PROJECT_A_KEY, startHarness } from './harness.js';

// Reasoning settings as each upstream receives them: effort mapped per provider and model, and
// the guards thinking needs, reported to the client in `x-warnings`.

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const lastBody = () => harness.upstream.requests.at(-1)!.body;

describe('reasoning.effort per provider', () => {
  it('gives a manual Anthropic model a thinking budget under max_tokens', async () => {
    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'think', reasoning: { effort: 'high' }, max_output_tokens: 2000 });
    expect(lastBody()).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 16_384 }, max_tokens: 18_384 });
  });

  it('gives an adaptive Anthropic model adaptive thinking with the effort', async () => {
    await client.responses.create({ model: 'anthropic/claude-opus-4-7', input: 'think', reasoning: { effort: 'medium' } });
    expect(lastBody()).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'medium' } });
  });

  it('gives Gemini 2.5 a budget and Gemini 3 a level, never both, with thought summaries when asked', async () => {
    await client.responses.create({ model: 'google/gemini-2.5-flash', input: 'think', reasoning: { effort: 'low' } });
    expect(lastBody().generationConfig.thinkingConfig).toEqual({ thinkingBudget: 2048 });
    await client.responses.create({ model: 'google/gemini-3-pro-preview', input: 'think', reasoning: { effort: 'high', summary: 'auto' } });
    expect(lastBody().generationConfig.thinkingConfig).toEqual({ thinkingLevel: 'HIGH', includeThoughts: true });
  });

  it('passes the effort to OpenAI, and turns DeepSeek’s default thinking off for none', async () => {
    await client.responses.create({ model: 'openai/gpt-5', input: 'think', reasoning: { effort: 'minimal' } });
    expect(lastBody().reasoning).toEqual({ effort: 'minimal' });
    await client.responses.create({ model: 'deepseek/deepseek-v4-pro', input: 'quick', reasoning: { effort: 'none' } });
    expect(lastBody()).toMatchObject({ thinking: { type: 'disabled' } });
    expect(lastBody()).not.toHaveProperty('reasoning_effort');
    await client.responses.create({ model: 'deepseek/deepseek-v4-pro', input: 'hard', reasoning: { effort: 'xhigh' } });
    expect(lastBody()).toMatchObject({ reasoning_effort: 'max' });
  });

  it('sends no reasoning setting where the client asked for none', async () => {
    await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'plain' });
    expect(lastBody()).not.toHaveProperty('thinking');
    await client.responses.create({ model: 'vllm/qwen3-8b', input: 'plain', reasoning: { effort: 'high' } });
    expect(lastBody()).not.toHaveProperty('reasoning_effort');
  });
});

describe('guards while thinking', () => {
  it('drops temperature and unforces tools for manual Anthropic thinking, and says so in x-warnings', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: { authorization: `Bearer ${PROJECT_A_KEY}` },
      body: JSON.stringify({
        model: 'anthropic/claude-sonnet-4-5',
        input: 'weather?',
        reasoning: { effort: 'low' },
        temperature: 0.3,
        tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }],
        tool_choice: 'required',
      }),
    });
    expect(response.status).toBe(200);
    expect(lastBody()).not.toHaveProperty('temperature');
    expect(lastBody().tool_choice).toEqual({ type: 'auto' });
    const warnings = response.headers.get('x-warnings') ?? '';
    expect(warnings).toContain('temperature 0.3 was not sent');
    expect(warnings).toContain('tool_choice');
    // The Response still echoes what the client asked for.
    expect(response.json).toMatchObject({ temperature: 0.3, tool_choice: 'required' });
  });

  it('sends no x-warnings header when nothing changed', async () => {
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: { authorization: `Bearer ${PROJECT_A_KEY}` },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-5', input: 'hi', reasoning: { effort: 'low' } }),
    });
    expect(response.headers.get('x-warnings')).toBeNull();
  });
});
