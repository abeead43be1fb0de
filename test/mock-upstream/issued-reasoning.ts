// What the mock handed out that only the vendor can verify: Anthropic thinking signatures and
// redacted data, OpenAI encrypted reasoning, Gemini thought signatures. A vendor decrypts these to
// check what a client sends back; the mock remembers what it issued instead, so it can tell
// reasoning replayed verbatim from reasoning that was altered, dropped or never issued by it.
//
// One ledger per server. What proves an artifact genuine (signatures with their texts, redacted
// data, encrypted content) survives reset(): tests also reset mid-conversation to clear the recorded
// requests, and what was issued before must still replay. Ids restart with the sequence after a
// reset, so a signature may be issued again for other text; the ledger keeps every text it was
// issued with. What makes a check stricter than "is it genuine" (which calls must come back signed,
// which answers opened with thinking) is forgotten by reset(), so a test never inherits another
// test's requirements through a call or id that happens to repeat.
//
// OpenAI compaction items are not in this ledger: their `encrypted_content` is signed with a
// per-process secret (openai-compaction.ts), which no reset() and no server forgets, so the mock
// verifies them without remembering each one.

/** Anthropic's side of the ledger. */
export interface IssuedAnthropicThinking {
  /** A thinking block's `signature` → every thinking text it was issued with. */
  readonly signatures: Map<string, Set<string>>;
  /** Every `redacted_thinking.data` issued. */
  readonly redacted: Set<string>;
  /** `tool_use` ids of answers that opened with a thinking block (so dropping it can be told); reset() forgets them. */
  readonly openedWithThinking: Set<string>;
}

/** Gemini's side of the ledger. */
export interface IssuedGeminiSignatures {
  /** `callKey(name, args)` → every signature issued on that call (`''`: issued unsigned); reset() forgets them. */
  readonly byCall: Map<string, Set<string>>;
  /** Every signature issued, on any part. */
  readonly all: Set<string>;
}

export interface IssuedReasoning {
  anthropic: IssuedAnthropicThinking;
  /** OpenAI Responses: `encrypted_content` → the id of the reasoning item it was issued on. */
  openaiEncrypted: Map<string, string>;
  gemini: IssuedGeminiSignatures;
}

export function newIssuedReasoning(): IssuedReasoning {
  return {
    anthropic: { signatures: new Map(), redacted: new Set(), openedWithThinking: new Set() },
    openaiEncrypted: new Map(),
    gemini: { byCall: new Map(), all: new Set() },
  };
}

/** What reset() does to the ledger: forgets what made checks stricter, keeps what proves artifacts genuine. */
export function forgetRequirements(issued: IssuedReasoning): void {
  issued.anthropic.openedWithThinking.clear();
  issued.gemini.byCall.clear();
}

/** Adds `value` to the set kept under `key`. */
export function remember<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const values = map.get(key) ?? new Set<V>();
  values.add(value);
  map.set(key, values);
}
