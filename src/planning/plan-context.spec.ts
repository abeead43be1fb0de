import { ApiError } from '../common/api-error.js';
import type { HistoryEntry, Item } from '../items/item.schemas.js';
import { type ContextAnchor, type PlanContextInput, planContext, shrinkContext } from './plan-context.js';

// Every item costs its `tokens` (read from the id: `u1:10` is a user message of 10 tokens).
const tokensOf = (item: Item): number => Number(item.id.split(':')[1] ?? 0);

const user = (name: string): Item => ({ type: 'message', id: name, role: 'user', status: 'completed', content: [{ type: 'input_text', text: name }] });
const assistant = (name: string): Item => ({
  type: 'message',
  id: name,
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: name, annotations: [], logprobs: [] }],
});
const call = (name: string, callId: string): Item => ({ type: 'function_call', id: name, call_id: callId, name: 'f', arguments: '{}', status: 'completed' });
const output = (name: string, callId: string): Item => ({ type: 'function_call_output', id: name, call_id: callId, output: 'ok', status: 'completed' });
const reasoning = (name: string): Item => ({ type: 'reasoning', id: name, summary: [] });

function entries(items: Item[], firstSeq = 0): HistoryEntry[] {
  return items.map((item, index) => ({ seq: firstSeq + index, item }));
}

function plan(overrides: Partial<PlanContextInput>) {
  return planContext({
    history: [],
    input: [user('new:10')],
    fixedTokens: 0,
    window: 1000,
    outputReserve: 0,
    truncation: 'auto',
    anchor: null,
    model: 'openai/m',
    tokensOf,
    ...overrides,
  });
}

const ids = (items: Item[]) => items.map((item) => item.id.split(':')[0]);

describe('planContext', () => {
  // Ten turns of 100 tokens (user 50 + assistant 50) = 1,000 tokens of history.
  const tenTurns = Array.from({ length: 10 }, (_, turn) => [user(`u${turn}:50`), assistant(`a${turn}:50`)]).flat();

  it.each([
    // [what, window, reserve, fixed, expected kept history ids' first, start seq]
    ['everything fits', 2000, 0, 0, 'u0', 0],
    // Budget 1,000 for a 1,010 prompt: cut to 70% of it, the newest 6 turns (600) and the input.
    ['the output reserve is taken from the window', 1100, 100, 0, 'u4', 8],
    // 110 fixed + 1,000 + 10 in a budget of 1,100: 70% is 770, so again the newest 6 turns.
    ['instructions and tools count', 1100, 0, 100, 'u4', 8],
  ])('%s', (_what, window, outputReserve, fixedTokens, first, startSeq) => {
    const result = plan({ history: entries(tenTurns), window, outputReserve, fixedTokens });
    expect(ids(result.items)[0]).toBe(first);
    expect(result.record.start_seq).toBe(startSeq);
    expect(result.items.at(-1)!.id).toBe('new:10');
  });

  it('cuts in one large step, down to 70% of the budget, at a turn boundary', () => {
    // Budget 1,000; prompt 1,010. 70% = 700: keep the newest 6 turns (600) + input (10) = 610.
    const result = plan({ history: entries(tenTurns), window: 1000 });
    expect(ids(result.items)).toEqual(['u4', 'a4', 'u5', 'a5', 'u6', 'a6', 'u7', 'a7', 'u8', 'a8', 'u9', 'a9', 'new']);
    expect(result.record).toMatchObject({
      budget: 1000,
      start_seq: 8,
      history_items: 12,
      estimated_tokens: 610,
      expected_tokens: 610,
      cut: { reason: 'budget', dropped_items: 8, dropped_tokens: 400, from_seq: 0 },
    });
  });

  it('keeps the previous start while the prompt fits, so the prefix is unchanged', () => {
    // The previous turn started at seq 8 and the provider counted 620 for an estimate of 610.
    const anchor: ContextAnchor = { startSeq: 8, floorSeq: null, estimatedTokens: 610, reportedTokens: 620, model: 'openai/m' };
    const history = entries([...tenTurns.slice(8), user('u10:50'), assistant('a10:50')], 8);
    const result = plan({ history, anchor, window: 1000 });
    expect(result.record.start_seq).toBe(8);
    expect(result.record.cut).toBeNull();
    // 620 reported + (710 now - 610 then) estimated since, scaled by 620/610.
    expect(result.record.estimated_tokens).toBe(710);
    expect(result.record.expected_tokens).toBe(Math.round(620 + 100 * (620 / 610)));
  });

  it('trusts the reported count over the estimate: a prompt the estimate fits but the provider counts over is cut', () => {
    // The estimate says 910 (fits 1,000) but the provider counted 1.2x the estimate last time.
    const anchor: ContextAnchor = { startSeq: 0, floorSeq: null, estimatedTokens: 810, reportedTokens: 972, model: 'openai/m' };
    const history = entries(tenTurns.slice(0, 18));
    const result = plan({ history, anchor, input: [user('new:10')], window: 1000 });
    expect(result.record.estimated_tokens).toBeLessThan(1000);
    expect(result.record.cut).not.toBeNull();
    expect(result.record.expected_tokens).toBeLessThanOrEqual(700);
  });

  it("ignores another model's count", () => {
    const anchor: ContextAnchor = { startSeq: 0, floorSeq: null, estimatedTokens: 100, reportedTokens: 190, model: 'anthropic/other' };
    const result = plan({ history: entries(tenTurns.slice(0, 2)), anchor });
    expect(result.record.expected_tokens).toBe(110);
  });

  it('refuses with 400 context_length_exceeded when truncation is disabled, whatever the anchor', () => {
    let error: unknown;
    try {
      plan({ history: entries(tenTurns), window: 1000, truncation: 'disabled' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toBody()).toEqual({
      error: {
        message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
        type: 'invalid_request_error',
        param: 'input',
        code: 'context_length_exceeded',
      },
    });
  });

  it('refuses when the new input alone does not fit, even in auto', () => {
    expect(() => plan({ history: entries(tenTurns), input: [user('huge:1200')], window: 1000 })).toThrow(/newest input alone does not fit/);
  });

  it('cuts a tool loop in progress at a step boundary: never a call without its output, never a reasoning item without what follows', () => {
    // One user message, then a tool loop whose last output is this turn's input: no turn boundary to cut at.
    const loop = [
      user('u0:100'),
      reasoning('r1:50'),
      call('c1:50', 'a'),
      output('o1:100', 'a'),
      reasoning('r2:50'),
      call('c2:50', 'b'),
      output('o2:100', 'b'),
      reasoning('r3:50'),
      call('c3:50', 'c'),
    ];
    const result = plan({ history: entries(loop), input: [output('o3:100', 'c')], window: 650 });
    // Budget 650, 70% = 455. Valid cuts: before r1 (600 left), r2 (400), r3. Before r2 is the first under 455.
    expect(ids(result.items)).toEqual(['r2', 'c2', 'o2', 'r3', 'c3', 'o3']);
  });

  it('drops a whole finished tool loop when the new input starts a turn', () => {
    const loop = [user('u0:100'), reasoning('r1:50'), call('c1:50', 'a'), output('o1:100', 'a'), assistant('a1:300')];
    const result = plan({ history: entries(loop), window: 500 });
    expect(ids(result.items)).toEqual(['new']);
    expect(result.record.start_seq).toBe(5);
  });

  it('keeps the outputs of this turn with their calls when the calls are history', () => {
    const history = entries([user('u0:400'), assistant('a0:100'), user('u1:100'), call('c1:100', 'x')]);
    const result = plan({ history, input: [output('o1:10', 'x')], window: 600 });
    // Cutting before u1 keeps the call with the output in the input.
    expect(ids(result.items)).toEqual(['u1', 'c1', 'o1']);
  });

  it('prefers turn boundaries to step boundaries when both fit', () => {
    const history = entries([user('u0:300'), assistant('a0:100'), call('c:50', 'x'), output('o:50', 'x'), user('u1:50'), assistant('a1:50')]);
    const result = plan({ history, window: 500 });
    // 70% of 500 = 350: a step cut before `c` gives 210; the turn cut before u1 gives 110 and is a turn boundary.
    expect(ids(result.items)[0]).toBe('u1');
  });
});

describe('shrinkContext', () => {
  it('cuts further after the provider refused, recording the upstream reason and the new start', () => {
    const history = entries(Array.from({ length: 6 }, (_, turn) => [user(`u${turn}:50`), assistant(`a${turn}:50`)]).flat(), 20);
    const first = plan({ history, window: 10_000 });
    expect(first.record.cut).toBeNull();
    const shrunk = shrinkContext(first, tokensOf)!;
    // 610 sent; 70% of 70% of it = 298: keep the newest 2 turns + input = 210.
    expect(ids(shrunk.items)).toEqual(['u4', 'a4', 'u5', 'a5', 'new']);
    expect(shrunk.record.start_seq).toBe(28);
    expect(shrunk.record.cut).toEqual({ reason: 'upstream', dropped_items: 8, dropped_tokens: 400, from_seq: 20 });
  });

  it('returns null when there is no history left to drop', () => {
    expect(shrinkContext(plan({}), tokensOf)).toBeNull();
  });
});
