import type { HostedItemType } from '../items/hosted-items.js';
import type { PublicItem } from '../items/item.schemas.js';

/**
 * The public `response.*` stream events we emit (a subset of the spec's ResponseStreamEvent union).
 * `R` is the public Response object carried by lifecycle events.
 */
export type ResponseStreamEvent<R = unknown> =
  | {
      type: 'response.created' | 'response.queued' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed';
      sequence_number: number;
      response: R;
    }
  | { type: 'response.output_item.added' | 'response.output_item.done'; sequence_number: number; output_index: number; item: PublicItem }
  | {
      type: 'response.content_part.added' | 'response.content_part.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      part: ContentPartEventPart;
    }
  | {
      type: 'response.output_text.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
      logprobs: unknown[];
    }
  | {
      type: 'response.output_text.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      text: string;
      logprobs: unknown[];
    }
  | { type: 'response.reasoning_text.delta'; sequence_number: number; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.reasoning_text.done'; sequence_number: number; item_id: string; output_index: number; content_index: number; text: string }
  | {
      type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      summary_index: number;
      part: { type: 'summary_text'; text: string };
      /** Only on `.done`, and only when the part was cut short. */
      status?: 'incomplete';
    }
  | { type: 'response.reasoning_summary_text.delta'; sequence_number: number; item_id: string; output_index: number; summary_index: number; delta: string }
  | { type: 'response.reasoning_summary_text.done'; sequence_number: number; item_id: string; output_index: number; summary_index: number; text: string }
  | { type: 'response.function_call_arguments.delta'; sequence_number: number; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; sequence_number: number; item_id: string; output_index: number; name: string; arguments: string }
  | { type: 'response.refusal.delta'; sequence_number: number; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.refusal.done'; sequence_number: number; item_id: string; output_index: number; content_index: number; refusal: string }
  | { type: 'response.custom_tool_call_input.delta'; sequence_number: number; item_id: string; output_index: number; delta: string }
  | { type: 'response.custom_tool_call_input.done'; sequence_number: number; item_id: string; output_index: number; input: string }
  | {
      type: 'response.output_text.annotation.added';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      annotation_index: number;
      annotation: unknown;
    }
  /** A hosted tool's progress (`response.web_search_call.searching`, `response.mcp_call_arguments.delta`, …), as OpenAI sent it. */
  | ({ type: `response.${HostedItemType}${string}`; sequence_number: number; item_id: string; output_index: number } & Record<string, unknown>);

export type ContentPartEventPart =
  | { type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }
  | { type: 'refusal'; refusal: string }
  | { type: 'reasoning_text'; text: string };

/** An event before the one place that numbers events has stamped it. */
export type UnsequencedEvent<R = unknown> =
  ResponseStreamEvent<R> extends infer E ? (E extends ResponseStreamEvent<R> ? Omit<E, 'sequence_number'> : never) : never;

export type LifecycleEventType = 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed';
