import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { sendAfterDraining } from './drain-request.js';
import { toApiError } from './to-api-error.js';

/** The one filter: every error leaves the server in the OpenAI envelope with a matching status. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const reply = context.getResponse<FastifyReply>();
    const request = context.getRequest<FastifyRequest>();
    const error = exception instanceof HttpException ? fromHttpException(exception) : toApiError(exception);
    if (error.status >= 500) this.logger.error(`${request.method} ${request.url} (${request.id}): ${describe(exception, error)}`);
    if (reply.sent || reply.raw.headersSent) {
      // A streamed reply already has its status; all that is left is to close it.
      reply.raw.end();
      return;
    }
    for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
    if (error.retryAfterSeconds !== null) void reply.header('retry-after', String(error.retryAfterSeconds));
    if (error.status === 413) {
      // The body was refused before it all arrived: read the rest, so the client reads the answer.
      void reply.header('connection', 'close');
      sendAfterDraining(request.raw, () => void reply.status(413).send(error.toBody()));
      return;
    }
    void reply.status(error.status).send(error.toBody());
  }
}

function fromHttpException(exception: HttpException): ApiError {
  // Fastify's own errors (bad JSON, body too large) arrive wrapped; their code says more than the status.
  if (exception.cause instanceof Error) return toApiError(exception.cause);
  const status = exception.getStatus();
  if (status === 404) return new ApiError(404, `Unknown route.`, 'invalid_request_error', null, 'unknown_url');
  const response = exception.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response ? String((response as { message: unknown }).message) : exception.message;
  return toApiError(Object.assign(new Error(message), { statusCode: status }));
}

/** Known failures (an upstream down) log one line; only unexpected errors are worth a stack. */
function describe(exception: unknown, error: ApiError): string {
  if (exception instanceof ApiError || error.code !== 'server_error') return error.message;
  return exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
}
