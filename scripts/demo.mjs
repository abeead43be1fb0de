// `npm run demo`: the server on embedded PGlite with the mock upstream as every model vendor, so a
// newcomer can try the whole API without a vendor key. Ctrl-C stops both processes.
import { spawn } from 'node:child_process';

const mockPort = process.env.MOCK_PORT ?? '9090';
const children = [];

function run(name, args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'inherit' });
  child.on('exit', (code) => {
    console.log(`${name} exited (${code ?? 'signal'})`);
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
  children.push(child);
}

run('mock upstream', ['--import', './scripts/register-ts.mjs', 'test/mock-upstream/main.ts'], { PORT: mockPort, HOST: '127.0.0.1' });
run('server', ['dist/main.js'], {
  API_KEYS: process.env.API_KEYS ?? 'sk-demo',
  OPENAI_BASE_URL: `http://127.0.0.1:${mockPort}/v1`,
  OPENAI_API_KEY: 'sk-mock',
  ANTHROPIC_BASE_URL: `http://127.0.0.1:${mockPort}`,
  ANTHROPIC_API_KEY: 'sk-ant-mock',
  GEMINI_BASE_URL: `http://127.0.0.1:${mockPort}`,
  GEMINI_API_KEY: 'gemini-mock',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
