import type { ProviderData } from '../../items/item.schemas.js';

/**
 * Gemini's round-trip state on an item: the `thoughtSignature` the model attached to a part (a
 * functionCall part, or a thought), to be sent back on the same kind of part. Gemini 3 rejects a
 * tool loop whose function calls come back without their signatures.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function toGeminiProviderData(thoughtSignature: string): ProviderData {
  return { gemini: { thoughtSignature } };
}

/** The stored signature, or null when the item has none (or came from another provider). */
export function readGeminiThoughtSignature(providerData: ProviderData | undefined): string | null {
  const gemini = providerData?.['gemini'];
  if (typeof gemini !== 'object' || gemini === null) {
    return null;
  }
  const signature = (gemini as { thoughtSignature?: unknown }).thoughtSignature;
  return typeof signature === 'string' && signature !== '' ? signature : null;
}
