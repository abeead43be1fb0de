import { Injectable } from '@nestjs/common';
import { terminalEventType } from '../turns/turn-runner.js';
import { isTerminalEvent, LiveEvents, type LoggedEvent } from './live-events.js';
import { RunsRepository } from './runs.repository.js';

export type { LoggedEvent } from './live-events.js';

/** How long a reader waits for a live event before it checks the database for a run that ended without one. */
const IDLE_CHECK_MS = 2_000;

/** The stored public response, for a reader whose log cannot say how the run ended; null when it is gone. */
export type ResponseEndLookup = (responseId: string) => Promise<{ status: string } | null>;

/**
 * The event log of background responses: live events in LiveEvents while the run goes on, the
 * whole log in `response_events` once it ended. A reader replays from any sequence number and
 * follows live until the terminal event, whichever instance it is on.
 */
@Injectable()
export class EventLog {
  constructor(
    private readonly repository: RunsRepository,
    private readonly live: LiveEvents,
  ) {}

  append(responseId: string, event: LoggedEvent): Promise<void> {
    return this.live.append(responseId, event);
  }

  /** Persists the finished log in one insert; then the live copy can go. */
  async close(responseId: string, events: LoggedEvent[]): Promise<void> {
    await this.repository.insertLog(responseId, events);
    await this.live.end(responseId);
  }

  /**
   * The whole log of a response that ended without running (cancelled while queued, or it could
   * no longer be planned): its terminal event, so readers end at once.
   */
  async endWithoutRun(responseId: string, response: { status: string }): Promise<void> {
    const event = endEvent(response, 0);
    await this.live.append(responseId, event);
    await this.close(responseId, [event]);
  }

  /**
   * Events with `sequence_number > after`, ending after the terminal event. A persisted log is
   * complete; otherwise the live log is followed, and when it goes quiet the stored status decides:
   * a response that ended without a terminal event in its log (cancelled while queued, its worker
   * died) gets one made from the stored response, so no reader waits forever.
   */
  async *read(responseId: string, after: number, signal: AbortSignal, lookup: ResponseEndLookup): AsyncGenerator<LoggedEvent> {
    let last = after;
    while (!signal.aborted) {
      if (await this.repository.hasLog(responseId)) {
        yield* await this.repository.readLog(responseId, last);
        return;
      }
      for await (const event of this.live.follow(responseId, last, signal, IDLE_CHECK_MS)) {
        last = event.sequence_number;
        yield event;
        if (isTerminalEvent(event)) return;
      }
      if (signal.aborted) return;
      const response = await lookup(responseId);
      if (response === null) return;
      if (Object.hasOwn(terminalEventType, response.status) && !(await this.repository.hasLog(responseId))) {
        yield endEvent(response, last + 1);
        return;
      }
    }
  }
}

/** The terminal event of a response that ended, carrying the stored response. */
function endEvent(response: { status: string }, sequenceNumber: number): LoggedEvent {
  return { type: terminalEventType[response.status as keyof typeof terminalEventType], sequence_number: sequenceNumber, response } as LoggedEvent;
}
