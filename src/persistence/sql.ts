import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';

/** How many statement texts built at run time get a name; past it they run unnamed (parsed and planned each time). */
const MAX_BUILT_NAMES = 200;
const builtNames = new Map<string, string>();

/**
 * A prepared statement's name for a text built at run time (a turn's commit: its shape depends on
 * where the items go and what follows them, never on values, which are parameters). The same text
 * always gets the same name. Parsing and planning the commit afresh cost PostgreSQL ~0.8 ms of CPU
 * a turn, more than running it.
 */
export function statementNameFor(text: string): string | undefined {
  let name = builtNames.get(text);
  if (name === undefined && builtNames.size < MAX_BUILT_NAMES) {
    name = `built_${builtNames.size}`;
    builtNames.set(text, name);
  }
  return name;
}

/**
 * Parameterised SQL straight to the driver, for the statements every turn sends (the previous
 * response, the history, the turn's insert and commit). Prisma interprets each query in JavaScript
 * first, which on that path cost more CPU than PostgreSQL spent running them (bench/README.md).
 * Parameters are `$1…`; JSON goes in as text (`JSON.stringify`), since pg would turn a JS array
 * into a PostgreSQL array. Rows come back as the driver parses them: json parsed, timestamptz as
 * Date, int and double precision as number.
 *
 * A `name` makes it a prepared statement on PostgreSQL: parsed and planned once per connection,
 * then only bound and run. Only for fixed texts (a name must always mean the same text).
 *
 * What a server runs at start and on its timers goes through here too: Prisma's engine is ~70 MB
 * of memory, loaded by the first Prisma query, so an idle server (and one that only runs turns)
 * never loads it; the routes still on Prisma do when first used.
 */
export abstract class Sql {
  abstract query<T>(text: string, params?: readonly unknown[], name?: string): Promise<T[]>;
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  abstract transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

export class PgSql extends Sql {
  constructor(private readonly pool: pg.Pool) {
    super();
  }

  async query<T>(text: string, params: readonly unknown[] = [], name?: string): Promise<T[]> {
    return (await this.pool.query({ text, values: params as unknown[], ...(name ? { name } : {}) })).rows as T[];
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection whose ROLLBACK failed is in an unknown state: the pool drops it instead of reusing it.
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(new PgClientSql(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

class PgClientSql extends Sql {
  constructor(private readonly client: pg.PoolClient) {
    super();
  }

  async query<T>(text: string, params: readonly unknown[] = [], name?: string): Promise<T[]> {
    return (await this.client.query({ text, values: params as unknown[], ...(name ? { name } : {}) })).rows as T[];
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    // Already inside one: the work joins it.
    return work(this);
  }
}

/** PGlite is one connection: its own transaction lock keeps Prisma's queries (same database) out of ours. */
export class PgliteSql extends Sql {
  constructor(private readonly db: PGlite | Transaction) {
    super();
  }

  // PGlite runs in this process: there is no round trip for a prepared statement to save.
  async query<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(text, params as unknown[])).rows;
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (!('transaction' in this.db)) return work(this);
    return this.db.transaction((tx) => work(new PgliteSql(tx)));
  }
}
