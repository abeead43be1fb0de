import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, CurrentPrincipal, ProjectId } from '../auth/api-key.guard.js';
import { listQuerySchema } from '../common/pagination.js';
import { SseWriter } from '../common/sse.js';
import { parseOrThrow } from '../common/validation.js';
import { retrieveQuerySchema } from '../items/responses.schemas.js';
import type { Principal } from '../limits/limits.js';
import { InFlightWork } from '../persistence/in-flight-work.js';
import { drainTurn, openStream, writeEvents } from '../turns/turn-sinks.js';
import { ResponsesService } from './responses.service.js';

@Controller('v1/responses')
@UseGuards(ApiKeyGuard)
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly inFlight: InFlightWork,
  ) {}

  @Post()
  @HttpCode(200)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.inFlight.track(this.runTurn(principal, body, request, reply));
  }

  private async runTurn(principal: Principal, body: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const projectId = principal.projectId;
    const { run, stream, queued, warnings, headers: limitHeaders } = await this.responses.create(projectId, body, principal);
    const signal = abortWhenClientLeaves(reply);
    for (const [name, value] of Object.entries({ ...warningHeader(warnings), ...limitHeaders })) reply.header(name, value);
    // A hijacked reply writes its own head: it carries what the reply has so far (the guard's rate-limit headers too).
    const headers: Record<string, string> = { ...headersOf(reply), 'x-request-id': request.id };
    if (queued) {
      // The run belongs to no connection: a client that leaves can resume from the event log.
      if (!stream) return void (await reply.send(queued));
      const events = await this.responses.replay(projectId, queued.id, -1, signal);
      reply.hijack();
      return writeEvents(events, new SseWriter(reply.raw), headers);
    }
    if (!run) throw new Error('a foreground response comes with its run');
    if (stream) {
      // Until the model shows output nothing is written, so a failure before it is an HTTP error.
      const events = await openStream(run, run.events(signal));
      reply.hijack();
      await writeEvents(
        events,
        new SseWriter(reply.raw).holdWhile(() => run.yielding),
        headers,
      );
      return;
    }
    const response = await drainTurn(run, signal);
    // Sent even after the client left: a request never answered keeps its connection busy.
    await reply.send(response);
  }

  /** `POST /v1/responses/input_tokens`; the header says who counted (the provider, a tokenizer, or our estimate). */
  @Post('input_tokens')
  @HttpCode(200)
  async countInputTokens(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { count, source } = await this.responses.countInputTokens(principal.projectId, body, abortWhenClientLeaves(reply), principal);
    await reply.header('x-token-count-source', source).send(count);
  }

  /** `POST /v1/responses/compact`: a `CompactResource` whose output works as input to a later create. */
  @Post('compact')
  @HttpCode(200)
  compact(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    return this.inFlight.track(this.runCompaction(principal, body, reply));
  }

  private async runCompaction(principal: Principal, body: unknown, reply: FastifyReply): Promise<void> {
    const { run, id } = await this.responses.compact(principal.projectId, body, principal);
    const response = await drainTurn(run, abortWhenClientLeaves(reply));
    await reply.send({ id, object: 'response.compaction', created_at: response.created_at, output: response.output, usage: response.usage });
  }

  @Get(':id')
  async retrieve(@ProjectId() projectId: string, @Param('id') id: string, @Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { stream, starting_after: startingAfter } = parseOrThrow(retrieveQuerySchema, query);
    if (!stream) return void (await reply.send(await this.responses.retrieve(projectId, id)));
    const events = await this.responses.replay(projectId, id, startingAfter ?? -1, abortWhenClientLeaves(reply));
    reply.hijack();
    await writeEvents(events, new SseWriter(reply.raw), { ...headersOf(reply), 'x-request-id': request.id });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.responses.cancel(projectId, id);
  }

  @Delete(':id')
  @HttpCode(200)
  delete(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.responses.delete(projectId, id);
  }

  @Get(':id/input_items')
  listInputItems(@ProjectId() projectId: string, @Param('id') id: string, @Query() query: unknown) {
    return this.responses.listInputItems(projectId, id, parseOrThrow(listQuerySchema, query));
  }
}

/**
 * Settings the server changed for the model (thinking guards), one line each, ASCII only. A header
 * rather than a body field keeps the Response exactly OpenAI's shape.
 */
function warningHeader(warnings: string[]): Record<string, string> {
  return warnings.length === 0 ? {} : { 'x-warnings': warnings.map((warning) => warning.replace(/[^\x20-\x7e]/g, '?')).join(' | ') };
}

/** The headers set on the reply so far, as strings. */
function headersOf(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return headers;
}

/** Aborts the upstream call (or stops following a log) when the client goes away before the reply is finished. */
function abortWhenClientLeaves(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}
