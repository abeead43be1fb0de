// Log probabilities as each wire returns them when asked, with deterministic values: every streamed
// piece of text is one token, the token at position i has logprob -i/10 (0 for the first), and its
// `top` alternatives are the token itself followed by ` alt1`, ` alt2`, … each one less likely by 1.
// Also the range checks each vendor applies to the request's settings.
import type { InputError } from './openai-responses-shapes.js';

/** What a request asked for: alternatives per token. */
export interface LogprobsAsk {
  top: number;
}

interface MockToken {
  token: string;
  logprob: number;
}

/** The chosen token at `position` and its `top` alternatives, most likely first. */
function mockToken(piece: string, position: number, top: number): { chosen: MockToken; alternatives: MockToken[] } {
  const logprob = position === 0 ? 0 : -position / 10;
  const alternatives = Array.from({ length: top }, (_, rank) => (rank === 0 ? { token: piece, logprob } : { token: ` alt${rank}`, logprob: logprob - rank }));
  return { chosen: { token: piece, logprob }, alternatives };
}

const bytesOf = (token: string): number[] => Array.from(Buffer.from(token, 'utf8'));

/** OpenAI's `LogProb` list (both the Responses API and Chat Completions): `pieces` starting at token `first`. */
export function openAILogprobs(pieces: string[], ask: LogprobsAsk, first = 0): Record<string, unknown>[] {
  return pieces.map((piece, index) => {
    const { chosen, alternatives } = mockToken(piece, first + index, ask.top);
    return {
      token: chosen.token,
      logprob: chosen.logprob,
      bytes: bytesOf(chosen.token),
      top_logprobs: alternatives.map((alternative) => ({ ...alternative, bytes: bytesOf(alternative.token) })),
    };
  });
}

/**
 * Gemini's `logprobsResult` for `pieces` starting at token `first`. Proto3 JSON leaves out zero
 * values, so a log probability of 0 is absent, as Google sends it; `topCandidates` only when
 * alternatives were asked for (`logprobs` > 0), and they include the chosen token.
 */
export function geminiLogprobsResult(pieces: string[], ask: LogprobsAsk, first = 0): Record<string, unknown> {
  const candidate = ({ token, logprob }: MockToken, tokenId: number) => ({ token, tokenId, ...(logprob === 0 ? {} : { logProbability: logprob }) });
  const steps = pieces.map((piece, index) => mockToken(piece, first + index, ask.top));
  return {
    chosenCandidates: steps.map((step, index) => candidate(step.chosen, 1000 + first + index)),
    ...(ask.top > 0
      ? {
          topCandidates: steps.map((step, index) => ({
            candidates: step.alternatives.map((alternative, rank) => candidate(alternative, rank === 0 ? 1000 + first + index : rank)),
          })),
        }
      : {}),
  };
}

/** Merges the `logprobsResult` of consecutive chunks, as a whole `generateContent` answer has one. */
export function mergeGeminiLogprobs(results: Record<string, unknown>[]): Record<string, unknown> | undefined {
  if (results.length === 0) return undefined;
  const listOf = (result: Record<string, unknown>, key: string): unknown[] => (Array.isArray(result[key]) ? result[key] : []);
  const top = results.flatMap((result) => listOf(result, 'topCandidates'));
  return { chosenCandidates: results.flatMap((result) => listOf(result, 'chosenCandidates')), ...(top.length > 0 ? { topCandidates: top } : {}) };
}

/**
 * OpenAI's checks of `top_logprobs` (an integer in [0, 20]) in its error wording, on the Responses
 * API and on Chat Completions, where it also needs `logprobs: true`.
 */
export function findTopLogprobsError(body: Record<string, unknown>, wire: 'responses' | 'chat'): InputError | null {
  const top = body['top_logprobs'];
  if (top === undefined || top === null) return null;
  if (typeof top !== 'number' || !Number.isInteger(top)) {
    return {
      status: 400,
      message: `Invalid type for 'top_logprobs': expected an integer, but got ${typeof top} instead.`,
      param: 'top_logprobs',
      code: 'invalid_type',
    };
  }
  if (top > 20) {
    return {
      status: 400,
      message: `Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got ${top} instead.`,
      param: 'top_logprobs',
      code: 'integer_above_max_value',
    };
  }
  if (top < 0) {
    return {
      status: 400,
      message: `Invalid 'top_logprobs': integer below minimum value. Expected a value >= 0, but got ${top} instead.`,
      param: 'top_logprobs',
      code: 'integer_below_min_value',
    };
  }
  if (wire === 'chat' && body['logprobs'] !== true) {
    return {
      status: 400,
      message: "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
      param: 'top_logprobs',
      code: 'invalid_value',
    };
  }
  return null;
}

/**
 * Gemini's checks of `generationConfig.logprobs` (mock wording): an integer in [0, 20], and only
 * with `responseLogprobs: true`. Null when the request is fine.
 */
export function findGeminiLogprobsError(generationConfig: unknown): string | null {
  if (typeof generationConfig !== 'object' || generationConfig === null) return null;
  const config = generationConfig as Record<string, unknown>;
  const top = config['logprobs'];
  if (top === undefined) return null;
  if (typeof top !== 'number' || !Number.isInteger(top)) return `Invalid value at 'generation_config.logprobs' (TYPE_INT32), ${JSON.stringify(top)}`;
  if (top < 0 || top > 20) return `logprobs must be in the range [0, 20], got ${top}.`;
  if (config['responseLogprobs'] !== true) return 'logprobs is only valid when response_logprobs is true.';
  return null;
}

/** What a Gemini request asked for: `responseLogprobs`, with `logprobs` alternatives (0 when unset). */
export function geminiLogprobsAsk(generationConfig: unknown): LogprobsAsk | null {
  if (typeof generationConfig !== 'object' || generationConfig === null) return null;
  const config = generationConfig as Record<string, unknown>;
  if (config['responseLogprobs'] !== true) return null;
  return { top: typeof config['logprobs'] === 'number' ? config['logprobs'] : 0 };
}
