import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describeWithServices } from '../../test/setup/services.js';
import { applyMigrations, defaultMigrationsDir, pgExecutor, pgliteExecutor, type SqlExecutor } from './apply-migrations.js';

// Under native ESM there is no global `jest` for setTimeout; PGlite boots WASM Postgres per test.
const SLOW = 30_000;

const APP_TABLES = ['api_keys', 'items', 'projects', 'responses', 'threads'];

// node-postgres only falls back to $USER for the role, which some shells and CI containers leave
// unset; libpq (psql) falls back to the OS user, so the tests do the same.
function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username || process.env.PGUSER) return url;
  parsed.username = process.env.USER || userInfo().username;
  return parsed.toString();
}

const serverUrl = withDefaultUser(process.env.TEST_DATABASE_URL ?? 'postgresql://127.0.0.1:5432/postgres');

interface MigrationFile {
  name: string;
  checksum: string;
}

async function migrationFiles(): Promise<MigrationFile[]> {
  const entries = await readdir(defaultMigrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(defaultMigrationsDir, name, 'migration.sql'));
      return { name, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

async function publicTables(executor: SqlExecutor): Promise<string[]> {
  const { rows } = await executor.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((row) => row.table_name);
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

async function migrationRows(executor: SqlExecutor): Promise<MigrationRow[]> {
  const { rows } = await executor.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY migration_name');
  return rows;
}

// The same expectations hold for PostgreSQL and PGlite: that is the point of one runner for both.
async function expectFreshDatabaseMigrates(executor: SqlExecutor): Promise<void> {
  const files = await migrationFiles();
  expect(files.length).toBeGreaterThan(0);

  expect(await applyMigrations(executor)).toEqual(files.map((file) => file.name));
  expect(await applyMigrations(executor)).toEqual([]);

  expect(await publicTables(executor)).toEqual(expect.arrayContaining([...APP_TABLES, '_prisma_migrations']));
  const rows = await migrationRows(executor);
  expect(rows).toHaveLength(files.length);
  rows.forEach((row, index) => {
    expect(row).toMatchObject({
      migration_name: files[index]?.name,
      checksum: files[index]?.checksum,
      rolled_back_at: null,
      logs: null,
      applied_steps_count: 1,
    });
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
  });
}

describeWithServices('applyMigrations on PostgreSQL', () => {
  const admin = new pg.Client({ connectionString: serverUrl });
  const databases: string[] = [];
  const clients: pg.Client[] = [];

  async function throwawayDatabase(): Promise<string> {
    const name = `apply_migrations_spec_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    databases.push(name);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async function connect(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    await admin.connect();
  }, SLOW);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.end();
  }, SLOW);

  it(
    'applies every migration once, records it like Prisma, and applies nothing the second time',
    async () => {
      const client = await connect(await throwawayDatabase());
      await expectFreshDatabaseMigrates(pgExecutor(client));
    },
    SLOW,
  );

  it(
    'lets two instances start together: both succeed and each migration is applied once',
    async () => {
      const url = await throwawayDatabase();
      const [first, second] = await Promise.all([connect(url), connect(url)]);

      const results = await Promise.all([applyMigrations(pgExecutor(first)), applyMigrations(pgExecutor(second))]);

      const files = await migrationFiles();
      expect(results.flat().sort()).toEqual(files.map((file) => file.name));
      const rows = await migrationRows(pgExecutor(first));
      expect(rows.map((row) => row.migration_name)).toEqual(files.map((file) => file.name));
      expect(rows.every((row) => row.finished_at !== null)).toBe(true);
    },
    SLOW,
  );

  it(
    'releases the advisory lock, so the connection can go back to a pool',
    async () => {
      const client = await connect(await throwawayDatabase());
      await applyMigrations(pgExecutor(client));

      const { rows } = await client.query("SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
      expect(rows[0]).toEqual({ held: 0 });
    },
    SLOW,
  );
});

describe('applyMigrations on PGlite', () => {
  let db: PGlite;
  let scratchDir: string | undefined;

  beforeEach(async () => {
    db = await PGlite.create();
  }, SLOW);

  afterEach(async () => {
    await db.close();
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
    scratchDir = undefined;
  }, SLOW);

  async function migrationsFolder(migrations: Record<string, string>): Promise<string> {
    scratchDir = await mkdtemp(path.join(tmpdir(), 'apply-migrations-'));
    for (const [name, sql] of Object.entries(migrations)) {
      await mkdir(path.join(scratchDir, name));
      await writeFile(path.join(scratchDir, name, 'migration.sql'), sql);
    }
    return scratchDir;
  }

  it(
    'applies every migration once, records it like Prisma, and applies nothing the second time',
    async () => {
      await expectFreshDatabaseMigrates(pgliteExecutor(db));
    },
    SLOW,
  );

  it(
    'rolls a failing migration back entirely and keeps the ones before it',
    async () => {
      const migrationsDir = await migrationsFolder({
        '20200101000000_good': 'CREATE TABLE good (id INT);',
        '20200102000000_bad': 'CREATE TABLE half (id INT);\nSELECT * FROM missing_table;',
      });
      const executor = pgliteExecutor(db);

      await expect(applyMigrations(executor, { migrationsDir })).rejects.toThrow(/20200102000000_bad failed and was rolled back/);

      expect(await publicTables(executor)).toEqual(['_prisma_migrations', 'good']);
      expect((await migrationRows(executor)).map((row) => row.migration_name)).toEqual(['20200101000000_good']);
    },
    SLOW,
  );

  it(
    'refuses to start over a migration that Prisma recorded as failed',
    async () => {
      const migrationsDir = await migrationsFolder({ '20200101000000_first': 'CREATE TABLE first (id INT);' });
      const executor = pgliteExecutor(db);
      await applyMigrations(executor, { migrationsDir });
      await executor.query("INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ('f', 'x', '20200102000000_broken', 'syntax error')");

      await expect(applyMigrations(executor, { migrationsDir })).rejects.toThrow(
        /20200102000000_broken .*failed.*prisma migrate resolve --rolled-back 20200102000000_broken/s,
      );
    },
    SLOW,
  );
});
