import { Injectable } from '@nestjs/common';
import { Sql } from '../persistence/sql.js';

export interface FileRecord {
  id: string;
  projectId: string;
  purpose: string;
  filename: string;
  bytes: number;
  createdAt: Date;
  expiresAt: Date | null;
}

const COLUMNS = `id, project_id AS "projectId", purpose, filename, bytes, created_at AS "createdAt", expires_at AS "expiresAt"`;

/** SQL of files: their bytes live in the row (the embedded default's store). Expired files are never read. */
@Injectable()
export class FilesRepository {
  constructor(private readonly sql: Sql) {}

  async insert(file: FileRecord, content: Buffer): Promise<void> {
    await this.sql.query(
      `INSERT INTO files (id, project_id, purpose, filename, bytes, content, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [file.id, file.projectId, file.purpose, file.filename, file.bytes, content, file.createdAt, file.expiresAt],
    );
  }

  async find(projectId: string, id: string): Promise<FileRecord | null> {
    const [row] = await this.sql.query<FileRecord>(
      `SELECT ${COLUMNS} FROM files WHERE project_id = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
      [projectId, id],
    );
    return row ?? null;
  }

  async content(projectId: string, id: string): Promise<Buffer | null> {
    const [row] = await this.sql.query<{ content: Buffer }>(
      `SELECT content FROM files WHERE project_id = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
      [projectId, id],
    );
    return row?.content ?? null;
  }

  /** `limit + 1` files in creation order from after the file `after` (ids order files made in the same millisecond). */
  async list(projectId: string, query: { purpose?: string; limit: number; order: 'asc' | 'desc'; after?: string }): Promise<FileRecord[]> {
    const params: unknown[] = [projectId, query.limit + 1];
    let where = `project_id = $1 AND (expires_at IS NULL OR expires_at > now())`;
    if (query.purpose) where += ` AND purpose = $${params.push(query.purpose)}`;
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    if (query.after) {
      const comparison = query.order === 'asc' ? '>' : '<';
      where += ` AND (created_at, id) ${comparison} (SELECT created_at, id FROM files WHERE project_id = $1 AND id = $${params.push(query.after)})`;
    }
    return this.sql.query<FileRecord>(`SELECT ${COLUMNS} FROM files WHERE ${where} ORDER BY created_at ${direction}, id ${direction} LIMIT $2`, params);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(`DELETE FROM files WHERE project_id = $1 AND id = $2 RETURNING id`, [projectId, id]);
    return rows.length === 1;
  }
}
