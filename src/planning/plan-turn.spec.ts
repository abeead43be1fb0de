import { ModelCatalog } from '../config/model-catalog.js';
import type { HistoryEntry, Item } from '../items/item.schemas.js';
import { toResponseSettings } from '../items/response-object.js';
import { type CreateResponseBody, createResponseSchema } from '../items/responses.schemas.js';
import { COMPACTION_INSTRUCTIONS } from './plan-compaction.js';
import { type PlanModel, planTurn, type TurnPlanInput } from './plan-turn.js';

const catalog = ModelCatalog.load(null);
const model = (name: string, wire: PlanModel['wire'], contextWindow = 10_000): PlanModel => {
  const [provider, upstreamModel] = name.split('/') as [string, string];
  return { provider, upstreamModel, wire, info: { ...catalog.lookup(name), contextWindow, maxOutputTokens: 1_000, defaultMaxOutputTokens: 500 } };
};

// 400 characters = 100 tokens at 4 characters per token (plus the 16-character item overhead: 104).
const words = (label: string) => `${label} `.padEnd(400, 'x');
const user = (id: string): Item => ({ type: 'message', id, role: 'user', status: 'completed', content: [{ type: 'input_text', text: words(id) }] });
const assistant = (id: string): Item => ({
  type: 'message',
  id,
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: words(id), annotations: [], logprobs: [] }],
});
const turns = (count: number): HistoryEntry[] =>
  Array.from({ length: count }, (_, turn) => [user(`u${turn}`), assistant(`a${turn}`)])
    .flat()
    .map((item, seq) => ({ seq, item }));

function plan(overrides: Partial<Omit<TurnPlanInput, 'body'>> & { body?: Partial<CreateResponseBody> }) {
  const body = createResponseSchema.parse({ model: 'x/y', input: 'next', ...overrides.body });
  return planTurn({
    projectId: 'p',
    settings: toResponseSettings(body),
    model: model('vllm/qwen', 'chat'),
    history: [],
    input: [user('new')],
    reasoningPolicy: 'auto',
    cacheMode: 'off',
    cacheThread: 'conv_1',
    continues: true,
    gapsMs: [],
    charsPerToken: 4,
    anchor: null,
    defaultContextWindow: 128_000,
    compactNow: false,
    unsupportedTools: 'error',
    summarizer: null,
    ...overrides,
    body,
  });
}

const compactAt = (threshold: number) => ({ context_management: [{ type: 'compaction' as const, compact_threshold: threshold }] });

describe('planTurn: who compacts', () => {
  it.each([
    // what, model, threshold, history turns, expected: native mode sent upstream, our own compaction
    ['OpenAI on its Responses wire compacts itself', model('openai/gpt-5.4', 'openai-responses'), 1000, 20, { native: 'openai', server: false }],
    [
      'Anthropic Sonnet 4.6 compacts itself from 50,000 tokens',
      model('anthropic/claude-sonnet-4-6', 'anthropic', 200_000),
      60_000,
      20,
      { native: 'anthropic', server: false },
    ],
    ['under Anthropic’s minimum trigger we compact ourselves', model('anthropic/claude-sonnet-4-6', 'anthropic'), 2000, 20, { native: null, server: true }],
    [
      'a model without native compaction: ours, over the threshold',
      model('anthropic/claude-sonnet-4-5', 'anthropic'),
      2000,
      20,
      { native: null, server: true },
    ],
    ['… and nothing under it', model('anthropic/claude-sonnet-4-5', 'anthropic'), 5000, 20, { native: null, server: false }],
    ['OpenAI models on the chat wire: ours', model('openai/gpt-5.4', 'chat'), 2000, 20, { native: null, server: true }],
  ] as const)('%s', (_what, target, threshold, history, expected) => {
    const result = plan({ model: target, history: turns(history), body: compactAt(threshold) });
    expect(result.request.nativeCompaction?.threshold ?? null).toBe(expected.native ? threshold : null);
    expect(result.context.record.compaction?.mode ?? null).toBe(expected.native ?? (expected.server ? 'server' : null));
    expect(result.compaction !== null).toBe(expected.server);
  });

  it('our compaction summarizes the older turns and keeps the newest verbatim, under 30% of the threshold', () => {
    // 20 turns of 208 tokens; threshold 2000 → keep at most 600: the newest two turns (416) and the input (104).
    const result = plan({ history: turns(20), body: { ...compactAt(2000), tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] } });
    expect(result.compaction!.retained.map((item) => item.id)).toEqual(['u18', 'a18', 'u19', 'a19', 'new']);
    expect(result.context.record.compaction).toEqual({ mode: 'server', threshold: 2000, summarized_items: 36, retained_items: 5 });
    const summary = result.compaction!.request;
    expect(summary.instructions).toBe(COMPACTION_INSTRUCTIONS);
    expect(summary.items.map((item) => item.id)).toEqual([...turns(18).map((entry) => entry.item.id), 'msg_compact']);
    // Tools are declared (a history with tool calls needs them on some wires), never called.
    expect(summary.toolChoice).toBe('none');
    expect(result.compaction!.answers).toBe(true);

    const after = result.afterSummary({ ...result.request, trace: undefined } as never, 'They talked.');
    expect(after.items.map((item) => item.id)).toEqual(['msg_summary', 'u18', 'a18', 'u19', 'a19', 'new']);
  });

  it('compaction_trigger compacts everything given, keeps nothing, and the model does not answer', () => {
    const result = plan({ history: turns(3), input: [], compactNow: true });
    expect(result.compaction!.answers).toBe(false);
    expect(result.compaction!.retained).toEqual([]);
    expect(result.compaction!.request.items.map((item) => item.id)).toEqual(['u0', 'a0', 'u1', 'a1', 'u2', 'a2', 'msg_compact']);
  });

  it('another provider’s opaque compaction makes us compact, asked or not, from the turns it stood for', () => {
    const openaiItem: Item = { type: 'compaction', id: 'cmp_1', encrypted_content: 'gAAA', provider_data: { openai: { encrypted_content: 'gAAA' } } };
    const history: HistoryEntry[] = [
      { seq: 40, item: openaiItem },
      { seq: 41, item: assistant('after') },
    ];
    const result = plan({ model: model('google/gemini-2.5-flash', 'gemini'), history, beforeCompaction: turns(2) });
    expect(result.compaction).not.toBeNull();
    // The summary call reads what OpenAI's item stood for and what came after it; the opaque item itself goes nowhere.
    expect(result.compaction!.request.items.map((item) => item.id)).toEqual(['u0', 'a0', 'u1', 'a1', 'after', 'msg_compact']);
    expect(result.compaction!.retained.map((item) => item.id)).toEqual(['new']);
    expect(JSON.stringify(result.compaction!.request.items)).not.toContain('gAAA');
  });

  it('a count never compacts and never refuses for size', () => {
    const result = plan({ history: turns(200), body: compactAt(2000), countOnly: true });
    expect(result.compaction).toBeNull();
    expect(result.request.items).toHaveLength(401);
  });
});
