// Anthropic's framing of recorded answers; reading and chunking are test/fixture-replay.ts's.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { chunkedBody, fixtureEvents } from '../../../../test/fixture-replay.js';

const here = (name: string) => new URL(`./${name}`, import.meta.url);

/** The events of `__fixtures__/<name>`: whole `event:` / `data:` pairs, as Anthropic sends them. */
export function readFixtureEvents(name: string): string[] {
  return fixtureEvents(here(name));
}

/** A fixture as it is (a JSON answer). */
export function readFixtureText(name: string): string {
  return readFileSync(here(name), 'utf8');
}

/** Events separated by blank lines, cut into `chunkSize`-byte reads. */
export function toSseBody(events: string[], chunkSize = 7): Readable {
  return chunkedBody(events.map((event) => `${event}\n\n`).join(''), chunkSize);
}
