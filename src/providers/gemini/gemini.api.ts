import { z } from 'zod';

/**
 * Gemini API (generativelanguage v1beta) wire format. Field names are the REST API's camelCase JSON
 * names. Incoming shapes are lenient zod schemas that only name the fields we read, all `.nullish()`;
 * unknown fields (safetyRatings, citationMetadata, token details per modality) are stripped.
 * Outgoing shapes are plain types.
 * @see https://ai.google.dev/api/generate-content
 */

// ---- outgoing ---------------------------------------------------------------------------------

/** A text part; `thought` marks a thought summary the model wrote, replayed with its signature. */
export interface GeminiTextPart {
  text: string;
  thought?: true;
  thoughtSignature?: string;
}

export interface GeminiInlineDataPart {
  inlineData: { mimeType: string; data: string };
}

export interface GeminiFileDataPart {
  fileData: { mimeType: string; fileUri: string };
}

/** `thoughtSignature` sits on the part, beside `functionCall`, exactly where the model returned it. */
export interface GeminiFunctionCallPart {
  functionCall: { name: string; args: Record<string, unknown> };
  thoughtSignature?: string;
}

export interface GeminiFunctionResponsePart {
  functionResponse: { name: string; response: Record<string, unknown> };
}

export type GeminiPart = GeminiTextPart | GeminiInlineDataPart | GeminiFileDataPart | GeminiFunctionCallPart | GeminiFunctionResponsePart;

/** @see https://ai.google.dev/api/caching#Content */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiSystemInstruction {
  parts: GeminiTextPart[];
}

/** @see https://ai.google.dev/api/caching#FunctionDeclaration */
export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** Full JSON Schema, mutually exclusive with the OpenAPI-subset `parameters`. */
  parametersJsonSchema?: Record<string, unknown>;
}

/** Function declarations, or Google Search grounding (`googleSearch: {}`), each as a Tool of its own. */
export type GeminiTool = { functionDeclarations: GeminiFunctionDeclaration[] } | { googleSearch: Record<string, never> };

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

/** @see https://ai.google.dev/api/caching#ToolConfig */
export interface GeminiToolConfig {
  functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
}

/** @see https://ai.google.dev/api/generate-content#generationconfig */
export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  responseMimeType?: 'application/json';
  /** Full JSON Schema, mutually exclusive with the OpenAPI-subset `responseSchema`. */
  responseJsonSchema?: Record<string, unknown>;
  /** Return the chosen tokens' log probabilities (`logprobsResult` on each candidate). */
  responseLogprobs?: boolean;
  /** Alternatives per token, in [0, 20]; only with `responseLogprobs`. */
  logprobs?: number;
  /** Budget (2.5) or level (3+), never both. @see https://ai.google.dev/gemini-api/docs/thinking */
  thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: 'MINIMAL' | 'LOW' | 'MEDIUM' | 'HIGH'; includeThoughts?: boolean };
}

/** @see https://ai.google.dev/api/generate-content#request-body */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: GeminiSystemInstruction;
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  /** `cachedContents/{id}`: the cache holds the system instruction, tools and leading contents, which the request then must not repeat. */
  cachedContent?: string;
  /**
   * Standard (the default), Flex (cheaper, sheddable) or Priority inference; the tier that served the
   * request comes back in the `x-gemini-service-tier` header.
   * @see https://ai.google.dev/gemini-api/docs/priority-inference
   */
  serviceTier?: 'standard' | 'flex' | 'priority';
}

/** @see https://ai.google.dev/api/caching#request-body */
export interface GeminiCreateCachedContentBody {
  model: string;
  contents: GeminiContent[];
  systemInstruction?: GeminiSystemInstruction;
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  /** A duration, e.g. `600s`. */
  ttl: string;
}

/** @see https://ai.google.dev/api/caching#CachedContent */
export const geminiCachedContentSchema = z.looseObject({
  name: z.string(),
  expireTime: z.string().nullish(),
  usageMetadata: z.object({ totalTokenCount: z.number() }).nullish(),
});

// ---- incoming ---------------------------------------------------------------------------------

/**
 * A token and its log probability. Proto3 JSON leaves out zero values, so an empty token or a
 * log probability of 0 (certainty) may be absent.
 * @see https://ai.google.dev/api/generate-content#LogprobsResult
 */
const geminiLogprobsCandidateSchema = z.object({
  token: z.string().nullish(),
  tokenId: z.number().nullish(),
  logProbability: z.number().nullish(),
});

/**
 * The log probabilities of a candidate's tokens (of this chunk's tokens, when streamed): the chosen
 * token at each decoding step, and the top candidates at the same step.
 * @see https://ai.google.dev/api/generate-content#LogprobsResult
 */
export const geminiLogprobsResultSchema = z.object({
  chosenCandidates: z.array(geminiLogprobsCandidateSchema).nullish(),
  topCandidates: z.array(z.object({ candidates: z.array(geminiLogprobsCandidateSchema).nullish() })).nullish(),
});
export type GeminiLogprobsResult = z.infer<typeof geminiLogprobsResultSchema>;

/** Only the part kinds we ask for; inline data and code execution parts are stripped to `{}`. */
const geminiResponsePartSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .object({
      name: z.string(),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});
export type GeminiResponsePart = z.infer<typeof geminiResponsePartSchema>;

/**
 * `promptTokenCount` includes `cachedContentTokenCount`; `candidatesTokenCount` excludes
 * `thoughtsTokenCount`.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export const geminiUsageMetadataSchema = z.object({
  promptTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
});
export type GeminiUsageMetadata = z.infer<typeof geminiUsageMetadataSchema>;

/**
 * A google.rpc.Status as the REST API renders it: numeric HTTP-like `code`, canonical `status` name.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export const geminiErrorSchema = z.object({
  code: z.number().nullish(),
  message: z.string().nullish(),
  status: z.string().nullish(),
});
export type GeminiError = z.infer<typeof geminiErrorSchema>;

/**
 * One GenerateContentResponse: a whole answer from `generateContent`, or one partial answer per SSE
 * event of `streamGenerateContent?alt=sse`. A failure after the stream started arrives as an event
 * with `error` instead.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export const geminiResponseSchema = z.object({
  candidates: z
    .array(
      z.object({
        index: z.number().nullish(),
        content: z.object({ role: z.string().nullish(), parts: z.array(geminiResponsePartSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
        /** Why Gemini stopped, in words (set with safety and other filter stops). */
        finishMessage: z.string().nullish(),
        /** With `responseLogprobs`. */
        logprobsResult: geminiLogprobsResultSchema.nullish(),
        /**
         * What Google Search grounding found: the queries, the pages (`groundingChunks`), and which
         * stretch of the answer each supports (byte offsets into the answer's text).
         * @see https://ai.google.dev/gemini-api/docs/google-search#understanding-the-grounding-response
         */
        groundingMetadata: z
          .object({
            webSearchQueries: z.array(z.string()).nullish(),
            groundingChunks: z.array(z.object({ web: z.object({ uri: z.string().nullish(), title: z.string().nullish() }).nullish() })).nullish(),
            groundingSupports: z
              .array(
                z.object({
                  segment: z.object({ startIndex: z.number().nullish(), endIndex: z.number().nullish(), text: z.string().nullish() }).nullish(),
                  groundingChunkIndices: z.array(z.number()).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish(), blockReasonMessage: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageMetadataSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
  error: geminiErrorSchema.nullish(),
});
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;
