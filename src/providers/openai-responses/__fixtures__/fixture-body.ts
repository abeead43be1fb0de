import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * The SSE body of `__fixtures__/<name>`: `event:` / `data:` pairs separated by blank lines, exactly
 * as the upstream sends them. `#` lines (provenance notes) are dropped: they are not SSE comments.
 */
export function readFixtureSse(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

/** The parsed `data:` payloads of a fixture, in order. */
export function readFixtureEvents(name: string): Record<string, unknown>[] {
  return readFixtureSse(name)
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
}

/**
 * Cuts an SSE text into `chunkSize`-byte pieces, so events, and multi-byte characters, are split
 * across reads the way a network delivers them.
 */
export function toChunkedBody(text: string, chunkSize = 7): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    pieces.push(bytes.subarray(offset, offset + chunkSize));
  }
  return Readable.from(pieces);
}

/** Frames payloads the way OpenAI does: `event: <type>` then `data: <json>`. */
export function toSseText(payloads: Record<string, unknown>[]): string {
  return payloads.map((payload) => `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}\n\n`).join('');
}
