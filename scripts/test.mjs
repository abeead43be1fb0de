// `npm test` after the type check: jest, with everything it can run on this machine. The
// e2e-postgres project and the specs that talk to PostgreSQL or Redis need both servers
// (TEST_DATABASE_URL, TEST_REDIS_URL, defaults the local ones); without them the unit tests and
// the e2e suite on embedded PGlite still run, and the end of the output says what did not.
// TEST_REQUIRE_SERVICES=1 (set by .ci/run) turns a missing server into a failure instead.
// Arguments are passed on to jest (`npm test -- --json --outputFile=report.json`).
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';

const postgres = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const redis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** Whether something accepts TCP connections there; the tests themselves report a server that does but refuses us. */
function listening(url, defaultPort) {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || defaultPort) });
    const settle = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => settle(false));
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}

const missing = [];
if (!(await listening(postgres, 5432))) missing.push(`PostgreSQL at ${postgres.host}`);
if (!(await listening(redis, 6379))) missing.push(`Redis at ${redis.host}`);

if (missing.length > 0 && process.env.TEST_REQUIRE_SERVICES === '1') {
  console.error(`TEST_REQUIRE_SERVICES=1, and ${missing.join(' and ')} did not answer.`);
  process.exit(1);
}

const projects = missing.length === 0 ? [] : ['--selectProjects', 'unit', 'e2e-pglite'];
const jest = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', '--runInBand', ...projects, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
    // The specs that need a server skip themselves on this (test/setup/services.ts).
    ...(missing.length === 0 ? {} : { TEST_SERVICES: 'none' }),
  },
});

if (missing.length > 0) {
  console.log(
    [
      '',
      `Not run: ${missing.join(' and ')} did not answer, so the e2e-postgres project (the e2e suite on`,
      'PostgreSQL with the Redis queue, as production runs) and the unit specs that talk to those servers',
      'were skipped; the unit tests and the e2e suite on embedded PGlite ran. To run everything, start',
      'PostgreSQL and Redis (or point TEST_DATABASE_URL and TEST_REDIS_URL at them) and run `npm test`',
      'again; `bash .ci/run` starts both itself.',
    ].join('\n'),
  );
}
process.exit(jest.status ?? 1);
