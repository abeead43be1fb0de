import type { Item } from '../items/item.schemas.js';
import { planReasoningReplay, type ReplayTarget } from './plan-reasoning-replay.js';

const user = (id: string): Item => ({ type: 'message', id, role: 'user', status: 'completed', content: [{ type: 'input_text', text: id }] });
const answer = (id: string): Item => ({
  type: 'message',
  id,
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: id, annotations: [], logprobs: [] }],
});
const thought = (id: string): Item => ({ type: 'reasoning', id, summary: [], provider_data: { anthropic: { thinking: id, signature: `sig_${id}` } } });
const call = (id: string): Item => ({ type: 'function_call', id, call_id: `c_${id}`, name: 'f', arguments: '{}', status: 'completed' });
const result = (id: string): Item => ({ type: 'function_call_output', id, call_id: `c_${id}`, output: 'ok', status: 'completed' });

// Turn 1: thinks and answers. Turn 2: thinks, calls a tool, thinks, answers. Turn 3 (in progress): thinks, calls a tool, gets its result.
const history: Item[] = [
  user('u1'),
  thought('r1'),
  answer('a1'),
  user('u2'),
  thought('r2'),
  call('f2'),
  result('f2'),
  thought('r3'),
  answer('a2'),
  user('u3'),
  thought('r4'),
  call('f4'),
  result('f4'),
];
const finished = history.slice(0, 9).concat(user('u3'));

const anthropic: ReplayTarget = { wire: 'anthropic', style: 'anthropic-manual', thinking: true };
const kept = (items: Item[]) => items.filter((item) => item.type === 'reasoning').map((item) => item.id);

describe(planReasoningReplay.name, () => {
  it('keeps what each policy promises, and every other item', () => {
    const off = { ...anthropic, thinking: false };
    expect(kept(planReasoningReplay(history, 'preserve', off).items)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(kept(planReasoningReplay(history, 'tool_turns', off).items)).toEqual(['r2', 'r4']);
    expect(kept(planReasoningReplay(history, 'current_turn', off).items)).toEqual(['r4']);
    expect(kept(planReasoningReplay(history, 'clear', off).items)).toEqual([]);
    expect(planReasoningReplay(history, 'clear', off).items.filter((item) => item.type !== 'reasoning')).toHaveLength(9);
  });

  it('resolves auto per provider: everything where it is read back, tool turns for DeepSeek, nothing for other chat servers', () => {
    expect(planReasoningReplay(history, 'auto', anthropic).applied).toBe('preserve');
    expect(planReasoningReplay(history, 'auto', { wire: 'gemini', style: 'gemini-level', thinking: true }).applied).toBe('preserve');
    expect(planReasoningReplay(history, 'auto', { wire: 'openai-responses', style: 'effort', thinking: true }).applied).toBe('preserve');
    expect(planReasoningReplay(history, 'auto', { wire: 'chat', style: 'deepseek', thinking: true }).applied).toBe('tool_turns');
    expect(planReasoningReplay(history, 'auto', { wire: 'chat', style: 'none', thinking: false }).applied).toBe('clear');
  });

  it('raises clear to the tool loop’s thinking on Anthropic while thinking, with a warning', () => {
    const plan = planReasoningReplay(history, 'clear', anthropic);
    expect(plan).toMatchObject({ applied: 'current_turn', warnings: [expect.stringContaining('raised to "current_turn"')] });
    expect(kept(plan.items)).toEqual(['r4']);
    // Outside a tool loop, or without thinking, clear is legal as asked.
    expect(planReasoningReplay(finished, 'clear', anthropic)).toMatchObject({ applied: 'clear', warnings: [] });
    expect(planReasoningReplay(history, 'clear', { ...anthropic, thinking: false })).toMatchObject({ applied: 'clear', warnings: [] });
  });

  it('raises DeepSeek to tool turns and Gemini 3 to the current turn', () => {
    expect(planReasoningReplay(finished, 'clear', { wire: 'chat', style: 'deepseek', thinking: true }).applied).toBe('tool_turns');
    expect(planReasoningReplay(history, 'clear', { wire: 'gemini', style: 'gemini-level', thinking: true }).applied).toBe('current_turn');
    expect(planReasoningReplay(history, 'clear', { wire: 'gemini', style: 'gemini-budget', thinking: true }).applied).toBe('clear');
  });
});

describe('switching models mid-loop', () => {
  const foreignLoop: Item[] = [
    user('u1'),
    { ...thought('g1'), provider_data: { gemini: { thoughtSignature: 'sig' } } },
    call('f1'),
    call('f2'),
    result('f1'),
    result('f2'),
  ];

  it('suspends Anthropic thinking for a loop another model started, and only then', () => {
    expect(planReasoningReplay(foreignLoop, 'auto', anthropic)).toMatchObject({ suspendThinking: true, warnings: [expect.stringContaining('another model')] });
    const ownLoop: Item[] = [user('u1'), { ...thought('a1'), provider_data: { anthropic: { thinking: 't', signature: 's' } } }, call('f1'), result('f1')];
    expect(planReasoningReplay(ownLoop, 'auto', anthropic).suspendThinking).toBe(false);
    expect(planReasoningReplay([...foreignLoop, answer('done'), user('u2')], 'auto', anthropic).suspendThinking).toBe(false);
  });

  it('marks the first unsigned call of each current-turn step for Gemini 3, leaving signed ones and older turns alone', () => {
    const anthropicLoop: Item[] = [
      user('u0'),
      call('old'),
      result('old'),
      answer('a0'),
      user('u1'),
      call('f1'),
      call('f2'),
      result('f1'),
      result('f2'),
      call('f3'),
      result('f3'),
    ];
    const plan = planReasoningReplay(anthropicLoop, 'auto', { wire: 'gemini', style: 'gemini-level', thinking: true });
    const signatures = plan.items
      .filter((item) => item.type === 'function_call')
      .map((item) => (item.provider_data?.['gemini'] as { thoughtSignature?: string } | undefined)?.thoughtSignature ?? null);
    expect(signatures).toEqual([null, 'skip_thought_signature_validator', null, 'skip_thought_signature_validator']);
    expect(plan.warnings).toEqual([expect.stringContaining('2 function call(s)')]);
    // Stored items are not touched.
    expect(anthropicLoop[5]).not.toHaveProperty('provider_data');
  });

  it('signs a custom tool call like a function call (it is one on Gemini), as Codex sends them back without our provider data', () => {
    const custom: Item = { type: 'custom_tool_call', id: 'ctc_1', call_id: 'c_p', name: 'apply_patch', input: '*** Begin Patch', status: 'completed' };
    const output: Item = { type: 'custom_tool_call_output', id: 'ctco_1', call_id: 'c_p', output: 'Success.', status: 'completed' };
    const loop: Item[] = [user('u1'), call('f1'), result('f1'), custom, output];
    const plan = planReasoningReplay(loop, 'auto', { wire: 'gemini', style: 'gemini-level', thinking: true });
    expect(plan.items.map((item) => (item.provider_data?.['gemini'] as { thoughtSignature?: string } | undefined)?.thoughtSignature ?? null)).toEqual([
      null,
      'skip_thought_signature_validator',
      null,
      'skip_thought_signature_validator',
      null,
    ]);
    // A thinking Gemini 2.5 checks the calls it signed too: they are signed the same way; not when it does not think.
    const budget = { wire: 'gemini', style: 'gemini-budget', thinking: true } as const;
    expect(planReasoningReplay(loop, 'auto', budget).items[3]!.provider_data).toEqual({ gemini: { thoughtSignature: 'skip_thought_signature_validator' } });
    expect(planReasoningReplay(loop, 'auto', { ...budget, thinking: false }).items[3]).not.toHaveProperty('provider_data');
    // A loop whose last output is a custom tool's is still a tool loop.
    expect(planReasoningReplay([user('u1'), custom, output], 'clear', { wire: 'gemini', style: 'gemini-level', thinking: true }).applied).toBe('current_turn');
  });
});
