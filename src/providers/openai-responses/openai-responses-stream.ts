import type { z } from 'zod';
import { type HostedItemType, hostedItemTypeNames, isHostedItemType } from '../../items/hosted-items.js';
import type { ProviderData } from '../../items/item.schemas.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { convertOpenAILogprobs, type OpenAILogprob } from '../openai-logprobs.js';
import { type SseEvent } from '../read-body.js';
import { DONE_EVENT, readJsonEvent, SKIP_EVENT } from '../read-json-event.js';
import { servedTier, withTier } from '../served-tier.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { resolveOpenAIResponsesFinishReason } from './map-openai-responses-finish-reason.js';
import {
  type OpenAIResponsesDeltaEvent,
  type OpenAIResponsesOutputItem,
  type OpenAIResponsesReasoningData,
  type OpenAIResponsesResponse,
  openAIResponsesAnnotationEventSchema,
  openAIResponsesArgumentsDoneEventSchema,
  openAIResponsesCustomInputDoneEventSchema,
  openAIResponsesDeltaEventSchema,
  openAIResponsesEventHeaderSchema,
  openAIResponsesLifecycleEventSchema,
  openAIResponsesOutputItemEventSchema,
} from './openai-responses.api.js';
import { toOpenAIResponsesErrorEventError, toOpenAIResponsesFailedError, truncatedStreamError } from './openai-responses-error.js';
import { convertOpenAIResponsesUsage, withWebSearchCalls } from './openai-responses-usage.js';

/**
 * Turns a Responses SSE stream into ModelStreamParts. It stops at the terminal event
 * (`response.completed` / `.incomplete`) or at `data: [DONE]`; `response.failed` and `error` events
 * are thrown as ProviderError, and a stream that ends without a terminal event is an error too.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export async function* mapOpenAIResponsesStream(events: AsyncIterable<SseEvent>, provider: string): AsyncGenerator<ModelStreamPart, void, undefined> {
  const mapper = new OpenAIResponsesStreamMapper(provider);
  const onErrorEvent = (payload: unknown, text: string) => toOpenAIResponsesErrorEventError(provider, payload ?? { message: text });
  for await (const event of events) {
    const payload = readJsonEvent(event, provider, onErrorEvent);
    if (payload === DONE_EVENT) break;
    if (payload === SKIP_EVENT) continue;
    // A plain yield per part: `yield*` of an array in an async generator wraps it in an async
    // iterator, a few promises for every delta.
    for (const part of mapper.push(payload, event.event)) yield part;
    // OpenAI ends the body right after the terminal event; returning here also releases it.
    if (mapper.finished) {
      return;
    }
  }
  throw truncatedStreamError(provider);
}

/** A `response.output_text.delta` event that openAIResponsesDeltaEventSchema would accept as it is; null for anything else. */
function textDeltaOf(value: unknown): OpenAIResponsesDeltaEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  // Named reads, not event[field]: a lookup by a variable key goes megamorphic in V8, and this
  // runs for every delta of every stream.
  const event = value as {
    type?: unknown;
    delta?: unknown;
    item_id?: unknown;
    output_index?: unknown;
    content_index?: unknown;
    summary_index?: unknown;
    logprobs?: unknown;
  };
  if (event.type !== 'response.output_text.delta' || typeof event.delta !== 'string') return null;
  // Log probabilities (asked for with the include) are validated by the schema.
  if (event.logprobs !== undefined && event.logprobs !== null && !(Array.isArray(event.logprobs) && event.logprobs.length === 0)) return null;
  if (
    !nullishOr(event.item_id, 'string') ||
    !nullishOr(event.output_index, 'number') ||
    !nullishOr(event.content_index, 'number') ||
    !nullishOr(event.summary_index, 'number')
  )
    return null;
  return event as OpenAIResponsesDeltaEvent;
}

function nullishOr(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || value === null || typeof value === type;
}

type ItemState =
  | { type: 'message'; textSeen: boolean; annotationsSeen: boolean; done: boolean }
  /** Whether summary or raw text was streamed, and the content part the last raw delta belonged to. */
  | { type: 'reasoning'; summarySeen: boolean; contentIndex: number | null; done: boolean }
  /** A function call, or (`custom`) a custom tool call, whose "arguments" are its raw input. */
  | { type: 'function_call'; custom: boolean; started: boolean; argumentsSent: string; done: boolean }
  | { type: 'hosted'; done: boolean }
  | { type: 'other'; done: boolean };

/** `response.<hosted item type>…`: a hosted tool's progress (`response.web_search_call.searching`, `response.mcp_call_arguments.delta`). */
const HOSTED_EVENT = new RegExp(`^response\\.(${[...hostedItemTypeNames].sort((a, b) => b.length - a.length).join('|')})`);

/**
 * The stateful part of the stream mapping, one instance per model call. Output items are keyed by
 * `output_index`, which is also the index of their tool calls. Every item is read from its deltas
 * and, for servers that skip deltas, from its `output_item.done` copy or the final Response.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export class OpenAIResponsesStreamMapper {
  /** True once a terminal event was mapped; nothing after it counts. */
  finished = false;
  private metadataSent = false;
  private sawFunctionCall = false;
  private webSearchCalls = 0;
  private readonly items = new Map<number, ItemState>();
  private readonly outputIndexesById = new Map<string, number>();

  constructor(private readonly provider: string) {}

  /** Maps one event payload; `eventName` is the SSE `event:` field, used when the payload has no `type`. */
  push(value: unknown, eventName?: string): ModelStreamPart[] {
    if (this.finished) {
      return [];
    }
    const parts = this.map(value, eventName);
    // Metadata leads every stream, even one whose server skipped `response.created`.
    if (!this.metadataSent && parts.length > 0) {
      this.metadataSent = true;
      parts.unshift({ type: 'response-metadata', id: null, model: null });
    }
    return parts;
  }

  /**
   * A whole (non-streamed) Response, already validated: its metadata, then what its terminal event
   * would map to, without validating the Response again for each of the two events.
   */
  pushWhole(response: OpenAIResponsesResponse, status: 'completed' | 'incomplete' | 'failed'): ModelStreamPart[] {
    if (status === 'failed') throw toOpenAIResponsesFailedError(this.provider, response);
    // finish() leads with the metadata, as a stream's first event would.
    return this.finish(response, status === 'completed' ? { status } : { status, reason: response.incomplete_details?.reason ?? null });
  }

  private map(value: unknown, eventName: string | undefined): ModelStreamPart[] {
    // Text deltas are most of a stream: their shape is checked by hand (what the delta schema
    // checks), zod only reports a malformed one. Parsing each with zod cost ~0.3 ms CPU per 1 KB answer.
    const delta = textDeltaOf(value);
    if (delta) return this.appendText(delta);
    const type = this.parse(openAIResponsesEventHeaderSchema, value).type ?? eventName;
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        return this.readMetadata(this.parse(openAIResponsesLifecycleEventSchema, value).response);
      case 'response.output_item.added': {
        const event = this.parse(openAIResponsesOutputItemEventSchema, value);
        return this.addItem(event.output_index ?? this.items.size, event.item);
      }
      case 'response.output_item.done': {
        const event = this.parse(openAIResponsesOutputItemEventSchema, value);
        const index = event.output_index ?? (event.item.id ? this.outputIndexesById.get(event.item.id) : undefined);
        return this.completeItem(index ?? this.items.size, event.item);
      }
      case 'response.output_text.delta':
        return this.appendText(this.parse(openAIResponsesDeltaEventSchema, value));
      case 'response.refusal.delta':
        return this.appendText(this.parse(openAIResponsesDeltaEventSchema, value), 'refusal-delta');
      case 'response.reasoning_summary_text.delta':
        return this.appendReasoning(this.parse(openAIResponsesDeltaEventSchema, value), 'summary');
      case 'response.reasoning_text.delta':
        return this.appendReasoning(this.parse(openAIResponsesDeltaEventSchema, value), 'content');
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        return this.appendArguments(this.parse(openAIResponsesDeltaEventSchema, value));
      case 'response.custom_tool_call_input.done': {
        const event = this.parse(openAIResponsesCustomInputDoneEventSchema, value);
        const index = this.resolveIndex(event);
        const state = index === null ? undefined : this.items.get(index);
        return index !== null && state?.type === 'function_call' ? this.completeArguments(index, state, event.input ?? '') : [];
      }
      case 'response.output_text.annotation.added': {
        const event = this.parse(openAIResponsesAnnotationEventSchema, value);
        const state = this.items.get(this.resolveIndex(event) ?? -1);
        if (state?.type === 'message') state.annotationsSeen = true;
        return [{ type: 'text-annotation', annotation: event.annotation }];
      }
      case 'response.function_call_arguments.done': {
        const event = this.parse(openAIResponsesArgumentsDoneEventSchema, value);
        const index = this.resolveIndex(event);
        const state = index === null ? undefined : this.items.get(index);
        return index !== null && state?.type === 'function_call' ? this.completeArguments(index, state, event.arguments) : [];
      }
      case 'response.completed':
        return this.finish(this.parse(openAIResponsesLifecycleEventSchema, value).response, { status: 'completed' });
      case 'response.incomplete': {
        const { response } = this.parse(openAIResponsesLifecycleEventSchema, value);
        return this.finish(response, { status: 'incomplete', reason: response.incomplete_details?.reason ?? null });
      }
      case 'response.failed':
        throw toOpenAIResponsesFailedError(this.provider, this.parse(openAIResponsesLifecycleEventSchema, value).response);
      case 'error':
        throw toOpenAIResponsesErrorEventError(this.provider, value);
      default:
        if (type && HOSTED_EVENT.test(type)) return this.hostedEvent(value);
        // Part boundaries, `.done` events whose text we already streamed, keepalives and whatever
        // OpenAI adds next carry nothing we map.
        return [];
    }
  }

  private readMetadata(response: OpenAIResponsesResponse): ModelStreamPart[] {
    if (this.metadataSent) {
      return [];
    }
    this.metadataSent = true;
    return [{ type: 'response-metadata', id: response.id ?? null, model: response.model ?? null }];
  }

  private addItem(index: number, item: OpenAIResponsesOutputItem): ModelStreamPart[] {
    const state = this.registerItem(index, item);
    if (state.type === 'hosted') return [hostedItemPart(item, index, false)];
    // A server that names the call only in its final copy gets it started there instead.
    return state.type === 'function_call' && item.call_id && item.name ? this.startCall(index, state, item) : [];
  }

  /** A hosted tool's progress event, for an item this stream announced. */
  private hostedEvent(value: unknown): ModelStreamPart[] {
    const event = value as { type: string; item_id?: unknown } & Record<string, unknown>;
    return typeof event.item_id === 'string' ? [{ type: 'hosted-event', event: { ...event, item_id: event.item_id } }] : [];
  }

  private registerItem(index: number, item: OpenAIResponsesOutputItem): ItemState {
    if (item.id) {
      this.outputIndexesById.set(item.id, index);
    }
    let state: ItemState;
    switch (stateTypeOf(item.type)) {
      case 'message':
        state = { type: 'message', textSeen: false, annotationsSeen: false, done: false };
        break;
      case 'reasoning':
        state = { type: 'reasoning', summarySeen: false, contentIndex: null, done: false };
        break;
      case 'function_call':
        state = { type: 'function_call', custom: item.type === 'custom_tool_call', started: false, argumentsSent: '', done: false };
        break;
      case 'hosted':
        state = { type: 'hosted', done: false };
        break;
      case 'other':
        state = { type: 'other', done: false };
        break;
    }
    this.items.set(index, state);
    return state;
  }

  /** The final copy of an item: fills in what its deltas did not deliver. */
  private completeItem(index: number, item: OpenAIResponsesOutputItem): ModelStreamPart[] {
    const known = this.items.get(index);
    if (known?.done) {
      return [];
    }
    // An item first seen in its final copy has had nothing streamed yet.
    const state = known?.type === stateTypeOf(item.type) ? known : this.registerItem(index, item);
    state.done = true;
    // Billed per call, on top of the tokens: counted as each call completes.
    if (item.type === 'web_search_call') this.webSearchCalls++;
    switch (state.type) {
      case 'message': {
        // A message whose parts were not streamed: each text or refusal part, as its kind of delta.
        const parts: ModelStreamPart[] = state.textSeen
          ? []
          : (item.content ?? []).flatMap((part): ModelStreamPart[] =>
              part.type === 'refusal'
                ? part.refusal
                  ? [{ type: 'refusal-delta', delta: part.refusal }]
                  : []
                : part.text
                  ? [textDelta(part.text, part.logprobs)]
                  : [],
            );
        if (!state.annotationsSeen) {
          for (const part of item.content ?? []) for (const annotation of part.annotations ?? []) parts.push({ type: 'text-annotation', annotation });
        }
        return parts;
      }
      case 'reasoning': {
        const parts: ModelStreamPart[] = [];
        if (!state.summarySeen) {
          (item.summary ?? []).forEach((part, index) => {
            if (part.text) parts.push({ type: 'reasoning-summary-delta', delta: part.text, index });
          });
        }
        const text = joinTexts(item.content);
        if (state.contentIndex === null && text) parts.push({ type: 'reasoning-delta', delta: text });
        parts.push({ type: 'reasoning-end', providerData: toReasoningProviderData(item) });
        return parts;
      }
      case 'function_call': {
        const parts: ModelStreamPart[] = [];
        if (!state.started) {
          if (!item.call_id || !item.name) {
            throw malformedUpstreamResponseError(this.provider, new Error('function_call item without call_id or name'));
          }
          parts.push(...this.startCall(index, state, item));
        }
        parts.push(...this.completeArguments(index, state, (state.custom ? item.input : item.arguments) ?? ''));
        return parts;
      }
      case 'hosted':
        return [hostedItemPart(item, index, true)];
      case 'other':
        // OpenAI compacted the context: only OpenAI can read the item, so it is kept as it came.
        return item.type === 'compaction' && item.encrypted_content
          ? [{ type: 'compaction', providerData: { openai: { encrypted_content: item.encrypted_content } }, encryptedContent: item.encrypted_content }]
          : [];
    }
  }

  private startCall(index: number, state: Extract<ItemState, { type: 'function_call' }>, item: OpenAIResponsesOutputItem): ModelStreamPart[] {
    state.started = true;
    this.sawFunctionCall = true;
    const parts: ModelStreamPart[] = [{ type: 'tool-call-start', index, callId: item.call_id!, name: item.name!, ...(state.custom ? { custom: true } : {}) }];
    const sent = state.custom ? item.input : item.arguments;
    if (sent) {
      state.argumentsSent = sent;
      parts.push({ type: 'tool-call-delta', index, delta: sent });
    }
    return parts;
  }

  private appendText(event: OpenAIResponsesDeltaEvent, type: 'text-delta' | 'refusal-delta' = 'text-delta'): ModelStreamPart[] {
    const state = this.items.get(this.resolveIndex(event) ?? -1);
    if (state?.type === 'message' && event.delta) {
      state.textSeen = true;
    }
    if (!event.delta) return [];
    return [type === 'text-delta' ? textDelta(event.delta, event.logprobs) : { type, delta: event.delta }];
  }

  /** A summary delta keeps its part's index; raw reasoning text (one part, in practice) is one text. */
  private appendReasoning(event: OpenAIResponsesDeltaEvent, kind: 'summary' | 'content'): ModelStreamPart[] {
    if (!event.delta) {
      return [];
    }
    const state = this.items.get(this.resolveIndex(event) ?? -1);
    if (kind === 'summary') {
      if (state?.type === 'reasoning') state.summarySeen = true;
      return [{ type: 'reasoning-summary-delta', delta: event.delta, index: event.summary_index ?? 0 }];
    }
    const parts: ModelStreamPart[] = [];
    if (state?.type === 'reasoning') {
      const contentIndex = event.content_index ?? 0;
      if (state.contentIndex !== null && state.contentIndex !== contentIndex) parts.push({ type: 'reasoning-delta', delta: '\n\n' });
      state.contentIndex = contentIndex;
    }
    parts.push({ type: 'reasoning-delta', delta: event.delta });
    return parts;
  }

  private appendArguments(event: OpenAIResponsesDeltaEvent): ModelStreamPart[] {
    const index = this.resolveIndex(event);
    const state = this.items.get(index ?? -1);
    // Fragments of a call that has not started yet are recovered from its final copy.
    if (index === null || state?.type !== 'function_call' || !state.started || !event.delta) {
      return [];
    }
    state.argumentsSent += event.delta;
    return [{ type: 'tool-call-delta', index, delta: event.delta }];
  }

  /**
   * Sends what the final argument string has beyond what was streamed: all of it when the server
   * sent no deltas. When the two disagree the streamed bytes stand, since they are already out.
   */
  private completeArguments(index: number, state: Extract<ItemState, { type: 'function_call' }>, finalArguments: string): ModelStreamPart[] {
    if (!state.started || finalArguments.length <= state.argumentsSent.length || !finalArguments.startsWith(state.argumentsSent)) {
      return [];
    }
    const delta = finalArguments.slice(state.argumentsSent.length);
    state.argumentsSent = finalArguments;
    return [{ type: 'tool-call-delta', index, delta }];
  }

  private finish(response: OpenAIResponsesResponse, outcome: Parameters<typeof resolveOpenAIResponsesFinishReason>[0]): ModelStreamPart[] {
    const parts = this.readMetadata(response);
    // Servers that stream no item events (or drop some) still list every item in the final Response.
    (response.output ?? []).forEach((item, index) => {
      parts.push(...this.completeItem(index, item));
    });
    this.finished = true;
    parts.push({
      type: 'finish',
      reason: resolveOpenAIResponsesFinishReason(outcome, this.sawFunctionCall),
      usage: withWebSearchCalls(convertOpenAIResponsesUsage(response.usage), this.webSearchCalls),
      ...withTier(servedTier(response['service_tier'])),
    });
    return parts;
  }

  private resolveIndex(event: { output_index?: number | null; item_id?: string | null }): number | null {
    if (typeof event.output_index === 'number') {
      return event.output_index;
    }
    return (event.item_id ? this.outputIndexesById.get(event.item_id) : undefined) ?? null;
  }

  private parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
    const result = schema.safeParse(value);
    if (!result.success) {
      throw malformedUpstreamResponseError(this.provider, result.error);
    }
    return result.data;
  }
}

/**
 * What replaying a reasoning item needs: OpenAI decrypts `encrypted_content` only together with the
 * item's original `rs_` id. Without encrypted content (not requested, or a server that has none)
 * there is nothing a stateless call could replay.
 * @see https://platform.openai.com/docs/guides/reasoning#encrypted-reasoning-items
 */
function toReasoningProviderData(item: OpenAIResponsesOutputItem): ProviderData | null {
  if (!item.encrypted_content || !item.id) {
    return null;
  }
  const openai: OpenAIResponsesReasoningData = { id: item.id, encrypted_content: item.encrypted_content };
  return { openai };
}

/** A text delta, with its tokens' log probabilities when the server sent some. */
function textDelta(delta: string, logprobs: OpenAILogprob[] | null | undefined): ModelStreamPart {
  return logprobs && logprobs.length > 0 ? { type: 'text-delta', delta, logprobs: convertOpenAILogprobs(logprobs) } : { type: 'text-delta', delta };
}

/** The item types we map; hosted tool calls and anything newer are `other`. */
function stateTypeOf(type: string): ItemState['type'] {
  if (type === 'message' || type === 'reasoning' || type === 'function_call') return type;
  if (type === 'custom_tool_call') return 'function_call';
  return isHostedItemType(type) ? 'hosted' : 'other';
}

/** A hosted tool's item as OpenAI wrote it; one without an id (a server that sends none) is named by its place. */
function hostedItemPart(item: OpenAIResponsesOutputItem, index: number, done: boolean): ModelStreamPart {
  return { type: 'hosted-item', item: { ...item, type: item.type as HostedItemType, id: item.id ?? `${item.type}_${index}` }, done };
}

function joinTexts(parts: OpenAIResponsesOutputItem['summary']): string {
  return (parts ?? [])
    .map((part) => part.text ?? '')
    .filter((text) => text !== '')
    .join('\n\n');
}
