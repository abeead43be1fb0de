import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../persistence/database.js';

export interface EndpointRecord {
  id: string;
  projectId: string;
  url: string;
  secret: string;
  eventTypes: string[];
  createdAt: Date;
  disabledAt: Date | null;
}

/** A delivery taken by this instance for one attempt, with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaClient) {}

  createEndpoint(endpoint: Omit<EndpointRecord, 'createdAt' | 'disabledAt'>): Promise<EndpointRecord> {
    return this.prisma.webhookEndpoint.create({ data: endpoint });
  }

  listEndpoints(projectId: string): Promise<EndpointRecord[]> {
    return this.prisma.webhookEndpoint.findMany({ where: { projectId }, orderBy: { createdAt: 'asc' } });
  }

  findEndpoint(projectId: string, id: string): Promise<EndpointRecord | null> {
    return this.prisma.webhookEndpoint.findFirst({ where: { id, projectId } });
  }

  /** Disables the endpoint and gives up its pending deliveries: nobody wants them sent any more. */
  async disableEndpoint(projectId: string, id: string): Promise<EndpointRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const found = await tx.webhookEndpoint.findFirst({ where: { id, projectId } });
      if (!found) return null;
      if (found.disabledAt) return found;
      const disabled = await tx.webhookEndpoint.update({ where: { id }, data: { disabledAt: new Date() } });
      await tx.webhookDelivery.updateMany({ where: { endpointId: id, status: 'pending' }, data: { status: 'failed', lastError: 'endpoint disabled' } });
      return disabled;
    });
  }

  subscribedEndpoints(projectId: string, eventType: string): Promise<Array<{ id: string }>> {
    return this.prisma.webhookEndpoint.findMany({ where: { projectId, disabledAt: null, eventTypes: { has: eventType } }, select: { id: true } });
  }

  async insertDeliveries(rows: Array<{ id: string; endpointId: string; projectId: string; eventId: string; eventType: string; body: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.prisma.webhookDelivery.createMany({ data: rows.map((row) => ({ ...row, status: 'pending' })) });
  }

  listDeliveries(endpointId: string) {
    return this.prisma.webhookDelivery.findMany({
      where: { endpointId },
      orderBy: { createdAt: 'desc' },
      take: 100,
      include: { attemptLog: { orderBy: { attempt: 'asc' } } },
    });
  }

  /**
   * Takes up to `limit` due deliveries by pushing their next attempt `leaseMs` ahead. SKIP LOCKED lets
   * several instances claim at once without sending one delivery twice; a claimer that dies just
   * lets the lease run out, and the delivery is due again.
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE webhook_deliveries AS d
      SET next_attempt_at = now() + ${leaseMs}::int * interval '1 millisecond'
      FROM webhook_endpoints AS e
      WHERE e.id = d.endpoint_id
        AND d.id IN (
          SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT ${limit}::int
          FOR UPDATE SKIP LOCKED
        )
      RETURNING d.id, d.body, d.attempts, e.url, e.secret`;
  }

  /** Stores one attempt and the delivery's next state together, so the log and the counter agree. */
  async recordAttempt(
    delivery: ClaimedDelivery,
    result: AttemptResult,
    next: { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date },
  ): Promise<void> {
    const attempt = delivery.attempts + 1;
    await this.prisma.$transaction([
      this.prisma.webhookAttempt.create({ data: { deliveryId: delivery.id, attempt, ...result } }),
      this.prisma.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          attempts: attempt,
          status: next.status,
          lastError: result.error,
          ...(next.status === 'delivered' ? { deliveredAt: new Date() } : {}),
          ...(next.status === 'pending' ? { nextAttemptAt: next.nextAttemptAt } : {}),
        },
      }),
    ]);
  }
}
