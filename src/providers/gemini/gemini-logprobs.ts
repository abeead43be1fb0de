import { type TokenLogprob, type TopTokenLogprob, utf8Bytes } from '../../items/logprobs.js';
import type { GeminiLogprobsResult } from './gemini.api.js';

type GeminiLogprobsCandidate = NonNullable<GeminiLogprobsResult['chosenCandidates']>[number];

/**
 * Gemini's `logprobsResult` in the public shape: one entry per chosen token (`chosenCandidates[i]`),
 * its alternatives from the same decoding step (`topCandidates[i].candidates`, most likely first).
 * Gemini gives no bytes, so they are the token's UTF-8 bytes.
 * @see https://ai.google.dev/api/generate-content#LogprobsResult
 */
export function convertGeminiLogprobs(result: GeminiLogprobsResult): TokenLogprob[] {
  const steps = result.topCandidates ?? [];
  return (result.chosenCandidates ?? []).map((chosen, index) => ({
    ...convertCandidate(chosen),
    top_logprobs: (steps[index]?.candidates ?? []).map(convertCandidate),
  }));
}

function convertCandidate(candidate: GeminiLogprobsCandidate): TopTokenLogprob {
  // Proto3 JSON leaves out zero values: no logProbability is a certain token.
  const token = candidate.token ?? '';
  return { token, logprob: candidate.logProbability ?? 0, bytes: utf8Bytes(token) };
}
