// Recorded upstream answers (`*.chunks.txt` beside each adapter, under `__fixtures__`), read the
// same way by the adapters' specs and by test/mock-upstream, which replays them over HTTP. A
// fixture is SSE text as the vendor sent it; lines starting with `#` say where it was recorded and
// what was trimmed, and are not part of it.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

/** The fixture's text without its `#` lines. */
export function readFixture(path: string | URL): string {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

/** One SSE payload per line (Gemini, Chat Completions): the non-blank lines. */
export function fixtureLines(path: string | URL): string[] {
  return readFixture(path)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** Whole events, `event:`/`data:` lines separated by blank lines (Responses, Anthropic). */
export function fixtureEvents(path: string | URL): string[] {
  return readFixture(path)
    .split(/\n\s*\n/)
    .map((event) => event.trim())
    .filter((event) => event !== '');
}

/**
 * The text's bytes in `chunkSize` pieces, so events, CRLF pairs and multi-byte characters are
 * split across reads the way a network delivers them.
 */
export function chunkedBody(text: string, chunkSize = 7): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) pieces.push(bytes.subarray(offset, offset + chunkSize));
  return Readable.from(pieces);
}
