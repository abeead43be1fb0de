import { Module } from '@nestjs/common';
import { AdminOpenApiController, OpenApiController } from './openapi.controller.js';

/** Serves the OpenAPI documents of the public (`/openapi.json`) and the admin (`/admin/v1/openapi.json`) API. */
@Module({ controllers: [OpenApiController, AdminOpenApiController] })
export class OpenApiModule {}
