import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, ProjectId } from '../auth/api-key.guard.js';
import { ApiError } from '../common/api-error.js';
import { describeUnsafeInput, findUnsafeInput } from '../common/unsafe-input.js';
import { parseOrThrow } from '../common/validation.js';
import { listFilesQuerySchema, uploadFieldsSchema } from './files.schemas.js';
import { FilesService } from './files.service.js';

/** OpenAI's Files API (`/v1/files`): multipart upload, list, retrieve, content, delete. */
@Controller('v1/files')
@UseGuards(ApiKeyGuard)
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  @HttpCode(200)
  async upload(@ProjectId() projectId: string, @Req() request: FastifyRequest) {
    if (!request.isMultipart()) throw ApiError.invalidRequest('Expected a multipart/form-data body with `file` and `purpose`.', 'file');
    const fields: Record<string, string> = {};
    let file: { filename: string; content: Buffer } | null = null;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const content = await readPart(part, this.files.maxBytes);
        if (part.fieldname !== 'file' || file) throw ApiError.invalidRequest(`Unexpected file field '${part.fieldname}'.`, part.fieldname);
        file = { filename: part.filename, content };
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
    // Field names and values, and the file's name, reach the database: the edge's string rules apply.
    const unsafe = findUnsafeInput({ ...fields, ...(file ? { filename: file.filename } : {}) }, '');
    if (unsafe) throw ApiError.invalidValue(describeUnsafeInput(unsafe), unsafe.param);
    const parsed = parseOrThrow(uploadFieldsSchema, fields);
    if (!file) throw ApiError.invalidRequest("Missing required parameter: 'file'.", 'file');
    return this.files.upload(projectId, {
      filename: file.filename,
      content: file.content,
      purpose: parsed.purpose,
      ...(parsed['expires_after[seconds]'] !== undefined ? { expiresAfterSeconds: parsed['expires_after[seconds]'] } : {}),
    });
  }

  @Get()
  list(@ProjectId() projectId: string, @Query() query: unknown) {
    return this.files.list(projectId, parseOrThrow(listFilesQuerySchema, query));
  }

  @Get(':id')
  retrieve(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.files.retrieve(projectId, id);
  }

  @Get(':id/content')
  async content(@ProjectId() projectId: string, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    // Read first: an error answers JSON, which the octet-stream type would not let through.
    const content = await this.files.content(projectId, id);
    await reply.header('content-type', 'application/octet-stream').send(content);
  }

  @Delete(':id')
  delete(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.files.delete(projectId, id);
  }
}

/** The part's bytes; past `maxBytes`, a 413 (the multipart plugin stops reading there). */
async function readPart(part: { toBuffer(): Promise<Buffer>; file: { truncated: boolean } }, maxBytes: number): Promise<Buffer> {
  try {
    const content = await part.toBuffer();
    if (part.file.truncated) throw new Error('truncated');
    return content;
  } catch {
    throw new ApiError(413, `The file is larger than the limit of ${maxBytes} bytes.`, 'invalid_request_error', 'file', 'file_too_large');
  }
}
