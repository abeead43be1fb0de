import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { type ListPage, toListPage } from '../common/pagination.js';
import { unixSeconds } from '../common/unix-time.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { type FileRecord, FilesRepository } from './files.repository.js';
import type { ListFilesQuery, PublicFile } from './files.schemas.js';

export function toPublicFile(file: FileRecord): PublicFile {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: unixSeconds(file.createdAt),
    ...(file.expiresAt ? { expires_at: unixSeconds(file.expiresAt) } : {}),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  };
}

/** The rules of /v1/files: what may be uploaded, and reading and deleting a project's files. */
@Injectable()
export class FilesService {
  constructor(
    private readonly repository: FilesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async upload(projectId: string, upload: { filename: string; content: Buffer; purpose: string; expiresAfterSeconds?: number }): Promise<PublicFile> {
    if (upload.purpose === 'batch' && !upload.filename.toLowerCase().endsWith('.jsonl'))
      throw ApiError.invalidRequest('Invalid file format for Batch API. Must be .jsonl', 'file');
    if (upload.content.length === 0) throw ApiError.invalidRequest('The file is empty.', 'file');
    return toPublicFile(await this.store(projectId, upload.purpose, upload.filename, upload.content, upload.expiresAfterSeconds));
  }

  /** Stores a file: an upload, or one the server writes (a batch's output). */
  async store(projectId: string, purpose: string, filename: string, content: Buffer, expiresAfterSeconds?: number): Promise<FileRecord> {
    const createdAt = new Date();
    const file: FileRecord = {
      id: newId('file'),
      projectId,
      purpose,
      filename,
      bytes: content.length,
      createdAt,
      expiresAt: expiresAfterSeconds ? new Date(createdAt.getTime() + expiresAfterSeconds * 1000) : null,
    };
    await this.repository.insert(file, content);
    return file;
  }

  async retrieve(projectId: string, id: string): Promise<PublicFile> {
    return toPublicFile(await this.findOrThrow(projectId, id));
  }

  async findOrThrow(projectId: string, id: string): Promise<FileRecord> {
    const file = await this.repository.find(projectId, id);
    if (!file) throw ApiError.notFound('File', id, 'file_id');
    return file;
  }

  async content(projectId: string, id: string): Promise<Buffer> {
    const content = await this.repository.content(projectId, id);
    if (!content) throw ApiError.notFound('File', id, 'file_id');
    return Buffer.from(content);
  }

  async list(projectId: string, query: ListFilesQuery): Promise<ListPage<PublicFile>> {
    if (query.after && !(await this.repository.find(projectId, query.after))) throw ApiError.invalidValue(`No file with id '${query.after}'.`, 'after');
    return toListPage((await this.repository.list(projectId, query)).map(toPublicFile), query.limit);
  }

  async delete(projectId: string, id: string): Promise<{ id: string; object: 'file'; deleted: true }> {
    if (!(await this.repository.delete(projectId, id))) throw ApiError.notFound('File', id, 'file_id');
    return { id, object: 'file', deleted: true };
  }

  get maxBytes(): number {
    return this.config.maxFileBytes;
  }
}
