// The project's own migration runner: `prisma migrate deploy` needs a schema-engine binary that cannot
// be downloaded here and cannot drive embedded PGlite at all (architecture §7). It applies the same
// prisma/migrations folder and keeps the same `_prisma_migrations` bookkeeping, so a database migrated
// by either tool looks fully migrated to the other.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { Client, PoolClient } from 'pg';

export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements; no parameters. */
  exec(sql: string): Promise<void>;
  /** Nothing else can be connected at the same time (PGlite), so there is no one to lock out. */
  readonly singleConnection?: boolean;
}

// Works from src/persistence (ts, jest) and from dist/persistence (built server) alike.
export const defaultMigrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

// The key the Prisma schema engine locks, so this runner and `prisma migrate deploy` also exclude each other.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// Prisma's definition, verbatim (from the schema engine's postgres flavour) but for IF NOT EXISTS.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRecord {
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

export function pgExecutor(client: PoolClient | Client): SqlExecutor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const result = await client.query(sql, params);
      return { rows: result.rows as T[] };
    },
    async exec(sql: string) {
      // Without values node-postgres uses the simple-query protocol, the only one that accepts a
      // script of several statements.
      await client.query(sql);
    },
  };
}

export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    singleConnection: true,
    async query<T>(sql: string, params?: unknown[]) {
      const result = await db.query<T>(sql, params);
      return { rows: result.rows };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/** Applies the migrations not yet recorded in `_prisma_migrations`; returns the names applied now. */
export async function applyMigrations(executor: SqlExecutor, options: { migrationsDir?: string; lock?: boolean } = {}): Promise<string[]> {
  const migrations = await readMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const lock = options.lock ?? !executor.singleConnection;
  const run = () => applyPending(executor, migrations);
  return lock ? withMigrateLock(executor, run) : run();
}

async function readMigrations(migrationsDir: string): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: unknown) => {
    throw new Error(`Cannot read the migrations folder ${migrationsDir}`, { cause: error });
  });
  // Same order as the Prisma CLI, which sorts the folder names with localeCompare.
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  return Promise.all(names.map((name) => readMigration(migrationsDir, name)));
}

async function readMigration(migrationsDir: string, name: string): Promise<Migration> {
  const file = path.join(migrationsDir, name, 'migration.sql');
  const sql = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new Error(`Migration ${name} has no readable migration.sql (${file})`, { cause: error });
  });
  return { name, sql, checksum: migrationChecksum(sql) };
}

/** Prisma's checksum: sha256 of the migration.sql text, lowercase hex. */
function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

// A session-level lock, released before the connection goes back to a pool; a crash releases it
// with the session.
async function withMigrateLock<T>(executor: SqlExecutor, run: () => Promise<T>): Promise<T> {
  await executor.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})`);
  let result: T;
  try {
    result = await run();
  } catch (error) {
    // The migration error is the one worth reporting; if unlocking fails too, the session is gone.
    await executor.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK_KEY})`).catch(() => undefined);
    throw error;
  }
  await executor.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK_KEY})`);
  return result;
}

async function applyPending(executor: SqlExecutor, migrations: Migration[]): Promise<string[]> {
  await executor.exec(CREATE_MIGRATIONS_TABLE);
  const records = await readRecords(executor);
  assertNoFailedMigration(records);
  const applied = new Set(records.filter(isApplied).map((record) => record.migration_name));
  const appliedNow: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    await applyMigration(executor, migration);
    appliedNow.push(migration.name);
  }
  return appliedNow;
}

async function readRecords(executor: SqlExecutor): Promise<MigrationRecord[]> {
  const { rows } = await executor.query<MigrationRecord>(
    'SELECT migration_name, finished_at, rolled_back_at, started_at, logs FROM _prisma_migrations ORDER BY started_at',
  );
  return rows;
}

function isApplied(record: MigrationRecord): boolean {
  return record.finished_at !== null && record.rolled_back_at === null;
}

// A failed row comes from `prisma migrate deploy`, which does not wrap migrations in a transaction, so
// the database may hold half a migration: only a person can tell what to do (as Prisma's P3009 says).
function assertNoFailedMigration(records: MigrationRecord[]): void {
  const failed = records.find((record) => record.finished_at === null && record.rolled_back_at === null);
  if (!failed) return;
  const logs = failed.logs ? `\n${failed.logs}` : '';
  throw new Error(
    `Migration ${failed.migration_name} started at ${new Date(failed.started_at).toISOString()} and failed; ` +
      'the database may be partly migrated. Fix it by hand, then mark it with ' +
      `\`prisma migrate resolve --rolled-back ${failed.migration_name}\` (or \`--applied\`) before starting again.${logs}`,
  );
}

// Unlike `prisma migrate deploy`, each migration runs in one transaction, so a failure leaves no trace
// and the next start simply tries again. The price: a migration cannot use statements that refuse to
// run in a transaction (CREATE INDEX CONCURRENTLY and the like).
async function applyMigration(executor: SqlExecutor, migration: Migration): Promise<void> {
  const id = randomUUID();
  await executor.exec('BEGIN');
  try {
    await executor.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at)
       VALUES ($1, $2, $3, clock_timestamp())`,
      [id, migration.checksum, migration.name],
    );
    await executor.exec(migration.sql);
    await executor.query('UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1', [id]);
    await executor.exec('COMMIT');
  } catch (error) {
    // The original error says what went wrong; a failed ROLLBACK only means the session is gone.
    await executor.exec('ROLLBACK').catch(() => undefined);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${errorMessage(error)}`, { cause: error });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
