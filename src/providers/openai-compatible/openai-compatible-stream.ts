import { randomUUID } from 'node:crypto';
import type { Usage } from '../../items/usage.js';
import type { ModelStreamPart } from '../model-adapter.js';
import { convertOpenAILogprobs, type OpenAILogprob } from '../openai-logprobs.js';
import { type SseEvent } from '../read-body.js';
import { DONE_EVENT, readJsonEvent, SKIP_EVENT } from '../read-json-event.js';
import { servedTier, withTier } from '../served-tier.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import { resolveOpenAICompatibleFinishReason } from './map-openai-compatible-finish-reason.js';
import { type OpenAICompatibleChunk, type OpenAICompatibleToolCallDelta, openAICompatibleChunkSchema } from './openai-compatible.api.js';
import { toOpenAICompatibleInBandError } from './openai-compatible-error.js';
import { convertOpenAICompatibleUsage } from './openai-compatible-usage.js';

/**
 * Turns Chat Completions SSE events into ModelStreamParts: validates each `data:` payload, stops at
 * `[DONE]`, throws in-band errors as ProviderError, and always ends with exactly one `finish`.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export async function* mapOpenAICompatibleStream(events: AsyncIterable<SseEvent>, provider: string): AsyncGenerator<ModelStreamPart, void, undefined> {
  const mapper = new OpenAICompatibleStreamMapper(provider);
  const onErrorEvent = (payload: unknown, text: string) => toOpenAICompatibleInBandError(provider, payload ?? { error: { message: text } });
  for await (const event of events) {
    const payload = readJsonEvent(event, provider, onErrorEvent);
    if (payload === DONE_EVENT) break;
    if (payload === SKIP_EVENT) continue;
    const chunk = openAICompatibleChunkSchema.safeParse(payload);
    if (!chunk.success) {
      throw malformedUpstreamResponseError(provider, chunk.error);
    }
    for (const part of mapper.push(chunk.data)) yield part;
  }
  yield* mapper.finish();
}

interface ToolCallState {
  callId: string | null;
  name: string | null;
  /** Our index, assigned when the call starts. */
  index: number | null;
  /** Argument fragments that arrived before the function name. */
  pendingArguments: string;
}

/**
 * The stateful part of the stream mapping, one instance per model call. Only choice 0 is read.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
class OpenAICompatibleStreamMapper {
  private metadataSent = false;
  private finishReason: string | null = null;
  private usage: Usage | null = null;
  private serviceTier: string | null = null;
  private readonly toolCalls = new Map<number, ToolCallState>();
  private readonly toolCallKeysById = new Map<string, number>();
  private lastToolCallKey: number | null = null;
  private startedToolCalls = 0;
  private reasoningOpen = false;

  constructor(private readonly provider: string) {}

  push(chunk: OpenAICompatibleChunk): ModelStreamPart[] {
    if (chunk.error) {
      throw toOpenAICompatibleInBandError(this.provider, { error: chunk.error });
    }
    const parts: ModelStreamPart[] = [];
    // Azure's first chunk carries only prompt filter results with an empty id and model, so metadata
    // waits for the first chunk that names them (or for the first part that needs it).
    if (!this.metadataSent && (chunk.id || chunk.model)) {
      this.metadataSent = true;
      parts.push({ type: 'response-metadata', id: chunk.id || null, model: chunk.model || null });
    }

    const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
    // Usage may come with the finish reason, in a later chunk with `choices: []`, or (Moonshot)
    // inside the choice; the last one seen is the total.
    const usage = convertOpenAICompatibleUsage(chunk.usage ?? choice?.usage);
    if (usage) {
      this.usage = usage;
    }
    if (chunk.service_tier) this.serviceTier = servedTier(chunk.service_tier);
    if (!choice) {
      return parts;
    }

    const delta = choice.delta;
    // Some servers fill both reasoning fields with the same text during their rename; read one.
    const reasoning = delta?.reasoning_content || delta?.reasoning;
    if (reasoning) {
      this.reasoningOpen = true;
      parts.push(...this.withMetadata({ type: 'reasoning-delta', delta: reasoning }));
    }
    if (delta?.content || delta?.refusal || (delta?.tool_calls?.length ?? 0) > 0) {
      parts.push(...this.closeReasoning());
    }
    // vLLM, OpenAI and LiteLLM end with `content: ""` alongside the finish reason; it is not a delta.
    if (delta?.content) {
      parts.push(...this.withMetadata(chatTextDelta(delta.content, choice.logprobs?.content)));
    }
    if (delta?.refusal) {
      parts.push(...this.withMetadata({ type: 'refusal-delta', delta: delta.refusal }));
    }
    const toolCallDeltas = delta?.tool_calls ?? [];
    toolCallDeltas.forEach((toolCallDelta, position) => {
      parts.push(...this.pushToolCall(toolCallDelta, position, toolCallDeltas.length));
    });
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
    }
    return parts;
  }

  /** The closing parts, once `[DONE]` arrived or the body ended. */
  finish(): ModelStreamPart[] {
    const parts: ModelStreamPart[] = [...this.closeReasoning()];
    for (const state of this.toolCalls.values()) {
      if (state.index === null) {
        // A call whose function name never arrived cannot be executed or replayed.
        throw malformedUpstreamResponseError(this.provider, new Error('tool call without a function name'));
      }
    }
    parts.push(
      ...this.withMetadata({
        type: 'finish',
        reason: resolveOpenAICompatibleFinishReason(this.finishReason, this.startedToolCalls > 0),
        usage: this.usage,
        ...withTier(this.serviceTier),
      }),
    );
    return parts;
  }

  /**
   * Ends the reasoning block, marking it as this provider's, so that only this provider gets it
   * back as `reasoning_content` (see to-openai-compatible-messages).
   */
  private closeReasoning(): ModelStreamPart[] {
    if (!this.reasoningOpen) return [];
    this.reasoningOpen = false;
    return [{ type: 'reasoning-end', providerData: { chat: { provider: this.provider } } }];
  }

  private pushToolCall(toolCallDelta: OpenAICompatibleToolCallDelta, position: number, count: number): ModelStreamPart[] {
    const key = this.resolveToolCallKey(toolCallDelta, position, count);
    let state = this.toolCalls.get(key);
    if (!state) {
      state = { callId: null, name: null, index: null, pendingArguments: '' };
      this.toolCalls.set(key, state);
    }
    this.lastToolCallKey = key;
    // Some servers repeat the id and name on every fragment; only the first ones count.
    if (toolCallDelta.id && state.callId === null) {
      state.callId = toolCallDelta.id;
      this.toolCallKeysById.set(toolCallDelta.id, key);
    }
    if (toolCallDelta.function?.name && state.name === null) {
      state.name = toolCallDelta.function.name;
    }

    const parts: ModelStreamPart[] = [];
    const fragment = toolCallDelta.function?.arguments ?? '';
    if (state.index === null) {
      state.pendingArguments += fragment;
      if (state.name === null) {
        return parts;
      }
      state.index = this.startedToolCalls++;
      parts.push(
        ...this.withMetadata({
          type: 'tool-call-start',
          index: state.index,
          callId: state.callId ?? fallbackToolCallId(),
          name: state.name,
        }),
      );
      if (state.pendingArguments) {
        parts.push({ type: 'tool-call-delta', index: state.index, delta: state.pendingArguments });
        state.pendingArguments = '';
      }
    } else if (fragment) {
      parts.push({ type: 'tool-call-delta', index: state.index, delta: fragment });
    }
    return parts;
  }

  /**
   * Which call a fragment belongs to. `index` is required by the spec but some servers omit it: then
   * a known id picks its call, a new id opens a new one, and an anonymous fragment continues the last
   * call when it is alone in its chunk, else goes by its position in the chunk.
   */
  private resolveToolCallKey(toolCallDelta: OpenAICompatibleToolCallDelta, position: number, count: number): number {
    if (typeof toolCallDelta.index === 'number') {
      return toolCallDelta.index;
    }
    if (toolCallDelta.id) {
      const known = this.toolCallKeysById.get(toolCallDelta.id);
      if (known !== undefined) {
        return known;
      }
      return this.toolCalls.size === 0 ? position : Math.max(...this.toolCalls.keys()) + 1;
    }
    if (count === 1 && this.lastToolCallKey !== null) {
      return this.lastToolCallKey;
    }
    return position;
  }

  private withMetadata(part: ModelStreamPart): ModelStreamPart[] {
    if (this.metadataSent) {
      return [part];
    }
    this.metadataSent = true;
    return [{ type: 'response-metadata', id: null, model: null }, part];
  }
}

/** A text delta, with the log probabilities of its tokens when the server sent them (asked for with `logprobs`). */
export function chatTextDelta(text: string, logprobs: OpenAILogprob[] | null | undefined): ModelStreamPart {
  return logprobs && logprobs.length > 0 ? { type: 'text-delta', delta: text, logprobs: convertOpenAILogprobs(logprobs) } : { type: 'text-delta', delta: text };
}

/**
 * A call id for servers that send a tool call without one; the id only has to pair the call with
 * its output in our own history.
 */
export function fallbackToolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '')}`;
}
