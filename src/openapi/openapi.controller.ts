import { Controller, Get, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { buildAdminDocument } from './admin-document.js';
import type { OpenApiDocument } from './openapi-types.js';
import { buildPublicDocument } from './public-document.js';

/** Built on first request and kept: the documents depend on nothing but the code. */
function once(build: () => OpenApiDocument): () => OpenApiDocument {
  let document: OpenApiDocument | undefined;
  return () => (document ??= build());
}

const publicDocument = once(() => buildPublicDocument());
const adminDocument = once(() => buildAdminDocument());

/** `GET /openapi.json`: the public API's document. No auth, like /health. */
@Controller()
export class OpenApiController {
  @Get('openapi.json')
  document(): OpenApiDocument {
    return publicDocument();
  }
}

/** `GET /admin/v1/openapi.json`: the admin API's document, behind the admin key like every admin route. */
@Controller('admin/v1')
@UseGuards(AdminKeyGuard)
export class AdminOpenApiController {
  @Get('openapi.json')
  document(): OpenApiDocument {
    return adminDocument();
  }
}
