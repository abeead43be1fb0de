import { createOpenAI } from '@ai-sdk/openai';
import { generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { type Harness, PROJECT_A_KEY, startHarness } from './harness.js';

// The Vercel AI SDK (`ai` + `@ai-sdk/openai`, pinned), through OpenAI's Responses provider, against
// the server in front of each vendor: a whole answer, a streamed one, an automatic tool loop, and a
// turn that continues a stored response by `previousResponseId`, and structured output.

let harness: Harness;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses' });
  openai = createOpenAI({ apiKey: PROJECT_A_KEY, baseURL: `${harness.origin}/v1` });
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const sent = (index: number) => JSON.stringify(harness.upstream.requests.filter((request) => request.method === 'POST')[index]!.body);

describe.each(['openai/gpt-5', 'anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'vllm/qwen3-8b'])('the Vercel AI SDK on %s', (model) => {
  it('generateText gets the answer and its usage', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Hello there.' });
    const result = await generateText({ model: openai.responses(model), prompt: 'Say hello.' });
    expect(result.text).toBe('Hello there.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
  });

  it('streamText streams the answer in pieces', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'One, two, three, four.', chunkSize: 4 });
    const result = streamText({ model: openai.responses(model), prompt: 'Count.' });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('One, two, three, four.');
    expect(await result.finishReason).toBe('stop');
  });

  it('runs a tool loop: the SDK executes the call and sends the result back', async () => {
    harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'weather', arguments: '{"city":"Paris"}' }] });
    harness.upstream.enqueue({ kind: 'text', text: 'It is sunny in Paris.' });
    const weather = tool({
      description: 'The weather in a city.',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => `Sunny in ${city}`,
    });
    const result = await generateText({ model: openai.responses(model), prompt: 'Weather in Paris?', tools: { weather }, stopWhen: stepCountIs(3) });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.steps[0]!.toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', input: { city: 'Paris' } })]);
    expect(sent(1)).toContain('Sunny in Paris');
  });

  it("Output.object gets the object, the schema sent as the provider's own structured output", async () => {
    harness.upstream.enqueue({ kind: 'text', text: '{"name":"Ada","age":36}' });
    const schema = z.object({ name: z.string(), age: z.number() });
    const result = await generateText({ model: openai.responses(model), prompt: 'Ada is 36.', output: Output.object({ schema }) });
    expect(result.output).toEqual({ name: 'Ada', age: 36 });
    const body = harness.upstream.requests.at(-1)!.body;
    const native = body.text?.format ?? body.output_config?.format ?? body.generationConfig?.responseJsonSchema ?? body.response_format;
    expect(JSON.stringify(native)).toContain('"age"');
  });

  it('continues a stored response with previousResponseId, the server sending the history', async () => {
    harness.upstream.enqueue({ kind: 'text', text: 'Noted: blue.' });
    const first = await generateText({ model: openai.responses(model), prompt: 'My favourite colour is blue.' });
    harness.upstream.enqueue({ kind: 'text', text: 'Blue.' });
    const second = await generateText({
      model: openai.responses(model),
      prompt: 'What is my favourite colour?',
      providerOptions: { openai: { previousResponseId: first.response.id } },
    });
    expect(second.text).toBe('Blue.');
    // The client sent only the new question; the upstream got the whole conversation.
    expect(sent(1)).toContain('My favourite colour is blue.');
    expect(sent(1)).toContain('Noted: blue.');
  });
});
