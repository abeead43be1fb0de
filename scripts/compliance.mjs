// `npm run compliance`: the public Open Responses compliance suite (github.com/openresponses/openresponses,
// `bin/compliance-test.ts`) against this server, with the mock upstream standing in for every vendor,
// once per provider wire. The suite is not on npm, so it is read from a checkout:
//   OPENRESPONSES_DIR=/path/to/openresponses npm run compliance
// or, without one, cloned at the commit below. Its files are copied into a runner folder under
// node_modules/.cache with the suite's own dependencies (zod 3, and tsx to run TypeScript on Node).
// `COMPLIANCE_MODELS` (comma-separated) overrides the models tried.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SUITE_REPOSITORY = 'https://github.com/openresponses/openresponses.git';
const SUITE_COMMIT = '92c12d96d7b61d6d15e2214daa5e9c6000ab6e1c';
const RUNNER_DEPENDENCIES = { tsx: '4.23.15', zod: '3.25.76' };
const MODELS = (process.env.COMPLIANCE_MODELS ?? 'vllm/qwen3-8b,anthropic/claude-sonnet-4-5,google/gemini-2.5-flash,openai/gpt-5').split(',');
const API_KEY = 'sk-compliance';

const cache = resolve('node_modules/.cache/openresponses');
const children = [];
const scratch = mkdtempSync(join(tmpdir(), 'compliance-'));

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function suiteCheckout() {
  if (process.env.OPENRESPONSES_DIR) return resolve(process.env.OPENRESPONSES_DIR);
  const checkout = join(cache, 'suite');
  if (!existsSync(join(checkout, 'bin/compliance-test.ts'))) {
    rmSync(checkout, { recursive: true, force: true });
    sh('git', ['clone', '--quiet', SUITE_REPOSITORY, checkout]);
    sh('git', ['-C', checkout, 'checkout', '--quiet', SUITE_COMMIT]);
  }
  return checkout;
}

/** The suite's runner, its library and its generated schemas, with their own node_modules. */
function prepareRunner(checkout) {
  const runner = join(cache, 'runner');
  for (const path of ['bin/compliance-test.ts', 'src/lib', 'src/generated/kubb']) {
    rmSync(join(runner, path), { recursive: true, force: true });
    cpSync(join(checkout, path), join(runner, path), { recursive: true });
  }
  const manifest = JSON.stringify({ private: true, dependencies: RUNNER_DEPENDENCIES }, null, 2);
  const manifestPath = join(runner, 'package.json');
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifest || !existsSync(join(runner, 'node_modules/tsx'))) {
    writeFileSync(manifestPath, manifest);
    sh('npm', ['install', '--no-audit', '--no-fund', '--silent'], { cwd: runner });
  }
  // The WebSocket tests need `/v1/responses` over WebSocket, which this server does not offer.
  writeFileSync(
    join(runner, 'http-tests.ts'),
    "import { testTemplates } from './src/lib/compliance-tests';\nconsole.log(testTemplates.filter((t) => t.transport !== 'websocket').map((t) => t.id).join(','));\n",
  );
  return runner;
}

function suiteVersion(checkout) {
  const result = spawnSync('git', ['-C', checkout, 'log', '-1', '--format=%h %cs'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown (not a git checkout)';
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function start(name, args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code) => {
    if (!stopping) console.error(`${name} exited early (${code ?? 'signal'})`);
  });
  children.push(child);
  return child;
}

async function waitHealthy(url, child) {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        (response) => response.status < 500,
        () => false,
      )
    )
      return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} did not answer in 60 s`);
}

let stopping = false;
function stopAll() {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
process.once('SIGINT', () => {
  stopAll();
  process.exit(130);
});

try {
  const checkout = suiteCheckout();
  const runner = prepareRunner(checkout);
  const tsx = join(runner, 'node_modules/tsx/dist/cli.mjs');
  const ids = spawnSync(process.execPath, [tsx, 'http-tests.ts'], { cwd: runner, encoding: 'utf8' }).stdout.trim();
  if (!ids) throw new Error('could not list the suite tests');
  if (!existsSync('dist/main.js')) sh('npm', ['run', 'build']);

  const mockPort = await freePort();
  const serverPort = await freePort();
  const mockOrigin = `http://127.0.0.1:${mockPort}`;
  const mock = start('mock upstream', ['--import', './scripts/register-ts.mjs', 'test/mock-upstream/main.ts'], {
    PORT: String(mockPort),
    MOCK_CALL_OFFERED_TOOLS: '1',
  });
  await waitHealthy(`${mockOrigin}/v1/models`, mock);
  const server = start('server', ['dist/main.js'], {
    PORT: String(serverPort),
    DATA_DIR: join(scratch, 'data'),
    DATABASE_URL: '',
    REDIS_URL: '',
    API_KEYS: API_KEY,
    OPENAI_BASE_URL: `${mockOrigin}/v1`,
    OPENAI_API_KEY: 'sk-mock',
    OPENAI_WIRE_API: 'responses',
    ANTHROPIC_BASE_URL: mockOrigin,
    ANTHROPIC_API_KEY: 'sk-ant-mock',
    GEMINI_BASE_URL: mockOrigin,
    GEMINI_API_KEY: 'gemini-mock',
    OPENAI_COMPATIBLE_PROVIDERS: 'vllm',
    VLLM_BASE_URL: `${mockOrigin}/v1`,
    LOG_LEVEL: 'warn',
  });
  await waitHealthy(`http://127.0.0.1:${serverPort}/health`, server);

  console.log(`Open Responses compliance suite ${suiteVersion(checkout)}, HTTP tests: ${ids.split(',').length}`);
  const rows = [];
  for (const model of MODELS) {
    const run = spawnSync(
      process.execPath,
      [tsx, 'bin/compliance-test.ts', '--base-url', `http://127.0.0.1:${serverPort}/v1`, '--api-key', API_KEY, '--model', model, '--filter', ids, '--json'],
      { cwd: runner, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    let report;
    try {
      report = JSON.parse(run.stdout);
    } catch {
      console.error(run.stdout, run.stderr);
      throw new Error(`the suite did not report on ${model}`);
    }
    const { passed, failed, skipped } = report.summary;
    rows.push({ model, passed, failed, skipped });
    console.log(`\n${model}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    for (const result of report.results) {
      const mark = result.status === 'passed' ? 'ok  ' : result.status === 'failed' ? 'FAIL' : 'skip';
      console.log(`  ${mark} ${result.id}`);
      if (result.status === 'failed') for (const error of result.errors ?? []) console.log(`       ${error}`);
    }
  }
  console.log(`\n| model | passed | failed | skipped |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| \`${row.model}\` | ${row.passed} | ${row.failed} | ${row.skipped} |`);
  process.exitCode = rows.some((row) => row.failed > 0) ? 1 : 0;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  stopAll();
}
