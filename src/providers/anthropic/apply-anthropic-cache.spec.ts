import { ModelCatalog } from '../../config/model-catalog.js';
import type { AnthropicMessage, AnthropicRequestBody } from './anthropic.api.js';
import { applyAnthropicCache } from './apply-anthropic-cache.js';

const capabilities = ModelCatalog.load(null).lookup('anthropic/claude-sonnet-4-5').cache;
const long = (label: string) => `${label} ${'lorem ipsum dolor sit amet '.repeat(200)}`; // ~1,400 tokens

function body(messages: AnthropicMessage[], system: string = long('system')): AnthropicRequestBody {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system,
    tools: [{ name: 'read_file', description: 'Reads a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
    messages,
    stream: true,
  };
}

const marks = (request: AnthropicRequestBody) => JSON.stringify(request).match(/"cache_control":\{[^}]*\}/g) ?? [];

describe(applyAnthropicCache.name, () => {
  it('marks the instructions and the newest block, turning a string system prompt into a block', () => {
    const request = body([{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]);
    const plan = applyAnthropicCache(request, { mode: 'auto', capabilities, gapsMs: [] });
    expect(plan.breakpoints!.map((breakpoint) => breakpoint.reason)).toEqual(['prefix', 'tail']);
    expect(request.system).toEqual([{ type: 'text', text: long('system'), cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(request.messages[0]!.content[0]).toEqual({ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } });
  });

  it('sends nothing when caching is off or the prompt is below the model minimum', () => {
    const off = body([{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]);
    expect(applyAnthropicCache(off, { mode: 'off', capabilities, gapsMs: [] }).breakpoints).toEqual([]);
    const small = body([{ role: 'user', content: [{ type: 'text', text: 'hello' }] }], 'Be brief.');
    expect(applyAnthropicCache(small, { mode: 'auto', capabilities, gapsMs: [] }).breakpoints).toEqual([]);
    expect(marks(off)).toEqual([]);
    expect(marks(small)).toEqual([]);
  });

  it('after a parallel fan-out past the lookback, also marks where the previous request wrote', () => {
    const calls = Array.from({ length: 12 }, (_, index) => ({
      type: 'tool_use' as const,
      id: `call_${index}`,
      name: 'read_file',
      input: { path: `f${index}` },
    }));
    const request = body([
      { role: 'user', content: [{ type: 'text', text: 'read them all' }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'many files', signature: 'sig' }, ...calls] },
      { role: 'user', content: calls.map((call) => ({ type: 'tool_result' as const, tool_use_id: call.id, content: long(call.id) })) },
    ]);
    const plan = applyAnthropicCache(request, { mode: 'auto', capabilities, gapsMs: [2_000, 3_000] });
    expect(plan.breakpoints!.map((breakpoint) => breakpoint.reason)).toEqual(['prefix', 'previous-tail', 'tail']);
    expect(request.messages[0]!.content[0]).toMatchObject({ cache_control: { type: 'ephemeral' } });
    // The thinking block is never marked.
    expect(request.messages[1]!.content[0]).not.toHaveProperty('cache_control');
  });

  it('uses the 1h TTL, in order, for a thread whose turns come minutes apart', () => {
    const request = body([
      { role: 'user', content: [{ type: 'text', text: long('question') }] },
      { role: 'assistant', content: [{ type: 'text', text: 'answer' }] },
      { role: 'user', content: [{ type: 'text', text: 'follow-up' }] },
    ]);
    applyAnthropicCache(request, { mode: 'auto', capabilities, gapsMs: [8 * 60_000, 12 * 60_000, 9 * 60_000] });
    expect(marks(request).every((mark) => mark.includes('"ttl":"1h"'))).toBe(true);
    expect(marks(request).length).toBeGreaterThanOrEqual(2);
  });

  describe('a turn whose thinking leaves the prompt at the next user message (the model strips it)', () => {
    const pauses = [6_000, 4_000, 12 * 60_000, 5_000, 7_000, 20 * 60_000, 3_000];
    const thinking = { type: 'enabled' as const, budget_tokens: 2_048 };
    // A fan-out of 12 calls: the previous turn's start is further back than the 20-block lookback.
    const calls = Array.from({ length: 12 }, (_, index) => ({
      type: 'tool_use' as const,
      id: `call_${index}`,
      name: 'read_file',
      input: { path: `f${index}` },
    }));
    const previousTurn: AnthropicMessage[] = [
      { role: 'user', content: [{ type: 'text', text: long('fix the bug') }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'look at the files', signature: 'sig' }, ...calls] },
      { role: 'user', content: calls.map((call) => ({ type: 'tool_result' as const, tool_use_id: call.id, content: long(call.id) })) },
      { role: 'assistant', content: [{ type: 'text', text: 'fixed' }] },
    ];

    it('starting a turn: reads where the previous turn started and keeps its own entry for the next turn (1h)', () => {
      const request = { ...body([...previousTurn, { role: 'user', content: [{ type: 'text', text: 'now the tests' }] }]), thinking };
      const plan = applyAnthropicCache(request, { mode: 'auto', capabilities, gapsMs: pauses });
      // Messages 0 (the previous turn's user message) and 4 (this one): what was written past the
      // previous turn's thinking is gone, so the planner reads at its start.
      expect(plan.breakpoints!.map(({ reason, ttl }) => `${reason}:${ttl}`)).toEqual(['prefix:1h', 'previous-tail:1h', 'tail:1h']);
      expect(request.messages[0]!.content[0]).toMatchObject({ cache_control: { type: 'ephemeral', ttl: '1h' } });
      expect(request.messages[4]!.content[0]).toMatchObject({ cache_control: { type: 'ephemeral', ttl: '1h' } });
    });

    it('inside its tool loop: 5m at most, since after a pause the next request is a new turn', () => {
      // Fresh messages per call: the planner marks the blocks it is given.
      const loop = (): AnthropicMessage[] => [
        { role: 'user', content: [{ type: 'text', text: long('fix the bug') }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'read it', signature: 'sig' },
            { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.ts' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: long('file a') }] },
      ];
      const stripping = applyAnthropicCache({ ...body(loop()), thinking }, { mode: 'auto', capabilities, gapsMs: pauses });
      expect(stripping.breakpoints!.find((breakpoint) => breakpoint.reason === 'tail')?.ttl).toBe('5m');
      // The same loop on a model that keeps thinking, or without thinking, keeps the tail for a pause.
      const kept = applyAnthropicCache({ ...body(loop()), thinking }, { mode: 'auto', capabilities: { ...capabilities, thinkingKept: true }, gapsMs: pauses });
      expect(kept.breakpoints!.find((breakpoint) => breakpoint.reason === 'tail')?.ttl).toBe('1h');
      const noThinking = applyAnthropicCache(body(loop()), { mode: 'auto', capabilities, gapsMs: pauses });
      expect(noThinking.breakpoints!.find((breakpoint) => breakpoint.reason === 'tail')?.ttl).toBe('1h');
    });
  });

  it('keeps the client’s newest markers with the thread’s TTL and removes the older ones', () => {
    const marked = (text: string) => ({ type: 'text' as const, text: long(text), cache_control: { type: 'ephemeral' as const } });
    const request = body([{ role: 'user', content: [marked('a'), marked('b'), marked('c'), marked('d'), { type: 'text', text: 'question' }] }]);
    const plan = applyAnthropicCache(request, { mode: 'auto', capabilities, gapsMs: [] });
    expect(plan.breakpoints!.map((breakpoint) => `${breakpoint.index}:${breakpoint.reason}`)).toEqual(['3:client', '4:client', '5:client', '6:tail']);
    expect(request.messages[0]!.content.map((block) => 'cache_control' in block)).toEqual([false, true, true, true, true]);
    expect(marks(request)).toHaveLength(4);
  });

  it('removes every marker, the client’s included, when caching is off', () => {
    const request = body([{ role: 'user', content: [{ type: 'text', text: long('doc'), cache_control: { type: 'ephemeral' } }] }]);
    const plan = applyAnthropicCache(request, null);
    expect(plan.breakpoints).toEqual([]);
    expect(marks(request)).toEqual([]);
    expect(plan.promptChars).toBeGreaterThan(0);
  });
});
