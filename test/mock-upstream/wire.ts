import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { fixtureLines } from '../fixture-replay.js';

/** Headers every SSE answer sends; vendors differ only in charset, which clients ignore. */
export const sseHeaders = { 'cache-control': 'no-cache', 'content-type': 'text/event-stream' } as const;

/** Writes a JSON answer in one piece. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-length': Buffer.byteLength(text),
    'content-type': 'application/json',
    ...headers,
  });
  response.end(text);
}

/** Starts an SSE answer and sends the headers at once, as vendors do before the first token. */
export function startSse(response: ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, { ...sseHeaders, ...headers });
  response.flushHeaders();
}

/**
 * Writes one SSE event with a single `write()`, so a client that reads per TCP packet still sees
 * whole events. A payload that already carries its own field names (`data:` / `event:`) is sent
 * as it is; anything else is framed as `data: <payload>`.
 */
export function writeSseEvent(response: ServerResponse, payload: string): boolean {
  if (response.destroyed || response.writableEnded) return false;
  const framed = /^(data|event|id|retry):/.test(payload) || payload.startsWith(':') ? payload : `data: ${payload}`;
  response.write(`${framed}\n\n`);
  return true;
}

/** Waits `ms`, resolving `false` instead when `signal` fires (the client went away). */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Deterministic stand-in for a tokenizer: one token per four UTF-16 code units, rounded up. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Splits `text` into pieces of `size` code points, never inside a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  const codePoints = Array.from(text);
  const pieces: string[] = [];
  const step = Math.max(1, Math.floor(size));
  for (let start = 0; start < codePoints.length; start += step) {
    pieces.push(codePoints.slice(start, start + step).join(''));
  }
  return pieces;
}

/**
 * Reads a `*.chunks.txt` fixture: one SSE payload per line. Blank lines and lines starting with
 * `#` are skipped, so a fixture can say where it was recorded and what was trimmed.
 */
export function loadChunkFixture(path: string | URL): string[] {
  return fixtureLines(path);
}

/**
 * Resolves with the first truthy value `predicate` returns, checking every few milliseconds, or
 * rejects after `timeoutMs`. Lets tests await "a request arrived" / "it was aborted" without sleeps.
 */
export function waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 2000, description = 'condition'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const startedAt = Date.now();
    const check = (): void => {
      let value: T | undefined | null | false;
      try {
        value = predicate();
      } catch (error) {
        reject(error);
        return;
      }
      if (value) {
        resolve(value);
      } else if (Date.now() - startedAt >= timeoutMs) {
        reject(new Error(`waitFor: ${description} not met within ${timeoutMs} ms`));
      } else {
        setTimeout(check, 5);
      }
    };
    check();
  });
}

/** The error envelope OpenAI and OpenAI-compatible vendors send, keys in their wire order. */
export function openAiError(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/**
 * The tier OpenAI reports as having served a request that asked for `requested` (Responses and Chat
 * Completions alike): `auto` and unset are the project default, `fast` is shown as `priority`.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-service_tier
 */
export function servedOpenAITier(requested: unknown): string {
  switch (requested) {
    case 'flex':
    case 'scale':
    case 'priority':
    case 'ultrafast':
      return requested;
    case 'fast':
      return 'priority';
    default:
      return 'default';
  }
}
