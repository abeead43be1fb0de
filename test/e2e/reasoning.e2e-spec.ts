import OpenAI from 'openai';
import { type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

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

const tools: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather by city',
    strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

/** The tool calls of a response as function_call_output items answering them. */
const answers = (response: OpenAI.Responses.Response, output = 'sunny') =>
  response.output.filter((item) => item.type === 'function_call').map((item) => ({ type: 'function_call_output' as const, call_id: item.call_id, output }));

/**
 * Reasoning artifacts a recorded upstream request carried, per wire: Anthropic thinking blocks,
 * DeepSeek reasoning_content, OpenAI reasoning items, Gemini thought signatures (on thoughts or on
 * the calls they belong to).
 */
function replayedReasoning(body: any): number {
  if (Array.isArray(body.messages)) {
    return (
      body.messages
        .flatMap((message: any) => (Array.isArray(message.content) ? message.content : []))
        .filter((block: any) => block.type === 'thinking' || block.type === 'redacted_thinking').length +
      body.messages.filter((message: any) => typeof message.reasoning_content === 'string' && message.reasoning_content !== '').length
    );
  }
  if (Array.isArray(body.input)) return body.input.filter((item: any) => item.type === 'reasoning').length;
  return body.contents.flatMap((content: any) => content.parts).filter((part: any) => typeof part.thoughtSignature === 'string').length;
}

describe('a 3-step tool loop with thinking, under auto', () => {
  const loops = [
    { name: 'Anthropic (manual thinking)', model: 'anthropic/claude-sonnet-4-5', reasoning: { effort: 'low' as const } },
    { name: 'Anthropic (adaptive thinking)', model: 'anthropic/claude-opus-4-7', reasoning: { effort: 'medium' as const, summary: 'auto' as const } },
    { name: 'Gemini 3', model: 'google/gemini-3-pro-preview', reasoning: { effort: 'high' as const, summary: 'auto' as const } },
    { name: 'OpenAI', model: 'openai/gpt-5', reasoning: { effort: 'low' as const, summary: 'auto' as const } },
    { name: 'DeepSeek V4', model: 'deepseek/deepseek-v4-pro', reasoning: { effort: 'high' as const } },
  ];

  it.each(loops)('$name: every step is accepted and carries the loop’s reasoning back', async ({ model, reasoning }) => {
    harness.upstream.enqueue(
      { kind: 'tool_calls', reasoning: 'I need Paris first.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { kind: 'tool_calls', reasoning: 'Now Rome.', calls: [{ name: 'get_weather', arguments: '{"city":"Rome"}' }] },
      { kind: 'reasoning', reasoning: 'Both are sunny.', text: 'Sunny in Paris and Rome.' },
    );
    const step1 = await client.responses.create({ model, input: 'Weather in Paris and Rome?', tools, reasoning });
    expect(step1.output.map((item) => item.type)).toContain('reasoning');
    expect(step1.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    const step2 = await client.responses.create({ model, previous_response_id: step1.id, input: answers(step1), tools, reasoning });
    expect(step2.status).toBe('completed');
    const step3 = await client.responses.create({ model, previous_response_id: step2.id, input: answers(step2), tools, reasoning });
    expect(step3).toMatchObject({ status: 'completed', output_text: 'Sunny in Paris and Rome.' });
    // Steps 2 and 3 gave the loop's reasoning back: one per earlier step.
    const [, second, third] = harness.upstream.requests.map((request) => request.body);
    expect(replayedReasoning(second)).toBeGreaterThanOrEqual(1);
    expect(replayedReasoning(third)).toBeGreaterThanOrEqual(2);
  });
});

describe('reasoning_policy', () => {
  async function anthropicLoopThenQuestion(policy: string) {
    const extra = { reasoning_policy: policy } as object;
    harness.upstream.enqueue(
      { kind: 'tool_calls', reasoning: 'Check Paris.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { kind: 'reasoning', reasoning: 'It is sunny.', text: 'Sunny.' },
      { kind: 'reasoning', reasoning: 'Rome next.', text: 'Also sunny.' },
    );
    const base = { model: 'anthropic/claude-sonnet-4-5', tools, reasoning: { effort: 'low' as const }, ...extra };
    const first = await client.responses.create({ ...base, input: 'Paris?' });
    const loopStep = await rawRequest(harness.origin, '/v1/responses', {
      headers: { authorization: `Bearer ${PROJECT_A_KEY}` },
      body: JSON.stringify({ ...base, previous_response_id: first.id, input: answers(first) }),
    });
    expect(loopStep.status).toBe(200);
    await client.responses.create({ ...base, previous_response_id: (loopStep.json as { id: string }).id, input: 'And Rome?' });
    return { loopWarnings: loopStep.headers.get('x-warnings'), bodies: harness.upstream.requests.map((request) => request.body) };
  }

  it('preserve sends every earlier thinking block on a new question', async () => {
    const { bodies } = await anthropicLoopThenQuestion('preserve');
    expect(replayedReasoning(bodies[2])).toBe(2);
  });

  it('current_turn sends the loop’s thinking inside the loop and none once a new question starts', async () => {
    const { bodies } = await anthropicLoopThenQuestion('current_turn');
    expect(replayedReasoning(bodies[1])).toBe(1);
    expect(replayedReasoning(bodies[2])).toBe(0);
  });

  it('clear is raised to the legal minimum inside a tool loop, with a visible warning, and honoured after it', async () => {
    const { bodies, loopWarnings } = await anthropicLoopThenQuestion('clear');
    expect(replayedReasoning(bodies[1])).toBe(1);
    expect(loopWarnings).toContain('reasoning_policy "clear" was raised to "current_turn"');
    expect(replayedReasoning(bodies[2])).toBe(0);
  });
});

describe('switching provider mid-conversation', () => {
  it('goes Anthropic (thinking, tool call) → Gemini 3 (finishes the loop) → OpenAI → DeepSeek → Anthropic, every request accepted', async () => {
    const conversation = await client.conversations.create();
    const turn = (model: string, input: OpenAI.Responses.ResponseInput | string, reasoning?: OpenAI.Reasoning) =>
      client.responses.create({ model, conversation: conversation.id, input, tools, ...(reasoning ? { reasoning } : {}) });

    harness.upstream.enqueue({ kind: 'tool_calls', reasoning: 'Paris first.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const started = await turn('anthropic/claude-sonnet-4-5', 'Weather in Paris, then Rome?', { effort: 'low' });

    // Gemini 3 continues the loop Anthropic started: its call has no Gemini signature.
    harness.upstream.enqueue({ kind: 'tool_calls', reasoning: 'Rome now.', calls: [{ name: 'get_weather', arguments: '{"city":"Rome"}' }] });
    const continued = await turn('google/gemini-3-pro-preview', answers(started), { effort: 'high' });
    expect(
      harness.upstream.requests
        .at(-1)!
        .body.contents.flatMap((content: any) => content.parts)
        .find((part: any) => part.functionCall)?.thoughtSignature,
    ).toBe('skip_thought_signature_validator');
    harness.upstream.enqueue({ kind: 'text', text: 'Both sunny.' });
    await turn('google/gemini-3-pro-preview', answers(continued), { effort: 'high' });

    // OpenAI gets none of the foreign reasoning; DeepSeek gets "" on the foreign tool-call turns.
    await turn('openai/gpt-5', 'Summarize.', { effort: 'low' });
    expect(harness.upstream.requests.at(-1)!.body.input.filter((item: any) => item.type === 'reasoning')).toEqual([]);
    await turn('deepseek/deepseek-v4-pro', 'Again, shorter.');
    const deepseek = harness.upstream.requests.at(-1)!.body;
    expect(deepseek.messages.filter((message: any) => message.tool_calls).every((message: any) => message.reasoning_content === '')).toBe(true);

    // Back on Anthropic with thinking: a new question, so no foreign loop to verify.
    const back = await turn('anthropic/claude-sonnet-4-5', 'Thanks. One word?', { effort: 'low' });
    expect(back.status).toBe('completed');
    expect(harness.upstream.requests.every((request) => request.finished)).toBe(true);
  });

  it('suspends Anthropic thinking for a tool loop another model started, and says so', async () => {
    harness.upstream.enqueue({ kind: 'tool_calls', reasoning: 'Paris.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const started = await client.responses.create({ model: 'google/gemini-3-pro-preview', input: 'Paris?', tools });
    const response = await rawRequest(harness.origin, '/v1/responses', {
      headers: { authorization: `Bearer ${PROJECT_A_KEY}` },
      body: JSON.stringify({
        model: 'anthropic/claude-sonnet-4-5',
        previous_response_id: started.id,
        input: answers(started),
        tools,
        reasoning: { effort: 'low' },
      }),
    });
    expect(response.status).toBe(200);
    expect(harness.upstream.requests.at(-1)!.body).not.toHaveProperty('thinking');
    expect(response.headers.get('x-warnings')).toContain('started by another model');
  });
});

describe('include: ["reasoning.encrypted_content"] for store: false clients', () => {
  it('hands out a sealed envelope that carries the reasoning into the next stateless turn, and refuses a tampered one', async () => {
    const model = 'anthropic/claude-sonnet-4-5';
    const base = { model, tools, reasoning: { effort: 'low' as const }, store: false, include: ['reasoning.encrypted_content' as const] };
    harness.upstream.enqueue({ kind: 'tool_calls', reasoning: 'Paris first.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const first = await client.responses.create({ ...base, input: 'Paris?' });
    const reasoningItem = first.output.find((item) => item.type === 'reasoning')!;
    expect(reasoningItem.encrypted_content).toMatch(/^rse1\./);
    // Opaque: neither the signature nor the thinking text can be read from it.
    expect(reasoningItem.encrypted_content).not.toContain('sig_');

    // The client keeps the history itself and sends it all back, as a store: false client does.
    const history = [{ role: 'user' as const, content: 'Paris?' }, ...first.output, ...answers(first)] as OpenAI.Responses.ResponseInput;
    harness.upstream.enqueue({ kind: 'text', text: 'Sunny.' });
    const second = await client.responses.create({ ...base, input: history });
    expect(second.status).toBe('completed');
    // The mock accepted the loop only because the thinking block came back, signature and all.
    expect(harness.upstream.requests.at(-1)!.body.messages[1].content[0]).toMatchObject({ type: 'thinking', signature: expect.any(String) });

    const tampered = history.map((item) => (item.type === 'reasoning' ? { ...item, encrypted_content: `${item.encrypted_content!.slice(0, -4)}AAAA` } : item));
    const error = await client.responses.create({ ...base, input: tampered }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: 'invalid_encrypted_content', param: 'input[1].encrypted_content' });
  });

  it('leaves encrypted_content empty when the client did not ask for it', async () => {
    harness.upstream.enqueue({ kind: 'reasoning', reasoning: 'Hmm.', text: 'Hi.' });
    const response = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'hi', reasoning: { effort: 'low' } });
    expect(response.output.find((item) => item.type === 'reasoning')).not.toHaveProperty('encrypted_content');
  });
});

describe('recovering from reasoning errors once', () => {
  const refusedThinking =
    'messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

  it('sends Anthropic the loop again without thinking when its thinking blocks are refused', async () => {
    const base = { model: 'anthropic/claude-sonnet-4-5', tools, reasoning: { effort: 'low' as const } };
    harness.upstream.enqueue({ kind: 'tool_calls', reasoning: 'Paris.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const first = await client.responses.create({ ...base, input: 'Paris?' });
    harness.upstream.enqueue({ kind: 'error', status: 400, message: refusedThinking }, { kind: 'text', text: 'Sunny.' });
    const second = await client.responses.create({ ...base, previous_response_id: first.id, input: answers(first) });
    expect(second).toMatchObject({ status: 'completed', output_text: 'Sunny.' });
    const [, refused, retried] = harness.upstream.requests.map((request) => request.body);
    expect(refused.thinking).toMatchObject({ type: 'enabled' });
    expect(retried).not.toHaveProperty('thinking');
    expect(replayedReasoning(retried)).toBe(0);
  });

  it('adds reasoning_content where a chat server demands it', async () => {
    harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const first = await client.responses.create({ model: 'vllm/qwen3-8b', input: 'Paris?', tools });
    harness.upstream.enqueue(
      { kind: 'error', status: 400, message: 'The `reasoning_content` in the thinking mode must be passed back to the API.' },
      { kind: 'text', text: 'Sunny.' },
    );
    const second = await client.responses.create({ model: 'vllm/qwen3-8b', previous_response_id: first.id, input: answers(first), tools });
    expect(second.status).toBe('completed');
    expect(harness.upstream.requests.at(-1)!.body.messages.find((message: any) => message.tool_calls)).toMatchObject({ reasoning_content: '' });
  });

  it('surfaces the provider’s error when the changed request is refused too', async () => {
    harness.upstream.enqueue({ kind: 'tool_calls', reasoning: 'Paris.', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const base = { model: 'anthropic/claude-sonnet-4-5', tools, reasoning: { effort: 'low' as const } };
    const first = await client.responses.create({ ...base, input: 'Paris?' });
    harness.upstream.enqueue({ kind: 'error', status: 400, message: refusedThinking }, { kind: 'error', status: 400, message: refusedThinking });
    const error = await client.responses.create({ ...base, previous_response_id: first.id, input: answers(first) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('Expected `thinking` or `redacted_thinking`');
    // Tried twice, not more.
    expect(harness.upstream.requests).toHaveLength(3);
  });
});

describe('reasoning summaries (reasoning.summary)', () => {
  // The order OpenAI streams a summarised reasoning item in, then the answer.
  const summaryEvents = [
    'response.output_item.added',
    'response.reasoning_summary_part.added',
    'response.reasoning_summary_text.delta',
    'response.reasoning_summary_text.done',
    'response.reasoning_summary_part.done',
    'response.output_item.done',
    'response.output_item.added',
  ];

  it.each([
    ['openai/gpt-5', 'OpenAI summary'],
    ['anthropic/claude-opus-4-7', 'Anthropic summarised thinking'],
    ['google/gemini-3-pro-preview', 'Gemini thought summary'],
  ])('%s streams its %s as summary parts with the reasoning_summary events, and stores it', async (model) => {
    harness.upstream.enqueue({ kind: 'reasoning', reasoning: 'Weighing 9.11 against 9.9.', text: '9.9 is larger.', chunkSize: 6 });
    const stream = client.responses.stream({ model, input: 'Which is larger?', reasoning: { effort: 'low', summary: 'auto' } });
    const types: string[] = [];
    const deltas: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.reasoning_summary_text.delta') {
        expect(event).toMatchObject({ output_index: 0, summary_index: 0 });
        deltas.push(event.delta);
      }
    }
    const final = await stream.finalResponse();
    // Deltas collapse to one entry, so the list reads as the order of the event kinds.
    const kinds = types.filter((type, index) => type !== types[index - 1] && !type.startsWith('response.content_part') && !type.includes('output_text'));
    expect(kinds.slice(2, 2 + summaryEvents.length)).toEqual(summaryEvents);
    expect(types).not.toContain('response.reasoning_text.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Weighing 9.11 against 9.9.');
    const summary = [{ type: 'summary_text', text: 'Weighing 9.11 against 9.9.' }];
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary });
    expect(final.output_text).toBe('9.9 is larger.');
    expect((await client.responses.retrieve(final.id)).output[0]).toMatchObject({ type: 'reasoning', summary });
  });

  it('asks each provider for its summary only when reasoning.summary is set', async () => {
    await client.responses.create({ model: 'google/gemini-3-pro-preview', input: 'think', reasoning: { effort: 'low' } });
    expect(lastBody().generationConfig.thinkingConfig).not.toHaveProperty('includeThoughts');
    await client.responses.create({ model: 'anthropic/claude-opus-4-7', input: 'think', reasoning: { effort: 'low', summary: 'detailed' } });
    expect(lastBody().thinking).toEqual({ type: 'adaptive', display: 'summarized' });
    await client.responses.create({ model: 'openai/gpt-5', input: 'think', reasoning: { effort: 'low', summary: 'concise' } });
    expect(lastBody().reasoning).toEqual({ effort: 'low', summary: 'concise' });
  });
});
