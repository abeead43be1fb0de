import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * The payloads of `__fixtures__/<name>`: one SSE `data:` payload per line. Blank lines and `#` lines
 * (provenance notes) are skipped, as test/mock-upstream does when it replays the same files.
 */
export function readFixtureLines(name: string): string[] {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/**
 * Frames payloads as Google does (`data: <json>\r\n\r\n`) and cuts the bytes into `chunkSize`
 * pieces, so events, CRLF pairs and multi-byte characters are split across reads the way a network
 * delivers them.
 */
export function toSseBody(lines: string[], chunkSize = 7): Readable {
  const bytes = Buffer.from(lines.map((line) => `data: ${line}\r\n\r\n`).join(''), 'utf8');
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    pieces.push(bytes.subarray(offset, offset + chunkSize));
  }
  return Readable.from(pieces);
}
