import type { ModelStreamPart } from '../model-adapter.js';
import { safeJsonParse } from '../read-body.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { GeminiStreamMapper, parseGeminiResponse } from './gemini-stream.js';

/**
 * Reads a JSON answer to a streamed request: a proxy that drops `alt=sse` gets Google's default
 * `alt=json` framing, one array of partial responses, and a non-streaming proxy sends one whole
 * GenerateContentResponse. Both are folded exactly like SSE events.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function* convertGeminiResponseBody(text: string, provider: string): Generator<ModelStreamPart, void, undefined> {
  const parsed = safeJsonParse(text);
  if (!parsed.ok) {
    throw malformedUpstreamResponseError(provider, parsed.error);
  }
  const mapper = new GeminiStreamMapper(provider);
  for (const value of Array.isArray(parsed.value) ? parsed.value : [parsed.value]) {
    yield* mapper.push(parseGeminiResponse(value, provider));
  }
  yield* mapper.finish();
}
