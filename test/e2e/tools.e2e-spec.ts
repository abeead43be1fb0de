import { createOpenAI } from '@ai-sdk/openai';
import { generateText, Output } from 'ai';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { type Harness, PROJECT_A_KEY, startHarness } from './harness.js';

// Custom (freeform) tools and hosted tools, through the official SDK, on every wire: OpenAI's
// Responses API runs them itself; elsewhere a custom tool is a function of one string and a hosted
// tool's items are carried as text (src/planning/plan-tools.ts, src/planning/portable-items.ts).

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

type Body = any;
const PATCH = '*** Begin Patch\n*** Update File: a.txt\n@@\n-old\n+new "quoted" ✓\n*** End Patch';
const patchTool = {
  type: 'custom' as const,
  name: 'apply_patch',
  description: 'Edit files with a patch.',
  format: { type: 'grammar' as const, syntax: 'lark' as const, definition: 'start: /[\\s\\S]+/' },
};

/** Per wire: the model, and where its upstream request holds the tool and the replayed call and output. */
const wires = [
  {
    wire: 'OpenAI Responses',
    model: 'openai/gpt-5',
    tool: (body: Body) => body.tools[0],
    expectedTool: patchTool,
    replayed: (body: Body) => (body.input as Body[]).filter((item) => item.type.startsWith('custom_tool_call')),
    expectedReplay: (callId: string) => [
      { type: 'custom_tool_call', call_id: callId, name: 'apply_patch', input: PATCH },
      { type: 'custom_tool_call_output', call_id: callId, output: 'Patched a.txt' },
    ],
  },
  {
    wire: 'OpenAI Chat Completions',
    model: 'vllm/qwen',
    tool: (body: Body) => body.tools[0],
    expectedTool: {
      type: 'function',
      function: expect.objectContaining({
        name: 'apply_patch',
        description: 'Edit files with a patch.\n\nThe input must follow this lark grammar:\nstart: /[\\s\\S]+/',
        parameters: expect.objectContaining({ required: ['input'] }),
      }),
    },
    replayed: (body: Body) => (body.messages as Body[]).filter((message) => message.tool_calls || message.role === 'tool'),
    expectedReplay: (callId: string) => [
      expect.objectContaining({
        tool_calls: [{ id: callId, type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) } }],
      }),
      { role: 'tool', tool_call_id: callId, content: 'Patched a.txt' },
    ],
  },
  {
    wire: 'Anthropic Messages',
    model: 'anthropic/claude-sonnet-4-5',
    tool: (body: Body) => body.tools[0],
    expectedTool: expect.objectContaining({ name: 'apply_patch', input_schema: expect.objectContaining({ required: ['input'] }) }),
    replayed: (body: Body) =>
      (body.messages as Body[]).flatMap((message) =>
        typeof message.content === 'string' ? [] : (message.content as Body[]).filter((block) => block.type === 'tool_use' || block.type === 'tool_result'),
      ),
    expectedReplay: (callId: string) => [
      { type: 'tool_use', id: callId, name: 'apply_patch', input: { input: PATCH } },
      expect.objectContaining({ type: 'tool_result', tool_use_id: callId }),
    ],
  },
  {
    wire: 'Gemini',
    model: 'google/gemini-2.5-flash',
    tool: (body: Body) => body.tools[0].functionDeclarations[0],
    expectedTool: expect.objectContaining({ name: 'apply_patch' }),
    replayed: (body: Body) =>
      (body.contents as Body[]).flatMap((content) => (content.parts as Body[]).filter((part) => part.functionCall || part.functionResponse)),
    expectedReplay: () => [
      expect.objectContaining({ functionCall: { name: 'apply_patch', args: { input: PATCH } } }),
      expect.objectContaining({ functionResponse: expect.objectContaining({ name: 'apply_patch' }) }),
    ],
  },
];

describe('custom tools', () => {
  it.each(wires)('$wire: a custom tool call streams as custom_tool_call, and its output goes back on the next turn', async (wire) => {
    harness.upstream.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) }] },
      { kind: 'text', text: 'Done.' },
    );

    const stream = await client.responses.create({ model: wire.model, input: 'Change old to new in a.txt.', tools: [patchTool], stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.type).toBe('response.completed');
    const call = completed.response.output.find((item) => item.type === 'custom_tool_call') as OpenAI.Responses.ResponseCustomToolCall;
    expect(call).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: PATCH, status: 'completed' });
    expect(call.id).toMatch(/^ctc_/);
    const inputEvents = events.filter((event) => event.type.startsWith('response.custom_tool_call_input'));
    expect(inputEvents.at(-1)).toMatchObject({ type: 'response.custom_tool_call_input.done', item_id: call.id, input: PATCH });
    expect(
      inputEvents
        .filter((event) => event.type === 'response.custom_tool_call_input.delta')
        .map((event) => (event as OpenAI.Responses.ResponseCustomToolCallInputDeltaEvent).delta)
        .join(''),
    ).toBe(PATCH);
    expect(wire.tool(harness.upstream.requests[0]!.body)).toEqual(wire.expectedTool);

    const next = await client.responses.create({
      model: wire.model,
      previous_response_id: completed.response.id,
      input: [{ type: 'custom_tool_call_output', call_id: call.call_id, output: 'Patched a.txt' }],
      tools: [patchTool],
    });
    expect(next.output_text).toBe('Done.');
    expect(wire.replayed(harness.upstream.requests[1]!.body)).toEqual(wire.expectedReplay(call.call_id));
    const items = await client.responses.inputItems.list(next.id);
    expect(items.data[0]).toMatchObject({ type: 'custom_tool_call_output', call_id: call.call_id, output: 'Patched a.txt' });
  });

  it('tool_choice names a custom tool: natively on OpenAI Responses, as its function elsewhere', async () => {
    for (const [model, expected] of [
      ['openai/gpt-5', { type: 'custom', name: 'apply_patch' }],
      ['vllm/qwen', { type: 'function', function: { name: 'apply_patch' } }],
    ] as const) {
      harness.upstream.reset();
      harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) }] });
      await client.responses.create({ model, input: 'Patch.', tools: [patchTool], tool_choice: { type: 'custom', name: 'apply_patch' } });
      expect(harness.upstream.requests[0]!.body.tool_choice).toEqual(expected);
    }
  });
});

/** OpenAI's stream for a turn that searched the web, then answered with a citation (hand-made from the documented events). */
function webSearchStream(): string[] {
  const citation = { type: 'url_citation', start_index: 0, end_index: 18, url: 'https://example.com/news', title: 'Example News' };
  const search = { id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'latest example news' } };
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: 'Example news today.', annotations: [citation], logprobs: [] }],
  };
  const response = (status: string, output: unknown[]) => ({ id: 'resp_up', object: 'response', model: 'gpt-5', status, output });
  const events: Array<Record<string, unknown>> = [
    { type: 'response.created', response: response('in_progress', []) },
    { type: 'response.output_item.added', output_index: 0, item: { ...search, status: 'in_progress' } },
    { type: 'response.web_search_call.in_progress', output_index: 0, item_id: 'ws_1' },
    { type: 'response.web_search_call.searching', output_index: 0, item_id: 'ws_1' },
    { type: 'response.web_search_call.completed', output_index: 0, item_id: 'ws_1' },
    { type: 'response.output_item.done', output_index: 0, item: search },
    { type: 'response.output_item.added', output_index: 1, item: { ...message, status: 'in_progress', content: [] } },
    { type: 'response.output_text.delta', output_index: 1, item_id: 'msg_1', content_index: 0, delta: 'Example news today.' },
    { type: 'response.output_text.annotation.added', output_index: 1, item_id: 'msg_1', content_index: 0, annotation_index: 0, annotation: citation },
    { type: 'response.output_item.done', output_index: 1, item: message },
    {
      type: 'response.completed',
      response: {
        ...response('completed', [search, message]),
        usage: {
          input_tokens: 20,
          output_tokens: 5,
          total_tokens: 25,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens_details: { reasoning_tokens: 0 },
        },
      },
    },
  ];
  return events.map((event, index) => `event: ${event['type']}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}`);
}

describe('hosted tools', () => {
  it('web_search on OpenAI Responses: the search item and the cited answer come back, and Anthropic continues from them', async () => {
    harness.upstream.enqueue({ kind: 'raw_sse', lines: webSearchStream() });
    const stream = await client.responses.create({
      model: 'openai/gpt-5',
      input: 'What is the news?',
      tools: [{ type: 'web_search' }],
      max_tool_calls: 2,
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const response = (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;

    expect(harness.upstream.requests[0]!.body.tools).toEqual([{ type: 'web_search' }]);
    expect(harness.upstream.requests[0]!.body.max_tool_calls).toBe(2);
    expect(response.max_tool_calls).toBe(2);
    expect(response.output.map((item) => item.type)).toEqual(['web_search_call', 'message']);
    expect(response.output[0]).toEqual({ id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'latest example news' } });
    expect((response.output[1] as OpenAI.Responses.ResponseOutputMessage).content[0]).toMatchObject({
      type: 'output_text',
      text: 'Example news today.',
      annotations: [{ type: 'url_citation', url: 'https://example.com/news', title: 'Example News', start_index: 0, end_index: 18 }],
    });
    expect(events.map((event) => event.type).filter((type) => type.startsWith('response.web_search_call') || type.includes('annotation'))).toEqual([
      'response.web_search_call.in_progress',
      'response.web_search_call.searching',
      'response.web_search_call.completed',
      'response.output_text.annotation.added',
    ]);
    const searching = events.find((event) => event.type === 'response.web_search_call.searching') as OpenAI.Responses.ResponseWebSearchCallSearchingEvent;
    expect(searching).toMatchObject({ item_id: 'ws_1', output_index: 0 });
    const sequence = events.map((event) => event.sequence_number);
    expect(sequence).toEqual(sequence.map((_, index) => index));

    harness.upstream.enqueue({ kind: 'text', text: 'It was about examples.' });
    const next = await client.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      previous_response_id: response.id,
      input: 'What was it about?',
      // Counts hosted tool calls: Anthropic runs none here, so there is nothing to send it.
      max_tool_calls: 2,
    });
    expect(next.output_text).toBe('It was about examples.');
    expect(harness.upstream.requests[1]!.body).not.toHaveProperty('max_tool_calls');
    const messages = harness.upstream.requests[1]!.body.messages as Body[];
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: '[web_search_call] {"status":"completed","action":{"type":"search","query":"latest example news"}}' },
        { type: 'text', text: 'Example news today.' },
      ],
    });
  });

  it('web_search on Anthropic: its web search tool runs, the search is a web_search_call with cited text, and it goes back to Anthropic verbatim', async () => {
    const result = { type: 'web_search_result', url: 'https://example.com/euro', title: 'Euro 2024', encrypted_content: 'EqMBCioIBh', page_age: '2 days ago' };
    const citation = {
      type: 'web_search_result_location',
      url: 'https://example.com/euro',
      title: 'Euro 2024',
      encrypted_index: 'Eo8BCioIBh',
      cited_text: 'Spain beat England 2-1.',
    };
    const frame = (payload: Record<string, unknown>) => `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}`;
    const usage = { input_tokens: 40, output_tokens: 30, server_tool_use: { web_search_requests: 1 } };
    harness.upstream.enqueue({
      kind: 'raw_sse',
      lines: [
        frame({
          type: 'message_start',
          message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 40, output_tokens: 1 } },
        }),
        frame({ type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 'srvtoolu_01A', name: 'web_search', input: {} } }),
        frame({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query": "euro 2024 final"}' } }),
        frame({ type: 'content_block_stop', index: 0 }),
        frame({ type: 'content_block_start', index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01A', content: [result] } }),
        frame({ type: 'content_block_stop', index: 1 }),
        frame({ type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } }),
        frame({ type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'In the final, ' } }),
        frame({ type: 'content_block_stop', index: 2 }),
        frame({ type: 'content_block_start', index: 3, content_block: { type: 'text', text: '', citations: [] } }),
        frame({ type: 'content_block_delta', index: 3, delta: { type: 'citations_delta', citation } }),
        frame({ type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text: 'Spain beat England 2-1.' } }),
        frame({ type: 'content_block_stop', index: 3 }),
        frame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }),
        frame({ type: 'message_stop' }),
      ],
    });
    const model = 'anthropic/claude-sonnet-4-5';
    const tools: OpenAI.Responses.Tool[] = [{ type: 'web_search', filters: { allowed_domains: ['example.com'] } }];
    const stream = await client.responses.create({ model, input: 'Who won Euro 2024?', tools, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const response = (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;

    expect(harness.upstream.requests[0]!.body.tools).toEqual([{ type: 'web_search_20250305', name: 'web_search', allowed_domains: ['example.com'] }]);
    expect(response.tools).toEqual(tools);
    expect(response.output).toEqual([
      {
        type: 'web_search_call',
        id: 'ws_01A',
        status: 'completed',
        action: { type: 'search', query: 'euro 2024 final', sources: [{ type: 'url', url: 'https://example.com/euro' }] },
      },
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        status: 'completed',
        content: [
          {
            type: 'output_text',
            text: 'In the final, Spain beat England 2-1.',
            annotations: [{ type: 'url_citation', url: 'https://example.com/euro', title: 'Euro 2024', start_index: 14, end_index: 37 }],
            logprobs: [],
          },
        ],
      },
    ]);
    const text = (response.output[1] as OpenAI.Responses.ResponseOutputMessage).content[0] as OpenAI.Responses.ResponseOutputText;
    expect(text.text.slice(14, 37)).toBe('Spain beat England 2-1.');
    expect(events.find((event) => event.type === 'response.output_text.annotation.added')).toMatchObject({ output_index: 1, annotation_index: 0 });

    // Anthropic's own blocks go back as they came (the mock refuses a search without its encrypted results).
    harness.upstream.enqueue({ kind: 'text', text: 'By one goal.' });
    await client.responses.create({ model, previous_response_id: response.id, input: 'By how much?', tools });
    expect(harness.upstream.requests[1]!.body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'server_tool_use', id: 'srvtoolu_01A', name: 'web_search', input: { query: 'euro 2024 final' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01A', content: [result] },
        { type: 'text', text: 'In the final, Spain beat England 2-1.' },
      ],
    });

    // Another provider reads it as text; OpenAI gets the search without an id it never issued.
    harness.upstream.enqueue({ kind: 'text', text: 'Yes.' });
    await client.responses.create({ model: 'openai/gpt-5', previous_response_id: response.id, input: 'Sure?' });
    expect(harness.upstream.requests[2]!.body.input[1]).toEqual({
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: 'euro 2024 final', sources: [{ type: 'url', url: 'https://example.com/euro' }] },
    });
  });

  it('web_search on Gemini: Google Search grounding, its supports as url_citation annotations and its queries as a web_search_call', async () => {
    const answer = 'Spain won Euro 2024 — in Berlin.';
    const grounding = {
      webSearchQueries: ['euro 2024 winner'],
      groundingChunks: [
        { web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbC', title: 'uefa.com' } },
        { web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/DeF', title: 'bbc.com' } },
      ],
      // Byte offsets: the dash is three bytes in UTF-8, one character.
      groundingSupports: [
        { segment: { startIndex: 0, endIndex: 19, text: 'Spain won Euro 2024' }, groundingChunkIndices: [0, 1] },
        { segment: { startIndex: 24, endIndex: 33, text: 'in Berlin' }, groundingChunkIndices: [1] },
      ],
    };
    const usageMetadata = { promptTokenCount: 12, candidatesTokenCount: 9, totalTokenCount: 21 };
    const chunk = (candidate: Record<string, unknown>) =>
      `data: ${JSON.stringify({ candidates: [{ index: 0, ...candidate }], usageMetadata, modelVersion: 'gemini-2.5-flash', responseId: 'r1' })}`;
    harness.upstream.enqueue({
      kind: 'raw_sse',
      lines: [
        chunk({ content: { role: 'model', parts: [{ text: 'Spain won Euro 2024' }] } }),
        chunk({ content: { role: 'model', parts: [{ text: ' — in Berlin.' }] }, finishReason: 'STOP', groundingMetadata: grounding }),
      ],
    });
    // Streamed, so the grounding arrives in the last event as Gemini streams it.
    const stream = client.responses.stream({ model: 'google/gemini-2.5-flash', input: 'Who won Euro 2024?', tools: [{ type: 'web_search' }] });
    const response = await stream.finalResponse();
    expect(harness.upstream.requests[0]!.body.tools).toEqual([{ googleSearch: {} }]);
    const [message, search] = response.output as [OpenAI.Responses.ResponseOutputMessage, OpenAI.Responses.ResponseFunctionWebSearch];
    const uefa = 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbC';
    const bbc = 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/DeF';
    expect(message.content[0]).toMatchObject({
      type: 'output_text',
      text: answer,
      annotations: [
        { type: 'url_citation', url: uefa, title: 'uefa.com', start_index: 0, end_index: 19 },
        { type: 'url_citation', url: bbc, title: 'bbc.com', start_index: 0, end_index: 19 },
        { type: 'url_citation', url: bbc, title: 'bbc.com', start_index: 22, end_index: 31 },
      ],
    });
    expect(answer.slice(22, 31)).toBe('in Berlin');
    expect(search).toEqual({
      type: 'web_search_call',
      id: expect.stringMatching(/^ws_[0-9a-f]{24}$/),
      status: 'completed',
      action: {
        type: 'search',
        query: 'euro 2024 winner',
        queries: ['euro 2024 winner'],
        sources: [
          { type: 'url', url: uefa },
          { type: 'url', url: bbc },
        ],
      },
    });
  });

  it('accepts every hosted tool item of the spec as input, and keeps each as sent', async () => {
    const items = [
      { type: 'web_search_call', id: 'ws_a', status: 'completed', action: { type: 'search', query: 'q' } },
      { type: 'file_search_call', id: 'fs_a', status: 'completed', queries: ['q'], results: null },
      { type: 'code_interpreter_call', id: 'ci_a', status: 'completed', container_id: 'cntr_1', code: 'print(1)', outputs: [{ type: 'logs', logs: '1' }] },
      { type: 'image_generation_call', id: 'ig_a', status: 'completed', result: 'aGVsbG8=' },
      { type: 'computer_call', id: 'cu_a', call_id: 'cc_1', status: 'completed', pending_safety_checks: [], action: { type: 'screenshot' } },
      { type: 'computer_call_output', call_id: 'cc_1', output: { type: 'computer_screenshot', image_url: 'data:image/png;base64,aGVsbG8=' } },
      { type: 'local_shell_call', id: 'lsh_a', call_id: 'ls_1', status: 'completed', action: { type: 'exec', command: ['ls'], env: {} } },
      { type: 'local_shell_call_output', id: 'lsho_a', call_id: 'ls_1', output: 'a.txt' },
      { type: 'shell_call', call_id: 'sh_1', action: { commands: ['ls'] }, status: 'completed' },
      { type: 'shell_call_output', call_id: 'sh_1', output: [{ stdout: 'a.txt', stderr: '', outcome: { type: 'exit', exit_code: 0 } }] },
      { type: 'apply_patch_call', call_id: 'ap_1', status: 'completed', operation: { type: 'update_file', path: 'a.txt', diff: '-a\n+b' } },
      { type: 'apply_patch_call_output', call_id: 'ap_1', status: 'completed', output: 'ok' },
      { type: 'mcp_list_tools', id: 'mcpl_a', server_label: 'docs', tools: [{ name: 'search', input_schema: {} }] },
      { type: 'mcp_approval_request', id: 'mcpr_a', server_label: 'docs', name: 'search', arguments: '{}' },
      { type: 'mcp_approval_response', approval_request_id: 'mcpr_a', approve: true },
      { type: 'mcp_call', id: 'mcp_a', server_label: 'docs', name: 'search', arguments: '{}', output: 'found' },
    ];
    const response = await client.responses.create({
      model: 'openai/gpt-5',
      input: [...items, { type: 'message', role: 'user', content: 'Go on.' }] as OpenAI.Responses.ResponseInputItem[],
    });
    const sent = (harness.upstream.requests[0]!.body.input as Body[]).slice(0, items.length);
    expect(sent).toEqual(items);
    const stored = await client.responses.inputItems.list(response.id, { order: 'asc', limit: 100 });
    expect(stored.data.slice(0, items.length).map((item) => item.type)).toEqual(items.map((item) => item.type));
    expect(stored.data[0]).toEqual(items[0]);
  });

  it('refuses a hosted item without the fields the spec requires, naming the field', async () => {
    const error = await client.responses
      .create({ model: 'openai/gpt-5', input: [{ type: 'web_search_call', id: 'ws_b', status: 'completed' }] as OpenAI.Responses.ResponseInputItem[] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ type: 'invalid_request_error', param: 'input[0].action' });
  });
});

describe('refusals', () => {
  const REFUSAL = "I can't help with that.";
  const chatChunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    JSON.stringify({ id: 'chatcmpl-r', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta, finish_reason: finish }] });
  const responsesStream = (): string[] => {
    const message = { id: 'msg_r', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: REFUSAL }] };
    const where = { item_id: 'msg_r', output_index: 0, content_index: 0 };
    const events: Array<Record<string, unknown>> = [
      { type: 'response.created', response: { id: 'resp_r', object: 'response', model: 'gpt-5', status: 'in_progress', output: [] } },
      { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
      { type: 'response.content_part.added', ...where, part: { type: 'refusal', refusal: '' } },
      { type: 'response.refusal.delta', ...where, delta: "I can't " },
      { type: 'response.refusal.delta', ...where, delta: 'help with that.' },
      { type: 'response.refusal.done', ...where, refusal: REFUSAL },
      { type: 'response.output_item.done', output_index: 0, item: message },
      { type: 'response.completed', response: { id: 'resp_r', object: 'response', model: 'gpt-5', status: 'completed', output: [message] } },
    ];
    return events.map((event, index) => `data: ${JSON.stringify({ ...event, sequence_number: index })}`);
  };

  it.each([
    { wire: 'OpenAI Responses', model: 'openai/gpt-5', lines: responsesStream },
    {
      wire: 'OpenAI Chat Completions',
      model: 'vllm/qwen',
      lines: () => [
        chatChunk({ role: 'assistant', content: null, refusal: "I can't " }),
        chatChunk({ refusal: 'help with that.' }),
        chatChunk({}, 'stop'),
        '[DONE]',
      ],
    },
  ])('$wire: a refusal is a refusal part with response.refusal events, and goes back as the assistant said it', async ({ model, lines }) => {
    harness.upstream.enqueue({ kind: 'raw_sse', lines: lines() });
    const stream = await client.responses.create({ model, input: 'Do something bad.', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const response = (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;
    expect(response.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: REFUSAL }] },
    ]);
    const refusalEvents = events.filter((event) => event.type.startsWith('response.refusal'));
    expect(refusalEvents.map((event) => event.type)).toEqual(['response.refusal.delta', 'response.refusal.delta', 'response.refusal.done']);
    expect(refusalEvents.at(-1)).toMatchObject({ refusal: REFUSAL, content_index: 0 });
    expect(events.find((event) => event.type === 'response.content_part.added')).toMatchObject({ part: { type: 'refusal', refusal: '' } });

    harness.upstream.enqueue({ kind: 'text', text: 'Understood.' });
    await client.responses.create({ model, previous_response_id: response.id, input: 'Fine.' });
    const sent = harness.upstream.requests[1]!.body;
    const replayed = model.startsWith('openai/') ? sent.input[1] : sent.messages[1];
    expect(replayed).toEqual(
      model.startsWith('openai/')
        ? { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: REFUSAL }] }
        : { role: 'assistant', content: REFUSAL },
    );
  });

  it.each([
    {
      provider: 'Anthropic (stop_reason "refusal")',
      model: 'anthropic/claude-sonnet-4-5',
      refusal: 'This request was declined because it could enable cyber harm.',
    },
    { provider: 'Gemini (a SAFETY stop)', model: 'google/gemini-2.5-flash', refusal: 'Gemini stopped the answer: its safety filters blocked it (SAFETY).' },
  ])('$provider: the stop is a refusal part after the text cut short, and the response is incomplete for content_filter', async ({ model, refusal }) => {
    harness.upstream.enqueue({ kind: 'text', text: 'Step one is', finishReason: 'content_filter' });
    const stream = await client.responses.create({ model, input: 'Do something bad.', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const response = (events.at(-1) as OpenAI.Responses.ResponseIncompleteEvent).response;
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
    expect(response.output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        // Cut short by the filter, as the response is.
        status: 'incomplete',
        content: [
          { type: 'output_text', text: 'Step one is', annotations: [], logprobs: [] },
          { type: 'refusal', refusal },
        ],
      },
    ]);
    expect(events.find((event) => event.type === 'response.refusal.done')).toMatchObject({ content_index: 1, refusal });
    expect((await client.responses.retrieve(response.id)).output).toEqual(response.output);
  });
});

describe('structured outputs (text.format json_schema)', () => {
  const Person = z.object({ name: z.string(), age: z.number().int().min(0) });
  const format = zodTextFormat(Person, 'person');

  it('Anthropic: sends output_config.format (the mock refuses a schema Anthropic could not decode), and responses.parse gets the object', async () => {
    harness.upstream.enqueue({ kind: 'text', text: '{"name":"Ada","age":36}' });
    const parsed = await client.responses.parse({ model: 'anthropic/claude-sonnet-4-5', input: 'Ada is 36.', text: { format } });
    expect(parsed.output_parsed).toEqual({ name: 'Ada', age: 36 });
    const sent = harness.upstream.requests.at(-1)!.body;
    expect(sent.output_config.format).toEqual({
      type: 'json_schema',
      // `minimum` is outside what Anthropic decodes: it moves into the description, and the server checks it.
      schema: expect.objectContaining({ type: 'object', required: ['name', 'age'], additionalProperties: false }),
    });
    expect(sent.output_config.format.schema.properties.age).toMatchObject({ type: 'integer', description: expect.stringContaining('minimum: 0') });
    expect(JSON.stringify(sent.system ?? '')).not.toContain('JSON Schema');
  });

  it("Anthropic: the Vercel AI SDK's Output.object gets the object, through OpenAI's Responses provider", async () => {
    harness.upstream.enqueue({ kind: 'text', text: '{"name":"Ada","age":36}' });
    const provider = createOpenAI({ apiKey: PROJECT_A_KEY, baseURL: `${harness.origin}/v1` });
    const result = await generateText({
      model: provider.responses('anthropic/claude-sonnet-4-5'),
      prompt: 'Ada is 36.',
      output: Output.object({ schema: Person }),
    });
    expect(result.output).toEqual({ name: 'Ada', age: 36 });
    expect(harness.upstream.requests.at(-1)!.body.output_config.format).toMatchObject({
      type: 'json_schema',
      schema: { type: 'object', additionalProperties: false },
    });
  });

  it('a model without structured outputs gets the schema in words, and an answer that breaks it fails instead of passing as valid', async () => {
    const model = 'anthropic/claude-sonnet-4-20250514';
    harness.upstream.enqueue({ kind: 'text', text: '{"name":"Ada","age":36}' });
    const parsed = await client.responses.parse({ model, input: 'Ada is 36.', text: { format } });
    expect(parsed.output_parsed).toEqual({ name: 'Ada', age: 36 });
    const sent = harness.upstream.requests.at(-1)!.body;
    expect(sent).not.toHaveProperty('output_config');
    expect(JSON.stringify(sent.system)).toContain('Respond with only a JSON object that matches this JSON Schema');

    harness.upstream.enqueue({ kind: 'text', text: '{"name":"Ada","age":-3}' });
    const error = await client.responses.create({ model, input: 'Ada is -3.', text: { format } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 502, code: 'invalid_json_output' });
    expect((error as Error).message).toContain("the answer does not match the schema 'person': /age must be >= 0");

    harness.upstream.enqueue({ kind: 'text', text: 'Ada is 36 years old.' });
    const stream = await client.responses.create({ model, input: 'Ada?', text: { format }, stream: true });
    let last: OpenAI.Responses.ResponseStreamEvent | null = null;
    for await (const event of stream) last = event;
    expect(last).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'invalid_json_output' } } });
    const failed = (last as OpenAI.Responses.ResponseFailedEvent).response;
    // The answer is kept, so the client can see what the model wrote.
    expect((await client.responses.retrieve(failed.id)).output[0]).toMatchObject({ type: 'message', content: [{ text: 'Ada is 36 years old.' }] });
  });

  it('Gemini and chat servers get their native schema field, and Anthropic a strict tool for a tool marked strict', async () => {
    harness.upstream.enqueue({ kind: 'text', text: '{}' });
    await client.responses.create({
      model: 'google/gemini-2.5-flash',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'o', schema: { type: 'object' } } },
    });
    expect(harness.upstream.requests.at(-1)!.body.generationConfig).toMatchObject({
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
    });
    harness.upstream.enqueue({ kind: 'text', text: '{}' });
    await client.responses.create({
      model: 'vllm/qwen',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'o', schema: { type: 'object' }, strict: true } },
    });
    expect(harness.upstream.requests.at(-1)!.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'o', schema: { type: 'object' }, strict: true },
    });
    const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    await client.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      input: 'x',
      tools: [{ type: 'function', name: 'weather', parameters, strict: true }],
    });
    expect(harness.upstream.requests.at(-1)!.body.tools).toEqual([{ name: 'weather', input_schema: parameters, strict: true }]);
  });
});
