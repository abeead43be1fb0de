// Runs the mock upstream by hand: `npm run mock-upstream`, then point a provider's base URL at it.
import { startMockUpstream } from './mock-upstream.js';

const port = Number(process.env['PORT'] ?? 9090);
const host = process.env['HOST'] ?? '127.0.0.1';
const upstream = await startMockUpstream({ host, port, callOfferedTools: process.env['MOCK_CALL_OFFERED_TOOLS'] === '1' });

upstream.on('request', (request) => {
  const body: unknown = request.body;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const model = typeof fields['model'] === 'string' ? fields['model'] : '-';
  const messages = Array.isArray(fields['messages']) ? fields['messages'].length : 0;
  console.log(`${new Date().toISOString()} ${request.method} ${request.url} model=${model} messages=${messages}`);
});
upstream.on('abort', (request) => console.log(`${new Date().toISOString()} aborted by client: ${request.method} ${request.url}`));

console.log(`mock upstream listening on ${upstream.origin} (OpenAI base URL ${upstream.baseUrl})`);

const shutdown = (): void => {
  void upstream.close().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
