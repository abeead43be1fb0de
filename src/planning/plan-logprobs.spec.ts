import { appliedTopLogprobs, LOGPROBS_INCLUDE, planLogprobs } from './plan-logprobs.js';

describe(planLogprobs.name, () => {
  it.each(['openai-responses', 'chat', 'gemini'] as const)('asks %s for logprobs when the include names them, with top_logprobs alternatives', (wire) => {
    expect(planLogprobs({ include: [LOGPROBS_INCLUDE], top_logprobs: 5 }, wire)).toEqual({ top: 5 });
    expect(planLogprobs({ include: ['reasoning.encrypted_content', LOGPROBS_INCLUDE] }, wire)).toEqual({ top: 0 });
  });

  it('asks for nothing without the include, as OpenAI returns none then', () => {
    expect(planLogprobs({ top_logprobs: 5 }, 'openai-responses')).toBeNull();
    expect(planLogprobs({ include: ['reasoning.encrypted_content'], top_logprobs: 5 }, 'chat')).toBeNull();
    expect(planLogprobs({ include: null, top_logprobs: null }, 'gemini')).toBeNull();
  });

  it('asks Anthropic for nothing: its API has no log probabilities', () => {
    expect(planLogprobs({ include: [LOGPROBS_INCLUDE], top_logprobs: 5 }, 'anthropic')).toBeNull();
  });
});

describe(appliedTopLogprobs.name, () => {
  it("echoes the client's value where the provider returns logprobs, 0 on Anthropic", () => {
    expect(appliedTopLogprobs({ top_logprobs: 7 }, 'openai-responses')).toBe(7);
    expect(appliedTopLogprobs({ top_logprobs: 7 }, 'chat')).toBe(7);
    expect(appliedTopLogprobs({ top_logprobs: 7 }, 'gemini')).toBe(7);
    expect(appliedTopLogprobs({ top_logprobs: null }, 'gemini')).toBe(0);
    expect(appliedTopLogprobs({ top_logprobs: 7 }, 'anthropic')).toBe(0);
  });
});
