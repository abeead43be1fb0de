import { Logger } from '@nestjs/common';
import type { AdapterCachePlan } from '../caching/cache-types.js';
import { ApiError } from '../common/api-error.js';
import { isContextOverflow } from '../common/context-overflow.js';
import { ProviderError } from '../common/provider-error.js';
import { UnsupportedFeatureError } from '../common/unsupported-feature-error.js';
import type { Item, ProviderData } from '../items/item.schemas.js';
import type { Usage } from '../items/usage.js';
import type { ModelRequest } from '../planning/model-request.js';
import { type ToolNameResolver } from '../planning/plan-tools.js';
import type { ModelAdapter } from '../providers/model-adapter.js';
import { checkStructuredOutput } from './check-structured-output.js';
import { estimateUsage } from './estimate-usage.js';
import type { LifecycleEventType, ResponseStreamEvent, UnsequencedEvent } from './response-events.js';
import { OutputAccumulator } from './to-response-events.js';

/**
 * An abort reason meaning the server stopped the run (shutting down), not the client: the turn is
 * stored as failed with this message instead of cancelled.
 */
export class StoppedByServer extends Error {
  constructor(message = 'The server shut down before this response finished. Send the request again to retry it.') {
    super(message);
  }
}

export type TurnStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** How a turn ended, as the response record stores it. */
export interface TurnOutcome {
  status: Exclude<TurnStatus, 'in_progress'>;
  output: Item[];
  /** The model call's usage (not the compaction call's: it is apart, priced at its own model's rates). */
  usage: Usage | null;
  /** True when the provider reported no usage (the call was cut short) and `usage` is our estimate. */
  usageEstimated: boolean;
  /** The server's own compaction call that ran before the model call, when one did: billed with the turn. */
  compactionUsage: Usage | null;
  /** `invalid_json_output` (ours, like `context_length_exceeded` not in the spec's enum): the answer is not the JSON asked for. */
  error: { code: 'server_error' | 'rate_limit_exceeded' | 'context_length_exceeded' | 'invalid_json_output'; message: string } | null;
  incompleteDetails: { reason: 'max_output_tokens' | 'content_filter' } | null;
  /** What actually went wrong, for the sync path's HTTP status and for logs. */
  cause: unknown;
  /** What the adapter planned for the provider's prompt cache; null when it planned nothing. */
  cachePlan: AdapterCachePlan | null;
  /** The service tier the vendor says served the call (OpenAI's names); null when it did not say. */
  serviceTier: string | null;
  /** When the model call started, and when its first output arrived (null when none did). */
  startedAt: Date;
  firstTokenAt: Date | null;
}

/** Everything one turn needs, prepared by the service: the model call and how to show and store it. */
export interface Turn<R> {
  adapter: ModelAdapter;
  request: ModelRequest;
  resolveToolName: ToolNameResolver;
  /** The public Response while the turn runs (`in_progress`, output so far). */
  renderInProgress(output: Item[]): R;
  /** A background turn: the Response as it stood queued, for the `response.created` and `response.queued` that open its stream, as OpenAI's do. */
  renderQueued?(): R;
  /** Stores the outcome (one transaction when the response is stored) and returns the final Response. */
  commit(outcome: TurnOutcome): Promise<R>;
  /** Seals reasoning artifacts into `encrypted_content`, when the client asked for them. */
  sealReasoning?: (data: ProviderData) => string;
  /** Seals a compaction item's provider data into its `encrypted_content` (needed whenever a turn compacts). */
  seal?: (data: ProviderData) => string;
  /**
   * The server's own compaction, run before the model call: the summarizing call, then the
   * compaction item's provider data and the request that follows (null when the turn only compacts).
   */
  compaction?: {
    adapter: ModelAdapter;
    request: ModelRequest;
    complete(summary: string): { providerData: ProviderData; request: ModelRequest | null };
  };
  /** A changed request for a provider error one change can fix (reasoning rules), tried once; null otherwise. */
  recover?: (error: unknown, request: ModelRequest) => { request: ModelRequest; change: string } | null;
}

/** The longest a turn maps upstream parts before the event loop turns (see TurnRun.events). */
const SLICE_MS = 0.1;

/** The event that ends a response's stream, by how it ended (a cancelled one ends with `response.failed`: there is no `response.cancelled` stream event). */
export const terminalEventType: Record<TurnOutcome['status'], LifecycleEventType> = {
  completed: 'response.completed',
  incomplete: 'response.incomplete',
  failed: 'response.failed',
  cancelled: 'response.failed',
};

/**
 * Runs one turn: as a stream of public events the stream path writes out (`events`), or quietly to
 * its final Response for the sync path (`complete`). The terminal event is yielded only after
 * `commit` resolved, so whoever sees `response.completed` can chain from the response at once
 * (read-your-writes).
 */
export class TurnRun<R> {
  private readonly logger = new Logger('TurnRun');
  private sequence = 0;
  outcome: TurnOutcome | null = null;
  final: R | null = null;
  /** True while the run let other requests go first in the middle of a burst (see SLICE_MS): more of it follows at once. */
  yielding = false;

  constructor(private readonly turn: Turn<R>) {}

  /** The turn as its public events, for a stream or the event log of a background run. */
  events(signal: AbortSignal): AsyncGenerator<ResponseStreamEvent<R>> {
    return this.run(signal, true);
  }

  /**
   * Runs the turn to its end without building a public event (the sync path wants only `final`
   * and `outcome`): the same output, usage and commit, and none of the per-part objects.
   */
  async complete(signal: AbortSignal): Promise<void> {
    for await (const _event of this.run(signal, false)) {
      // a quiet run yields nothing
    }
  }

  private async *run(signal: AbortSignal, emitting: boolean): AsyncGenerator<ResponseStreamEvent<R>> {
    const accumulator = new OutputAccumulator(this.turn.resolveToolName, this.turn.sealReasoning ?? null, this.turn.seal ?? null, { events: emitting });
    if (emitting) {
      const queued = this.turn.renderQueued?.();
      if (queued) {
        yield this.stamp({ type: 'response.created', response: queued });
        yield this.stamp({ type: 'response.queued', response: queued });
      } else {
        yield this.stamp({ type: 'response.created', response: this.turn.renderInProgress([]) });
      }
      yield this.stamp({ type: 'response.in_progress', response: this.turn.renderInProgress([]) });
    }

    let failure: unknown = null;
    let request: ModelRequest | null = this.turn.request;
    const startedAt = new Date();
    let firstTokenAt: Date | null = null;
    let compactionUsage: Usage | null = null;
    if (this.turn.compaction) {
      // The summary comes first, as an output item of its own; the model then answers from it.
      try {
        const summary = await summarize(this.turn.compaction.adapter, this.turn.compaction.request, signal);
        compactionUsage = summary.usage;
        const next = this.turn.compaction.complete(summary.text);
        for (const event of accumulator.addCompaction(next.providerData, null)) yield this.stamp(event);
        request = next.request;
      } catch (error) {
        failure = error;
        request = null;
      }
    }
    for (let attempt = 0; request !== null; attempt++) {
      // Whether the model produced anything yet; before that, a refused request can be changed and sent again.
      let started = false;
      let sliceStartedAt = performance.now();
      try {
        for await (const part of this.turn.adapter.stream(request, signal)) {
          // Plans and the upstream's ids show the client nothing: a refusal after them can still be fixed and sent again.
          if (part.type !== 'cache-plan' && part.type !== 'response-metadata') started = true;
          const first =
            firstTokenAt === null &&
            (part.type === 'text-delta' ||
              part.type === 'refusal-delta' ||
              part.type === 'reasoning-delta' ||
              part.type === 'reasoning-summary-delta' ||
              part.type === 'tool-call-start');
          if (first) firstTokenAt = new Date();
          for (const event of accumulator.push(part)) yield this.stamp(event);
          // An answer that arrives in one burst is mapped without the event loop turning; after the
          // first output and then every slice, other requests get their turn, so one stream's
          // backlog does not hold up another's first delta. A quiet run has no deltas to hold up,
          // but still yields after the first output: without it, 64 concurrent non-streamed
          // requests measured ~10% more CPU each (answers read in one poll of the sockets are
          // then finished together, in the check phase).
          if (first || (emitting && performance.now() - sliceStartedAt > SLICE_MS)) {
            this.yielding = true;
            await new Promise((resolve) => setImmediate(resolve));
            this.yielding = false;
            sliceStartedAt = performance.now();
          }
        }
      } catch (error) {
        const recovery = !started && attempt === 0 && !signal.aborted ? (this.turn.recover?.(error, request) ?? null) : null;
        if (recovery) {
          this.logger.warn(`the provider refused the request (${error instanceof Error ? error.message : String(error)}); ${recovery.change}`);
          request = recovery.request;
          continue;
        }
        failure = error;
      }
      break;
    }

    let outcome = toOutcome(accumulator, failure, signal, startedAt, firstTokenAt);
    // What the compaction call used is billed with the turn it served.
    outcome.compactionUsage = compactionUsage;
    for (const event of accumulator.close(outcome.status === 'completed' ? 'completed' : 'incomplete')) yield this.stamp(event);
    outcome.output = accumulator.output;
    if (outcome.status === 'completed' && this.turn.request.checkOutput) outcome = checkedOutcome(outcome, this.turn.request);
    if (outcome.usage === null && failure !== null) {
      outcome.usage = estimateUsage(this.turn.request, accumulator.output);
      outcome.usageEstimated = true;
    }
    this.outcome = outcome;

    let final: R;
    try {
      final = await this.turn.commit(outcome);
    } catch (error) {
      this.logger.error(`storing the turn failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      this.outcome = { ...outcome, status: 'failed', error: { code: 'server_error', message: 'The response could not be stored.' }, cause: error };
      if (emitting) yield this.stamp({ type: 'response.failed', response: this.turn.renderInProgress(accumulator.output) });
      return;
    }
    this.final = final;
    if (emitting) yield this.stamp({ type: terminalEventType[outcome.status], response: final });
  }

  // Sequence numbers are assigned here and nowhere else: from 0, strictly increasing. Every event
  // is a fresh object made for this run, so it is numbered in place rather than copied.
  private stamp(event: UnsequencedEvent<R>): ResponseStreamEvent<R> {
    const stamped = event as ResponseStreamEvent<R>;
    stamped.sequence_number = this.sequence++;
    return stamped;
  }
}

/** Runs the compaction call to the end and returns the summary it wrote, and its usage. */
async function summarize(adapter: ModelAdapter, request: ModelRequest, signal: AbortSignal): Promise<{ text: string; usage: Usage | null }> {
  let text = '';
  let usage: Usage | null = null;
  for await (const part of adapter.stream(request, signal)) {
    if (part.type === 'text-delta') text += part.delta;
    else if (part.type === 'finish') usage = part.usage;
  }
  if (text.trim() === '') throw new ProviderError({ provider: 'compaction', message: 'the compaction call wrote no summary' });
  return { text: text.trim(), usage };
}

/**
 * A completed answer that is not the JSON `text.format` asked for (on a provider that does not
 * enforce all of it) fails, with the reason, rather than pass as valid: the output is kept, a
 * waiting client gets a 502 and a streaming one `response.failed`.
 */
function checkedOutcome(outcome: TurnOutcome, request: ModelRequest): TurnOutcome {
  const mismatch = checkStructuredOutput(request.textFormat, outcome.output);
  if (mismatch === null) return outcome;
  const message = `The model's answer is not the JSON text.format asks for: ${mismatch}.`;
  return { ...outcome, status: 'failed', error: { code: 'invalid_json_output', message }, cause: ApiError.badGateway(message, 'invalid_json_output') };
}

function toOutcome(accumulator: OutputAccumulator, failure: unknown, signal: AbortSignal, startedAt: Date, firstTokenAt: Date | null): TurnOutcome {
  const base = {
    output: [],
    usage: accumulator.usage,
    usageEstimated: false,
    compactionUsage: null,
    error: null,
    incompleteDetails: null,
    cause: failure,
    cachePlan: accumulator.cachePlan,
    serviceTier: accumulator.serviceTier,
    startedAt,
    firstTokenAt,
  };
  if (failure !== null) {
    if (signal.reason instanceof StoppedByServer) return { ...base, status: 'failed', error: { code: 'server_error', message: signal.reason.message } };
    if (signal.aborted) return { ...base, status: 'cancelled' };
    const rateLimited = failure instanceof ProviderError && failure.status === 429;
    // OpenAI fails an overflowing prompt with this code (not in the spec's enum, but what it sends and clients check).
    const code = isContextOverflow(failure) ? 'context_length_exceeded' : rateLimited ? 'rate_limit_exceeded' : 'server_error';
    return { ...base, status: 'failed', error: { code, message: describeFailure(failure) } };
  }
  switch (accumulator.finishReason?.unified) {
    case 'length':
      return { ...base, status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
    case 'content-filter':
      return { ...base, status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
    default:
      return { ...base, status: 'completed' };
  }
}

function describeFailure(failure: unknown): string {
  if (failure instanceof ProviderError) {
    const status = failure.status === null ? '' : ` (status ${failure.status})`;
    return `Upstream provider '${failure.provider}' failed${status}: ${failure.message}`;
  }
  if (failure instanceof UnsupportedFeatureError) return failure.message;
  return 'The server had an error while processing your request.';
}
