// The policies a request, a conversation or the server's configuration may set, declared once:
// the public schemas (responses.schemas.ts, conversations.schemas.ts), the environment (env.schema.ts)
// and the planners all take their values from here.

/**
 * Prompt caching (`cache_policy`, `CACHE_POLICY`): `off` sends no cache hints; `auto` plans
 * breakpoints and keys; `aggressive` also keeps the stable prefix for an hour and prefers the long
 * TTL when gaps are uncertain.
 */
export const cacheModes = ['off', 'auto', 'aggressive'] as const;
export type CacheMode = (typeof cacheModes)[number];

/**
 * Which stored reasoning goes back to the model (`reasoning_policy`, `REASONING_POLICY`):
 * - `preserve`: every reasoning item of every turn, verbatim;
 * - `tool_turns`: the current turn's, and those of earlier steps that called tools;
 * - `current_turn`: only what came after the latest user message (the tool loop in progress);
 * - `clear`: none;
 * - `auto`: what the target provider recommends (see `AUTO` in reasoning/plan-reasoning-replay.ts).
 * A provider's legal minimum is never undercut: a policy below it is raised, with a warning.
 */
export const reasoningPolicies = ['auto', 'preserve', 'tool_turns', 'current_turn', 'clear'] as const;
export type ReasoningPolicy = (typeof reasoningPolicies)[number];

/** `truncation`: `auto` drops the oldest history that does not fit the window; `disabled` sends it all, or fails. */
export const truncationModes = ['auto', 'disabled'] as const;
export type TruncationMode = (typeof truncationModes)[number];

/** `unsupported_tools`: refuse a tool the provider cannot run, or leave it out (see planning/plan-tools.ts). */
export const unsupportedToolsModes = ['error', 'drop'] as const;
export type UnsupportedToolsMode = (typeof unsupportedToolsModes)[number];
