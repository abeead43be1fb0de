import fc from 'fast-check';
import { PrismaClient } from '../../src/persistence/database.js';
import { type Harness, PROJECT_A_KEY, rawRequest, startHarness } from './harness.js';

// Property-based fuzzing of the public and admin API against the real app (#20): valid requests of
// every kind, mutated (wrong types, missing and extra keys, union forms mixed, huge and tiny
// numbers, NUL / emoji / right-to-left / unpaired-surrogate strings, deep nesting, prototype
// names, oversized values), must never get a 5xx; every error is OpenAI's envelope; a request
// refused before any model call stores nothing; the server goes on answering. `npm test` runs FUZZ_RUNS cases (default
// below) with a fixed seed; `npm run fuzz` runs many more with a new seed. On a failure fast-check
// prints the seed and path that replay it: FUZZ_SEED=<seed> FUZZ_PATH=<path>.

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
// `random` (npm run fuzz) draws a new seed; the test name shows it, and so does a failure.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20_261_207);
const PATH = process.env.FUZZ_PATH;
const ADMIN_KEY = 'fuzz-admin-key';

let harness: Harness;
let conversationId: string;
let responseId: string;

beforeAll(async () => {
  harness = await startHarness({ ADMIN_API_KEY: ADMIN_KEY });
  const conversation = await harness.client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'seed' }] });
  conversationId = conversation.id;
  responseId = (await harness.client.responses.create({ model: 'openai/gpt-test', input: 'seed', conversation: conversationId })).id;
});
afterAll(() => harness?.close());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function nested(levels: number, inArray: boolean): Json {
  let value: Json = 'leaf';
  for (let level = 0; level < levels; level++) value = inArray ? [value] : { a: value };
  return value;
}

const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDC00y',
    '😀',
    'שלום עולם',
    '\u202Eevil',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '%00',
    '\n[Nest] forged log line\r',
    "'; DROP TABLE conversations; --",
    '../../../etc/passwd',
    'resp_',
    'conv_x',
    'x'.repeat(70_000),
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 30 }),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.5, -0.0, 1e308, -1e308, 1e-300, 2 ** 53 + 2, 2 ** 31, 128_001, 1_000_000_000),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<Json>([], {}, [null], { type: 'function' }, { type: '__proto__' }, { id: 'x' }) },
  { weight: 1, arbitrary: fc.constantFrom(nested(80, false), nested(80, true), nested(20, false)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
);

/** Valid requests of each kind: what the mutations start from. */
const bases: Array<{ method: 'POST' | 'GET'; path: () => string; body?: Json; admin?: boolean }> = [
  {
    method: 'POST',
    path: () => '/v1/responses',
    body: {
      model: 'openai/gpt-test',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      instructions: 'be brief',
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } }, { type: 'web_search' }],
      tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'f' }] },
      metadata: { k: 'v' },
      temperature: 1,
      max_output_tokens: 100,
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: {} } } },
      reasoning: { effort: 'low' },
      store: true,
    },
  },
  {
    method: 'POST',
    path: () => '/v1/responses',
    body: {
      model: 'anthropic/claude-sonnet-4-5',
      input: [
        { type: 'message', role: 'user', content: 'call f' },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      cache_policy: 'auto',
      stream: false,
    },
  },
  { method: 'POST', path: () => '/v1/responses', body: { model: 'google/gemini-2.5-flash', input: 'hi', previous_response_id: 'resp_x', background: false } },
  { method: 'POST', path: () => '/v1/responses/input_tokens', body: { model: 'openai/gpt-test', input: 'count me' } },
  { method: 'POST', path: () => '/v1/conversations', body: { metadata: { a: 'b' }, items: [{ type: 'message', role: 'user', content: 'hi' }] } },
  { method: 'POST', path: () => `/v1/conversations/${conversationId}/items`, body: { items: [{ type: 'message', role: 'assistant', content: 'ok' }] } },
  { method: 'POST', path: () => `/v1/conversations/${conversationId}`, body: { metadata: { x: 'y' } } },
  { method: 'POST', path: () => '/admin/v1/projects', body: { id: 'fuzz-project', name: 'Fuzz' }, admin: true },
  {
    method: 'POST',
    path: () => '/admin/v1/projects/project-a/webhooks',
    body: { url: 'http://127.0.0.1:9/hook', event_types: ['response.completed'] },
    admin: true,
  },
  // Project B's limits: the fuzzed requests themselves run as project A, which they must not throttle.
  {
    method: 'POST',
    path: () => '/admin/v1/projects/project-b/limits',
    body: { requests_per_minute: 1_000, tokens_per_minute: 100_000, budget: { period: 'day', limit_usd: 100, warn_at: 0.5 }, max_tools: 10 },
    admin: true,
  },
  { method: 'POST', path: () => '/v1/batches', body: { input_file_id: 'file_x', endpoint: '/v1/responses', completion_window: '24h', metadata: { a: 'b' } } },
];

/** Percent-encodes every UTF-8 byte (an unpaired surrogate becomes U+FFFD, as any client would send it). */
const encode = (value: string) => [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
/** Path and query text sent as is: bytes that are not UTF-8, an encoded NUL, an overlong slash. */
const rawSegment = fc.constantFrom('%ED%A0%80', '%FF%FE', '%00', '%C0%AF', '%E2%82', '..%2F..%2F', '%25', '%', '%zz');

/** Query strings and ids, mutated as text. */
const getPaths = (value: string) => [
  `/v1/responses/${value}`,
  `/v1/responses/${responseId}/input_items?limit=${value}`,
  `/v1/conversations/${conversationId}/items?after=${value}&order=asc`,
  `/v1/conversations/${value}/items/${value}`,
  `/admin/v1/conversations?metadata%5B${value}%5D=${value}&limit=5`,
  `/admin/v1/conversations?model=${value}&created_after=${value}`,
  `/admin/v1/responses/${value}`,
  `/v1/files/${value}/content`,
  `/v1/files?purpose=${value}&limit=${value}&after=${value}`,
  `/v1/batches/${value}`,
  `/v1/batches?after=${value}&limit=${value}`,
  `/admin/v1/projects/${value}/limits`,
];

type Key = string | number;
/** Every place in a JSON value, root included. */
function places(value: Json, at: Key[] = [], out: Key[][] = []): Key[][] {
  out.push(at);
  if (Array.isArray(value)) for (const [index, inner] of value.entries()) places(inner, [...at, index], out);
  else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) places(inner, [...at, key], out);
  return out;
}

interface Mutation {
  place: number;
  kind: 'set' | 'delete' | 'add' | 'wrap';
  value: Json;
  key: string;
}

function mutate(base: Json, mutations: Mutation[]): Json {
  let body = structuredClone(base);
  for (const mutation of mutations) {
    const all = places(body);
    const at = all[mutation.place % all.length]!;
    if (at.length === 0) {
      body = mutation.kind === 'wrap' ? [body] : mutation.kind === 'set' ? structuredClone(mutation.value) : body;
      continue;
    }
    const parent = at.slice(0, -1).reduce<Json>((node, key) => (node as Record<Key, Json>)[key]!, body) as Record<Key, Json> | Json[];
    const last = at.at(-1)!;
    const current = (parent as Record<Key, Json>)[last]!;
    // Values are copied in: a value set twice must not end up inside itself.
    if (mutation.kind === 'set') (parent as Record<Key, Json>)[last] = structuredClone(mutation.value);
    else if (mutation.kind === 'wrap') (parent as Record<Key, Json>)[last] = [current];
    else if (mutation.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      // An own property even when the key is `__proto__` (JSON text is how it reaches the server anyway).
      Object.defineProperty(current, mutation.key, { value: structuredClone(mutation.value), enumerable: true, writable: true, configurable: true });
    }
  }
  return body;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  place: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'set', 'delete', 'add', 'wrap'),
  value: hostileValue,
  key: fc.oneof(hostileString, fc.constantFrom('type', 'id', 'role', 'content', 'model', 'input', 'metadata', 'tools')),
});

const fuzzCase = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('body' as const),
      base: fc.nat({ max: bases.length - 1 }),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('get' as const),
      which: fc.nat({ max: getPaths('').length - 1 }),
      value: fc.oneof(hostileString.map(encode), rawSegment),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      base: fc.nat({ max: bases.length - 1 }),
      text: fc.constantFrom('', 'null', '[]', '"x"', '{', '{"a":1,}', '\u0000', `{"model":${'['.repeat(5_000)}`),
    }),
  },
);

async function stored() {
  const prisma = harness.app.get(PrismaClient);
  const [conversations, responses, items, endpoints] = await Promise.all([
    prisma.conversation.count(),
    prisma.response.count(),
    prisma.item.count(),
    prisma.webhookEndpoint.count(),
  ]);
  return { conversations, responses, items, endpoints };
}

function checkEnvelope(status: number, json: unknown, text: string, what: string): void {
  if (status >= 500) throw new Error(`${what} answered ${status}: ${text.slice(0, 300)}`);
  if (status < 400) return;
  const error = (json as { error?: Record<string, unknown> } | undefined)?.error;
  const keys = json !== null && typeof json === 'object' ? Object.keys(json) : [];
  if (!error || keys.length !== 1 || Object.keys(error).sort().join() !== 'code,message,param,type')
    throw new Error(`${what} answered ${status} outside the error envelope: ${text.slice(0, 300)}`);
  if (typeof error.message !== 'string' || typeof error.type !== 'string') throw new Error(`${what}: message and type must be strings: ${text.slice(0, 300)}`);
  for (const key of ['param', 'code']) if (error[key] !== null && typeof error[key] !== 'string') throw new Error(`${what}: ${key} must be a string or null`);
}

it(
  `survives ${RUNS} mutated requests (seed ${SEED}): no 5xx, errors in the envelope, nothing stored by a refused request`,
  async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (test) => {
        cases++;
        harness.upstream.reset();
        const before = await stored();
        let method: 'POST' | 'GET' = 'GET';
        let path: string;
        let body: string | undefined;
        let admin = false;
        if (test.kind === 'get') {
          path = getPaths(test.value)[test.which]!;
          admin = path.startsWith('/admin');
        } else {
          const base = bases[test.base]!;
          method = base.method;
          path = base.path();
          admin = base.admin ?? false;
          body = test.kind === 'raw' ? test.text : JSON.stringify(mutate(base.body ?? {}, test.mutations));
        }
        const headers = { authorization: `Bearer ${admin ? ADMIN_KEY : PROJECT_A_KEY}` };
        const response = await rawRequest(harness.origin, path, { method, headers, ...(body !== undefined ? { body } : {}) });
        const what = `${method} ${path.slice(0, 120)} ${body?.slice(0, 200) ?? ''}`;
        checkEnvelope(response.status, response.json, response.text, what);
        // Refused before any model call: nothing stored. (A request the provider refuses is stored as a
        // failed response, for the admin view of failures, and answered with the provider's error.)
        if (response.status >= 400 && harness.upstream.requests.length === 0) {
          const after = await stored();
          if (JSON.stringify(after) !== JSON.stringify(before))
            throw new Error(
              `${what} was refused (${response.status}: ${response.text.slice(0, 300)}) but stored something: ${JSON.stringify({ before, after })}`,
            );
        }
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH } : {}), endOnFailure: process.env.FUZZ_SHRINK !== '1' },
    );
    expect(cases).toBeGreaterThanOrEqual(RUNS);
    expect((await rawRequest(harness.origin, '/health', { method: 'GET' })).status).toBe(200);
    // Bounded by RUNS, not by a clock: on a loaded 2-core runner PGlite takes well over the default 30 s.
  },
  15 * 60_000,
);
