// The stream path without sockets (issue #15): a captured 64 KB OpenAI Responses SSE answer (260
// events) goes through the adapter, the turn run and the SSE writer, after 500 streams of warm-up;
// prints CPU µs per stream. This machine's CPU time moves by ±30% between runs; instruction counts
// do not: `valgrind --tool=callgrind node --import ./scripts/register-ts.mjs
// bench/overhead/stream-path.ts 300` twice, before and after a change (startup is the same in both).
// Run: npm run bench:stream-path [-- streams]
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { SseWriter } from '../../src/common/sse.js';
import { OpenAIResponsesAdapter } from '../../src/providers/openai-responses/openai-responses.adapter.js';
import { TurnRun } from '../../src/turns/turn-runner.js';
import { openStream, writeEvents } from '../../src/turns/turn-sinks.js';
import { newMessageItem, newModelRequest } from '../../test/factories.js';
import { startMockUpstream } from '../../test/mock-upstream/mock-upstream.js';

const streams = Number(process.argv[2] ?? 2_000);
const capture = await startMockUpstream();
const sse = Buffer.from(
  await (
    await fetch(`${capture.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'The answer, in about one kilobyte. '.repeat(29), stream: true, store: false }),
    })
  ).text(),
);
await capture.close();

const adapter = new OpenAIResponsesAdapter({
  provider: 'openai',
  baseUrl: 'http://upstream.invalid/v1',
  apiKey: null,
  callProvider: async () => ({ statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: Readable.from([sse]) }),
});
const request = newModelRequest({ model: 'bench', items: [newMessageItem({ text: 'hi' })] });
const response = { id: 'resp_bench', object: 'response', status: 'in_progress', output: [] as unknown[], model: 'bench', created_at: 0 };

/** A response that takes every write at once and counts the bytes. */
function sink(): { raw: ServerResponse; bytes: () => number } {
  let bytes = 0;
  const raw = Object.assign(new EventEmitter(), {
    destroyed: false,
    writeHead: () => raw,
    write: (text: string) => {
      bytes += text.length;
      return true;
    },
    end: (text: string) => {
      bytes += text.length;
    },
  });
  return { raw: raw as unknown as ServerResponse, bytes: () => bytes };
}

async function one(): Promise<number> {
  const run = new TurnRun({
    adapter,
    request,
    resolveToolName: (name) => ({ name, namespace: null, kind: 'function' as const }),
    renderInProgress: (output) => ({ ...response, output }),
    commit: async (outcome) => {
      if (outcome.status !== 'completed') throw outcome.cause;
      return { ...response, status: outcome.status, output: outcome.output };
    },
  });
  const out = sink();
  const events = await openStream(run, run.events(new AbortController().signal));
  await writeEvents(
    events,
    new SseWriter(out.raw).holdWhile(() => run.yielding),
  );
  return out.bytes();
}

for (let n = 0; n < 500; n++) await one();
const before = process.cpuUsage();
const started = performance.now();
let bytes = 0;
for (let n = 0; n < streams; n++) bytes += await one();
const cpu = process.cpuUsage(before);
console.log(
  JSON.stringify({
    streams,
    usPerStream: Math.round((cpu.user + cpu.system) / streams),
    wallUsPerStream: Math.round(((performance.now() - started) * 1000) / streams),
    bytesPerStream: bytes / streams,
  }),
);
