import { Module } from '@nestjs/common';

/** Serves the OpenAPI documents of the public and the admin API. */
@Module({})
export class OpenApiModule {}
