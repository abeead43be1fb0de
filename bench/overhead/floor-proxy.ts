// The floor for bench:overhead: the least a Node gateway can do for POST /v1/responses. Fastify
// parses the JSON, undici forwards it to the model, and the answer is re-emitted: parsed and sent
// again as JSON, or piped through as SSE. Nothing is stored, validated or rewritten.
// Env: UPSTREAM (origin of the model), PORT. Prints `{"port":N}` when ready.
import Fastify from 'fastify';
import { Pool } from 'undici';

const pool = new Pool(process.env['UPSTREAM']!, { connections: 256 });
const app = Fastify({ bodyLimit: 256 * 1024 * 1024 });

app.post('/v1/responses', async (request, reply) => {
  const body = request.body as { stream?: boolean };
  const upstream = await pool.request({
    path: '/v1/responses',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
    body: JSON.stringify(body),
  });
  reply.code(upstream.statusCode);
  if (body.stream) return reply.header('content-type', 'text/event-stream').send(upstream.body);
  return upstream.body.json();
});

await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
const address = app.server.address();
console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
// A clean exit on SIGTERM, so `node --cpu-prof` writes its profile (bench:profile --target floor).
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
