import { ApiError } from '../common/api-error.js';
import type { ToolParam } from '../items/responses.schemas.js';
import { checkToolOutputs } from '../turns/check-tool-outputs.js';
import { flattenItemToolNames, type PlanToolsInput, planTools } from './plan-tools.js';

const fn = (name: string) => ({ type: 'function' as const, name, parameters: { type: 'object' }, strict: false });

type Wire = PlanToolsInput['wire'];
const WIRES: Wire[] = ['openai-responses', 'chat', 'anthropic', 'gemini'];
const plan = (
  tools: ToolParam[],
  toolChoice: PlanToolsInput['toolChoice'] = 'auto',
  wire: Wire = 'chat',
  unsupported: PlanToolsInput['unsupported'] = 'error',
) => planTools({ tools, toolChoice, wire, model: 'anthropic/claude-x', unsupported });

// What each wire gets for each tool type the spec lists: native (as sent), mapped (a function), or the error.
const HOSTED_TOOLS: ToolParam[] = [
  { type: 'web_search' },
  { type: 'web_search_preview' },
  { type: 'file_search', vector_store_ids: ['vs_1'] },
  { type: 'code_interpreter', container: { type: 'auto' } },
  { type: 'image_generation' },
  { type: 'mcp', server_label: 'docs', server_url: 'https://example.com/mcp' },
  { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' },
  { type: 'computer' },
  { type: 'local_shell' },
  { type: 'shell' },
  { type: 'apply_patch' },
  { type: 'tool_search' },
  { type: 'programmatic_tool_calling' },
];
const patchTool = { type: 'custom', name: 'apply_patch', description: 'Edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } };

describe(planTools.name, () => {
  it('flattens namespaces and maps names back, with their kind', () => {
    const planned = plan([fn('exec'), { type: 'namespace', name: 'agents', description: '', tools: [fn('close')] }]);
    expect(planned.tools.map((tool) => tool.name)).toEqual(['exec', 'agents__close']);
    expect(planned.resolveToolName('agents__close')).toEqual({ name: 'close', namespace: 'agents', kind: 'function' });
    expect(planned.resolveToolName('exec')).toEqual({ name: 'exec', namespace: null, kind: 'function' });
    expect(planned.tools[0]).toEqual({ name: 'exec', description: null, parameters: { type: 'object' }, strict: false });
  });

  it.each(HOSTED_TOOLS.map((tool) => [tool.type, tool] as const))(
    '%s: passed as sent to OpenAI Responses, refused where no search of its own maps it, left out on request',
    (type, tool) => {
      expect(plan([fn('exec'), tool], 'auto', 'openai-responses')).toMatchObject({ nativeTools: [tool], dropped: [] });
      // Web search maps to Anthropic's and Gemini's own searches (the next test).
      const searching: Wire[] = type.startsWith('web_search') ? ['anthropic', 'gemini'] : [];
      for (const wire of WIRES.filter((wire) => wire !== 'openai-responses' && !searching.includes(wire))) {
        let error: unknown;
        try {
          plan([fn('exec'), tool], 'auto', wire);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).toBody()).toEqual({
          error: {
            message: `The tool type '${type}' is not supported by model 'anthropic/claude-x'. Remove it, use a model on OpenAI's Responses API, or send "unsupported_tools": "drop" to leave such tools out.`,
            type: 'invalid_request_error',
            param: 'tools[1]',
            code: 'unsupported_tool',
          },
        });
        expect(plan([fn('exec'), tool], 'auto', wire, 'drop')).toMatchObject({ tools: [{ name: 'exec' }], nativeTools: [], dropped: [type] });
      }
    },
  );

  it('web_search: Anthropic and Gemini search their own way, with the domains and location the client gave; allowed_tools or none can turn it off', () => {
    const tool = {
      type: 'web_search',
      filters: { allowed_domains: ['example.com'] },
      user_location: { type: 'approximate', city: 'Paris', country: 'FR', region: null, timezone: 'Europe/Paris' },
    } as ToolParam;
    for (const wire of ['anthropic', 'gemini'] as const) {
      expect(plan([fn('exec'), tool], 'auto', wire)).toMatchObject({
        tools: [{ name: 'exec' }],
        nativeTools: [],
        webSearch: { allowedDomains: ['example.com'], userLocation: { city: 'Paris', country: 'FR', timezone: 'Europe/Paris' } },
        dropped: [],
      });
      expect(plan([{ type: 'web_search_preview' }], 'auto', wire).webSearch).toEqual({ allowedDomains: null, userLocation: null });
      expect(plan([fn('exec'), tool], 'none', wire).webSearch).toBeNull();
      expect(plan([fn('exec'), tool], { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'exec' }] }, wire).webSearch).toBeNull();
      expect(plan([fn('exec'), tool], { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'web_search' }] }, wire).webSearch).not.toBeNull();
    }
    expect(plan([tool], 'auto', 'openai-responses').webSearch).toBeNull();
  });

  it('custom: passed as sent to OpenAI Responses; elsewhere a function of one string, the grammar in its description', () => {
    expect(plan([patchTool], 'auto', 'openai-responses')).toMatchObject({ tools: [], nativeTools: [patchTool] });
    for (const wire of WIRES.filter((wire) => wire !== 'openai-responses')) {
      const planned = plan([patchTool], 'auto', wire);
      expect(planned.nativeTools).toEqual([]);
      expect(planned.tools).toEqual([
        {
          name: 'apply_patch',
          description: 'Edit files.\n\nThe input must follow this lark grammar:\nstart: "x"',
          parameters: {
            type: 'object',
            properties: { input: { type: 'string', description: 'The raw input of the tool, exactly as the tool takes it.' } },
            required: ['input'],
            additionalProperties: false,
          },
          strict: null,
        },
      ]);
      expect(planned.resolveToolName('apply_patch')).toEqual({ name: 'apply_patch', namespace: null, kind: 'custom' });
    }
  });

  it('custom inside a namespace is flattened like a function and keeps its kind', () => {
    const planned = plan([{ type: 'namespace', name: 'fs', description: '', tools: [{ type: 'custom', name: 'patch' }] }], 'auto', 'openai-responses');
    expect(planned.nativeTools).toEqual([{ type: 'custom', name: 'fs__patch' }]);
    expect(planned.resolveToolName('fs__patch')).toEqual({ name: 'patch', namespace: 'fs', kind: 'custom' });
  });

  it('tool_choice: a custom tool is forced natively on OpenAI Responses and as its function elsewhere; a hosted choice passes to OpenAI only', () => {
    expect(plan([patchTool], { type: 'custom', name: 'apply_patch' }, 'openai-responses').toolChoice).toEqual({
      type: 'native',
      choice: { type: 'custom', name: 'apply_patch' },
    });
    expect(plan([patchTool], { type: 'custom', name: 'apply_patch' }, 'anthropic').toolChoice).toEqual({ type: 'function', name: 'apply_patch' });
    expect(() => plan([fn('apply_patch')], { type: 'custom', name: 'apply_patch' })).toThrow(
      "tool_choice names custom tool 'apply_patch', which is not in tools.",
    );
    expect(plan([{ type: 'web_search' }], { type: 'web_search' }, 'openai-responses').toolChoice).toEqual({ type: 'native', choice: { type: 'web_search' } });
    expect(plan([{ type: 'web_search' }], { type: 'web_search' }, 'gemini', 'drop').toolChoice).toBe('auto');
  });

  it('enforces allowed_tools by only offering the allowed tools, hosted ones by type', () => {
    const planned = plan(
      [fn('a'), fn('b'), patchTool, { type: 'web_search' }, { type: 'file_search', vector_store_ids: [] }],
      { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'b' }, { type: 'custom', name: 'apply_patch' }, { type: 'web_search' }] },
      'openai-responses',
    );
    expect(planned.tools.map((tool) => tool.name)).toEqual(['b']);
    expect(planned.nativeTools).toEqual([patchTool, { type: 'web_search' }]);
    expect(planned.toolChoice).toBe('required');
  });

  it('rejects a forced function that is not offered', () => {
    expect(() => plan([fn('a')], { type: 'function', name: 'zzz' })).toThrow(ApiError);
  });

  it('renames namespaced calls in history the way the upstream saw them, custom ones too', () => {
    const items = flattenItemToolNames([
      { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'close', namespace: 'agents', arguments: '{}', status: 'completed' },
      { type: 'custom_tool_call', id: 'ctc_1', call_id: 'd', name: 'patch', namespace: 'fs', input: 'x', status: 'completed' },
    ]);
    expect(items).toMatchObject([
      { name: 'agents__close', namespace: null },
      { name: 'fs__patch', namespace: null },
    ]);
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

  it('holds custom tool calls to the same rule, in their own words', () => {
    const custom = { type: 'custom_tool_call' as const, id: 'ctc_1', call_id: 'call_2', name: 'apply_patch', input: 'x', status: 'completed' as const };
    const answer = { type: 'custom_tool_call_output' as const, id: 'ctco_1', call_id: 'call_2', output: 'ok', status: 'completed' as const };
    expect(() => checkToolOutputs([custom], [answer])).not.toThrow();
    expect(() => checkToolOutputs([custom], [])).toThrow('No tool output found for custom tool call call_2.');
    expect(() => checkToolOutputs([], [answer])).toThrow('No tool call found for custom tool call output with call_id call_2.');
  });
});
