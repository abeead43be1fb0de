import type { z } from 'zod';
import { type CallProvider, type CallProviderOptions } from './call-provider.js';
import { readBodyText, safeJsonParse } from './read-body.js';
import { malformedUpstreamResponseError, toProviderTransportError } from './upstream-errors.js';

// A count is a few dozen bytes and a model list some kilobytes; anything past this is not one, and reads as malformed once cut.
const ANSWER_LIMIT_BYTES = 1024 * 1024;

export interface RequestProviderJsonOptions<Schema extends z.ZodType> {
  callProvider: CallProvider;
  /** The request, sent like any other upstream call (failures, retries and timeouts alike). */
  call: CallProviderOptions;
  /** The answer's shape; an answer that does not match it is a malformed upstream response. */
  schema: Schema;
}

/**
 * Calls a vendor endpoint that answers one small JSON document (a token count, a model list) and
 * returns it whole, validated. It is not the model call, so it is left out of the request's upstream trace. Failures are ProviderErrors
 * as for a model call (a socket failure while the body is read included); once the signal aborts,
 * the promise rejects with its reason.
 */
export async function requestProviderJson<Schema extends z.ZodType>(options: RequestProviderJsonOptions<Schema>): Promise<z.infer<Schema>> {
  const { provider, signal } = options.call;
  let text: string;
  try {
    const response = await options.callProvider(options.call);
    text = await readBodyText(response.body, { signal, limitBytes: ANSWER_LIMIT_BYTES });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toProviderTransportError(provider, error);
  }
  const parsed = safeJsonParse(text);
  if (!parsed.ok) throw malformedUpstreamResponseError(provider, parsed.error);
  const result = options.schema.safeParse(parsed.value);
  if (!result.success) throw malformedUpstreamResponseError(provider, result.error);
  return result.data;
}
