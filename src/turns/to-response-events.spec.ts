import type { ModelStreamPart } from '../providers/model-adapter.js';
import { OutputAccumulator } from './to-response-events.js';

const usage = { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 };

function run(parts: ModelStreamPart[], resolve?: ConstructorParameters<typeof OutputAccumulator>[0]) {
  const accumulator = new OutputAccumulator(resolve);
  const events = parts.flatMap((part) => accumulator.push(part));
  events.push(...accumulator.close('completed'));
  return { accumulator, events, types: events.map((event) => event.type) };
}

describe(OutputAccumulator.name, () => {
  it('opens a message with empty content, streams text, then closes it', () => {
    const { accumulator, events, types } = run([
      { type: 'response-metadata', id: 'chatcmpl-1', model: 'gpt-test' },
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: '' },
      { type: 'text-delta', delta: 'lo' },
      { type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage },
    ]);
    expect(types).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    expect(events[0]).toMatchObject({ output_index: 0, item: { type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    expect(events[4]).toMatchObject({ text: 'Hello', content_index: 0 });
    expect(events[6]).toMatchObject({ item: { status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] } });
    expect(accumulator.usage).toEqual(usage);
    expect(accumulator.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(accumulator.upstreamResponseId).toBe('chatcmpl-1');
    const itemIds = new Set(
      events.map((event) =>
        'item_id' in event ? event.item_id : String(event.type).includes('output_item') ? (event as { item: { id: string } }).item.id : null,
      ),
    );
    expect(itemIds.size).toBe(1);
  });

  it('closes reasoning before text, and text before tool calls, keeping output indexes contiguous', () => {
    const { accumulator, events } = run([
      { type: 'reasoning-delta', delta: 'think' },
      { type: 'text-delta', delta: 'Calling.' },
      { type: 'tool-call-start', index: 0, callId: 'call_1', name: 'a' },
      { type: 'tool-call-delta', index: 0, delta: '{"x"' },
      { type: 'tool-call-start', index: 1, callId: 'call_2', name: 'b' },
      { type: 'tool-call-delta', index: 1, delta: '{}' },
      { type: 'tool-call-delta', index: 0, delta: ':1}' },
      { type: 'finish', reason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: null },
    ]);
    expect(accumulator.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
    const added = events.filter((event) => event.type === 'response.output_item.added').map((event) => (event as { output_index: number }).output_index);
    expect(added).toEqual([0, 1, 2, 3]);
    expect(accumulator.output[0]).toMatchObject({ type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'think' }], status: 'completed' });
    expect(accumulator.output[2]).toMatchObject({ call_id: 'call_1', name: 'a', arguments: '{"x":1}', status: 'completed' });
    expect(accumulator.output[3]).toMatchObject({ call_id: 'call_2', name: 'b', arguments: '{}' });
    const done = events.filter((event) => event.type === 'response.function_call_arguments.done');
    expect(done).toEqual([
      expect.objectContaining({ output_index: 2, name: 'a', arguments: '{"x":1}' }),
      expect.objectContaining({ output_index: 3, name: 'b', arguments: '{}' }),
    ]);
  });

  it('keeps provider data of reasoning blocks and tool calls on the items, out of the public events', () => {
    const { accumulator, events } = run([
      { type: 'reasoning-delta', delta: 'hmm' },
      { type: 'reasoning-end', providerData: { anthropic: { signature: 'sig-1' } } },
      { type: 'reasoning-end', providerData: { anthropic: { redacted: 'opaque' } } },
      { type: 'tool-call-start', index: 0, callId: 'c1', name: 'f', providerData: { gemini: { thoughtSignature: 'ts' } } },
    ]);
    expect(accumulator.output.map((item) => item.provider_data)).toEqual([
      { anthropic: { signature: 'sig-1' } },
      { anthropic: { redacted: 'opaque' } },
      { gemini: { thoughtSignature: 'ts' } },
    ]);
    // A block with no text (redacted) has neither summary nor content parts.
    expect(accumulator.output[1]).toMatchObject({ type: 'reasoning', status: 'completed', summary: [], content: [] });
    expect(JSON.stringify(events)).not.toContain('provider_data');
  });

  it('streams summary parts with the reasoning_summary events in the order OpenAI sends them, renumbered from 0', () => {
    const { accumulator, events } = run([
      { type: 'reasoning-summary-delta', delta: '**Plan**', index: 3 },
      { type: 'reasoning-summary-delta', delta: ' it.', index: 3 },
      { type: 'reasoning-summary-delta', delta: 'Then', index: 4 },
      { type: 'reasoning-end', providerData: { anthropic: { signature: 's' } } },
      { type: 'text-delta', delta: 'Done.' },
    ]);
    const id = accumulator.output[0]!.id;
    const where = { item_id: id, output_index: 0 };
    expect(events.slice(0, 10)).toEqual([
      { type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', id, summary: [], content: [], status: 'in_progress' } },
      { type: 'response.reasoning_summary_part.added', ...where, summary_index: 0, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', ...where, summary_index: 0, delta: '**Plan**' },
      { type: 'response.reasoning_summary_text.delta', ...where, summary_index: 0, delta: ' it.' },
      { type: 'response.reasoning_summary_text.done', ...where, summary_index: 0, text: '**Plan** it.' },
      { type: 'response.reasoning_summary_part.done', ...where, summary_index: 0, part: { type: 'summary_text', text: '**Plan** it.' } },
      { type: 'response.reasoning_summary_part.added', ...where, summary_index: 1, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', ...where, summary_index: 1, delta: 'Then' },
      { type: 'response.reasoning_summary_text.done', ...where, summary_index: 1, text: 'Then' },
      { type: 'response.reasoning_summary_part.done', ...where, summary_index: 1, part: { type: 'summary_text', text: 'Then' } },
    ]);
    const summary = [
      { type: 'summary_text', text: '**Plan** it.' },
      { type: 'summary_text', text: 'Then' },
    ];
    expect(events[10]).toEqual({
      type: 'response.output_item.done',
      output_index: 0,
      item: { type: 'reasoning', id, summary, content: [], status: 'completed' },
    });
    expect(events[11]).toMatchObject({ type: 'response.output_item.added', output_index: 1, item: { type: 'message' } });
    expect(accumulator.output[0]).toEqual({
      type: 'reasoning',
      id,
      summary,
      content: [],
      status: 'completed',
      provider_data: { anthropic: { signature: 's' } },
    });
  });

  it('keeps a summary and raw reasoning text apart in one item, each with its own events', () => {
    const { accumulator, events } = run([
      { type: 'reasoning-summary-delta', delta: 'Short.', index: 0 },
      { type: 'reasoning-delta', delta: 'Long raw' },
      { type: 'reasoning-delta', delta: ' thought.' },
    ]);
    expect(accumulator.output[0]).toMatchObject({
      summary: [{ type: 'summary_text', text: 'Short.' }],
      content: [{ type: 'reasoning_text', text: 'Long raw thought.' }],
    });
    expect(events.map((event) => event.type)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
  });

  it('marks a summary part cut short as incomplete', () => {
    const accumulator = new OutputAccumulator();
    accumulator.push({ type: 'reasoning-summary-delta', delta: 'half', index: 0 });
    const events = accumulator.close('incomplete');
    expect(events.find((event) => event.type === 'response.reasoning_summary_part.done')).toMatchObject({ status: 'incomplete', part: { text: 'half' } });
    expect(events.at(-1)).toMatchObject({ type: 'response.output_item.done', item: { status: 'incomplete', summary: [{ text: 'half' }] } });
  });

  it('places an annotation that covers the last characters streamed where they stand in the message text', () => {
    const { accumulator, events } = run([
      { type: 'text-delta', delta: 'In the final, ' },
      { type: 'text-delta', delta: 'Spain won.' },
      { type: 'text-annotation', annotation: { type: 'url_citation', url: 'u', title: 't', start_index: 0, end_index: 0 }, covers: 10 },
    ]);
    const annotation = { type: 'url_citation', url: 'u', title: 't', start_index: 14, end_index: 24 };
    expect(accumulator.output[0]).toMatchObject({ content: [{ text: 'In the final, Spain won.', annotations: [annotation] }] });
    expect(events.find((event) => event.type === 'response.output_text.annotation.added')).toMatchObject({ annotation });
  });

  it('events carry snapshots, not live items', () => {
    const { events } = run([
      { type: 'text-delta', delta: 'a' },
      { type: 'text-delta', delta: 'b' },
    ]);
    expect(events[0]).toMatchObject({ item: { content: [], status: 'in_progress' } });
  });

  it('a refusal after some text is a second content part of the same message, with refusal events', () => {
    const { accumulator, events } = run([
      { type: 'text-delta', delta: 'Well, ' },
      { type: 'refusal-delta', delta: "I can't" },
      { type: 'refusal-delta', delta: ' help.' },
    ]);
    const id = accumulator.output[0]!.id;
    expect(accumulator.output).toEqual([
      {
        type: 'message',
        id,
        role: 'assistant',
        status: 'completed',
        content: [
          { type: 'output_text', text: 'Well, ', annotations: [], logprobs: [] },
          { type: 'refusal', refusal: "I can't help." },
        ],
      },
    ]);
    expect(events.slice(1).map((event) => [event.type, (event as { content_index?: number }).content_index])).toEqual([
      ['response.content_part.added', 0],
      ['response.output_text.delta', 0],
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.content_part.added', 1],
      ['response.refusal.delta', 1],
      ['response.refusal.delta', 1],
      ['response.refusal.done', 1],
      ['response.content_part.done', 1],
      ['response.output_item.done', undefined],
    ]);
    expect(events[8]).toMatchObject({ type: 'response.refusal.done', item_id: id, output_index: 0, refusal: "I can't help." });
  });

  it('a custom tool call made by the wire streams its input as custom_tool_call_input events', () => {
    const { accumulator, events } = run([
      { type: 'tool-call-start', index: 0, callId: 'c1', name: 'apply_patch', custom: true },
      { type: 'tool-call-delta', index: 0, delta: '*** Begin' },
      { type: 'tool-call-delta', index: 0, delta: ' Patch' },
    ]);
    const id = accumulator.output[0]!.id;
    expect(accumulator.output).toEqual([{ type: 'custom_tool_call', id, call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch', status: 'completed' }]);
    expect(events.slice(1)).toEqual([
      { type: 'response.custom_tool_call_input.delta', item_id: id, output_index: 0, delta: '*** Begin' },
      { type: 'response.custom_tool_call_input.delta', item_id: id, output_index: 0, delta: ' Patch' },
      { type: 'response.custom_tool_call_input.done', item_id: id, output_index: 0, input: '*** Begin Patch' },
      { type: 'response.output_item.done', output_index: 0, item: accumulator.output[0] },
    ]);
  });

  it('a custom tool called through a function gets its input unwrapped from {"input"} when the call closes', () => {
    const { accumulator, events } = run(
      [
        { type: 'tool-call-start', index: 0, callId: 'c1', name: 'apply_patch' },
        { type: 'tool-call-delta', index: 0, delta: '{"input":"a \\"b' },
        { type: 'tool-call-delta', index: 0, delta: '\\""}' },
      ],
      (name) => ({ name, namespace: null, kind: 'custom' }),
    );
    expect(accumulator.output[0]).toMatchObject({ type: 'custom_tool_call', input: 'a "b"' });
    expect(events.map((event) => event.type)).toEqual([
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
    ]);
    expect(events[1]).toMatchObject({ delta: 'a "b"' });
  });

  it('a hosted item keeps its id and fields; its progress events are renumbered to its output index', () => {
    const { accumulator, events } = run([
      { type: 'text-delta', delta: 'Looking.' },
      { type: 'hosted-item', item: { type: 'web_search_call', id: 'ws_1', status: 'in_progress' }, done: false },
      { type: 'hosted-event', event: { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 7, sequence_number: 9 } },
      { type: 'hosted-event', event: { type: 'response.web_search_call.completed', item_id: 'ws_unknown', output_index: 8 } },
      { type: 'hosted-item', item: { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } }, done: true },
      { type: 'text-annotation', annotation: { type: 'url_citation', url: 'https://example.com' } },
    ]);
    expect(accumulator.output[1]).toEqual({ type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } });
    expect(events.filter((event) => String(event.type).startsWith('response.web_search_call'))).toEqual([
      { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 1 },
    ]);
    // An annotation after the hosted item belongs to a new message: the first one was closed by the search.
    expect(accumulator.output[2]).toMatchObject({ type: 'message', content: [{ annotations: [{ type: 'url_citation', url: 'https://example.com' }] }] });
    expect(events.find((event) => event.type === 'response.output_text.annotation.added')).toMatchObject({ output_index: 2, annotation_index: 0 });
  });

  it('maps flattened tool names back to name and namespace', () => {
    const { accumulator } = run([{ type: 'tool-call-start', index: 0, callId: 'c', name: 'ns__tool' }], (name) =>
      name === 'ns__tool' ? { name: 'tool', namespace: 'ns', kind: 'function' } : { name, namespace: null, kind: 'function' },
    );
    expect(accumulator.output[0]).toMatchObject({ name: 'tool', namespace: 'ns' });
  });

  it('marks what was cut short as incomplete', () => {
    const accumulator = new OutputAccumulator();
    accumulator.push({ type: 'text-delta', delta: 'partial' });
    const events = accumulator.close('incomplete');
    expect(events.at(-1)).toMatchObject({ type: 'response.output_item.done', item: { status: 'incomplete' } });
  });

  it('builds the same output without events when quiet', () => {
    const parts: ModelStreamPart[] = [
      { type: 'reasoning-summary-delta', delta: 'think', index: 0 },
      { type: 'reasoning-end', providerData: { openai: { id: 'rs_1', encrypted_content: 'e' } } },
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: 'lo' },
      { type: 'tool-call-start', index: 0, callId: 'call_1', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, delta: '{"q":1}' },
      { type: 'finish', reason: { unified: 'tool-calls', raw: 'tool_calls' }, usage },
    ];
    const loud = run(parts).accumulator;
    const quiet = new OutputAccumulator(undefined, null, null, { events: false });
    const events = [...parts.flatMap((part) => quiet.push(part)), ...quiet.close('completed')];
    expect(events).toEqual([]);
    // Ids are fresh per accumulator; everything else is the same.
    const withoutIds = (items: typeof loud.output) => items.map(({ id: _id, ...rest }) => rest);
    expect(withoutIds(quiet.output)).toEqual(withoutIds(loud.output));
    expect(withoutIds(quiet.output).map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(quiet.output[2]).toMatchObject({ arguments: '{"q":1}', status: 'completed' });
    expect(quiet).toMatchObject({ usage, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } });
  });
});

describe(`${OutputAccumulator.name} log probabilities`, () => {
  const token = (text: string, logprob: number) => ({ token: text, logprob, bytes: Array.from(Buffer.from(text)), top_logprobs: [] });

  it('appends each delta’s logprobs to the output_text part, puts them on its delta event and all of them on .done', () => {
    const { accumulator, events } = run([
      { type: 'text-delta', delta: 'Hel', logprobs: [token('Hel', -0.1)] },
      { type: 'text-delta', delta: 'lo', logprobs: [token('l', -0.2), token('o', -0.3)] },
      { type: 'text-delta', delta: '!' },
      { type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage },
    ]);
    const all = [token('Hel', -0.1), token('l', -0.2), token('o', -0.3)];
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.map((event) => event.logprobs)).toEqual([[token('Hel', -0.1)], [token('l', -0.2), token('o', -0.3)], []]);
    expect(events.find((event) => event.type === 'response.output_text.done')).toMatchObject({ text: 'Hello!', logprobs: all });
    expect(events.find((event) => event.type === 'response.content_part.added')).toMatchObject({ part: { logprobs: [] } });
    expect(events.find((event) => event.type === 'response.content_part.done')).toMatchObject({ part: { logprobs: all } });
    expect(accumulator.output[0]).toMatchObject({ content: [{ type: 'output_text', text: 'Hello!', logprobs: all }] });
  });

  it('starts a new list for the next output_text part', () => {
    const { accumulator } = run([
      { type: 'text-delta', delta: 'A', logprobs: [token('A', -1)] },
      { type: 'refusal-delta', delta: 'No.' },
      { type: 'text-delta', delta: 'B', logprobs: [token('B', -2)] },
    ]);
    expect(accumulator.output[0]).toMatchObject({
      content: [
        { type: 'output_text', text: 'A', logprobs: [token('A', -1)] },
        { type: 'refusal', refusal: 'No.' },
        { type: 'output_text', text: 'B', logprobs: [token('B', -2)] },
      ],
    });
  });
});
