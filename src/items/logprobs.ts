/**
 * One of the most likely tokens at a position (`TopLogProb` in the spec). `logprob` is the natural
 * log of its probability; `bytes` are the token's UTF-8 bytes (a token may be part of a character).
 */
export interface TopTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/**
 * A token of the answer's text with its log probability and the alternatives asked for
 * (`top_logprobs`, most likely first): `LogProb` in the spec, the shape of an `output_text` part's
 * `logprobs` and of the `response.output_text.delta` / `.done` events' `logprobs`.
 */
export interface TokenLogprob extends TopTokenLogprob {
  top_logprobs: TopTokenLogprob[];
}

/** The UTF-8 bytes of a token, for providers that give only its text. */
export function utf8Bytes(token: string): number[] {
  return Array.from(Buffer.from(token, 'utf8'));
}
