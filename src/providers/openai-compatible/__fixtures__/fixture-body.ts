// Chat Completions' framing of recorded answers; reading and chunking are test/fixture-replay.ts's.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { chunkedBody, fixtureLines } from '../../../../test/fixture-replay.js';

const here = (name: string) => new URL(`./${name}`, import.meta.url);

/** The payloads of `__fixtures__/<name>`: one SSE `data:` payload per line. */
export function readFixtureLines(name: string): string[] {
  return fixtureLines(here(name));
}

/** A fixture as it is (a JSON answer). */
export function readFixtureText(name: string): string {
  return readFileSync(here(name), 'utf8');
}

/** Frames payloads as `data: <json>` events, cut into `chunkSize`-byte reads. */
export function toSseBody(lines: string[], chunkSize = 7): Readable {
  return chunkedBody(lines.map((line) => `data: ${line}\n\n`).join(''), chunkSize);
}
