import { Controller, Get, Inject } from '@nestjs/common';
import type { Database } from '../persistence/database.js';
import { DATABASE } from '../persistence/persistence.module.js';

@Controller('health')
export class HealthController {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Liveness plus a database round trip; no auth, so load balancers can call it. */
  @Get()
  async check() {
    await this.database.sql.query('SELECT 1');
    return { status: 'ok', database: this.database.kind };
  }
}
