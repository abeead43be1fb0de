import 'reflect-metadata';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import multipart from '@fastify/multipart';
import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module.js';
import { ApiErrorFilter } from './common/api-error.filter.js';
import { ApiError } from './common/api-error.js';
import { newId } from './common/ids.js';
import { toApiError } from './common/to-api-error.js';
import { describeUnsafeInput, findUnsafeInput } from './common/unsafe-input.js';
import type { AppConfig } from './config/env.schema.js';

const logLevels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the Nest app on Fastify; main.ts and the e2e tests both start the server through this. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    // Errors Fastify meets before routing (a URL that does not decode) get OpenAI's error body too.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      const apiError = toApiError(error);
      void reply.code(apiError.status).send(apiError.toBody());
    },
    // And so do requests Node's parser refuses before Fastify sees them (headers too large, malformed HTTP).
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: logLevels.slice(0, logLevels.indexOf(config.logLevel) + 1),
  });
  // Uploads to /v1/files: one file, read by the route itself (request.parts()).
  await app.register(multipart, { limits: { fileSize: config.maxFileBytes, files: 1, fields: 10, fieldSize: 1024 } });
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();
  closeConnectionsAsTheyFreeUp(app);
  // The SDK reports this id on every error (error.requestID); it is also in our logs.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.header('x-request-id', request.id);
      done();
    })
    // Every value a request carries is inspected once, before anything reads it (see findUnsafeInput).
    .addHook('preValidation', (request, reply, done) => {
      const unsafe = findUnsafeInput(request.params, '') ?? findUnsafeInput(request.query, '') ?? findUnsafeInput(request.body, '');
      if (!unsafe) return done();
      void reply.code(400).send(ApiError.invalidValue(describeUnsafeInput(unsafe), unsafe.param).toBody());
    });
  return app;
}

/** Node's parser codes that have a status of their own; any other malformed request is a 400. */
const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset or half-closed connection has no one to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = (error.code && CLIENT_ERROR_STATUS[error.code]) || 400;
  const message =
    status === 431 ? 'Request headers are too large.' : status === 408 ? 'The request took too long to arrive.' : 'The request is not valid HTTP.';
  const body = JSON.stringify(new ApiError(status, message, 'invalid_request_error', null, status === 431 ? 'headers_too_large' : 'invalid_request').toBody());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * On close, Node closes only the connections idle at that moment, and does not count a connection
 * that has not sent a request yet as idle; either kind then lingers until a timeout (about 70 s).
 * Keep closing every connection without a request in flight until the server is closed, so shutdown
 * takes as long as the slowest request, not the timeout.
 */
function closeConnectionsAsTheyFreeUp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const sockets = new Set<Socket>();
  fastify.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const closeFree = () => {
    for (const socket of sockets) if (!(socket as Socket & { _httpMessage?: unknown })._httpMessage) socket.destroy();
  };
  fastify.addHook('preClose', (done) => {
    closeFree();
    const timer = setInterval(closeFree, 50);
    timer.unref();
    fastify.server.once('close', () => clearInterval(timer));
    done();
  });
}
