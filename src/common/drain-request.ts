import type { IncomingMessage } from 'node:http';

/** What a refused body may still send before the connection is cut: a client sending more than this is not waited for. */
const DRAIN_MAX_BYTES = 256 * 1024 * 1024;
const DRAIN_MAX_MS = 30_000;

/**
 * Reads and discards what is left of a request body, then calls `send`. Refusing a body (413)
 * before it has arrived makes Node close the socket under a client still writing: the client sees
 * a broken pipe, never the answer. Past DRAIN_MAX_BYTES or DRAIN_MAX_MS the answer is sent anyway.
 */
export function sendAfterDraining(request: IncomingMessage, send: () => void): void {
  if (request.complete || request.destroyed || request.readableEnded) {
    send();
    return;
  }
  let received = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    request.off('data', count);
    send();
  };
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received > DRAIN_MAX_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_MAX_MS);
  timer.unref();
  request.on('data', count);
  request.once('end', finish);
  request.once('close', finish);
  request.once('error', finish);
  request.resume();
}
