import type { CacheSettings } from '../caching/plan-cache.js';
import type { AppliedSettings, ResponseSettings } from '../items/response-object.js';
import type { CreateResponseBody } from '../items/responses.schemas.js';

type PlannedModel = { provider: string; wire: 'openai-responses' | 'chat' | 'anthropic' | 'gemini' };

/** OpenAI's own wires: its Responses API, or its Chat Completions (the `openai` provider on the chat wire, the adapter's `openai` dialect). */
function speaksOpenAI(model: PlannedModel): boolean {
  return model.wire === 'openai-responses' || (model.wire === 'chat' && model.provider === 'openai');
}

/**
 * `service_tier` and `text.verbosity` as they apply on the model's provider, for the echo. OpenAI's
 * wires (the Responses wire, OpenAI's own Chat Completions) take both. Other chat servers take
 * neither: nothing is sent, and the echo is `default` and `medium`. Anthropic and Gemini take a
 * tier in their own terms (their adapters map it) and report the one that served, which the
 * response then shows; neither has a verbosity control.
 */
export function appliedServiceSettings(
  body: Pick<CreateResponseBody, 'service_tier' | 'text'>,
  model: PlannedModel,
): Pick<AppliedSettings, 'serviceTier' | 'verbosity'> {
  const openAI = speaksOpenAI(model);
  return {
    ...(model.wire === 'chat' && !openAI && body.service_tier ? { serviceTier: 'default' } : {}),
    ...(!openAI && body.text?.verbosity ? { verbosity: 'medium' } : {}),
  };
}

/** The served tier the vendor reported, when the echo should change to it. */
export function servedTierChange(asked: string, served: string | null): string | null {
  return served !== null && served !== asked ? served : null;
}

/**
 * The prompt-cache settings as applied, for the echo. OpenAI's wires send `prompt_cache_retention`
 * (the client's, else the cache policy's choice) and pass `prompt_cache_options` through. Anthropic
 * honours `prompt_cache_options.ttl: "30m"` with 1 h breakpoints (its only lifetime above 5 min;
 * see plan-turn.ts). Elsewhere neither applies: null, and no `prompt_cache_options` key.
 */
export function appliedCacheSettings(
  body: Pick<CreateResponseBody, 'prompt_cache_options'>,
  model: PlannedModel,
  request: { promptCacheRetention: ResponseSettings['prompt_cache_retention']; cache?: Pick<CacheSettings, 'minTtl' | 'capabilities'> | undefined },
): Pick<ResponseSettings, 'prompt_cache_retention' | 'prompt_cache_options'> {
  const openAI = speaksOpenAI(model);
  const options = body.prompt_cache_options;
  const echoed = options ? { mode: options.mode ?? 'implicit', ttl: options.ttl ?? '30m' } : null;
  if (openAI) return { prompt_cache_retention: request.promptCacheRetention, prompt_cache_options: model.wire === 'openai-responses' ? echoed : null };
  const capabilities = request.cache?.capabilities;
  const longBreakpoints = request.cache?.minTtl === '1h' && capabilities?.kind === 'breakpoints' && capabilities.ttls.includes('1h');
  return { prompt_cache_retention: null, prompt_cache_options: model.wire === 'anthropic' && longBreakpoints ? echoed : null };
}
