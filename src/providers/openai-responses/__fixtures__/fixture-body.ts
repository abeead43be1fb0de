// The Responses wire's framing of recorded answers; reading and chunking are test/fixture-replay.ts's.
import type { Readable } from 'node:stream';
import { chunkedBody, readFixture } from '../../../../test/fixture-replay.js';

const here = (name: string) => new URL(`./${name}`, import.meta.url);

/** The SSE body of `__fixtures__/<name>`: `event:` / `data:` pairs separated by blank lines, exactly as the upstream sends them. */
export function readFixtureSse(name: string): string {
  return readFixture(here(name));
}

/** An SSE text cut into `chunkSize`-byte reads. */
export function toChunkedBody(text: string, chunkSize = 7): Readable {
  return chunkedBody(text, chunkSize);
}

/** Frames payloads the way OpenAI does: `event: <type>` then `data: <json>`. */
export function toSseText(payloads: Record<string, unknown>[]): string {
  return payloads.map((payload) => `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}\n\n`).join('');
}
