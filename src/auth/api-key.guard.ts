import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { AuthService } from './auth.service.js';

type AuthenticatedRequest = FastifyRequest & { projectId?: string };

/** `Authorization: Bearer <key>` → the key's project, attached to the request. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) {
      throw ApiError.unauthorized("You didn't provide an API key. Send it in the Authorization header as 'Bearer <key>'.");
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const projectId = match?.[1] ? await this.auth.projectForKey(match[1]) : null;
    if (!projectId) throw ApiError.unauthorized('Incorrect API key provided.');
    request.projectId = projectId;
    return true;
  }
}

/** The authenticated project's id; only valid on routes behind ApiKeyGuard. */
export const ProjectId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const projectId = context.switchToHttp().getRequest<AuthenticatedRequest>().projectId;
  if (!projectId) throw ApiError.internal('route is missing ApiKeyGuard');
  return projectId;
});
