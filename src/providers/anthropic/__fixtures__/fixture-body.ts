import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * The events of `__fixtures__/<name>`, each `event: <type>\ndata: <json>` as on the wire. The files are
 * SSE text with events separated by blank lines; `#` lines (provenance notes) are skipped.
 */
export function readFixtureEvents(name: string): string[] {
  return readFixtureText(name)
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .split(/\n\s*\n/)
    .map((event) => event.trim())
    .filter((event) => event !== '');
}

export function readFixtureText(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

/**
 * Frames events with their closing blank line and cuts the bytes into `chunkSize` pieces, so events,
 * and multi-byte characters, are split across reads the way a network delivers them.
 */
export function toSseBody(events: string[], chunkSize = 7): Readable {
  const bytes = Buffer.from(events.map((event) => `${event}\n\n`).join(''), 'utf8');
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    pieces.push(bytes.subarray(offset, offset + chunkSize));
  }
  return Readable.from(pieces);
}
