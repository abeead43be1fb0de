import type { ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { checkReply } from './schema-conformance.js';

// Taps every reply of an app the harness boots and checks it against the official schemas when it
// finishes (schema-conformance.ts). What is wrong is kept until the running test ends: the setup
// file test/setup/check-replies.ts fails that test with the list.

/** Bodies above this are not kept (the size-limit tests send tens of megabytes; errors are small). */
const MAX_TAPPED_BYTES = 4 * 1024 * 1024;

const violations: string[] = [];

/** The schema problems seen since the last call. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

type Chunk = string | Uint8Array;

export function tapReplies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      const raw: ServerResponse = reply.raw;
      const chunks: Buffer[] = [];
      let size = 0;
      const keep = (chunk: unknown) => {
        if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return;
        const buffer = Buffer.from(chunk as Chunk);
        size += buffer.length;
        if (size <= MAX_TAPPED_BYTES) chunks.push(buffer);
      };
      const write = raw.write.bind(raw) as (...args: unknown[]) => boolean;
      const end = raw.end.bind(raw) as (...args: unknown[]) => ServerResponse;
      raw.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk);
        return write(chunk, ...rest);
      }) as ServerResponse['write'];
      raw.end = ((chunk?: unknown, ...rest: unknown[]) => {
        keep(chunk);
        const result = end(chunk, ...rest);
        if (size > MAX_TAPPED_BYTES) return result;
        const route = request.routeOptions.url ?? request.url.split('?')[0]!;
        try {
          const problems = checkReply({
            method: request.method,
            route,
            status: raw.statusCode,
            contentType: String(raw.getHeader('content-type') ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          });
          violations.push(...problems);
        } catch (error) {
          violations.push(`${request.method} ${route} → ${raw.statusCode}: could not be checked: ${String(error)}`);
        }
        return result;
      }) as ServerResponse['end'];
      done();
    });
}
