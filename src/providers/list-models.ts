import { z } from 'zod';
import { type CallProvider, callSettings, type UpstreamCallOptions } from './call-provider.js';
import { requestProviderJson } from './request-provider-json.js';

/** A model a provider says it serves, as its own model list names it. */
export interface UpstreamModel {
  /** The name the provider takes in a request (`gpt-5`, `claude-sonnet-4-5-20250929`, `gemini-2.5-flash`). */
  id: string;
  /** Unix seconds, when the provider says. */
  created: number | null;
  ownedBy: string | null;
}

/**
 * OpenAI's `GET /v1/models`, which OpenAI-compatible servers (vLLM, DeepSeek, OpenRouter, …) answer too.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
export const openAIModelListSchema = z.object({
  data: z.array(z.looseObject({ id: z.string(), created: z.number().nullish(), owned_by: z.string().nullish() })),
});

export function fromOpenAIModelList(list: z.infer<typeof openAIModelListSchema>): UpstreamModel[] {
  return list.data.map((model) => ({ id: model.id, created: model.created ?? null, ownedBy: model.owned_by ?? null }));
}

/**
 * Anthropic's `GET /v1/models` (newest first, paged; one page of up to 1,000 is asked for).
 * @see https://platform.claude.com/docs/en/api/models/list
 */
export const anthropicModelListSchema = z.object({
  data: z.array(z.looseObject({ id: z.string(), created_at: z.string().nullish() })),
});

export function fromAnthropicModelList(list: z.infer<typeof anthropicModelListSchema>): UpstreamModel[] {
  return list.data.map((model) => ({ id: model.id, created: unixSeconds(model.created_at ?? null), ownedBy: 'anthropic' }));
}

/**
 * Gemini's `GET /v1beta/models`: only models that generate content are models to talk to (embedding
 * and other models are left out); their names drop the `models/` prefix.
 * @see https://ai.google.dev/api/models#method:-models.list
 */
export const geminiModelListSchema = z.object({
  models: z.array(z.looseObject({ name: z.string(), supportedGenerationMethods: z.array(z.string()).nullish() })).nullish(),
});

export function fromGeminiModelList(list: z.infer<typeof geminiModelListSchema>): UpstreamModel[] {
  return (list.models ?? [])
    .filter((model) => model.supportedGenerationMethods?.includes('generateContent') ?? true)
    .map((model) => ({ id: model.name.replace(/^models\//, ''), created: null, ownedBy: 'google' }));
}

function unixSeconds(iso: string | null): number | null {
  if (iso === null) return null;
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? null : Math.floor(millis / 1000);
}

/** `GET {baseUrl}/models`, as OpenAI and the servers that copy its API answer it; `options` are the adapter's own. */
export async function listOpenAIModels(
  callProvider: CallProvider,
  options: UpstreamCallOptions & { provider: string; baseUrl: string; apiKey: string | null },
  signal: AbortSignal,
): Promise<UpstreamModel[]> {
  const list = await requestProviderJson({
    callProvider,
    call: {
      provider: options.provider,
      url: `${options.baseUrl.replace(/\/+$/, '')}/models`,
      method: 'GET',
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      body: undefined,
      signal,
      ...callSettings(options, { wholeAnswer: false }),
    },
    schema: openAIModelListSchema,
  });
  return fromOpenAIModelList(list);
}
