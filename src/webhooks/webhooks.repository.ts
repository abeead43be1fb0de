import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaClient } from '../persistence/database.js';
import { Sql } from '../persistence/sql.js';

export interface EndpointRecord {
  id: string;
  projectId: string;
  url: string;
  secret: string;
  eventTypes: string[];
  createdAt: Date;
  disabledAt: Date | null;
  /** Until when the secret before the last rotation still signs deliveries. */
  previousSecretExpiresAt: Date | null;
}

/** A delivery taken by this instance for one attempt, with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  body: string;
  /** Attempts of the current sequence (a redelivery starts a new one): what the retry budget counts. */
  attempts: number;
  /** Attempts ever logged for this delivery, every sequence included: numbers the next log row. */
  logged: number;
  url: string;
  secret: string;
  /** The secret before the last rotation, while its grace period lasts; deliveries are signed with both. */
  previousSecret: string | null;
}

/** Why a delivery cannot be sent again. */
export type RedeliverRefusal = 'not_found' | 'pending' | 'endpoint_disabled';

export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

const deliveryLog = { attemptLog: { orderBy: { attempt: 'asc' } } } as const satisfies Prisma.WebhookDeliveryInclude;

export type DeliveryWithLog = Prisma.WebhookDeliveryGetPayload<{ include: typeof deliveryLog }>;

@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
  ) {}

  createEndpoint(endpoint: Omit<EndpointRecord, 'createdAt' | 'disabledAt' | 'previousSecretExpiresAt'>): Promise<EndpointRecord> {
    return this.prisma.webhookEndpoint.create({ data: endpoint });
  }

  async projectExists(projectId: string): Promise<boolean> {
    return (await this.prisma.project.count({ where: { id: projectId } })) > 0;
  }

  listEndpoints(projectId: string): Promise<EndpointRecord[]> {
    return this.prisma.webhookEndpoint.findMany({ where: { projectId }, orderBy: { createdAt: 'asc' } });
  }

  findEndpoint(projectId: string, id: string): Promise<EndpointRecord | null> {
    return this.prisma.webhookEndpoint.findFirst({ where: { id, projectId } });
  }

  /**
   * Changes the URL and/or the subscribed events. Pending deliveries and their retries go to the
   * new URL (the dispatcher reads it when it sends); the event types apply to events from now on.
   * 'disabled' for a disabled endpoint: disabling is final (its pending deliveries were given up).
   */
  async updateEndpoint(projectId: string, id: string, changes: { url?: string; eventTypes?: string[] }): Promise<EndpointRecord | 'disabled' | null> {
    const { count } = await this.prisma.webhookEndpoint.updateMany({ where: { id, projectId, disabledAt: null }, data: changes });
    if (count === 1) return this.findEndpoint(projectId, id);
    return (await this.findEndpoint(projectId, id)) ? 'disabled' : null;
  }

  /**
   * Replaces the secret. Deliveries sent from now on (retries of earlier ones included) are signed
   * with the new one, and with the one it replaces until `graceUntil`. One statement, so two
   * rotations at once cannot lose a secret (SET reads the row as it was: `previous_secret = secret`
   * keeps the old one). A rotation during a grace period ends that grace: only the last two sign.
   */
  async rotateSecret(projectId: string, id: string, secret: string, graceUntil: Date): Promise<EndpointRecord | 'disabled' | null> {
    const count = await this.prisma.$executeRaw`
      UPDATE webhook_endpoints
         SET previous_secret = secret, previous_secret_expires_at = ${graceUntil}, secret = ${secret}
       WHERE id = ${id} AND project_id = ${projectId} AND disabled_at IS NULL`;
    if (count === 1) return this.findEndpoint(projectId, id);
    return (await this.findEndpoint(projectId, id)) ? 'disabled' : null;
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

  /** The newest 100 deliveries of the endpoint (of one event, when `eventId` is given), each with its whole attempt log. */
  listDeliveries(endpointId: string, eventId: string | null = null) {
    return this.prisma.webhookDelivery.findMany({
      where: { endpointId, ...(eventId !== null ? { eventId } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 100,
      include: deliveryLog,
    });
  }

  /**
   * Starts a new attempt sequence for a delivery that is no longer pending (delivered or failed):
   * the same row, so the same `webhook-id` and body (Standard Webhooks: the id names the message,
   * and receivers deduplicate on it), due now, with a fresh retry budget. Its attempt log goes on
   * from where it was. A pending delivery is refused: it may be in flight, and it will be tried anyway.
   */
  async redeliver(projectId: string, id: string): Promise<DeliveryWithLog | RedeliverRefusal> {
    return this.prisma.$transaction(async (tx) => {
      const found = await tx.webhookDelivery.findFirst({ where: { id, projectId }, select: { status: true, endpoint: { select: { disabledAt: true } } } });
      if (!found) return 'not_found';
      if (found.endpoint.disabledAt) return 'endpoint_disabled';
      // The status condition makes a concurrent redeliver of the same delivery a no-op rather than a second sequence.
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id, status: { not: 'pending' } },
        data: { status: 'pending', attempts: 0, nextAttemptAt: new Date(), lastError: null, deliveredAt: null },
      });
      if (count === 0) return 'pending';
      return tx.webhookDelivery.findUniqueOrThrow({ where: { id }, include: deliveryLog });
    });
  }

  /**
   * Takes up to `limit` due deliveries by pushing their next attempt `leaseMs` ahead. SKIP LOCKED lets
   * several instances claim at once without sending one delivery twice; a claimer that dies just
   * lets the lease run out, and the delivery is due again.
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    // Run on a timer in every instance: not through Prisma (see Sql).
    return this.sql.query<ClaimedDelivery>(
      `UPDATE webhook_deliveries AS d
       SET next_attempt_at = now() + $1::int * interval '1 millisecond'
       FROM webhook_endpoints AS e
       WHERE e.id = d.endpoint_id
         AND d.id IN (
           SELECT id FROM webhook_deliveries
           WHERE status = 'pending' AND next_attempt_at <= now()
           ORDER BY next_attempt_at
           LIMIT $2::int
           FOR UPDATE SKIP LOCKED
         )
       RETURNING d.id, d.body, d.attempts,
         (SELECT count(*) FROM webhook_attempts AS a WHERE a.delivery_id = d.id)::int AS logged,
         e.url, e.secret,
         CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS "previousSecret"`,
      [leaseMs, limit],
      'webhook_claim_due',
    );
  }

  /**
   * Stores one attempt and the delivery's next state together, so the log and the counter agree.
   * A delivery whose endpoint was disabled while the attempt was in flight stays `failed`, unless
   * this attempt delivered it.
   */
  async recordAttempt(
    delivery: ClaimedDelivery,
    result: AttemptResult,
    next: { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date },
  ): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.webhookAttempt.create({ data: { deliveryId: delivery.id, attempt: delivery.logged + 1, ...result } }),
      this.prisma.webhookDelivery.updateMany({
        where: next.status === 'delivered' ? { id: delivery.id } : { id: delivery.id, status: 'pending' },
        data: {
          attempts: delivery.attempts + 1,
          status: next.status,
          lastError: result.error,
          ...(next.status === 'delivered' ? { deliveredAt: new Date() } : {}),
          ...(next.status === 'pending' ? { nextAttemptAt: next.nextAttemptAt } : {}),
        },
      }),
    ]);
  }

  /** A response's project and status, for the event its end announces; null when it is gone. */
  responseOutcome(responseId: string): Promise<{ projectId: string; status: string } | null> {
    return this.prisma.response.findUnique({ where: { id: responseId }, select: { projectId: true, status: true } });
  }
}
