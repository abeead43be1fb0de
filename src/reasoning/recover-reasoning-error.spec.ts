import { newMessageItem, newModelRequest } from '../../test/factories.js';
import { ProviderError } from '../common/provider-error.js';
import type { Item } from '../items/item.schemas.js';
import { recoverFromReasoningError } from './recover-reasoning-error.js';

const rejected = (message: string, status = 400) => new ProviderError({ provider: 'p', message, status });
const thought: Item = { type: 'reasoning', id: 'rs_1', summary: [], provider_data: { anthropic: { thinking: 't', signature: 's' } } };
const call: Item = {
  type: 'function_call',
  id: 'fc_1',
  call_id: 'c1',
  name: 'f',
  arguments: '{}',
  status: 'completed',
  provider_data: { gemini: { thoughtSignature: 'bad' } },
};
const output: Item = { type: 'function_call_output', id: 'fco_1', call_id: 'c1', output: 'ok', status: 'completed' };
const loop = [newMessageItem(), thought, call, output];

describe(recoverFromReasoningError.name, () => {
  it('sends Anthropic the loop without thinking when its thinking blocks are refused', () => {
    const request = newModelRequest({ items: loop, thinking: { kind: 'budget', budgetTokens: 2048 } });
    const recovery = recoverFromReasoningError(
      rejected('messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`.'),
      request,
    );
    expect(recovery?.request.thinking).toEqual({ kind: 'default' });
    expect(recovery?.request.items.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call_output']);
  });

  it('switches a refused budget to adaptive thinking, and unforces tools when thinking forbids it', () => {
    const budget = newModelRequest({ thinking: { kind: 'budget', budgetTokens: 2048 } });
    expect(recoverFromReasoningError(rejected('"thinking.type.enabled" is not supported for this model.'), budget)?.request.thinking).toEqual({
      kind: 'adaptive',
      effort: 'medium',
    });
    const forced = newModelRequest({ toolChoice: 'required' });
    expect(recoverFromReasoningError(rejected('Thinking may not be enabled when tool_choice forces tool use.'), forced)?.request.toolChoice).toBe('auto');
  });

  it('puts the Gemini sentinel on the current turn’s calls', () => {
    const recovery = recoverFromReasoningError(rejected('Corrupted thought signature.'), newModelRequest({ items: loop }));
    expect(recovery?.request.items[2]).toMatchObject({ provider_data: { gemini: { thoughtSignature: 'skip_thought_signature_validator' } } });
  });

  it('backfills reasoning_content for DeepSeek and Kimi, and drops reasoning OpenAI cannot place', () => {
    expect(
      recoverFromReasoningError(rejected('The `reasoning_content` in the thinking mode must be passed back to the API.'), newModelRequest())?.request
        .backfillReasoningContent,
    ).toBe(true);
    expect(
      recoverFromReasoningError(rejected('thinking is enabled but reasoning_content is missing in assistant tool call message at index 2'), newModelRequest()),
    ).not.toBeNull();
    const orphan = recoverFromReasoningError(
      rejected("Item 'rs_1' of type 'reasoning' was provided without its required following item."),
      newModelRequest({ items: loop }),
    );
    expect(orphan?.request.items.some((item) => item.type === 'reasoning')).toBe(false);
  });

  it('leaves every other error alone, and does not repeat a fix already made', () => {
    expect(recoverFromReasoningError(rejected('Something else'), newModelRequest())).toBeNull();
    expect(recoverFromReasoningError(rejected('Corrupted thought signature.', 500), newModelRequest())).toBeNull();
    expect(recoverFromReasoningError(new Error('Corrupted thought signature.'), newModelRequest())).toBeNull();
    expect(
      recoverFromReasoningError(
        rejected('The `reasoning_content` in the thinking mode must be passed back to the API.'),
        newModelRequest({ backfillReasoningContent: true }),
      ),
    ).toBeNull();
  });
});
