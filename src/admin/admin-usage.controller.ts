import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { unixSeconds } from '../common/unix-time.js';
import type { usageReport } from '../openapi/admin-responses.js';
import { AdminUsageRepository } from './admin-usage.repository.js';
import { parseUsageQuery, toPublicTotals } from './admin-usage.schemas.js';

/** Tokens and cost per project and model over a time range, across projects. */
@Controller('admin/v1/usage')
@UseGuards(AdminKeyGuard)
export class AdminUsageController {
  constructor(private readonly repository: AdminUsageRepository) {}

  @Get()
  async report(@Query() query: unknown): Promise<z.input<typeof usageReport>> {
    const { range, ...options } = parseUsageQuery(query);
    const rows = await this.repository.report(range, options);
    return {
      object: 'list',
      // The range as applied, so a report asked without end_time says where it stopped.
      start_time: unixSeconds(range.start),
      end_time: unixSeconds(range.end),
      data: rows.map((row) => ({ project_id: row.projectId, model: row.model, ...toPublicTotals(row) })),
    };
  }
}
