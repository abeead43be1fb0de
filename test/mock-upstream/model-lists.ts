// Each vendor's model list, in its own shape: OpenAI's `GET /v1/models` (which OpenAI-compatible
// servers answer too), Anthropic's `GET /v1/models` (same path; told apart by its `anthropic-version`
// header) and Gemini's `GET /v1beta/models`, where only some models generate content.

import { anthropicError } from './anthropic-messages-shapes.js';
import { googleError } from './gemini-shapes.js';
import type { Route, RouteContext } from './mock-upstream.js';
import { openAiError, sendJson } from './wire.js';

/** What each vendor lists (a few models of each, with the fields the vendors send). */
export const listedModels = {
  openai: ['gpt-5', 'gpt-5-mini', 'gpt-4o-mini'],
  anthropic: ['claude-opus-4-7', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro-preview'],
  /** Listed by Gemini, but an embedding model: not one to talk to. */
  geminiEmbedding: 'text-embedding-004',
};

export const modelListRoutes: Route[] = [
  { method: 'GET', matches: (path) => path === '/v1/models', handle: listOpenAIOrAnthropic },
  { method: 'GET', matches: (path) => path === '/v1beta/models', handle: listGemini },
];

/** @see https://platform.openai.com/docs/api-reference/models/list @see https://platform.claude.com/docs/en/api/models/list */
async function listOpenAIOrAnthropic(context: RouteContext): Promise<void> {
  const { headers } = context.record;
  if (headers['anthropic-version'] !== undefined) {
    if (context.requireAuthorization && typeof headers['x-api-key'] !== 'string') {
      sendJson(context.response, 401, anthropicError('authentication_error', 'x-api-key header is required'));
      return;
    }
    const data = listedModels.anthropic.map((id, index) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: new Date(Date.UTC(2025, 9, 1 + index)).toISOString(),
    }));
    sendJson(context.response, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    return;
  }
  const authorization = headers['authorization'];
  if (context.requireAuthorization && !(typeof authorization === 'string' && /^Bearer \S/.test(authorization))) {
    sendJson(context.response, 401, openAiError("You didn't provide an API key.", 'invalid_request_error', 'missing_api_key'));
    return;
  }
  const data = listedModels.openai.map((id) => ({ id, object: 'model', created: 1_754_000_000, owned_by: 'system' }));
  sendJson(context.response, 200, { object: 'list', data });
}

/** @see https://ai.google.dev/api/models#method:-models.list */
async function listGemini(context: RouteContext): Promise<void> {
  if (context.requireAuthorization && typeof context.record.headers['x-goog-api-key'] !== 'string') {
    sendJson(context.response, 403, googleError(403));
    return;
  }
  const generating = listedModels.gemini.map((id) => ({
    name: `models/${id}`,
    displayName: id,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent'],
  }));
  const embedding = { name: `models/${listedModels.geminiEmbedding}`, displayName: 'Text Embedding 004', supportedGenerationMethods: ['embedContent'] };
  sendJson(context.response, 200, { models: [...generating, embedding] });
}
