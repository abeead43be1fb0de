import { EventEmitter } from 'node:events';
import { terminalEventType } from '../turns/turn-runner.js';
import type { RedisConnections } from './redis.js';

export interface LoggedEvent {
  type: string;
  sequence_number: number;
}

const TERMINAL = new Set<string>(Object.values(terminalEventType));

export function isTerminalEvent(event: LoggedEvent | undefined): boolean {
  return event !== undefined && TERMINAL.has(event.type);
}

/**
 * The events of runs that are still going, where readers can follow them: process memory when
 * embedded, a Redis stream per response in production (so any instance can follow a run of any
 * worker). Finished logs are persisted by EventLog; this only serves the live part.
 */
export abstract class LiveEvents {
  abstract append(responseId: string, event: LoggedEvent): Promise<void>;
  /**
   * Events with `sequence_number > after`, then live ones as they come. Ends after the terminal
   * event, when `signal` aborts, or after `idleMs` without a new event, so the caller can look at
   * the database (the run may have died, or never started).
   */
  abstract follow(responseId: string, after: number, signal: AbortSignal, idleMs: number): AsyncGenerator<LoggedEvent>;
  /** The log has been persisted: forget it (readers still following finish first). */
  abstract end(responseId: string): Promise<void>;
  /**
   * Whether the run showed anything beyond its opening events (created, queued, in progress): true,
   * false, or null when this store cannot tell (an embedded process that restarted lost its logs).
   */
  abstract showedOutput(responseId: string): Promise<boolean | null>;
  /** Forgets the live log of a run that will start again from sequence number 0. */
  abstract reset(responseId: string): Promise<void>;
}

/** The events every run opens with, before the model has shown anything. */
const OPENING = new Set(['response.created', 'response.queued', 'response.in_progress']);

interface MemoryLog {
  events: LoggedEvent[];
  emitter: EventEmitter;
}

export class MemoryLiveEvents extends LiveEvents {
  private readonly logs = new Map<string, MemoryLog>();

  async append(responseId: string, event: LoggedEvent): Promise<void> {
    const log = this.open(responseId);
    log.events.push(event);
    log.emitter.emit('event', event);
  }

  async *follow(responseId: string, after: number, signal: AbortSignal, idleMs: number): AsyncGenerator<LoggedEvent> {
    const log = this.open(responseId);
    const pending: LoggedEvent[] = [];
    let wake: (() => void) | null = null;
    const onEvent = (event: LoggedEvent) => {
      pending.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    // Listen before replaying, so nothing appended in between is missed; duplicates are skipped by seq.
    log.emitter.on('event', onEvent);
    signal.addEventListener('abort', onAbort);
    try {
      let last = after;
      for (const event of [...log.events, ...drain(pending)]) {
        if (event.sequence_number <= last) continue;
        last = event.sequence_number;
        yield event;
        if (isTerminalEvent(event)) return;
      }
      while (!signal.aborted) {
        const event = pending.shift();
        if (event === undefined) {
          if (!(await wakeOrTimeout((resolve) => (wake = resolve), idleMs))) return;
          wake = null;
          continue;
        }
        if (event.sequence_number <= last) continue;
        last = event.sequence_number;
        yield event;
        if (isTerminalEvent(event)) return;
      }
    } finally {
      log.emitter.off('event', onEvent);
      signal.removeEventListener('abort', onAbort);
      // A reader of a run that never wrote here leaves nothing behind.
      if (log.events.length === 0 && log.emitter.listenerCount('event') === 0 && this.logs.get(responseId) === log) this.logs.delete(responseId);
    }
  }

  async end(responseId: string): Promise<void> {
    this.logs.delete(responseId);
  }

  async showedOutput(responseId: string): Promise<boolean | null> {
    const log = this.logs.get(responseId);
    if (!log || log.events.length === 0) return null;
    return log.events.some((event) => !OPENING.has(event.type));
  }

  async reset(responseId: string): Promise<void> {
    const log = this.logs.get(responseId);
    if (log) log.events.length = 0;
  }

  private open(responseId: string): MemoryLog {
    let log = this.logs.get(responseId);
    if (!log) {
      const emitter = new EventEmitter();
      emitter.setMaxListeners(0);
      log = { events: [], emitter };
      this.logs.set(responseId, log);
    }
    return log;
  }
}

/** A live stream outlives its run only this long unless it is ended sooner (a crashed worker's stream). */
const LIVE_TTL_MS = 24 * 60 * 60 * 1000;
/** After the log is persisted, readers that are still following get this long to finish from Redis. */
const ENDED_TTL_MS = 5 * 60 * 1000;

/**
 * One Redis stream per response; entry ids are `0-<seq+1>`, so "after seq N" is the stream id
 * `0-<N+1>` and XREAD gives exactly the missing events. Each follower blocks on a connection of
 * its own.
 */
export class RedisLiveEvents extends LiveEvents {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async append(responseId: string, event: LoggedEvent): Promise<void> {
    const key = this.streamKey(responseId);
    await this.redis.commands
      .multi()
      .xadd(key, `0-${event.sequence_number + 1}`, 'e', JSON.stringify(event))
      .pexpire(key, LIVE_TTL_MS)
      .exec();
  }

  async *follow(responseId: string, after: number, signal: AbortSignal, idleMs: number): AsyncGenerator<LoggedEvent> {
    const key = this.streamKey(responseId);
    const { connection, release } = this.redis.blocking();
    // Disconnecting is the only way to interrupt a blocked XREAD.
    const onAbort = () => release();
    signal.addEventListener('abort', onAbort);
    try {
      let last = after;
      while (!signal.aborted) {
        const reply = (await connection.xread('BLOCK', idleMs, 'STREAMS', key, `0-${last + 1}`).catch((error: unknown) => {
          if (signal.aborted) return null;
          throw error;
        })) as Array<[string, Array<[string, string[]]>]> | null;
        if (!reply) return;
        for (const [, fields] of reply[0]?.[1] ?? []) {
          const event = JSON.parse(fields[1] ?? 'null') as LoggedEvent;
          last = event.sequence_number;
          yield event;
          if (isTerminalEvent(event)) return;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      release();
    }
  }

  async end(responseId: string): Promise<void> {
    await this.redis.commands.pexpire(this.streamKey(responseId), ENDED_TTL_MS);
  }

  async showedOutput(responseId: string): Promise<boolean | null> {
    // No stream: the run's worker died before it wrote anything, so nothing reached a client.
    const entries = (await this.redis.commands.xrange(this.streamKey(responseId), '-', '+', 'COUNT', OPENING.size + 1)) as Array<[string, string[]]>;
    return entries.some(([, fields]) => !OPENING.has((JSON.parse(fields[1] ?? '{}') as { type?: string }).type ?? ''));
  }

  async reset(responseId: string): Promise<void> {
    await this.redis.commands.del(this.streamKey(responseId));
  }

  private streamKey(responseId: string): string {
    return this.redis.key('events', responseId);
  }
}

function drain<T>(items: T[]): T[] {
  return items.splice(0, items.length);
}

function wakeOrTimeout(arm: (resolve: () => void) => void, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    arm(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
