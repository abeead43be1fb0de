import { mapGeminiFinishReason, resolveGeminiFinishReason } from './map-gemini-finish-reason.js';

describe(mapGeminiFinishReason.name, () => {
  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content-filter'],
    ['RECITATION', 'content-filter'],
    ['BLOCKLIST', 'content-filter'],
    ['PROHIBITED_CONTENT', 'content-filter'],
    ['SPII', 'content-filter'],
    ['IMAGE_SAFETY', 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', 'other'],
    ['LANGUAGE', 'other'],
    ['OTHER', 'other'],
    ['FINISH_REASON_UNSPECIFIED', 'other'],
    ['SOMETHING_NEW', 'other'],
  ])('maps %s to %s', (raw, unified) => {
    expect(mapGeminiFinishReason(raw)).toBe(unified);
  });
});

describe(resolveGeminiFinishReason.name, () => {
  it('turns STOP into tool-calls when the model called functions', () => {
    expect(resolveGeminiFinishReason({ finishReason: 'STOP', blockReason: null, sawToolCalls: true })).toEqual({ unified: 'tool-calls', raw: 'STOP' });
  });

  it('keeps a non-STOP reason after calls', () => {
    expect(resolveGeminiFinishReason({ finishReason: 'MAX_TOKENS', blockReason: null, sawToolCalls: true })).toEqual({ unified: 'length', raw: 'MAX_TOKENS' });
  });

  it('reports a blocked prompt as content-filter with the block reason as raw value', () => {
    expect(resolveGeminiFinishReason({ finishReason: null, blockReason: 'PROHIBITED_CONTENT', sawToolCalls: false })).toEqual({
      unified: 'content-filter',
      raw: 'PROHIBITED_CONTENT',
    });
  });

  it('prefers the candidate finish reason over a block reason', () => {
    expect(resolveGeminiFinishReason({ finishReason: 'SAFETY', blockReason: 'OTHER', sawToolCalls: false })).toEqual({
      unified: 'content-filter',
      raw: 'SAFETY',
    });
  });
});
