import type { ModelStreamPart } from '../model-adapter.js';
import { type SseEvent, safeJsonParse } from '../read-body.js';
import { DONE_EVENT, readJsonEvent, SKIP_EVENT } from '../read-json-event.js';
import { servedTier, withTier } from '../served-tier.js';
import { malformedUpstreamResponseError } from '../upstream-errors.js';
import {
  type AnthropicContentBlock,
  type AnthropicReasoningData,
  type AnthropicStreamEvent,
  type AnthropicUsage,
  anthropicErrorSchema,
  anthropicStreamEventSchema,
  anthropicStreamEventTypes,
} from './anthropic.api.js';
import { toAnthropicInBandError, truncatedStreamError } from './anthropic-error.js';
import { convertAnthropicUsage, mergeAnthropicUsage } from './anthropic-usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

/**
 * Turns Messages API SSE events into ModelStreamParts: validates each payload, skips `ping` and event
 * types added after this was written, throws `error` events as ProviderError, stops at
 * `message_stop`, and always ends with exactly one `finish`.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming
 */
export async function* mapAnthropicStream(events: AsyncIterable<SseEvent>, provider: string): AsyncGenerator<ModelStreamPart, void, undefined> {
  const mapper = new AnthropicStreamMapper(provider);
  // Trust the SSE event name for errors, so a proxy's `event: error` with a bare body still fails the call.
  const onErrorEvent = (payload: unknown, text: string) =>
    toAnthropicInBandError(provider, payload === undefined ? { message: text } : readErrorObject(payload));
  for await (const event of events) {
    const payload = readJsonEvent(event, provider, onErrorEvent);
    if (payload === DONE_EVENT) break;
    if (payload === SKIP_EVENT) continue;
    const streamEvent = parseAnthropicStreamEvent(payload, provider);
    if (streamEvent) {
      for (const part of mapper.push(streamEvent)) yield part;
    }
    if (mapper.stopped) {
      break;
    }
  }
  yield* mapper.finish();
}

/** Validates one event payload; null for an event type we do not know, which Anthropic says to ignore. */
function parseAnthropicStreamEvent(value: unknown, provider: string): AnthropicStreamEvent | null {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') {
    throw malformedUpstreamResponseError(provider, new Error('stream event without a type'));
  }
  if (!anthropicStreamEventTypes.has(type)) {
    return null;
  }
  const result = anthropicStreamEventSchema.safeParse(value);
  if (!result.success) {
    throw malformedUpstreamResponseError(provider, result.error);
  }
  return result.data;
}

type BlockState =
  /** `length`: the block's text so far; `citations`: the web search results it cites, shown once the block ends. */
  | { type: 'text'; length: number; citations: Array<Record<string, unknown>> }
  /** Anthropic running a web search: the query arrives as input JSON. */
  | { type: 'web_search'; block: AnthropicContentBlock; input: string }
  | { type: 'tool_use'; sawInput: boolean; initialInput: unknown }
  | { type: 'thinking'; thinking: string; signature: string }
  /** Anthropic's compaction block: its summary arrives whole, in one `compaction_delta`. */
  | { type: 'compaction'; content: string; encryptedContent: string | null }
  /** Server tool blocks and future block types: their deltas are read past. */
  | { type: 'ignored' };

/**
 * The stateful part of the stream mapping, one instance per model call. Tool calls are identified by
 * their content block index, which is unique within the message.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export class AnthropicStreamMapper {
  /** True once `message_stop` arrived; nothing after it is read. */
  stopped = false;
  private metadataSent = false;
  private stopReason: string | null = null;
  /** Anthropic's explanation of a refusal (`stop_details.explanation`). */
  private refusalExplanation: string | null = null;
  private usage: AnthropicUsage | null = null;
  /** Thinking text streamed, for the reasoning-token estimate Anthropic does not report. */
  private thinkingChars = 0;
  private readonly blocks = new Map<number, BlockState>();
  /** Web searches by Anthropic's `srvtoolu_` id: the block that ran each, kept for its result. */
  private readonly searches = new Map<string, { serverToolUse: Record<string, unknown>; query: string }>();

  constructor(private readonly provider: string) {}

  push(event: AnthropicStreamEvent): ModelStreamPart[] {
    switch (event.type) {
      case 'message_start': {
        this.usage = mergeAnthropicUsage(this.usage, event.message.usage);
        if (this.metadataSent) {
          return [];
        }
        this.metadataSent = true;
        return [{ type: 'response-metadata', id: event.message.id || null, model: event.message.model || null }];
      }
      case 'content_block_start':
        return this.withMetadata(this.startBlock(event.index, event.content_block));
      case 'content_block_delta':
        return this.withMetadata(this.pushDelta(event.index, event.delta));
      case 'content_block_stop':
        return this.withMetadata(this.stopBlock(event.index));
      case 'message_delta':
        this.stopReason = event.delta?.stop_reason ?? this.stopReason;
        this.refusalExplanation = event.delta?.stop_details?.explanation || this.refusalExplanation;
        this.usage = mergeAnthropicUsage(this.usage, event.usage);
        return [];
      case 'message_stop':
        this.stopped = true;
        return [];
      case 'ping':
        return [];
      case 'error':
        throw toAnthropicInBandError(this.provider, event.error);
      default: {
        const unexpected: never = event;
        throw new Error(`unexpected stream event ${(unexpected as { type: string }).type}`);
      }
    }
  }

  /** The closing parts, once `message_stop` arrived or the body ended. */
  finish(): ModelStreamPart[] {
    // A stop reason without message_stop is a complete answer; neither means the body was cut short.
    if (!this.stopped && this.stopReason === null) {
      throw truncatedStreamError(this.provider);
    }
    // Anthropic's classifiers stopped the answer: the client sees a refusal, as OpenAI shows one,
    // with Anthropic's explanation when it gave one (older models give none).
    const refusal: ModelStreamPart[] =
      this.stopReason === 'refusal' ? [{ type: 'refusal-delta', delta: this.refusalExplanation ?? 'Claude declined to continue this answer.' }] : [];
    return this.withMetadata([
      ...refusal,
      {
        type: 'finish',
        reason: { unified: mapAnthropicStopReason(this.stopReason), raw: this.stopReason },
        usage: convertAnthropicUsage(this.usage, this.thinkingChars),
        ...withTier(servedTier(this.usage?.['service_tier'])),
      },
    ]);
  }

  private startBlock(index: number, block: AnthropicContentBlock): ModelStreamPart[] {
    switch (block.type) {
      case 'text':
        this.blocks.set(index, { type: 'text', length: block.text?.length ?? 0, citations: [...(block.citations ?? [])] });
        return block.text ? [{ type: 'text-delta', delta: block.text }] : [];
      case 'server_tool_use':
        if (block.name !== 'web_search' || !block.id) {
          this.blocks.set(index, { type: 'ignored' });
          return [];
        }
        this.blocks.set(index, { type: 'web_search', block, input: '' });
        return [];
      case 'web_search_tool_result':
        this.blocks.set(index, { type: 'ignored' });
        return this.searchResult(block);
      case 'tool_use':
        if (!block.id || !block.name) {
          throw this.malformed('tool_use block without id or name');
        }
        this.blocks.set(index, { type: 'tool_use', sawInput: false, initialInput: block.input });
        return [{ type: 'tool-call-start', index, callId: block.id, name: block.name }];
      case 'thinking':
        this.blocks.set(index, { type: 'thinking', thinking: block.thinking ?? '', signature: block.signature ?? '' });
        this.thinkingChars += block.thinking?.length ?? 0;
        return block.thinking ? [{ type: 'reasoning-summary-delta', delta: block.thinking, index: 0 }] : [];
      case 'compaction':
        this.blocks.set(index, {
          type: 'compaction',
          content: typeof block.content === 'string' ? block.content : '',
          encryptedContent: block.encrypted_content ?? null,
        });
        return [];
      case 'redacted_thinking':
        if (!block.data) {
          throw this.malformed('redacted_thinking block without data');
        }
        // The block arrives whole, with nothing to stream; it only needs to be kept for the replay.
        this.blocks.set(index, { type: 'ignored' });
        return [{ type: 'reasoning-end', providerData: { anthropic: { redacted: block.data } satisfies AnthropicReasoningData } }];
      default:
        // Server tool blocks (web search, code execution) are never requested by this adapter.
        this.blocks.set(index, { type: 'ignored' });
        return [];
    }
  }

  private pushDelta(index: number, delta: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>['delta']): ModelStreamPart[] {
    const state = this.blocks.get(index);
    if (!state) {
      throw this.malformed(`content_block_delta for block ${index}, which was not started`);
    }
    // Server tool blocks stream input_json_delta too; they are not our tool calls.
    if (state.type === 'ignored') {
      return [];
    }
    switch (delta.type) {
      case 'text_delta':
        if (state.type !== 'text') {
          throw this.mismatch(delta.type, state);
        }
        state.length += delta.text?.length ?? 0;
        return delta.text ? [{ type: 'text-delta', delta: delta.text }] : [];
      case 'citations_delta':
        if (state.type === 'text' && delta.citation) state.citations.push(delta.citation);
        return [];
      case 'input_json_delta':
        if (state.type === 'web_search') {
          state.input += delta.partial_json ?? '';
          return [];
        }
        if (state.type !== 'tool_use') {
          throw this.mismatch(delta.type, state);
        }
        // The first fragment is usually empty; only real fragments count as input.
        if (!delta.partial_json) {
          return [];
        }
        state.sawInput = true;
        return [{ type: 'tool-call-delta', index, delta: delta.partial_json }];
      case 'thinking_delta':
        if (state.type !== 'thinking') {
          throw this.mismatch(delta.type, state);
        }
        if (!delta.thinking) {
          return [];
        }
        state.thinking += delta.thinking;
        this.thinkingChars += delta.thinking.length;
        return [{ type: 'reasoning-summary-delta', delta: delta.thinking, index: 0 }];
      case 'signature_delta':
        if (state.type !== 'thinking') {
          throw this.mismatch(delta.type, state);
        }
        state.signature += delta.signature ?? '';
        return [];
      case 'compaction_delta':
        if (state.type !== 'compaction') {
          throw this.mismatch(delta.type, state);
        }
        state.content += delta.content ?? '';
        state.encryptedContent = delta.encrypted_content || state.encryptedContent;
        return [];
      default:
        // Future delta types carry nothing we map.
        return [];
    }
  }

  private stopBlock(index: number): ModelStreamPart[] {
    const state = this.blocks.get(index);
    this.blocks.delete(index);
    switch (state?.type) {
      case 'text':
        return citationAnnotations(state);
      case 'web_search':
        return this.searchStarted(state);
      case 'tool_use': {
        if (state.sawInput) {
          return [];
        }
        // A call without arguments streams no fragment (or an empty one); the arguments are then the
        // start block's `input` (a non-streamed message) or `{}`, so they always parse as JSON.
        const input = isNonEmptyObject(state.initialInput) ? JSON.stringify(state.initialInput) : '{}';
        return [{ type: 'tool-call-delta', index, delta: input }];
      }
      case 'compaction': {
        // A block without a summary is a failed compaction, which Anthropic treats as a no-op: nothing to keep.
        if (state.content === '') return [];
        const block = { content: state.content, encrypted_content: state.encryptedContent };
        return [{ type: 'compaction', providerData: { anthropic: block }, encryptedContent: null }];
      }
      case 'thinking': {
        // Without a signature the block cannot be sent back, so nothing is kept for the replay.
        const providerData = state.signature ? { anthropic: { thinking: state.thinking, signature: state.signature } satisfies AnthropicReasoningData } : null;
        return [{ type: 'reasoning-end', providerData }];
      }
      default:
        return [];
    }
  }

  /** A search Anthropic is running: a `web_search_call` in progress, under an id made from Anthropic's. */
  private searchStarted(state: Extract<BlockState, { type: 'web_search' }>): ModelStreamPart[] {
    const parsed = safeJsonParse(state.input === '' ? '{}' : state.input);
    const input = parsed.ok && isNonEmptyObject(parsed.value) ? parsed.value : isNonEmptyObject(state.block.input) ? state.block.input : {};
    const query = typeof input['query'] === 'string' ? input['query'] : '';
    const serverToolUse = { type: 'server_tool_use', id: state.block.id, name: 'web_search', input };
    this.searches.set(state.block.id!, { serverToolUse, query });
    const item = { type: 'web_search_call' as const, id: webSearchCallId(state.block.id!), status: 'in_progress', action: { type: 'search', query } };
    return [{ type: 'hosted-item', item, done: false }];
  }

  /**
   * The search's results: the `web_search_call` is done (failed when Anthropic reports an error),
   * its sources listed, and both blocks kept verbatim so Anthropic sees them again next turn.
   */
  private searchResult(block: AnthropicContentBlock): ModelStreamPart[] {
    const toolUseId = block.tool_use_id ?? '';
    const started = this.searches.get(toolUseId);
    const results = Array.isArray(block.content) ? (block.content as Array<Record<string, unknown>>) : null;
    const sources = (results ?? []).flatMap((result) => (typeof result['url'] === 'string' ? [{ type: 'url', url: result['url'] }] : []));
    const resultBlock = { type: 'web_search_tool_result', tool_use_id: toolUseId, content: block.content };
    const item = {
      type: 'web_search_call' as const,
      id: webSearchCallId(toolUseId),
      status: results ? 'completed' : 'failed',
      action: { type: 'search', query: started?.query ?? '', sources },
      ...(started ? { provider_data: { anthropic: { server_tool_use: started.serverToolUse, web_search_tool_result: resultBlock } } } : {}),
    };
    return [{ type: 'hosted-item', item, done: true }];
  }

  private mismatch(deltaType: string, state: BlockState) {
    return this.malformed(`${deltaType} in a ${state.type} block`);
  }

  private withMetadata(parts: ModelStreamPart[]): ModelStreamPart[] {
    if (this.metadataSent || parts.length === 0) {
      return parts;
    }
    this.metadataSent = true;
    return [{ type: 'response-metadata', id: null, model: null }, ...parts];
  }

  private malformed(reason: string) {
    return malformedUpstreamResponseError(this.provider, new Error(reason));
  }
}

function readErrorObject(value: unknown) {
  const error = typeof value === 'object' && value !== null ? (value as { error?: unknown }).error : undefined;
  const result = anthropicErrorSchema.safeParse(error);
  return result.success ? result.data : null;
}

function isNonEmptyObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
}

/** Our id for a search Anthropic ran: OpenAI's `ws_` prefix on Anthropic's own id. */
function webSearchCallId(serverToolUseId: string): string {
  return `ws_${serverToolUseId.replace(/^srvtoolu_/, '')}`;
}

/**
 * A text block's web search citations, as OpenAI's `url_citation` annotations. Anthropic cites per
 * block, so each annotation covers the block's text: the accumulator places it (`covers`).
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool#citations
 */
function citationAnnotations(state: Extract<BlockState, { type: 'text' }>): ModelStreamPart[] {
  return state.citations.flatMap((citation): ModelStreamPart[] =>
    citation['type'] === 'web_search_result_location' && typeof citation['url'] === 'string'
      ? [
          {
            type: 'text-annotation',
            annotation: {
              type: 'url_citation',
              url: citation['url'],
              title: typeof citation['title'] === 'string' ? citation['title'] : '',
              start_index: 0,
              end_index: 0,
            },
            covers: state.length,
          },
        ]
      : [],
  );
}
