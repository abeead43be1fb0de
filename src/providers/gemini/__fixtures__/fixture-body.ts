// Gemini's framing of recorded answers; reading and chunking are test/fixture-replay.ts's.
import type { Readable } from 'node:stream';
import { chunkedBody, fixtureLines } from '../../../../test/fixture-replay.js';

/** The payloads of `__fixtures__/<name>`: one SSE `data:` payload per line. */
export function readFixtureLines(name: string): string[] {
  return fixtureLines(new URL(`./${name}`, import.meta.url));
}

/** Frames payloads as Google does (`data: <json>\r\n\r\n`), cut into `chunkSize`-byte reads. */
export function toSseBody(lines: string[], chunkSize = 7): Readable {
  return chunkedBody(lines.map((line) => `data: ${line}\r\n\r\n`).join(''), chunkSize);
}
