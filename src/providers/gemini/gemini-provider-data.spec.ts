import { readGeminiThoughtSignature, toGeminiProviderData } from './gemini-provider-data.js';

describe(readGeminiThoughtSignature.name, () => {
  it('reads back what toGeminiProviderData stored', () => {
    expect(readGeminiThoughtSignature(toGeminiProviderData('sig'))).toBe('sig');
  });

  it.each([
    ['no provider data', undefined],
    ['another provider', { anthropic: { signature: 'sig' } }],
    ['a malformed slot', { gemini: 'sig' }],
    ['an empty signature', { gemini: { thoughtSignature: '' } }],
    ['a non-string signature', { gemini: { thoughtSignature: 42 } }],
  ])('returns null for %s', (_, providerData) => {
    expect(readGeminiThoughtSignature(providerData)).toBeNull();
  });
});
