import type { CompactionItem, HistoryEntry, Item } from '../items/item.schemas.js';
import { chooseRetained, fromNewestCompaction, GAP_NOTICE, SUMMARY_PREFIX, withLeadingUser } from './plan-compaction.js';

const user = (id: string): Item => ({ type: 'message', id, role: 'user', status: 'completed', content: [{ type: 'input_text', text: id }] });
const assistant = (id: string): Item => ({
  type: 'message',
  id,
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: id, annotations: [], logprobs: [] }],
});
const call = (id: string, callId: string): Item => ({ type: 'function_call', id, call_id: callId, name: 'f', arguments: '{}', status: 'completed' });
const output = (id: string, callId: string): Item => ({ type: 'function_call_output', id, call_id: callId, output: 'ok', status: 'completed' });

const ours = (id: string, summary: string, retained: Item[]): CompactionItem => ({
  type: 'compaction',
  id,
  encrypted_content: 'rse1.x',
  provider_data: { compaction: { summary, retained } },
});
const openai = (id: string): CompactionItem => ({
  type: 'compaction',
  id,
  encrypted_content: 'gAAA',
  provider_data: { openai: { encrypted_content: 'gAAA' } },
});
const anthropic = (id: string, content: string): CompactionItem => ({
  type: 'compaction',
  id,
  encrypted_content: 'rse1.y',
  provider_data: { anthropic: { content, encrypted_content: null } },
});

const entries = (items: Item[]): HistoryEntry[] => items.map((item, seq) => ({ seq, item }));
const ids = (items: Item[]) => items.map((item) => item.id);
const text = (item: Item) => (item.type === 'message' && item.content[0] && 'text' in item.content[0] ? item.content[0].text : null);

describe('fromNewestCompaction', () => {
  it('leaves a history without compaction as it is', () => {
    const history = entries([user('u1'), assistant('a1')]);
    expect(fromNewestCompaction(history, [user('u2')], 'anthropic')).toEqual({ history, input: [user('u2')], unreadable: null });
  });

  it('renders our compaction as its summary, then the items it kept, then what came after; nothing before it', () => {
    const history = entries([user('u1'), assistant('a1'), user('u2'), ours('cmp1', 'They talked.', [user('u2')]), assistant('a2')]);
    const view = fromNewestCompaction(history, [user('u3')], 'gemini');
    expect(ids(view.history.map((entry) => entry.item))).toEqual(['cmp1', 'u2', 'a2']);
    expect(text(view.history[0]!.item)).toBe(`${SUMMARY_PREFIX}\n\nThey talked.`);
    expect(view.history.map((entry) => entry.seq)).toEqual([3, 3, 4]);
    expect(view.unreadable).toBeNull();
  });

  it.each([
    ['OpenAI reads its own item', 'openai-responses', openai('cmp1'), ['cmp1', 'a2'], false],
    ['another wire cannot read OpenAI’s item', 'anthropic', openai('cmp1'), ['a2'], true],
    ['Anthropic reads its own block', 'anthropic', anthropic('cmp1', 'Summary.'), ['cmp1', 'a2'], false],
    ['other wires read Anthropic’s summary text', 'chat', anthropic('cmp1', 'Summary.'), ['cmp1', 'a2'], false],
  ] as const)('%s', (_what, wire, item, expected, unreadable) => {
    const view = fromNewestCompaction(entries([user('u1'), item, assistant('a2')]), [], wire);
    expect(ids(view.history.map((entry) => entry.item))).toEqual(expected);
    expect(view.unreadable !== null).toBe(unreadable);
    if (!unreadable && view.history[0]!.item.type === 'message') expect(text(view.history[0]!.item)).toBe(`${SUMMARY_PREFIX}\n\nSummary.`);
  });

  it('a compaction item sent in the input replaces the stored history and the input before it', () => {
    const view = fromNewestCompaction(entries([user('u1'), assistant('a1')]), [user('old'), ours('cmp9', 'S', []), user('new')], 'chat');
    expect(ids(view.history.map((entry) => entry.item))).toEqual(['cmp9']);
    expect(ids(view.input)).toEqual(['new']);
  });
});

describe('chooseRetained', () => {
  const tokensOf = (item: Item) => (item.id.startsWith('big') ? 100 : 10);

  it('keeps the newest whole turns that fit 30% of the budget', () => {
    // Budget 200 → 60 kept: the last turn (u3, a3 = 20) and the input (10); u2's turn would make 70... with big items it stops earlier.
    const history = entries([user('big1'), assistant('big2'), user('u2'), assistant('a2'), user('u3'), assistant('a3')]);
    expect(chooseRetained(history, [user('u4')], tokensOf, 200)).toBe(2);
    expect(chooseRetained(history, [user('u4')], tokensOf, 100)).toBe(4);
  });

  it('prefers a turn boundary; inside a tool loop in progress it keeps whole steps, never an output without its call', () => {
    const history = entries([user('big1'), call('c1', 'x'), output('o1', 'x'), assistant('a1')]);
    // The new input starts a turn: the finished tool loop goes into the summary.
    expect(chooseRetained(history, [user('u2')], tokensOf, 200)).toBe(4);
    // The input answers a call: the loop is in progress and keeps its steps from `c1` on (`o1` alone would be orphaned).
    const loop = entries([user('big1'), call('c1', 'x'), output('o1', 'x'), call('c2', 'y')]);
    expect(chooseRetained(loop, [output('o2', 'y')], tokensOf, 200)).toBe(1);
  });

  it('keeps only the input when nothing else fits (a compaction_trigger passes budget 0)', () => {
    expect(chooseRetained(entries([user('u1'), assistant('a1')]), [], tokensOf, 0)).toBe(2);
  });
});

describe('withLeadingUser', () => {
  it.each([
    ['anthropic', [assistant('a1'), user('u2')], [GAP_NOTICE, 'a1', 'u2']],
    ['gemini', [call('c1', 'x'), output('o1', 'x')], [GAP_NOTICE, 'c1', 'o1']],
    ['chat', [user('u1'), assistant('a1')], ['u1', 'a1']],
    ['openai-responses', [assistant('a1')], ['a1']],
  ] as const)('%s', (wire, items, expected) => {
    const result = withLeadingUser([...items], wire);
    expect(result.map((item) => (item.id === 'msg_gap' ? text(item) : item.id))).toEqual(expected);
  });

  it('looks past system and developer messages', () => {
    const system: Item = { type: 'message', id: 's', role: 'developer', status: 'completed', content: [{ type: 'input_text', text: 'be brief' }] };
    expect(withLeadingUser([system, assistant('a1')], 'anthropic').map((item) => item.id)).toEqual(['s', 'msg_gap', 'a1']);
  });
});
