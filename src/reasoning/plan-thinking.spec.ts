import { ModelCatalog } from '../config/model-catalog.js';
import { planThinking, type ThinkingInput } from './plan-thinking.js';

const catalog = ModelCatalog.load(null);

function plan(model: string, overrides: Partial<ThinkingInput> = {}) {
  const info = catalog.lookup(model);
  return planThinking({
    reasoning: { effort: 'high', summary: null },
    capabilities: info.thinking,
    maxOutputTokens: info.defaultMaxOutputTokens,
    modelMaxOutputTokens: info.maxOutputTokens,
    temperature: null,
    topP: null,
    toolChoice: 'auto',
    ...overrides,
  });
}

describe(planThinking.name, () => {
  it('sends nothing when the client asks for no reasoning', () => {
    for (const model of ['anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'google/gemini-3-pro-preview', 'openai/gpt-5', 'deepseek/deepseek-v4-pro']) {
      expect(plan(model, { reasoning: null })).toMatchObject({ thinking: { kind: 'default' }, includeThoughts: false, warnings: [] });
    }
  });

  describe('Anthropic', () => {
    it('gives manual models a budget below max_tokens, raising the limit for the answer', () => {
      const result = plan('anthropic/claude-sonnet-4-5', { maxOutputTokens: 4_000 });
      expect(result.thinking).toEqual({ kind: 'budget', budgetTokens: 16_384 });
      expect(result.maxOutputTokens).toBe(20_384);
      expect(plan('anthropic/claude-sonnet-4-5', { reasoning: { effort: 'minimal', summary: null } }).thinking).toEqual({
        kind: 'budget',
        budgetTokens: 1_024,
      });
    });

    it('shrinks the budget to the model’s ceiling, and answers without thinking when not even the minimum fits', () => {
      const capped = plan('anthropic/claude-opus-4-1', { reasoning: { effort: 'max', summary: null }, maxOutputTokens: 8_000 });
      expect(capped.thinking).toEqual({ kind: 'budget', budgetTokens: 32_000 - 1_024 });
      expect(capped.maxOutputTokens).toBe(32_000);
      const tiny = plan('anthropic/claude-sonnet-4-5', { modelMaxOutputTokens: 1_500 });
      expect(tiny.thinking).toEqual({ kind: 'default' });
      expect(tiny.warnings).toEqual([expect.stringContaining('minimum thinking budget')]);
    });

    it('uses adaptive thinking with an effort on models that take it', () => {
      expect(plan('anthropic/claude-opus-4-7').thinking).toEqual({ kind: 'adaptive', effort: 'high' });
      expect(plan('anthropic/claude-sonnet-4-6', { reasoning: { effort: 'minimal', summary: null } }).thinking).toEqual({ kind: 'adaptive', effort: 'low' });
      expect(plan('anthropic/claude-opus-4-7', { reasoning: { effort: null, summary: 'auto' } }).thinking).toEqual({ kind: 'adaptive', effort: 'medium' });
    });

    it('turns thinking off for none, except on models that always think', () => {
      expect(plan('anthropic/claude-sonnet-4-5', { reasoning: { effort: 'none', summary: null } }).thinking).toEqual({ kind: 'off' });
      const always = plan('anthropic/claude-opus-5', { reasoning: { effort: 'none', summary: null } });
      expect(always.thinking).toEqual({ kind: 'adaptive', effort: 'low' });
      expect(always.warnings).toHaveLength(1);
    });

    it('drops temperature, raises top_p and unforces tools where thinking requires it, saying so', () => {
      const result = plan('anthropic/claude-sonnet-4-5', { temperature: 0.2, topP: 0.5, toolChoice: 'required' });
      expect(result).toMatchObject({ temperature: null, topP: 0.95, toolChoice: 'auto' });
      expect(result.warnings).toHaveLength(3);
      // Adaptive thinking allows forced tools.
      expect(plan('anthropic/claude-opus-4-7', { toolChoice: { type: 'function', name: 'f' } }).toolChoice).toEqual({ type: 'function', name: 'f' });
      // A temperature of 1 is allowed.
      expect(plan('anthropic/claude-sonnet-4-5', { temperature: 1 }).warnings).toEqual([]);
    });
  });

  describe('Gemini', () => {
    it('gives 2.5 models a budget in their range, 0 for none where they may stop thinking', () => {
      expect(plan('google/gemini-2.5-flash').thinking).toEqual({ kind: 'budget', budgetTokens: 16_384 });
      expect(plan('google/gemini-2.5-flash', { reasoning: { effort: 'max', summary: null } }).thinking).toEqual({ kind: 'budget', budgetTokens: 24_576 });
      expect(plan('google/gemini-2.5-flash', { reasoning: { effort: 'none', summary: null } }).thinking).toEqual({ kind: 'budget', budgetTokens: 0 });
      const pro = plan('google/gemini-2.5-pro', { reasoning: { effort: 'none', summary: null } });
      expect(pro.thinking).toEqual({ kind: 'budget', budgetTokens: 128 });
      expect(pro.warnings).toHaveLength(1);
    });

    it('gives Gemini 3 a level the model has, never a budget', () => {
      expect(plan('google/gemini-3-pro-preview', { reasoning: { effort: 'medium', summary: null } }).thinking).toEqual({ kind: 'level', level: 'HIGH' });
      expect(plan('google/gemini-3-pro-preview', { reasoning: { effort: 'minimal', summary: null } }).thinking).toEqual({ kind: 'level', level: 'LOW' });
      expect(plan('google/gemini-3-flash-preview', { reasoning: { effort: 'minimal', summary: null } }).thinking).toEqual({ kind: 'level', level: 'MINIMAL' });
      expect(plan('google/gemini-3-flash-preview', { reasoning: { effort: 'medium', summary: 'auto' } })).toMatchObject({
        thinking: { kind: 'level', level: 'MEDIUM' },
        includeThoughts: true,
      });
    });
  });

  it('passes OpenAI efforts through and maps DeepSeek to its toggle and two efforts', () => {
    expect(plan('openai/gpt-5', { reasoning: { effort: 'minimal', summary: 'auto' } }).thinking).toEqual({ kind: 'effort', effort: 'minimal' });
    expect(plan('openai/gpt-5', { reasoning: { effort: null, summary: 'auto' } }).thinking).toEqual({ kind: 'default' });
    expect(plan('deepseek/deepseek-v4-pro', { reasoning: { effort: 'low', summary: null } }).thinking).toEqual({ kind: 'effort', effort: 'high' });
    expect(plan('deepseek/deepseek-v4-pro', { reasoning: { effort: 'xhigh', summary: null } }).thinking).toEqual({ kind: 'effort', effort: 'max' });
    expect(plan('deepseek/deepseek-v4-pro', { reasoning: { effort: 'none', summary: null } }).thinking).toEqual({ kind: 'off' });
  });
});
