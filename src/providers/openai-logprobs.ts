import { z } from 'zod';
import { type TokenLogprob, type TopTokenLogprob, utf8Bytes } from '../items/logprobs.js';

/**
 * A token's log probability as both OpenAI wires send it: Chat Completions'
 * `choices[].logprobs.content[]` and the Responses API's `logprobs` of text deltas and `output_text`
 * parts. `bytes` is null for some servers (and for OpenAI's tokens that are not valid UTF-8 alone).
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
const openAITopLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullish(),
});

export const openAILogprobSchema = openAITopLogprobSchema.extend({
  top_logprobs: z.array(openAITopLogprobSchema).nullish(),
});
export type OpenAILogprob = z.infer<typeof openAILogprobSchema>;

/** OpenAI's log probabilities in the public shape: `bytes` filled in where the server sent none, `top_logprobs` always a list. */
export function convertOpenAILogprobs(logprobs: readonly OpenAILogprob[]): TokenLogprob[] {
  return logprobs.map((entry) => ({ ...convertTop(entry), top_logprobs: (entry.top_logprobs ?? []).map(convertTop) }));
}

function convertTop(entry: z.infer<typeof openAITopLogprobSchema>): TopTokenLogprob {
  return { token: entry.token, logprob: entry.logprob, bytes: entry.bytes ?? utf8Bytes(entry.token) };
}
