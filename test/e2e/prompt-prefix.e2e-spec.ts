// Byte-stable prefixes (issue #6): the serialized prefix of turn N+1 starts with exactly the bytes of
// turn N, for every provider, whether the history comes from a previous_response_id chain or a
// conversation. Provider prompt caches only hit on identical prefix bytes, so these tests compare the
// raw request bodies the mock upstream received, never a JSON.parse round trip (which would hide
// reordered keys and reformatted numbers).
import type OpenAI from 'openai';
import { type Harness, startHarness } from './harness.js';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

// ---------------------------------------------------------------------------------------------------
// Raw JSON reading: top-level fields of a request body as the exact text that was sent.

/** Index just past the JSON value starting at `start` (strings, objects, arrays, literals). */
function skipValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') {
    let index = start + 1;
    while (text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    return index + 1;
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    let index = start;
    do {
      const char = text[index];
      if (char === '"') {
        index = skipValue(text, index);
        continue;
      }
      if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') depth--;
      index++;
    } while (depth > 0);
    return index;
  }
  let index = start;
  while (index < text.length && !',}] \t\r\n'.includes(text[index]!)) index++;
  return index;
}

function skipSpace(text: string, index: number): number {
  while (' \t\r\n'.includes(text[index] ?? '')) index++;
  return index;
}

/** The top-level fields of a JSON object text, in the order sent, each value as its raw text. */
function rawFields(text: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  let index = skipSpace(text, 0);
  if (text[index] !== '{') throw new Error(`not a JSON object: ${text.slice(0, 80)}`);
  index = skipSpace(text, index + 1);
  while (text[index] !== '}') {
    const keyEnd = skipValue(text, index);
    const key = JSON.parse(text.slice(index, keyEnd)) as string;
    index = skipSpace(text, keyEnd);
    if (text[index] !== ':') throw new Error(`expected ':' at ${index}`);
    const valueStart = skipSpace(text, index + 1);
    const valueEnd = skipValue(text, valueStart);
    fields.push([key, text.slice(valueStart, valueEnd)]);
    index = skipSpace(text, valueEnd);
    if (text[index] === ',') index = skipSpace(text, index + 1);
  }
  return fields;
}

/**
 * Removes Anthropic `cache_control` markers from raw JSON text. The planner moves the newest-block
 * marker every turn, which is allowed (markers are not part of the cached bytes). A marker value has
 * no nested object, and `,"cache_control"` cannot occur inside a JSON string (a quote in a string is
 * always escaped), so this touches nothing else.
 */
function stripCacheControl(text: string): string {
  return text.replace(/,"cache_control":\{[^{}]*\}/g, '').replace(/"cache_control":\{[^{}]*\},?/g, '');
}

/** Throws with the bytes around the first difference when `text` does not start with `prefix`. */
function expectStartsWith(text: string, prefix: string, label: string): void {
  if (text.startsWith(prefix)) return;
  let at = 0;
  while (at < prefix.length && text[at] === prefix[at]) at++;
  const around = (value: string) => JSON.stringify(value.slice(Math.max(0, at - 80), at + 80));
  throw new Error(`${label}: prefix differs at byte ${at}\n  turn N:   ${around(prefix)}\n  turn N+1: ${around(text)}`);
}

function expectSameBytes(after: string | undefined, before: string | undefined, label: string): void {
  if (after === before) return;
  expectStartsWith(after ?? '<absent>', before ?? '<absent>', label);
  throw new Error(`${label}: turn N+1 is longer than turn N (${String(before?.length)} → ${String(after?.length)} bytes)`);
}

// ---------------------------------------------------------------------------------------------------
// The thread every provider runs.

/** Instructions long enough for Anthropic to place cache breakpoints, with characters JSON escapes. */
const instructions = [
  'You are a "careful" travel planner.\n\tRules:\n',
  'Use tools; keep prices in €, write café and naïve correctly, never guess 日本語 names. ',
  'Follow the house rules closely; quote JSON like {"b":2,"a":1} verbatim. '.repeat(90),
].join('');

/** Nested JSON-schema parameters whose keys are deliberately not in sorted order. */
const tools: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'plan_day',
    description: 'Plans a day; arguments are free-form.',
    strict: false,
    parameters: {
      type: 'object',
      properties: {
        zeta: { type: 'string', enum: ['z', 'a', 'm'], description: 'Last letter first.' },
        alpha: {
          type: 'object',
          properties: {
            when: { type: 'string', format: 'date-time' },
            budget: { type: 'number', minimum: 0, maximum: 1e6, multipleOf: 0.5 },
            tags: { type: 'array', items: { type: 'string', maxLength: 20 }, minItems: 1 },
          },
          required: ['when', 'budget'],
          additionalProperties: false,
        },
        mode: {
          anyOf: [
            { type: 'string', const: 'walk' },
            { type: 'object', properties: { vehicle: { type: 'string' } } },
          ],
        },
      },
      required: ['zeta', 'alpha'],
      additionalProperties: false,
    },
  },
  {
    type: 'function',
    name: 'book',
    description: 'Books what was planned.',
    strict: false,
    parameters: { type: 'object', properties: { what: { type: 'string' }, at: { type: 'string' } }, required: ['what'] },
  },
];

/**
 * Arguments a model might produce: integer-like keys out of order (JavaScript objects put them first,
 * ascending), string keys out of sorted order, and numbers that JSON.parse/stringify would reformat.
 */
const ARGS_1 = '{"2":"b","1":"a","zeta":"z","alpha":{"when":"2025-06-01T09:00:00Z","budget":1.50},"x":1.50,"y":1e3}';
const ARGS_2 = '{"what":"dinner","at":"20:00","10":true,"9":null,"n":-0.0,"big":12345678901234567890}';
/** Tool outputs with the same hazards: the client's bytes, which the server must keep as sent. */
const OUTPUT_1 = '{"10":"ten","9":"nine","temp":21.50,"ok":true}';
/** A content-part output, its parts' keys in an order of the client's own. */
const OUTPUT_2: OpenAI.Responses.ResponseInputText[] = [
  { text: 'booked: table 7', type: 'input_text' },
  { type: 'input_text', text: ' (see {"2":"x","1":"y"})' },
];
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** What a JSON.parse/stringify round trip makes of `text`: all that a JSON-object wire can carry. */
const reserialized = (text: string) => JSON.stringify(JSON.parse(text));

interface ProviderCase {
  wire: string;
  model: string;
  /** The path of every call (Gemini's differs between streamed and whole answers, on one cache). */
  path: RegExp;
  /** The top-level field holding the history; every other top-level field must not change at all. */
  history: string;
  /** Fields allowed to differ between turns (none of them part of the cached prefix). */
  volatile: string[];
  /** Raw-text normalization allowed before comparing (Anthropic's moving cache markers). */
  normalize: (raw: string) => string;
  /** Fields that must be present, so the comparison is not vacuous. */
  required: string[];
  /** How the replayed call arguments / tool output must appear in the history of later turns. */
  replayedArguments: (args: string) => string;
  replayedOutput: (output: string) => string;
  /** The arguments our API reports for the model's call (what was stored), from a streamed or a whole answer. */
  storedArguments: (args: string, streamed: boolean) => string;
}

const providers: ProviderCase[] = [
  {
    wire: 'OpenAI Chat Completions',
    model: 'vllm/qwen3-8b',
    path: /^\/v1\/chat\/completions$/,
    history: 'messages',
    volatile: ['prompt_cache_key', 'prompt_cache_retention'],
    normalize: (raw) => raw,
    required: ['tools'],
    // Arguments travel as a string: the model's exact bytes.
    replayedArguments: (args) => `"arguments":${JSON.stringify(args)}`,
    replayedOutput: (output) => `"content":${JSON.stringify(output)}`,
    storedArguments: (args) => args,
  },
  {
    wire: 'OpenAI Responses',
    model: 'openai/gpt-4.1',
    path: /^\/v1\/responses$/,
    history: 'input',
    volatile: ['prompt_cache_key', 'prompt_cache_retention'],
    normalize: (raw) => raw,
    required: ['instructions', 'tools'],
    replayedArguments: (args) => `"arguments":${JSON.stringify(args)}`,
    replayedOutput: (output) => `"output":${JSON.stringify(output)}`,
    storedArguments: (args) => args,
  },
  {
    wire: 'Anthropic Messages',
    model: 'anthropic/claude-sonnet-4-5',
    path: /^\/v1\/messages$/,
    history: 'messages',
    volatile: [],
    normalize: stripCacheControl,
    required: ['system', 'tools'],
    // `input` is a JSON object on the wire: the stored raw string (exactly what the model streamed)
    // is parsed, so integer-like keys move first and numbers are reformatted, the same way every turn.
    replayedArguments: (args) => `"input":${reserialized(args)}`,
    replayedOutput: (output) => `"content":${JSON.stringify(output)}`,
    // Only a stream carries the model's bytes (`input_json_delta`); a whole Message has `input` as an object.
    storedArguments: (args, streamed) => (streamed ? args : reserialized(args)),
  },
  {
    wire: 'Gemini',
    model: 'google/gemini-2.5-flash',
    path: /^\/v1beta\/models\/gemini-2\.5-flash:(streamGenerateContent|generateContent)$/,
    history: 'contents',
    volatile: [],
    normalize: (raw) => raw,
    required: ['systemInstruction', 'tools'],
    // `args` is a JSON object both ways; the mock (like any JSON producer in JavaScript) already sends
    // it reserialized, and the server replays that object the same way every turn.
    replayedArguments: (args) => `"args":${reserialized(args)}`,
    // A JSON-object output becomes `response` itself (parsed); anything else goes under `output`.
    replayedOutput: (output) => (output.startsWith('{') ? `"response":${reserialized(output)}` : `"response":{"output":${JSON.stringify(output)}}`),
    storedArguments: reserialized,
  },
];

type Continuation = { previous_response_id: string } | { conversation: string };

/**
 * Runs a 5-call thread: a tool call with hazardous arguments, its output (answered with reasoning), a
 * new user turn, streamed, that calls another tool, that output (as content parts), a last user turn.
 * Every turn's input is converted from the request once, then from the database on later turns.
 * Returns the raw bodies the upstream received, in order.
 */
async function runThread(provider: ProviderCase, via: 'previous_response_id' | 'conversation'): Promise<string[]> {
  const { model } = provider;
  let continuation: Continuation | null = null;
  if (via === 'conversation') {
    const conversation = await client.conversations.create({
      items: [
        { type: 'message', role: 'user', content: 'Context: a weekend in Paris, two people.' },
        { type: 'message', role: 'assistant', content: 'Noted: Paris, 2 people, "weekend".' },
      ],
    });
    continuation = { conversation: conversation.id };
  }
  const next = (response: OpenAI.Responses.Response): Continuation => (via === 'conversation' ? continuation! : { previous_response_id: response.id });
  const common = { model, instructions, tools } as const;

  harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_prefix_1', name: 'plan_day', arguments: ARGS_1 }], argumentChunkSize: 7 });
  const first = await client.responses.create({
    ...common,
    ...(continuation ?? {}),
    input: [
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'Plan Saturday.' },
          { detail: 'low', image_url: PNG, type: 'input_image' },
          { type: 'input_text', text: 'Budget: 1.50 k€.' },
        ],
      },
    ],
  });
  const call1 = first.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
  expect(call1?.arguments).toBe(provider.storedArguments(ARGS_1, false));

  // Reasoning comes back with the provider's round-trip state (signature, encrypted content), stored raw.
  harness.upstream.enqueue({ kind: 'reasoning', reasoning: 'Check {"2":1,"1":2} first.', text: 'Saturday is planned: "museum" then café.' });
  const second = await client.responses.create({
    ...common,
    ...next(first),
    input: [{ type: 'function_call_output', call_id: call1!.call_id, output: OUTPUT_1 }],
  });
  expect(second.output_text).toBe('Saturday is planned: "museum" then café.');

  harness.upstream.enqueue({
    kind: 'tool_calls',
    text: 'Booking now.',
    calls: [{ id: 'call_prefix_2', name: 'book', arguments: ARGS_2 }],
    argumentChunkSize: 5,
  });
  // Streamed to the client this time: the streaming path must store the same items.
  const stream = await client.responses.create({ ...common, ...next(second), input: 'Book dinner at 20:00.', stream: true });
  let third: OpenAI.Responses.Response | undefined;
  for await (const event of stream) if (event.type === 'response.completed') third = event.response;
  if (!third) throw new Error('the streamed turn did not complete');
  const call2 = third.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
  expect(call2?.arguments).toBe(provider.storedArguments(ARGS_2, true));

  harness.upstream.enqueue({ kind: 'text', text: 'Dinner booked.' });
  const fourth = await client.responses.create({
    ...common,
    ...next(third),
    input: [{ type: 'function_call_output', call_id: call2!.call_id, output: OUTPUT_2 }],
  });
  expect(fourth.output_text).toBe('Dinner booked.');

  harness.upstream.enqueue({ kind: 'text', text: 'Bon appétit.' });
  const fifth = await client.responses.create({ ...common, ...next(fourth), input: 'Thanks!' });
  expect(fifth.output_text).toBe('Bon appétit.');

  const requests = harness.upstream.requests;
  for (const request of requests) expect(request.path).toMatch(provider.path);
  expect(requests).toHaveLength(5);
  return requests.map((request) => request.rawBody);
}

/** Fields that say how the answer travels (streamed or whole), which a client chooses per turn. */
const TRANSPORT = ['stream', 'stream_options'];

/** Turn N+1 repeats turn N: every field but the history byte for byte, the history as a byte prefix. */
function expectStablePrefix(provider: ProviderCase, before: string, after: string, turn: number): void {
  const label = `${provider.wire}, call ${turn} → ${turn + 1}`;
  // Whether the answer streams is transport, not prompt: a streamed turn and a whole one share the cache.
  const keep = ([key]: [string, string]) => !provider.volatile.includes(key) && !TRANSPORT.includes(key);
  const fieldsBefore = rawFields(provider.normalize(before)).filter(keep);
  const fieldsAfter = rawFields(provider.normalize(after)).filter(keep);
  // Same top-level fields in the same order: no field appears, disappears or moves between turns.
  expect(fieldsAfter.map(([key]) => key)).toEqual(fieldsBefore.map(([key]) => key));
  for (const key of provider.required) expect(fieldsBefore.map(([name]) => name)).toContain(key);

  const valuesAfter = new Map(fieldsAfter);
  for (const [key, value] of fieldsBefore) {
    if (key === provider.history) continue;
    expectSameBytes(valuesAfter.get(key), value, `${label}, "${key}"`);
  }

  // The history is append-only: turn N's array without its closing bracket, then a comma.
  const history = fieldsBefore.find(([key]) => key === provider.history)![1];
  const historyAfter = valuesAfter.get(provider.history)!;
  expect(history.startsWith('[') && history.endsWith(']')).toBe(true);
  const open = history.slice(0, -1);
  expectStartsWith(historyAfter, open, `${label}, "${provider.history}"`);
  expect(historyAfter[open.length]).toBe(',');
}

describe.each(providers)('byte-stable prefix: $wire', (provider) => {
  it.each(['previous_response_id', 'conversation'] as const)('turn N+1 starts with the bytes of turn N (via %s)', async (via) => {
    const bodies = await runThread(provider, via);
    for (let turn = 0; turn + 1 < bodies.length; turn++) expectStablePrefix(provider, bodies[turn]!, bodies[turn + 1]!, turn + 1);

    // What was replayed, in the history of every later call.
    const history = (body: string) => new Map(rawFields(provider.normalize(body))).get(provider.history)!;
    for (const body of bodies.slice(1)) expect(history(body)).toContain(provider.replayedArguments(ARGS_1));
    for (const body of bodies.slice(2)) expect(history(body)).toContain(provider.replayedOutput(OUTPUT_1));
    for (const body of bodies.slice(3)) expect(history(body)).toContain(provider.replayedArguments(ARGS_2));
    // The tool schemas go out with their keys in the client's order, nested levels included.
    const toolText = new Map(rawFields(bodies[0]!)).get('tools')!;
    expect(toolText).toContain(
      '"properties":{"zeta":{"type":"string","enum":["z","a","m"],"description":"Last letter first."},"alpha":{"type":"object","properties":{"when":',
    );
    expect(toolText).toContain('"budget":{"type":"number","minimum":0,"maximum":1000000,"multipleOf":0.5}');
  });
});

describe('the comparison itself', () => {
  it('fails on a reordered key, a reformatted number, a missing or moved field, a changed block', () => {
    const provider = providers[0]!;
    const turn1 = '{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"tools":[{"a":1,"b":2}]}';
    const turn2 =
      '{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":"x"}],"tools":[{"a":1,"b":2}]}';
    expect(() => expectStablePrefix(provider, turn1, turn2, 1)).not.toThrow();
    expect(() => expectStablePrefix(provider, turn1, turn2.replace('{"role":"user","content":"u"}', '{"content":"u","role":"user"}'), 1)).toThrow(
      /prefix differs/,
    );
    expect(() => expectStablePrefix(provider, turn1, turn2.replace('"tools":[{"a":1,"b":2}]', '"tools":[{"b":2,"a":1}]'), 1)).toThrow(/"tools"/);
    expect(() => expectStablePrefix(provider, turn1.replace('"b":2', '"b":2.0'), turn2, 1)).toThrow(/"tools"/);
    expect(() => expectStablePrefix(provider, turn1, turn2.replace('"model":"m",', ''), 1)).toThrow();
    const moved = `{"model":"m","tools":[{"a":1,"b":2}],"messages":${new Map(rawFields(turn2)).get('messages')}}`;
    expect(() => expectStablePrefix(provider, turn1, moved, 1)).toThrow();
    // A cache marker may move; nothing else may.
    const anthropic = providers[2]!;
    const a1 =
      '{"model":"m","system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"text","text":"u","cache_control":{"type":"ephemeral","ttl":"1h"}}]}],"tools":[]}';
    const a2 =
      '{"model":"m","system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"text","text":"u"}]},{"role":"assistant","content":[{"type":"text","text":"v","cache_control":{"type":"ephemeral"}}]}],"tools":[]}';
    expect(() => expectStablePrefix(anthropic, a1, a2, 1)).not.toThrow();
    expect(() => expectStablePrefix(anthropic, a1, a2.replace('"text":"u"', '"text":"U"'), 1)).toThrow(/prefix differs/);
  });
});
