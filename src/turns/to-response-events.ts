import type { AdapterCachePlan } from '../caching/cache-types.js';
import { newId } from '../common/ids.js';
import type { HostedItemType } from '../items/hosted-items.js';
import {
  type CompactionItem,
  type CustomToolCallItem,
  type FunctionCallItem,
  type HostedItem,
  type Item,
  type ItemStatus,
  type MessageItem,
  type OutputTextPart,
  type ProviderData,
  type ReasoningItem,
  type ReasoningTextPart,
  type RefusalPart,
  type SummaryTextPart,
  toPublicItem,
} from '../items/item.schemas.js';
import type { TokenLogprob } from '../items/logprobs.js';
import type { Usage } from '../items/usage.js';
import type { ToolNameResolver } from '../planning/plan-tools.js';
import type { FinishReason, ModelStreamPart } from '../providers/model-adapter.js';
import type { UnsequencedEvent } from './response-events.js';

type Event = UnsequencedEvent<never>;

interface OpenCall {
  item: FunctionCallItem | CustomToolCallItem;
  outputIndex: number;
  /**
   * A custom tool's call made through a function (wires without custom tools): its arguments are
   * `{"input": …}`, gathered here and unwrapped into `input` when the call closes.
   */
  wrappedArguments: string | null;
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
  /** The tier the vendor says served the call (OpenAI's names), when it says. */
  serviceTier: string | null = null;
  upstreamResponseId: string | null = null;
  upstreamModel: string | null = null;

  /** The message being written, and its part being written (text or refusal), at `contentIndex`. */
  private openMessage: { item: MessageItem; outputIndex: number; part: OutputTextPart | RefusalPart | null; contentIndex: number } | null = null;
  /** The reasoning item being written: its summary part being written, and its raw text part once there is one. */
  private openReasoning: {
    item: ReasoningItem;
    outputIndex: number;
    summary: { part: SummaryTextPart; summaryIndex: number; upstreamIndex: number } | null;
    content: ReasoningTextPart | null;
  } | null = null;
  private readonly openCalls = new Map<number, OpenCall>();
  /** Hosted tools' items by their id: where each stands in the output, and whether it is done. */
  private readonly hostedItems = new Map<string, { outputIndex: number; done: boolean }>();
  /** The events of the part being pushed; null when the accumulator is quiet. */
  private pending: Event[] | null;

  /**
   * `sealReasoning` is set when the client asked for `reasoning.encrypted_content`: each finished
   * reasoning item then carries its provider artifacts sealed (see ReasoningEnvelope).
   */
  constructor(
    private readonly resolveToolName: ToolNameResolver = (name) => ({ name, namespace: null, kind: 'function' }),
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
        if (part.delta !== '') this.appendText(part.delta, part.logprobs);
        break;
      case 'refusal-delta':
        if (part.delta !== '') this.appendRefusal(part.delta);
        break;
      case 'reasoning-delta':
        if (part.delta !== '') this.appendReasoning(part.delta);
        break;
      case 'reasoning-summary-delta':
        if (part.delta !== '') this.appendReasoningSummary(part.delta, part.index);
        break;
      case 'reasoning-end':
        this.endReasoning(part.providerData);
        break;
      case 'tool-call-start':
        this.startCall(part.index, part.callId, part.name, part.providerData, part.custom === true);
        break;
      case 'tool-call-delta':
        this.appendArguments(part.index, part.delta);
        break;
      case 'compaction':
        this.addCompactionItem(part.providerData, part.encryptedContent);
        break;
      case 'text-annotation':
        this.addAnnotation(part.annotation, part.covers);
        break;
      case 'hosted-item':
        this.putHostedItem(part.item, part.done);
        break;
      case 'hosted-event':
        this.forwardHostedEvent(part.event);
        break;
      case 'finish':
        this.finishReason = part.reason;
        this.usage = part.usage;
        this.serviceTier = part.serviceTier ?? null;
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

  /** Text grows the open output_text part; its tokens' log probabilities (when asked for) go on the part and on the delta. */
  private appendText(delta: string, logprobs: TokenLogprob[] | undefined): void {
    this.closeReasoning('completed');
    const open = this.openMessage ?? this.openNewMessage();
    const part = open.part?.type === 'output_text' ? open.part : this.openPart(open, { type: 'output_text', text: '', annotations: [], logprobs: [] });
    part.text += delta;
    if (logprobs && logprobs.length > 0) part.logprobs.push(...logprobs);
    this.pending?.push({
      type: 'response.output_text.delta',
      item_id: open.item.id,
      output_index: open.outputIndex,
      content_index: open.contentIndex,
      delta,
      // A fresh empty array for each delta keeps sse.ts's template for it (logprobs: []).
      logprobs: logprobs && logprobs.length > 0 ? logprobs : [],
    });
  }

  /** What the model declined, as OpenAI shows it: a `refusal` part of the message, not its text. */
  private appendRefusal(delta: string): void {
    this.closeReasoning('completed');
    const open = this.openMessage ?? this.openNewMessage();
    const part = open.part?.type === 'refusal' ? open.part : this.openPart(open, { type: 'refusal', refusal: '' });
    part.refusal += delta;
    this.pending?.push({ type: 'response.refusal.delta', item_id: open.item.id, output_index: open.outputIndex, content_index: open.contentIndex, delta });
  }

  private openNewMessage(): NonNullable<OutputAccumulator['openMessage']> {
    const item: MessageItem = { type: 'message', id: newId('msg'), status: 'in_progress', role: 'assistant', content: [] };
    const outputIndex = this.output.push(item) - 1;
    this.pending?.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) });
    this.openMessage = { item, outputIndex, part: null, contentIndex: -1 };
    return this.openMessage;
  }

  /** Closes the message's current part and opens `part` after it. */
  private openPart<P extends OutputTextPart | RefusalPart>(open: NonNullable<OutputAccumulator['openMessage']>, part: P): P {
    this.closePart(open);
    open.contentIndex = open.item.content.push(part) - 1;
    open.part = part;
    this.pending?.push({
      type: 'response.content_part.added',
      item_id: open.item.id,
      output_index: open.outputIndex,
      content_index: open.contentIndex,
      part: copyPart(part),
    });
    return part;
  }

  private closePart(open: NonNullable<OutputAccumulator['openMessage']>): void {
    const { item, outputIndex, part, contentIndex } = open;
    if (!part) return;
    open.part = null;
    const where = { item_id: item.id, output_index: outputIndex, content_index: contentIndex };
    this.pending?.push(
      part.type === 'output_text'
        ? { type: 'response.output_text.done', ...where, text: part.text, logprobs: [...part.logprobs] }
        : { type: 'response.refusal.done', ...where, refusal: part.refusal },
      { type: 'response.content_part.done', ...where, part: copyPart(part) },
    );
  }

  private closeMessage(status: ItemStatus): void {
    const open = this.openMessage;
    if (!open) return;
    this.openMessage = null;
    this.closePart(open);
    open.item.status = status;
    this.pending?.push({ type: 'response.output_item.done', output_index: open.outputIndex, item: snapshot(open.item) });
  }

  // Raw reasoning text (OpenAI's reasoning_text, `reasoning_content` of OpenAI-compatible models)
  // grows the item's one content part, the way OpenAI streams reasoning_text.
  private appendReasoning(delta: string): void {
    const open = this.openReasoning ?? this.openNewReasoning();
    let part = open.content;
    if (!part) {
      part = { type: 'reasoning_text', text: '' };
      open.item.content = [part];
      open.content = part;
      this.pending?.push({ type: 'response.content_part.added', item_id: open.item.id, output_index: open.outputIndex, content_index: 0, part: { ...part } });
    }
    part.text += delta;
    this.pending?.push({ type: 'response.reasoning_text.delta', item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta });
  }

  /**
   * Summary text grows the summary's current part; a new upstream index starts the next part. Parts
   * are numbered from 0 in the order they came, whatever the provider numbered them.
   */
  private appendReasoningSummary(delta: string, upstreamIndex: number): void {
    const open = this.openReasoning ?? this.openNewReasoning();
    if (open.summary && open.summary.upstreamIndex !== upstreamIndex) this.closeSummaryPart(open, 'completed');
    if (!open.summary) {
      const part = { type: 'summary_text' as const, text: '' };
      const summaryIndex = open.item.summary.push(part) - 1;
      open.summary = { part, summaryIndex, upstreamIndex };
      this.pending?.push({
        type: 'response.reasoning_summary_part.added',
        item_id: open.item.id,
        output_index: open.outputIndex,
        summary_index: summaryIndex,
        part: { ...part },
      });
    }
    open.summary.part.text += delta;
    this.pending?.push({
      type: 'response.reasoning_summary_text.delta',
      item_id: open.item.id,
      output_index: open.outputIndex,
      summary_index: open.summary.summaryIndex,
      delta,
    });
  }

  private closeSummaryPart(open: NonNullable<OutputAccumulator['openReasoning']>, status: ItemStatus): void {
    const summary = open.summary;
    if (!summary) return;
    open.summary = null;
    const where = { item_id: open.item.id, output_index: open.outputIndex, summary_index: summary.summaryIndex };
    this.pending?.push(
      { type: 'response.reasoning_summary_text.done', ...where, text: summary.part.text },
      { type: 'response.reasoning_summary_part.done', ...where, part: { ...summary.part }, ...(status === 'incomplete' ? { status } : {}) },
    );
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
    this.pending?.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) });
    this.openReasoning = { item, outputIndex, summary: null, content: null };
    return this.openReasoning;
  }

  private closeReasoning(status: ItemStatus): void {
    const open = this.openReasoning;
    if (!open) return;
    this.openReasoning = null;
    this.closeSummaryPart(open, status);
    const { item, outputIndex, content } = open;
    item.status = status;
    if (this.sealReasoning && item.provider_data) item.encrypted_content = this.sealReasoning(item.provider_data);
    if (content) {
      const where = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      this.pending?.push(
        { type: 'response.reasoning_text.done', ...where, text: content.text },
        { type: 'response.content_part.done', ...where, part: { ...content } },
      );
    }
    this.pending?.push({ type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) });
  }

  private startCall(index: number, callId: string, upstreamName: string, providerData: ProviderData | undefined, wireCustom: boolean): void {
    if (this.openCalls.has(index)) return;
    this.closeReasoning('completed');
    this.closeMessage('completed');
    const { name, namespace, kind } = this.resolveToolName(upstreamName);
    const common = {
      id: '',
      call_id: callId,
      name,
      status: 'in_progress' as const,
      ...(namespace ? { namespace } : {}),
      ...(providerData ? { provider_data: providerData } : {}),
    };
    const custom = wireCustom || kind === 'custom';
    const item: FunctionCallItem | CustomToolCallItem = custom
      ? { type: 'custom_tool_call', ...common, id: newId('ctc'), input: '' }
      : { type: 'function_call', ...common, id: newId('fc'), arguments: '' };
    const outputIndex = this.output.push(item) - 1;
    this.openCalls.set(index, { item, outputIndex, wrappedArguments: custom && !wireCustom ? '' : null });
    this.pending?.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(item) });
  }

  private appendArguments(index: number, delta: string): void {
    const call = this.openCalls.get(index);
    if (!call || delta === '') return;
    const { item, outputIndex } = call;
    if (call.wrappedArguments !== null) {
      // JSON around the input: nothing to show until the call closes and it is unwrapped.
      call.wrappedArguments += delta;
    } else if (item.type === 'custom_tool_call') {
      item.input += delta;
      this.pending?.push({ type: 'response.custom_tool_call_input.delta', item_id: item.id, output_index: outputIndex, delta });
    } else {
      item.arguments += delta;
      this.pending?.push({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: outputIndex, delta });
    }
  }

  private closeCall({ item, outputIndex, wrappedArguments }: OpenCall, status: ItemStatus): void {
    item.status = status;
    if (item.type === 'custom_tool_call') {
      if (wrappedArguments !== null) {
        item.input = unwrapCustomInput(wrappedArguments);
        if (item.input !== '')
          this.pending?.push({ type: 'response.custom_tool_call_input.delta', item_id: item.id, output_index: outputIndex, delta: item.input });
      }
      this.pending?.push({ type: 'response.custom_tool_call_input.done', item_id: item.id, output_index: outputIndex, input: item.input });
    } else {
      this.pending?.push({
        type: 'response.function_call_arguments.done',
        item_id: item.id,
        output_index: outputIndex,
        name: item.name,
        arguments: item.arguments,
      });
    }
    this.pending?.push({ type: 'response.output_item.done', output_index: outputIndex, item: snapshot(item) });
  }

  /** An annotation of the open message's text (a `url_citation`); a message is opened for one that comes first. */
  private addAnnotation(fields: Record<string, unknown>, covers: number | undefined): void {
    const open = this.openMessage ?? this.openNewMessage();
    const part = open.part?.type === 'output_text' ? open.part : this.openPart(open, { type: 'output_text', text: '', annotations: [], logprobs: [] });
    const end = part.text.length;
    const annotation = covers === undefined ? fields : { ...fields, start_index: Math.max(0, end - covers), end_index: end };
    const annotationIndex = part.annotations.push(annotation) - 1;
    this.pending?.push({
      type: 'response.output_text.annotation.added',
      item_id: open.item.id,
      output_index: open.outputIndex,
      content_index: open.contentIndex,
      annotation_index: annotationIndex,
      annotation,
    });
  }

  /**
   * A hosted tool's item, under the provider's own id (it is what OpenAI reads back). Its first
   * copy opens it (`output_item.added`), its last closes it; one seen only done gets both events.
   */
  private putHostedItem(fields: { type: HostedItemType; id: string } & Record<string, unknown>, done: boolean): void {
    const known = this.hostedItems.get(fields.id);
    if (known?.done) return;
    let outputIndex = known?.outputIndex;
    if (outputIndex === undefined) {
      this.closeReasoning('completed');
      this.closeMessage('completed');
      outputIndex = this.output.push({ ...fields } as HostedItem) - 1;
      this.pending?.push({ type: 'response.output_item.added', output_index: outputIndex, item: snapshot(this.output[outputIndex]!) });
    }
    this.hostedItems.set(fields.id, { outputIndex, done });
    if (!done) return;
    this.output[outputIndex] = { ...fields } as HostedItem;
    this.pending?.push({ type: 'response.output_item.done', output_index: outputIndex, item: snapshot(this.output[outputIndex]!) });
  }

  /** A hosted tool's progress event, renumbered to where its item stands in our output; dropped for an item not seen. */
  private forwardHostedEvent(event: { type: string; item_id: string } & Record<string, unknown>): void {
    const known = this.hostedItems.get(event.item_id);
    if (!known) return;
    const { sequence_number: _sequenceNumber, ...fields } = event;
    this.pending?.push({ ...fields, output_index: known.outputIndex } as Event);
  }
}

/** The input of a custom tool called through a function: its `input` argument; the arguments as they are if they are not that JSON. */
function unwrapCustomInput(argumentsText: string): string {
  try {
    const parsed = JSON.parse(argumentsText) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { input?: unknown }).input === 'string') return (parsed as { input: string }).input;
  } catch {
    // Not JSON: a model that wrote the raw input anyway.
  }
  return argumentsText;
}

/** A part as an event carries it: its lists copied, since the part keeps growing after the event. */
function copyPart(part: OutputTextPart | RefusalPart): OutputTextPart | RefusalPart {
  return part.type === 'output_text' ? { ...part, annotations: [...part.annotations], logprobs: [...part.logprobs] } : { ...part };
}

/** Events carry a copy: the item keeps changing after the event is emitted. */
function snapshot(item: Item) {
  return structuredClone(toPublicItem(item));
}
