import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { newId } from '../common/ids.js';
import { type ListQuery, type ListPage, toListPage } from '../common/pagination.js';
import { parseOrThrow } from '../common/validation.js';
import { type ThreadPosition, ThreadStore } from '../history/thread-store.js';
import { type Item, type PublicItem, toPublicItem } from '../items/item.schemas.js';
import { toPublicUsage } from '../items/usage.js';
import type { ModelRequest, TextFormat } from '../providers/model-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.js';
import { checkToolOutputs } from '../turns/check-tool-outputs.js';
import { flattenItemToolNames, planTools } from '../turns/flatten-tools.js';
import { type Turn, type TurnOutcome, TurnRun } from '../turns/turn-runner.js';
import { type PublicResponse, type ResponseRecord, toPublicResponse, toResponseSettings } from './response-object.js';
import { type CreateResponseBody, createResponseSchema, type RetrieveQuery } from './responses.schemas.js';
import { ResponsesRepository, type StoredResponse } from './responses.repository.js';
import { toCanonicalInput, UnknownItemReferenceError } from './to-canonical-input.js';

export interface PreparedResponse {
  run: TurnRun<PublicResponse>;
  stream: boolean;
}

/** The use cases of /v1/responses: create (every create runs as a stream), retrieve, delete, list input. */
@Injectable()
export class ResponsesService {
  private readonly logger = new Logger('ResponsesService');

  constructor(
    private readonly repository: ResponsesRepository,
    private readonly threads: ThreadStore,
    private readonly providers: ProviderRegistry,
  ) {}

  /** Validates, loads history and records the response as in progress; the caller picks the sink. */
  async create(projectId: string, rawBody: unknown): Promise<PreparedResponse> {
    const body = parseOrThrow(createResponseSchema, rawBody ?? {});
    rejectUnsupported(body);
    const model = this.providers.resolve(body.model);
    const settings = toResponseSettings(body);
    const previous = body.previous_response_id ? await this.findPrevious(projectId, body.previous_response_id) : null;
    const history = previous ? await this.threads.loadHistory(projectId, previous) : [];
    const input = await this.canonicalInput(projectId, body);
    if (history.length === 0 && input.length === 0) throw ApiError.invalidRequest("Missing required parameter: 'input'.", 'input');
    checkToolOutputs(history, input);

    const tools = planTools(body.tools, body.tool_choice);
    const request: ModelRequest = {
      model: model.upstreamModel,
      instructions: settings.instructions,
      items: flattenItemToolNames([...history, ...input]),
      tools: tools.tools,
      toolChoice: tools.toolChoice,
      parallelToolCalls: body.parallel_tool_calls ?? null,
      maxOutputTokens: settings.max_output_tokens,
      temperature: settings.temperature,
      topP: settings.top_p,
      textFormat: (body.text?.format ?? { type: 'text' }) as TextFormat,
      reasoning: body.reasoning ? { effort: body.reasoning.effort ?? null, summary: settings.reasoning.summary } : null,
      promptCacheKey: settings.prompt_cache_key,
      safetyIdentifier: settings.safety_identifier,
    };
    const record: ResponseRecord = {
      id: newId('resp'),
      status: 'in_progress',
      model: body.model,
      previousResponseId: body.previous_response_id ?? null,
      settings,
      metadata: body.metadata ?? {},
      usage: null,
      error: null,
      incompleteDetails: null,
      background: false,
      createdAt: new Date(),
      completedAt: null,
    };
    if (settings.store) await this.repository.createInProgress(projectId, record);

    const turn: Turn<PublicResponse> = {
      adapter: model.adapter,
      request,
      resolveToolName: tools.resolveToolName,
      renderInProgress: (output) => toPublicResponse(record, output.map(toPublicItem)),
      commit: (outcome) => this.commit(projectId, record, previous, input, outcome),
    };
    return { run: new TurnRun(turn), stream: body.stream === true };
  }

  async retrieve(projectId: string, id: string, query: RetrieveQuery = {}): Promise<PublicResponse> {
    const response = await this.findOrThrow(projectId, id);
    // Only background runs keep an event log to replay; until they exist no response can be streamed again.
    if (query.stream) {
      throw ApiError.invalidRequest('This response was not created with background=true and stream=true, so it cannot be streamed.', 'stream');
    }
    return toPublicResponse(response, await this.repository.findOutput(response.id));
  }

  /** Only background responses can be cancelled; a synchronous one is cancelled by closing the connection. */
  async cancel(projectId: string, id: string): Promise<never> {
    await this.findOrThrow(projectId, id);
    throw ApiError.invalidRequest('Cannot cancel a synchronous response.', 'response_id');
  }

  async delete(projectId: string, id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
    if (!(await this.repository.softDelete(projectId, id))) throw ApiError.notFound('Response', id, 'response_id');
    return { id, object: 'response', deleted: true };
  }

  async listInputItems(projectId: string, id: string, query: ListQuery): Promise<ListPage<PublicItem>> {
    const response = await this.findOrThrow(projectId, id);
    let afterSeq: number | null = null;
    if (query.after !== undefined) {
      afterSeq = await this.repository.findInputSeq(response.id, query.after);
      if (afterSeq === null) throw ApiError.invalidValue(`No input item with id '${query.after}' in response '${id}'.`, 'after');
    }
    const rows = await this.repository.listInput(response.id, { limit: query.limit, order: query.order, afterSeq });
    return toListPage(rows, query.limit);
  }

  private async commit(projectId: string, record: ResponseRecord, previous: ThreadPosition | null, input: Item[], outcome: TurnOutcome): Promise<PublicResponse> {
    record.status = outcome.status;
    record.usage = outcome.usage ? toPublicUsage(outcome.usage) : null;
    record.error = outcome.error;
    record.incompleteDetails = outcome.incompleteDetails;
    record.completedAt = new Date();
    if (outcome.status === 'failed') this.logger.warn(`response ${record.id} failed: ${outcome.error?.message}`);
    if (record.settings.store) {
      await this.repository.commitTurn(projectId, record.id, previous, input, outcome.output, {
        status: record.status,
        usage: record.usage,
        error: record.error,
        incompleteDetails: record.incompleteDetails,
        completedAt: record.completedAt,
      });
    }
    return toPublicResponse(record, outcome.output.map(toPublicItem));
  }

  private async findPrevious(projectId: string, id: string): Promise<ThreadPosition> {
    const previous = await this.repository.find(projectId, id);
    if (!previous) {
      throw ApiError.invalidRequest(`Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found');
    }
    if (!previous.position) {
      throw ApiError.invalidRequest(`Previous response with id '${id}' is still in progress.`, 'previous_response_id', 'previous_response_in_progress');
    }
    return previous.position;
  }

  private async findOrThrow(projectId: string, id: string): Promise<StoredResponse> {
    const response = await this.repository.find(projectId, id);
    if (!response) throw ApiError.notFound('Response', id, 'response_id');
    return response;
  }

  private async canonicalInput(projectId: string, body: CreateResponseBody): Promise<Item[]> {
    try {
      return await toCanonicalInput(body.input, (itemId) => this.threads.findItem(projectId, itemId));
    } catch (error) {
      if (error instanceof UnknownItemReferenceError) throw ApiError.invalidValue(error.message, `input[${error.index}].id`);
      throw error;
    }
  }
}

/** Parameters whose feature is not built yet: refused clearly rather than silently ignored. */
function rejectUnsupported(body: CreateResponseBody): void {
  if (body.conversation != null && body.previous_response_id != null) {
    throw ApiError.invalidRequest("Mutually exclusive parameters: 'previous_response_id' and 'conversation'.", 'previous_response_id');
  }
  if (body.conversation != null) throw ApiError.invalidRequest('The conversation parameter is not supported by this server yet.', 'conversation');
  if (body.background === true) throw ApiError.invalidRequest('Background responses are not supported by this server yet.', 'background');
  if (body.prompt != null) throw ApiError.invalidRequest('Hosted prompt templates are not supported by this server.', 'prompt');
}
