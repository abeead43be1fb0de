import type { FinishReason } from '../model-adapter.js';

/**
 * Maps `incomplete_details.reason` of an incomplete Response to ours. Reasons outside the spec
 * become `other`; the caller keeps the raw value.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details
 */
export function mapOpenAIResponsesIncompleteReason(reason: string | null): FinishReason {
  switch (reason) {
    case 'max_output_tokens':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * The finish reason of a completed or incomplete Response. A Response has no `finish_reason`: a
 * completed one that holds function calls ended because the model asked for tools, any other
 * completed one stopped by itself. `raw` is the status, or the incomplete reason when there is one.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-status
 */
export function resolveOpenAIResponsesFinishReason(
  outcome: { status: 'completed' } | { status: 'incomplete'; reason: string | null },
  sawFunctionCall: boolean,
): { unified: FinishReason; raw: string } {
  if (outcome.status === 'incomplete') {
    return { unified: mapOpenAIResponsesIncompleteReason(outcome.reason), raw: outcome.reason ?? 'incomplete' };
  }
  return { unified: sawFunctionCall ? 'tool-calls' : 'stop', raw: 'completed' };
}
