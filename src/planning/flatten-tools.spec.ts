import { ApiError } from '../common/api-error.js';
import { checkToolOutputs } from '../turns/check-tool-outputs.js';
import { flattenItemToolNames, planTools } from './flatten-tools.js';

const fn = (name: string) => ({ type: 'function' as const, name, parameters: { type: 'object' }, strict: false });

describe(planTools.name, () => {
  it('flattens namespaces, drops hosted tools and maps names back', () => {
    const planned = planTools([fn('exec'), { type: 'namespace', name: 'agents', tools: [fn('close')] }, { type: 'web_search' }], 'auto');
    expect(planned.tools.map((tool) => tool.name)).toEqual(['exec', 'agents__close']);
    expect(planned.dropped).toEqual(['web_search']);
    expect(planned.resolveToolName('agents__close')).toEqual({ name: 'close', namespace: 'agents' });
    expect(planned.resolveToolName('exec')).toEqual({ name: 'exec', namespace: null });
    expect(planned.tools[0]).toEqual({ name: 'exec', description: null, parameters: { type: 'object' }, strict: false });
  });

  it('enforces allowed_tools by only offering the allowed functions', () => {
    const planned = planTools([fn('a'), fn('b')], { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'b' }] });
    expect(planned.tools.map((tool) => tool.name)).toEqual(['b']);
    expect(planned.toolChoice).toBe('required');
  });

  it('rejects a forced function that is not offered', () => {
    expect(() => planTools([fn('a')], { type: 'function', name: 'zzz' })).toThrow(ApiError);
  });

  it('renames namespaced calls in history the way the upstream saw them', () => {
    const [item] = flattenItemToolNames([
      { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'close', namespace: 'agents', arguments: '{}', status: 'completed' },
    ]);
    expect(item).toMatchObject({ name: 'agents__close', namespace: null });
  });
});

describe(checkToolOutputs.name, () => {
  const call = { type: 'function_call' as const, id: 'fc_1', call_id: 'call_1', name: 'a', arguments: '{}', status: 'completed' as const };
  const output = { type: 'function_call_output' as const, id: 'fco_1', call_id: 'call_1', output: 'ok', status: 'completed' as const };

  it('accepts a call answered in the new input', () => {
    expect(() => checkToolOutputs([call], [output])).not.toThrow();
  });

  it('rejects an unanswered call and an orphan output', () => {
    expect(() => checkToolOutputs([call], [])).toThrow('No tool output found for function call call_1.');
    expect(() => checkToolOutputs([], [output])).toThrow('No tool call found for function call output with call_id call_1.');
  });
});
