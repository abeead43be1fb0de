import type { CreateResponseBody } from '../items/responses.schemas.js';
import type { ReplayTarget } from '../reasoning/plan-reasoning-replay.js';
import type { ModelRequest } from './model-request.js';

/** The `include` value that asks for the answer's log probabilities (`Includable` in the spec). */
export const LOGPROBS_INCLUDE = 'message.output_text.logprobs';

/** Anthropic's Messages API has no log probabilities; every other wire returns them when asked. */
function returnsLogprobs(wire: ReplayTarget['wire']): boolean {
  return wire !== 'anthropic';
}

/**
 * What the adapter asks for (pure): log probabilities when the client included
 * `message.output_text.logprobs`, with `top_logprobs` alternatives per token, on a wire that has them.
 * `top_logprobs` alone asks for nothing, as on OpenAI.
 */
export function planLogprobs(body: Pick<CreateResponseBody, 'include' | 'top_logprobs'>, wire: ReplayTarget['wire']): ModelRequest['logprobs'] {
  if (!returnsLogprobs(wire) || body.include?.includes(LOGPROBS_INCLUDE) !== true) return null;
  return { top: body.top_logprobs ?? 0 };
}

/** The `top_logprobs` a Response echoes: the value that applied, the client's where the wire has logprobs, else 0. */
export function appliedTopLogprobs(body: Pick<CreateResponseBody, 'top_logprobs'>, wire: ReplayTarget['wire']): number {
  return returnsLogprobs(wire) ? (body.top_logprobs ?? 0) : 0;
}
