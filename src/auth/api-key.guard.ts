import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error.js';
import type { Principal } from '../limits/limits.js';
import { Limits } from '../limits/limits.service.js';
import { AuthService } from './auth.service.js';

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * `Authorization: Bearer <key>` → the key's project, attached to the request; then the request is
 * counted against the project's and the key's requests per minute, whose `x-ratelimit-*` headers
 * the answer carries.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly limits: Limits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) {
      throw ApiError.unauthorized("You didn't provide an API key. Send it in the Authorization header as 'Bearer <key>'.");
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match?.[1] ? await this.auth.principalForKey(match[1]) : null;
    if (!principal) throw ApiError.unauthorized('Incorrect API key provided.');
    request.principal = principal;
    const headers = await this.limits.admitRequest(principal);
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    return true;
  }
}

function principalOf(context: ExecutionContext): Principal {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw ApiError.internal('route is missing ApiKeyGuard');
  return principal;
}

/** The authenticated project's id; only valid on routes behind ApiKeyGuard. */
export const ProjectId = createParamDecorator((_data: unknown, context: ExecutionContext): string => principalOf(context).projectId);

/** Who is asking (key, project, their limits); only valid on routes behind ApiKeyGuard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => principalOf(context));
