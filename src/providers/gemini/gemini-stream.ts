import { randomBytes } from 'node:crypto';
import type { TokenLogprob } from '../../items/logprobs.js';
import type { Usage } from '../../items/usage.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { type SseEvent } from '../read-body.js';
import { DONE_EVENT, readJsonEvent, SKIP_EVENT } from '../read-json-event.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { type GeminiResponse, type GeminiResponsePart, geminiResponseSchema } from './gemini.api.js';
import { toGeminiInBandError, truncatedStreamError } from './gemini-error.js';
import { convertGeminiLogprobs } from './gemini-logprobs.js';
import { toGeminiProviderData } from './gemini-provider-data.js';
import { convertGeminiUsage } from './gemini-usage.js';
import { geminiRefusalText, resolveGeminiFinishReason } from './map-gemini-finish-reason.js';

/**
 * Turns the SSE events of `streamGenerateContent?alt=sse` into ModelStreamParts. Each `data:` is a
 * partial GenerateContentResponse (there is no `[DONE]`: the body just ends); an in-band `error`
 * event is thrown as ProviderError, and the stream always ends with exactly one `finish`.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export async function* mapGeminiStream(events: AsyncIterable<SseEvent>, provider: string): AsyncGenerator<ModelStreamPart, void, undefined> {
  const mapper = new GeminiStreamMapper(provider);
  for await (const event of events) {
    const payload = readJsonEvent(event, provider);
    if (payload === DONE_EVENT) break;
    if (payload === SKIP_EVENT) continue;
    for (const part of mapper.push(parseGeminiResponse(payload, provider))) yield part;
  }
  yield* mapper.finish();
}

/** Validates one GenerateContentResponse; anything that is not one is a malformed answer. */
export function parseGeminiResponse(value: unknown, provider: string): GeminiResponse {
  const response = geminiResponseSchema.safeParse(value);
  if (!response.success) {
    throw malformedUpstreamResponseError(provider, response.error);
  }
  return response.data;
}

/**
 * The stateful part of the mapping, one instance per model call; a whole (non-streamed) response is
 * one push. Only candidate 0 is read (we never ask for more). Parts we never request (inline data,
 * executable code) are skipped.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export class GeminiStreamMapper {
  private metadataSent = false;
  private thoughtOpen = false;
  /** A signature that came on a part no thought or call could take; the next one that can takes it. */
  private pendingSignature: string | null = null;
  private toolCalls = 0;
  private finishReason: string | null = null;
  private blockReason: string | null = null;
  /** Gemini's words for a filter stop (`finishMessage`, `blockReasonMessage`). */
  private stopMessage: string | null = null;
  /** The answer's text so far (thoughts left out), which grounding offsets point into. */
  private answerText = '';
  /** The newest grounding metadata (Gemini sends it with the last chunks). */
  private grounding: GroundingMetadata | null = null;
  private usage: Usage | null = null;

  constructor(private readonly provider: string) {}

  push(response: GeminiResponse): ModelStreamPart[] {
    if (response.error) {
      throw toGeminiInBandError(this.provider, response.error);
    }
    const parts: ModelStreamPart[] = [];
    if (!this.metadataSent && (response.responseId || response.modelVersion)) {
      this.metadataSent = true;
      parts.push({ type: 'response-metadata', id: response.responseId || null, model: response.modelVersion || null });
    }
    // Every chunk repeats usageMetadata with running counts; the last one is the total.
    const usage = convertGeminiUsage(response.usageMetadata);
    if (usage) {
      this.usage = usage;
    }
    if (response.promptFeedback?.blockReason) {
      this.blockReason = response.promptFeedback.blockReason;
      this.stopMessage = response.promptFeedback.blockReasonMessage || this.stopMessage;
    }
    const candidate = response.candidates?.find((entry) => (entry.index ?? 0) === 0);
    for (const part of candidate?.content?.parts ?? []) {
      parts.push(...this.withMetadata(this.pushPart(part)));
    }
    if (candidate?.logprobsResult) withLogprobs(parts, convertGeminiLogprobs(candidate.logprobsResult));
    if (candidate?.groundingMetadata) this.grounding = candidate.groundingMetadata;
    if (candidate?.finishReason) {
      this.finishReason = candidate.finishReason;
      this.stopMessage = candidate.finishMessage || this.stopMessage;
    }
    return parts;
  }

  /** The closing parts, once the body ended. */
  finish(): ModelStreamPart[] {
    if (this.finishReason === null && this.blockReason === null) {
      throw truncatedStreamError(this.provider);
    }
    const parts = this.closeThought(null);
    // A signature that sealed visible text (Gemini 3 puts one on the last part of a text answer) is
    // dropped: Gemini does not validate those, and a message keeps no provider data from a stream.
    this.pendingSignature = null;
    // A safety stop is the model declining: shown as a refusal, as OpenAI shows one, not as silence.
    const refusal = geminiRefusalText({ finishReason: this.finishReason, blockReason: this.blockReason, message: this.stopMessage });
    if (refusal !== null) parts.push({ type: 'refusal-delta', delta: refusal });
    if (this.grounding) parts.push(...groundingParts(this.grounding, this.answerText));
    parts.push({
      type: 'finish',
      reason: resolveGeminiFinishReason({ finishReason: this.finishReason, blockReason: this.blockReason, sawToolCalls: this.toolCalls > 0 }),
      usage: this.usage,
    });
    return this.withMetadata(parts);
  }

  private pushPart(part: GeminiResponsePart): ModelStreamPart[] {
    const signature = part.thoughtSignature || null;
    if (part.functionCall) {
      // The call's own signature belongs to the call (Gemini 3 validates it there), not to the
      // thought before it, which ends without one.
      const parts = this.closeThought(null);
      const index = this.toolCalls++;
      const callSignature = signature ?? this.takePendingSignature();
      parts.push(
        {
          type: 'tool-call-start',
          index,
          callId: newGeminiCallId(index),
          name: part.functionCall.name,
          ...(callSignature ? { providerData: toGeminiProviderData(callSignature) } : {}),
        },
        // Gemini sends a call whole, so its arguments are one delta.
        { type: 'tool-call-delta', index, delta: JSON.stringify(part.functionCall.args ?? {}) },
      );
      return parts;
    }

    const parts: ModelStreamPart[] = [];
    const text = part.text ?? '';
    if (part.thought) {
      if (text !== '') {
        this.thoughtOpen = true;
        parts.push({ type: 'reasoning-summary-delta', delta: text, index: 0 });
      }
      // A signed thought part ends its block: the signature covers the thinking up to here.
      if (signature) {
        parts.push(...this.endThoughtWith(signature));
      }
      return parts;
    }
    // Text. A signature on it (or on an empty signature-only part) seals the thinking before it.
    if (signature) {
      parts.push(...this.endThoughtWith(signature));
    } else if (text !== '') {
      parts.push(...this.closeThought(null));
    }
    if (text !== '') {
      this.answerText += text;
      parts.push({ type: 'text-delta', delta: text });
    }
    return parts;
  }

  /** Ends the open thought with `signature`; with none open, keeps the signature for the next taker. */
  private endThoughtWith(signature: string): ModelStreamPart[] {
    if (!this.thoughtOpen) {
      this.pendingSignature = signature;
      return [];
    }
    return this.closeThought(signature);
  }

  private closeThought(signature: string | null): ModelStreamPart[] {
    if (!this.thoughtOpen) {
      return [];
    }
    this.thoughtOpen = false;
    const sealedWith = signature ?? this.takePendingSignature();
    return [{ type: 'reasoning-end', providerData: sealedWith ? toGeminiProviderData(sealedWith) : null }];
  }

  private takePendingSignature(): string | null {
    const signature = this.pendingSignature;
    this.pendingSignature = null;
    return signature;
  }

  private withMetadata(parts: ModelStreamPart[]): ModelStreamPart[] {
    if (this.metadataSent || parts.length === 0) {
      return parts;
    }
    this.metadataSent = true;
    return [{ type: 'response-metadata', id: null, model: null }, ...parts];
  }
}

/**
 * Puts a chunk's log probabilities on its text: the last text delta of the chunk carries them all
 * (Gemini does not say which tokens belong to which part). A chunk without answer text (thoughts,
 * calls) has none to carry them, and they are left out.
 */
function withLogprobs(parts: ModelStreamPart[], logprobs: TokenLogprob[]): void {
  if (logprobs.length === 0) return;
  const index = parts.findLastIndex((part) => part.type === 'text-delta');
  const part = parts[index];
  if (part?.type === 'text-delta') parts[index] = { ...part, logprobs };
}

/**
 * Gemini's function calls carry no id, yet our items pair calls and outputs by `call_id`; the id
 * only has to be unique within our own history (outputs go back matched by position and name).
 */
function newGeminiCallId(index: number): string {
  return `call_${index}_${randomBytes(8).toString('hex')}`;
}

type GroundingMetadata = NonNullable<NonNullable<NonNullable<GeminiResponse['candidates']>[number]['groundingMetadata']>>;

/**
 * Google Search grounding as OpenAI shows a web search: a `url_citation` for each page a stretch of
 * the answer rests on (while the answer is still open), then one `web_search_call` with the queries
 * and the pages. It comes after the answer, since Gemini reports it at the end.
 * @see https://ai.google.dev/gemini-api/docs/google-search
 */
function groundingParts(grounding: GroundingMetadata, answer: string): ModelStreamPart[] {
  const queries = grounding.webSearchQueries ?? [];
  const chunks = grounding.groundingChunks ?? [];
  if (queries.length === 0 && chunks.length === 0) return [];
  const parts: ModelStreamPart[] = [];
  const bytes = Buffer.from(answer, 'utf8');
  for (const support of grounding.groundingSupports ?? []) {
    const span = locateSegment(support.segment ?? null, answer, bytes);
    if (!span) continue;
    for (const chunkIndex of support.groundingChunkIndices ?? []) {
      const web = chunks[chunkIndex]?.web;
      if (!web?.uri) continue;
      parts.push({
        type: 'text-annotation',
        annotation: { type: 'url_citation', url: web.uri, title: web.title ?? '', start_index: span.start, end_index: span.end },
      });
    }
  }
  const sources = chunks.flatMap((chunk) => (chunk.web?.uri ? [{ type: 'url', url: chunk.web.uri }] : []));
  const item = {
    type: 'web_search_call' as const,
    id: `ws_${randomBytes(12).toString('hex')}`,
    status: 'completed',
    action: { type: 'search', query: queries.join(' | '), queries, sources },
    // Marks the search as Gemini's: OpenAI gets it without this id; Gemini and the others read it as text.
    provider_data: { gemini: { grounding: true } },
  };
  parts.push({ type: 'hosted-item', item, done: true });
  return parts;
}

/**
 * Where a supported stretch stands in the answer, in characters: Gemini gives UTF-8 byte offsets;
 * when they do not land on the segment's text, the text itself is looked for.
 */
function locateSegment(
  segment: { startIndex?: number | null; endIndex?: number | null; text?: string | null } | null,
  answer: string,
  bytes: Buffer,
): { start: number; end: number } | null {
  if (!segment) return null;
  const startByte = segment.startIndex ?? 0;
  const endByte = segment.endIndex ?? null;
  if (endByte !== null && endByte <= bytes.length && startByte < endByte) {
    const start = bytes.subarray(0, startByte).toString('utf8').length;
    const end = start + bytes.subarray(startByte, endByte).toString('utf8').length;
    if (!segment.text || answer.slice(start, end) === segment.text) return { start, end };
  }
  if (!segment.text) return null;
  const found = answer.indexOf(segment.text);
  return found === -1 ? null : { start: found, end: found + segment.text.length };
}
