import type { AdapterCachePlan } from '../caching/cache-types.js';
import { newId } from '../common/ids.js';
import {
  type CompactionItem,
  type FunctionCallItem,
  type Item,
  type ItemStatus,
  type MessageItem,
  type OutputTextPart,
  type ProviderData,
  type ReasoningItem,
  toPublicItem,
} from '../items/item.schemas.js';
import type { Usage } from '../items/usage.js';
import type { ToolNameResolver } from '../planning/flatten-tools.js';
import type { FinishReason, ModelStreamPart } from '../providers/model-adapter.js';
import type { UnsequencedEvent } from './response-events.js';

type Event = UnsequencedEvent<never>;

interface OpenCall {
  item: FunctionCallItem;
  outputIndex: number;
}

/** What a quiet accumulator returns for every part: no events, and nothing allocated for them. */
const NO_EVENTS: readonly Event[] = Object.freeze([]);

/**
 * Turns the provider-neutral stream into output items and the item-level public events, keeping the
 * invariants the official SDK checks: output indexes contiguous from 0, `content: []` on added
 * messages, content parts appended in order, ids stable between `.added` and `.done`. Lifecycle
 * events and sequence numbers belong to the turn runner. A quiet accumulator (`events: false`, for
 * a client that waits for the whole Response) builds the same output and no events.
 */
export class OutputAccumulator {
  readonly output: Item[] = [];
  usage: Usage | null = null;
  cachePlan: AdapterCachePlan | null = null;
  finishReason: { unified: FinishReason; raw: string | null } | null = null;
  upstreamResponseId: string | null = null;
  upstreamModel: string | null = null;

  private openMessage: { item: MessageItem; part: OutputTextPart; outputIndex: number } | null = null;
  private openReasoning: { item: ReasoningItem; text: string; outputIndex: number } | null = null;
  private readonly openCalls = new Map<number, OpenCall>();
  /** The events of the part being pushed; null when the accumulator is quiet. */
  private pending: Event[] | null;

  /**
   * `sealReasoning` is set when the client asked for `reasoning.encrypted_content`: each finished
   * reasoning item then carries its provider artifacts sealed (see ReasoningEnvelope).
   */
  constructor(
    private readonly resolveToolName: ToolNameResolver = (name) => ({ name, namespace: null }),
    private readonly sealReasoning: ((data: ProviderData) => string) | null = null,
    /** Seals a compaction item's provider data into its `encrypted_content` (always, unlike reasoning: the field is required). */
    private readonly seal: ((data: ProviderData) => string) | null = null,
    options: { events?: boolean } = {},
  ) {
    this.pending = options.events === false ? null : [];
  }

  push(part: ModelStreamPart): readonly Event[] {
    switch (part.type) {
      case 'response-metadata':
        this.upstreamResponseId ??= part.id;
        this.upstreamModel ??= part.model;
        break;
      case 'cache-plan':
        this.cachePlan = part.plan;
        break;
      case 'text-delta':
        if (part.delta !== '') this.appendText(part.delta);
        break;
      case 'reasoning-delta':
        if (part.delta !== '') this.appendReasoning(part.delta);
        break;
      case 'reasoning-end':
        this.endReasoning(part.providerData);
        break;
      case 'tool-call-start':
        this.startCall(part.index, part.callId, part.name, part.providerData);
        break;
      case 'tool-call-delta':
        this.appendArguments(part.index, part.delta);
        break;
      case 'compaction':
        this.addCompactionItem(part.providerData, part.encryptedContent);
        break;
      case 'finish':
        this.finishReason = part.reason;
        this.usage = part.usage;
        break;
    }
    return this.take();
  }

  /**
   * A compaction item, whole: the provider's (OpenAI shows its own opaque text; Anthropic's summary
   * is sealed, like ours) or the server's own. It arrives before the answer, as OpenAI's does.
   */
  addCompaction(providerData: ProviderData, encryptedContent: string | null): readonly Event[] {
    this.addCompactionItem(providerData, encryptedContent);
    return this.take();
  }

  /** Closes every open item; `incomplete` marks what was cut short (token limit, abort, failure). */
  close(status: ItemStatus): readonly Event[] {
    this.closeReasoning(status);
    this.closeMessage(status);
    const calls = [...this.openCalls.values()].sort((a, b) => a.outputIndex - b.outputIndex);
    for (const call of calls) this.closeCall(call, status);
    this.openCalls.clear();
    return this.take();
  }

  /** Hands out the events gathered since the last call. */
  private take(): readonly Event[] {
    const events = this.pending;
    if (events === null || events.length === 0) return NO_EVENTS;
    this.pending = [];
    return events;
  }

  private addCompactionItem(providerData: ProviderData, encryptedContent: string | null): void {
    this.closeReasoning('completed');
    this.closeMessage('completed');
    if (encryptedContent === null && !this.seal) throw new Error('a compaction item needs a sealer for its encrypted_content');
    const item: CompactionItem = {
      type: 'compaction',
      id: newId('cmp'),
      encrypted_content: encryptedContent ?? this.seal!(providerData),
      provider_data: providerData,
    };
    const outputIndex = this.output.push(item) - 1;
    this.pending?.push(
      { type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    );
  }

  private appendText(delta: string): void {
    this.closeReasoning('completed');
    const open = this.openMessage ?? this.openNewMessage();
    open.part.text += delta;
    this.pending?.push({
      type: 'response.output_text.delta',
      item_id: open.item.id,
      output_index: open.outputIndex,
      content_index: 0,
      delta,
      logprobs: [],
    });
  }

  private openNewMessage(): NonNullable<OutputAccumulator['openMessage']> {
    const item: MessageItem = { type: 'message', id: newId('msg'), status: 'in_progress', role: 'assistant', content: [] };
    const outputIndex = this.output.push(item) - 1;
    const part: OutputTextPart = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    this.pending?.push(
      { type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) },
      { type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part } },
    );
    item.content.push(part);
    this.openMessage = { item, part, outputIndex };
    return this.openMessage;
  }

  private closeMessage(status: ItemStatus): void {
    const open = this.openMessage;
    if (!open) return;
    this.openMessage = null;
    open.item.status = status;
    const { item, part, outputIndex } = open;
    this.pending?.push(
      { type: 'response.output_text.done', item_id: item.id, output_index: outputIndex, content_index: 0, text: part.text, logprobs: [] },
      { type: 'response.content_part.done', item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part } },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    );
  }

  // Raw reasoning text (e.g. `reasoning_content` of OpenAI-compatible models) is streamed the way
  // OpenAI streams reasoning_text: a reasoning item whose content parts grow like a message's.
  private appendReasoning(delta: string): void {
    const open = this.openReasoning ?? this.openNewReasoning();
    open.text += delta;
    this.pending?.push({ type: 'response.reasoning_text.delta', item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta });
  }

  // A block with no text (Anthropic redacted thinking, OpenAI encrypted-only reasoning) still
  // becomes an item, so its provider data is kept for the next turn.
  private endReasoning(providerData: ProviderData | null): void {
    const open = this.openReasoning ?? this.openNewReasoning();
    if (providerData) open.item.provider_data = providerData;
    this.closeReasoning('completed');
  }

  private openNewReasoning(): NonNullable<OutputAccumulator['openReasoning']> {
    this.closeMessage('completed');
    const item: ReasoningItem = { type: 'reasoning', id: newId('rs'), summary: [], content: [], status: 'in_progress' };
    const outputIndex = this.output.push(item) - 1;
    this.pending?.push(
      { type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) },
      { type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text: '' } },
    );
    item.content = [{ type: 'reasoning_text', text: '' }];
    this.openReasoning = { item, text: '', outputIndex };
    return this.openReasoning;
  }

  private closeReasoning(status: ItemStatus): void {
    const open = this.openReasoning;
    if (!open) return;
    this.openReasoning = null;
    const { item, text, outputIndex } = open;
    item.content = [{ type: 'reasoning_text', text }];
    item.status = status;
    if (this.sealReasoning && item.provider_data) item.encrypted_content = this.sealReasoning(item.provider_data);
    this.pending?.push(
      { type: 'response.reasoning_text.done', item_id: item.id, output_index: outputIndex, content_index: 0, text },
      { type: 'response.content_part.done', item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text } },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    );
  }

  private startCall(index: number, callId: string, upstreamName: string, providerData: ProviderData | undefined): void {
    if (this.openCalls.has(index)) return;
    this.closeReasoning('completed');
    this.closeMessage('completed');
    const { name, namespace } = this.resolveToolName(upstreamName);
    const item: FunctionCallItem = {
      type: 'function_call',
      id: newId('fc'),
      call_id: callId,
      name,
      arguments: '',
      status: 'in_progress',
      ...(namespace ? { namespace } : {}),
      ...(providerData ? { provider_data: providerData } : {}),
    };
    const outputIndex = this.output.push(item) - 1;
    this.openCalls.set(index, { item, outputIndex });
    this.pending?.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) });
  }

  private appendArguments(index: number, delta: string): void {
    const call = this.openCalls.get(index);
    if (!call || delta === '') return;
    call.item.arguments += delta;
    this.pending?.push({ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.outputIndex, delta });
  }

  private closeCall({ item, outputIndex }: OpenCall, status: ItemStatus): void {
    item.status = status;
    this.pending?.push(
      { type: 'response.function_call_arguments.done', item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    );
  }
}

/** Events carry a copy: the item keeps changing after the event is emitted. */
function snapshot(item: Item) {
  return structuredClone(toPublicItem(item));
}
