import { Injectable } from '@nestjs/common';
import { Sql } from './sql.js';

/**
 * SQL of the secrets the server makes for itself and shares between its instances (the reasoning
 * envelope key). Plain SQL, not Prisma: read at start (see Sql).
 */
@Injectable()
export class ServerSecretsRepository {
  constructor(private readonly sql: Sql) {}

  /** The secret stored under `name`, stored first as `make()` when there is none; the first of two instances starting together wins. */
  async getOrCreate(name: string, make: () => string): Promise<string> {
    await this.sql.query(`INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, make()]);
    const [row] = await this.sql.query<{ value: string }>(`SELECT value FROM server_secrets WHERE name = $1`, [name]);
    if (!row) throw new Error(`the server secret ${name} could not be read back`);
    return row.value;
  }
}
