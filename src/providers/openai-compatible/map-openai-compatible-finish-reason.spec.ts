import { mapOpenAICompatibleFinishReason, resolveOpenAICompatibleFinishReason } from './map-openai-compatible-finish-reason.js';

describe(mapOpenAICompatibleFinishReason.name, () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool-calls'],
    ['function_call', 'tool-calls'],
    ['content_filter', 'content-filter'],
    ['abort', 'other'],
    ['eos', 'other'],
  ])('%s → %s', (raw, unified) => {
    expect(mapOpenAICompatibleFinishReason(raw)).toBe(unified);
  });
});

describe(resolveOpenAICompatibleFinishReason.name, () => {
  it('keeps the raw value beside the unified one', () => {
    expect(resolveOpenAICompatibleFinishReason('length', false)).toEqual({ unified: 'length', raw: 'length' });
  });

  it('lets tool calls win over stop', () => {
    expect(resolveOpenAICompatibleFinishReason('stop', true)).toEqual({ unified: 'tool-calls', raw: 'stop' });
    expect(resolveOpenAICompatibleFinishReason('length', true)).toEqual({ unified: 'length', raw: 'length' });
  });

  it('derives the reason from what was seen when none was sent', () => {
    expect(resolveOpenAICompatibleFinishReason(null, true)).toEqual({ unified: 'tool-calls', raw: null });
    expect(resolveOpenAICompatibleFinishReason(null, false)).toEqual({ unified: 'other', raw: null });
  });
});
