// The model for bench:overhead: an OpenAI Responses endpoint that answers at once with a fixed
// ~1 KB message, as JSON or as SSE. The bytes are captured once from the test mock (so they are
// the real wire format the server's adapter reads), then served from memory with fresh ids, so the
// mock costs next to nothing and the same for every target. Prints `{"port":N}` when ready.
import { createServer } from 'node:http';
import { startMockUpstream } from '../../test/mock-upstream/mock-upstream.js';

/** The answer: the test mock echoes the last user message, so a 1 KB question gives a 1 KB answer. */
const ANSWER = `${'The answer, in about one kilobyte. '.repeat(29)}`;

const capture = await startMockUpstream();
const post = async (stream: boolean) => {
  const response = await fetch(`${capture.baseUrl}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', input: ANSWER, stream, store: false }),
  });
  return response.text();
};
const json = await post(false);
const sse = await post(true);
await capture.close();

/** Splits a template at every id it holds (resp_…, msg_…), so each answer gets ids of its own. */
function template(text: string): { parts: string[]; prefixes: string[] } {
  const parts: string[] = [];
  const prefixes: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/\b(resp|msg|rs|fc)_[A-Za-z0-9]+/g)) {
    parts.push(text.slice(last, match.index));
    prefixes.push(match[1]!);
    last = match.index! + match[0].length;
  }
  parts.push(text.slice(last));
  return { parts, prefixes };
}
const templates = { json: template(json), sse: template(sse) };
let counter = 0;
function render({ parts, prefixes }: { parts: string[]; prefixes: string[] }): string {
  const suffix = `bench${(counter++).toString(36).padStart(8, '0')}`;
  let text = parts[0]!;
  for (let index = 0; index < prefixes.length; index++) text += `${prefixes[index]}_${suffix}${parts[index + 1]}`;
  return text;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method !== 'POST' || !request.url?.endsWith('/responses')) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    // A real vendor reads the whole body; so does this mock (JSON.parse of what it got: the stream flag).
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean };
    if (body.stream) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).end(render(templates.sse));
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(render(templates.json));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, jsonBytes: json.length, sseBytes: sse.length }));
});
