import { readFileSync } from 'node:fs';
import type { OpenAiSpecSubset } from './openapi-types.js';

/**
 * The part of OpenAI's official OpenAPI spec this server implements: its operations and every
 * component they reference, extracted by scripts/extract-openai-spec.mjs into
 * spec/openai-spec.subset.json (data, not code; run the script again for a new spec version).
 * public-document.ts adapts it to this server (paths under /v1, errors, our extensions). Read once,
 * when the OpenAPI module loads; the path is the same from src/ and from dist/.
 */
export const openaiSpec: OpenAiSpecSubset = JSON.parse(readFileSync(new URL('../../spec/openai-spec.subset.json', import.meta.url), 'utf8'));
