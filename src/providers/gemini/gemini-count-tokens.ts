import { z } from 'zod';
import type { GeminiRequestBody } from './gemini.api.js';

/**
 * `POST /v1beta/models/{model}:countTokens` with the `generateContentRequest` form, the only one
 * that counts a system instruction and tools (the plain `contents` form cannot carry them). Its
 * `model` is required, as `models/{model}`.
 * @see https://ai.google.dev/api/tokens#method:-models.counttokens
 */
export interface GeminiCountTokensBody {
  generateContentRequest: Pick<GeminiRequestBody, 'contents' | 'systemInstruction' | 'tools' | 'toolConfig'> & { model: string };
}

/** `CountTokensResponse`: `totalTokens` is the whole prompt. */
export const geminiTokenCountSchema = z.object({
  totalTokens: z.number().int().nonnegative(),
});

/**
 * The generateContent body reduced to the prompt. Left out: `generationConfig` (output settings),
 * and `cachedContent`, which the body this is given never has: an explicit cache splits the prompt,
 * and the count is of the whole of it.
 */
export function toGeminiCountTokensBody(model: string, body: GeminiRequestBody): GeminiCountTokensBody {
  const request: GeminiCountTokensBody['generateContentRequest'] = { model: `models/${model}`, contents: body.contents };
  if (body.systemInstruction !== undefined) request.systemInstruction = body.systemInstruction;
  if (body.tools !== undefined) request.tools = body.tools;
  if (body.toolConfig !== undefined) request.toolConfig = body.toolConfig;
  return { generateContentRequest: request };
}
