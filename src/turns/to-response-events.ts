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
import type { FinishReason, ModelStreamPart } from '../providers/model-adapter.js';
import type { UnsequencedEvent } from './response-events.js';

/** Maps an upstream (flattened) tool name back to the public name and namespace. */
export type ToolNameResolver = (upstreamName: string) => { name: string; namespace: string | null };

type Event = UnsequencedEvent<never>;

interface OpenCall {
  item: FunctionCallItem;
  outputIndex: number;
}

/**
 * Turns the provider-neutral stream into output items and the item-level public events, keeping the
 * invariants the official SDK checks: output indexes contiguous from 0, `content: []` on added
 * messages, content parts appended in order, ids stable between `.added` and `.done`. Lifecycle
 * events and sequence numbers belong to the turn runner.
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

  /**
   * `sealReasoning` is set when the client asked for `reasoning.encrypted_content`: each finished
   * reasoning item then carries its provider artifacts sealed (see ReasoningEnvelope).
   */
  constructor(
    private readonly resolveToolName: ToolNameResolver = (name) => ({ name, namespace: null }),
    private readonly sealReasoning: ((data: ProviderData) => string) | null = null,
    /** Seals a compaction item's provider data into its `encrypted_content` (always, unlike reasoning: the field is required). */
    private readonly seal: ((data: ProviderData) => string) | null = null,
  ) {}

  push(part: ModelStreamPart): Event[] {
    switch (part.type) {
      case 'response-metadata':
        this.upstreamResponseId ??= part.id;
        this.upstreamModel ??= part.model;
        return [];
      case 'cache-plan':
        this.cachePlan = part.plan;
        return [];
      case 'text-delta':
        return part.delta === '' ? [] : this.appendText(part.delta);
      case 'reasoning-delta':
        return part.delta === '' ? [] : this.appendReasoning(part.delta);
      case 'reasoning-end':
        return this.endReasoning(part.providerData);
      case 'tool-call-start':
        return this.startCall(part.index, part.callId, part.name, part.providerData);
      case 'tool-call-delta':
        return this.appendArguments(part.index, part.delta);
      case 'compaction':
        return this.addCompaction(part.providerData, part.encryptedContent);
      case 'finish':
        this.finishReason = part.reason;
        this.usage = part.usage;
        return [];
    }
  }

  /**
   * A compaction item, whole: the provider's (OpenAI shows its own opaque text; Anthropic's summary
   * is sealed, like ours) or the server's own. It arrives before the answer, as OpenAI's does.
   */
  addCompaction(providerData: ProviderData, encryptedContent: string | null): Event[] {
    const events = [...this.closeReasoning('completed'), ...this.closeMessage('completed')];
    if (encryptedContent === null && !this.seal) throw new Error('a compaction item needs a sealer for its encrypted_content');
    const item: CompactionItem = {
      type: 'compaction',
      id: newId('cmp'),
      encrypted_content: encryptedContent ?? this.seal!(providerData),
      provider_data: providerData,
    };
    const outputIndex = this.output.push(item) - 1;
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) }, { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) });
    return events;
  }

  /** Closes every open item; `incomplete` marks what was cut short (token limit, abort, failure). */
  close(status: ItemStatus): Event[] {
    const events = [...this.closeReasoning(status), ...this.closeMessage(status)];
    const calls = [...this.openCalls.values()].sort((a, b) => a.outputIndex - b.outputIndex);
    for (const call of calls) events.push(...this.closeCall(call, status));
    this.openCalls.clear();
    return events;
  }

  private appendText(delta: string): Event[] {
    const events = this.closeReasoning('completed');
    if (!this.openMessage) events.push(...this.openNewMessage());
    const open = this.openMessage!;
    open.part.text += delta;
    events.push({
      type: 'response.output_text.delta',
      item_id: open.item.id,
      output_index: open.outputIndex,
      content_index: 0,
      delta,
      logprobs: [],
    });
    return events;
  }

  private openNewMessage(): Event[] {
    const item: MessageItem = { type: 'message', id: newId('msg'), status: 'in_progress', role: 'assistant', content: [] };
    const outputIndex = this.output.push(item) - 1;
    const part: OutputTextPart = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    const events: Event[] = [
      { type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) },
      { type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part } },
    ];
    item.content.push(part);
    this.openMessage = { item, part, outputIndex };
    return events;
  }

  private closeMessage(status: ItemStatus): Event[] {
    const open = this.openMessage;
    if (!open) return [];
    this.openMessage = null;
    open.item.status = status;
    const { item, part, outputIndex } = open;
    return [
      { type: 'response.output_text.done', item_id: item.id, output_index: outputIndex, content_index: 0, text: part.text, logprobs: [] },
      { type: 'response.content_part.done', item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part } },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    ];
  }

  // Raw reasoning text (e.g. `reasoning_content` of OpenAI-compatible models) is streamed the way
  // OpenAI streams reasoning_text: a reasoning item whose content parts grow like a message's.
  private appendReasoning(delta: string): Event[] {
    const events = this.openReasoning ? [] : this.openNewReasoning();
    const open = this.openReasoning!;
    open.text += delta;
    events.push({ type: 'response.reasoning_text.delta', item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta });
    return events;
  }

  // A block with no text (Anthropic redacted thinking, OpenAI encrypted-only reasoning) still
  // becomes an item, so its provider data is kept for the next turn.
  private endReasoning(providerData: ProviderData | null): Event[] {
    const events: Event[] = [];
    if (!this.openReasoning) events.push(...this.openNewReasoning());
    if (providerData) this.openReasoning!.item.provider_data = providerData;
    events.push(...this.closeReasoning('completed'));
    return events;
  }

  private openNewReasoning(): Event[] {
    const events = this.closeMessage('completed');
    const item: ReasoningItem = { type: 'reasoning', id: newId('rs'), summary: [], content: [], status: 'in_progress' };
    const outputIndex = this.output.push(item) - 1;
    events.push(
      { type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) },
      { type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text: '' } },
    );
    item.content = [{ type: 'reasoning_text', text: '' }];
    this.openReasoning = { item, text: '', outputIndex };
    return events;
  }

  private closeReasoning(status: ItemStatus): Event[] {
    const open = this.openReasoning;
    if (!open) return [];
    this.openReasoning = null;
    const { item, text, outputIndex } = open;
    item.content = [{ type: 'reasoning_text', text }];
    item.status = status;
    if (this.sealReasoning && item.provider_data) item.encrypted_content = this.sealReasoning(item.provider_data);
    return [
      { type: 'response.reasoning_text.done', item_id: item.id, output_index: outputIndex, content_index: 0, text },
      { type: 'response.content_part.done', item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text } },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    ];
  }

  private startCall(index: number, callId: string, upstreamName: string, providerData: ProviderData | undefined): Event[] {
    if (this.openCalls.has(index)) return [];
    const events = [...this.closeReasoning('completed'), ...this.closeMessage('completed')];
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
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) });
    return events;
  }

  private appendArguments(index: number, delta: string): Event[] {
    const call = this.openCalls.get(index);
    if (!call || delta === '') return [];
    call.item.arguments += delta;
    return [{ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.outputIndex, delta }];
  }

  private closeCall({ item, outputIndex }: OpenCall, status: ItemStatus): Event[] {
    item.status = status;
    return [
      { type: 'response.function_call_arguments.done', item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments },
      { type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) },
    ];
  }
}

/** Events carry a copy: the item keeps changing after the event is emitted. */
function snapshot(item: Item) {
  return structuredClone(toPublicItem(item));
}
