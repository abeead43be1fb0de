import { Controller, Get, Inject, type OnModuleDestroy, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../common/api-error.js';
import type { Database } from '../persistence/database.js';
import { DATABASE } from '../persistence/persistence.module.js';

/** No auth on either route, so load balancers and orchestrators can call them. */
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private draining = false;

  constructor(@Inject(DATABASE) private readonly database: Database) {}

  // The first of Nest's shutdown hooks: from here on the server only finishes what it holds (the
  // background runs' grace period can take many seconds), so it must stop being sent new work.
  onModuleDestroy(): void {
    this.draining = true;
  }

  /** Readiness: a database round trip; 503 from the moment shutdown starts. */
  @Get()
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    if (this.draining) {
      // In the error envelope, like every status of 400 and up; answered here, so not logged as a failure.
      void reply.status(503);
      return new ApiError(503, 'The server is shutting down: it finishes what it holds and takes no new work.', 'server_error', null, 'draining').toBody();
    }
    await this.database.sql.query('SELECT 1');
    return { status: 'ok', database: this.database.kind };
  }

  /** Liveness: the process answers, whether or not it is draining or its database is; no query. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
