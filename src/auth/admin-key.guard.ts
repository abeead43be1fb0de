import { timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';

/** `Authorization: Bearer $ADMIN_API_KEY`. Without ADMIN_API_KEY the admin API is closed, not open. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const presented = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (!presented) throw ApiError.unauthorized("You didn't provide an admin API key. Send it in the Authorization header as 'Bearer <key>'.");
    if (!this.config.adminApiKey || !sameSecret(presented, this.config.adminApiKey)) throw ApiError.unauthorized('Incorrect admin API key provided.');
    return true;
  }
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; comparing the key with itself keeps the time independent of where they differ.
  if (a.length === b.length) return timingSafeEqual(a, b);
  timingSafeEqual(b, b);
  return false;
}
