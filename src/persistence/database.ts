import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config/env.schema.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations, pgExecutor, pgliteExecutor } from './apply-migrations.js';
import { PgliteSql, PgSql, type Sql } from './sql.js';

export { PrismaClient };

const logger = new Logger('Database');

/** The open database: a Prisma client on PostgreSQL (pg pool) or on embedded PGlite, migrations applied. */
export interface Database {
  prisma: PrismaClient;
  /** The same database without Prisma, for the statements on every turn's path (see sql.ts). */
  sql: Sql;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export async function openDatabase(config: AppConfig['database']): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config.url) : openPglite(config.dataDir);
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection can be cut by the server (restart, failover, admin); without a listener
  // pg re-throws that as an uncaught error and the process dies. The pool replaces the connection.
  pool.on('error', (error) => logger.warn(`idle database connection lost: ${error.message}`));
  const client = await pool.connect();
  try {
    await applyMigrations(pgExecutor(client));
  } finally {
    client.release();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    sql: new PgSql(pool),
    kind: 'postgres',
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  await applyMigrations(pgliteExecutor(db));
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return {
    prisma,
    sql: new PgliteSql(db),
    kind: 'pglite',
    close: async () => {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
