import { mapOpenAIResponsesIncompleteReason, resolveOpenAIResponsesFinishReason } from './map-openai-responses-finish-reason.js';

describe(mapOpenAIResponsesIncompleteReason.name, () => {
  it.each([
    ['max_output_tokens', 'length'],
    ['content_filter', 'content-filter'],
    ['something_new', 'other'],
    [null, 'other'],
  ] as const)('maps %s to %s', (reason, unified) => {
    expect(mapOpenAIResponsesIncompleteReason(reason)).toBe(unified);
  });
});

describe(resolveOpenAIResponsesFinishReason.name, () => {
  it('says stop for a completed response, tool-calls when it holds function calls', () => {
    expect(resolveOpenAIResponsesFinishReason({ status: 'completed' }, false)).toEqual({ unified: 'stop', raw: 'completed' });
    expect(resolveOpenAIResponsesFinishReason({ status: 'completed' }, true)).toEqual({ unified: 'tool-calls', raw: 'completed' });
  });

  it('lets the incomplete reason win over function calls (their arguments may be cut off)', () => {
    expect(resolveOpenAIResponsesFinishReason({ status: 'incomplete', reason: 'max_output_tokens' }, true)).toEqual({
      unified: 'length',
      raw: 'max_output_tokens',
    });
    expect(resolveOpenAIResponsesFinishReason({ status: 'incomplete', reason: null }, false)).toEqual({ unified: 'other', raw: 'incomplete' });
  });
});
