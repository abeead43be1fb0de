import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, ProjectId } from '../auth/api-key.guard.js';
import { listQuerySchema } from '../common/pagination.js';
import { SseWriter } from '../common/sse.js';
import { parseOrThrow } from '../common/validation.js';
import { retrieveQuerySchema } from '../items/responses.schemas.js';
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
  create(@ProjectId() projectId: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.inFlight.track(this.runTurn(projectId, body, request, reply));
  }

  private async runTurn(projectId: string, body: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { run, stream, queued, warnings } = await this.responses.create(projectId, body);
    const signal = abortWhenClientLeaves(reply);
    const warned = warningHeader(warnings);
    const headers: Record<string, string> = { 'x-request-id': request.id, ...warned };
    for (const [name, value] of Object.entries(warned)) reply.header(name, value);
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
  async countInputTokens(@ProjectId() projectId: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { count, source } = await this.responses.countInputTokens(projectId, body, abortWhenClientLeaves(reply));
    await reply.header('x-token-count-source', source).send(count);
  }

  /** `POST /v1/responses/compact`: a `CompactResource` whose output works as input to a later create. */
  @Post('compact')
  @HttpCode(200)
  compact(@ProjectId() projectId: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    return this.inFlight.track(this.runCompaction(projectId, body, reply));
  }

  private async runCompaction(projectId: string, body: unknown, reply: FastifyReply): Promise<void> {
    const { run, id } = await this.responses.compact(projectId, body);
    const response = await drainTurn(run, abortWhenClientLeaves(reply));
    await reply.send({ id, object: 'response.compaction', created_at: response.created_at, output: response.output, usage: response.usage });
  }

  @Get(':id')
  async retrieve(@ProjectId() projectId: string, @Param('id') id: string, @Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { stream, starting_after: startingAfter } = parseOrThrow(retrieveQuerySchema, query);
    if (!stream) return void (await reply.send(await this.responses.retrieve(projectId, id)));
    const events = await this.responses.replay(projectId, id, startingAfter ?? -1, abortWhenClientLeaves(reply));
    reply.hijack();
    await writeEvents(events, new SseWriter(reply.raw), { 'x-request-id': request.id });
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

/** Aborts the upstream call (or stops following a log) when the client goes away before the reply is finished. */
function abortWhenClientLeaves(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}
