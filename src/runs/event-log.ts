import { EventEmitter, on } from 'node:events';
import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';

export interface LoggedEvent {
  type: string;
  sequence_number: number;
}

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete']);

interface LiveLog {
  events: LoggedEvent[];
  emitter: EventEmitter;
}

/**
 * The event log of background responses: live runs in memory (so a client can resume the stream
 * while the run goes on), finished runs in `response_events` (so replay works after the live log is
 * gone). Replay reads from the start or after any sequence number, then follows live until the
 * terminal event.
 */
@Injectable()
export class EventLog {
  private readonly live = new Map<string, LiveLog>();

  constructor(private readonly prisma: PrismaClient) {}

  open(responseId: string): void {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    this.live.set(responseId, { events: [], emitter });
  }

  append(responseId: string, event: LoggedEvent): void {
    const log = this.live.get(responseId);
    if (!log) return;
    log.events.push(event);
    log.emitter.emit('event', event);
  }

  /** Persists the finished log in one insert and drops it from memory (live readers already hold their events). */
  async close(responseId: string): Promise<void> {
    const log = this.live.get(responseId);
    if (!log) return;
    await this.prisma.responseEvent.createMany({
      data: log.events.map((event) => ({ responseId, seq: event.sequence_number, data: event as unknown as Prisma.InputJsonValue })),
    });
    this.live.delete(responseId);
  }

  /** Events with `sequence_number > after`, live ones as they come, ending after the terminal event. */
  async *read(responseId: string, after: number, signal: AbortSignal): AsyncGenerator<LoggedEvent> {
    const log = this.live.get(responseId);
    if (!log) {
      yield* await this.readStored(responseId, after);
      return;
    }
    // Subscribe before replaying so nothing emitted in between is missed; duplicates are skipped by seq.
    const updates = on(log.emitter, 'event', { signal });
    let last = after;
    for (const event of log.events.slice()) {
      if (event.sequence_number > last) {
        last = event.sequence_number;
        yield event;
      }
    }
    if (isTerminal(log.events.at(-1))) return;
    try {
      // Every run ends with a terminal event (the runner guarantees one), which ends this loop.
      for await (const [event] of updates) {
        const logged = event as LoggedEvent;
        if (logged.sequence_number <= last) continue;
        last = logged.sequence_number;
        yield logged;
        if (isTerminal(logged)) return;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  private async readStored(responseId: string, after: number): Promise<LoggedEvent[]> {
    const rows = await this.prisma.responseEvent.findMany({ where: { responseId, seq: { gt: after } }, orderBy: { seq: 'asc' }, select: { data: true } });
    return rows.map((row) => row.data as unknown as LoggedEvent);
  }
}

function isTerminal(event: LoggedEvent | undefined): boolean {
  return event !== undefined && TERMINAL.has(event.type);
}
