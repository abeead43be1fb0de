import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { Sql } from '../persistence/sql.js';

/**
 * SQL of bearer keys. Plain SQL, not Prisma: the lookup runs on every request (a named prepared
 * statement), and the registration at start (see Sql).
 */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly sql: Sql) {}

  /** The key's id, project and both their limits; null when the key is unknown, revoked, or its project disabled. */
  async principalForKeyHash(keyHash: string): Promise<KeyRow | null> {
    const [row] = await this.sql.query<KeyRow>(
      `SELECT k.id AS "keyId", k.project_id AS "projectId", p.limits AS "projectLimits", k.limits AS "keyLimits"
         FROM api_keys k JOIN projects p ON p.id = k.project_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND p.disabled_at IS NULL`,
      [keyHash],
      'api_key_principal',
    );
    return row ?? null;
  }

  /** The same for a key by id (a worker charging the key that queued a run), revoked or not. */
  async principalForKeyId(keyId: string): Promise<KeyRow | null> {
    const [row] = await this.sql.query<KeyRow>(
      `SELECT k.id AS "keyId", k.project_id AS "projectId", p.limits AS "projectLimits", k.limits AS "keyLimits"
         FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.id = $1`,
      [keyId],
      'api_key_principal_by_id',
    );
    return row ?? null;
  }

  /** Records a key from API_KEYS for its project (made if missing); a revoked one is restored. */
  async registerConfiguredKey(keyHash: string, project: string, lastFour: string): Promise<void> {
    await this.sql.query(`INSERT INTO projects (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [project]);
    await this.sql.query(
      `INSERT INTO api_keys (id, key_hash, project_id, source, last_four) VALUES ($1, $2, $3, 'env', $4)
       ON CONFLICT (key_hash) DO UPDATE SET project_id = EXCLUDED.project_id, revoked_at = NULL`,
      [newId('key'), keyHash, project, lastFour],
    );
  }
}

export interface KeyRow {
  keyId: string;
  projectId: string;
  projectLimits: unknown;
  keyLimits: unknown;
}
