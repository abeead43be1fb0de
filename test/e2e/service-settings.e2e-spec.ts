import type OpenAI from 'openai';
import { PrismaClient } from '../../src/persistence/database.js';
import { type Harness, startHarness } from './harness.js';

// service_tier, text.verbosity and the prompt-cache options: sent in each vendor's terms where it
// has them, and echoed as they applied (the tier the vendor says served the turn).

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses' });
  client = harness.client;
});
afterAll(() => harness?.close());
beforeEach(() => harness.upstream.reset());

const sent = () => harness.upstream.requests.filter((request) => request.method === 'POST').at(-1)!;
type Tier = OpenAI.Responses.ResponseCreateParams['service_tier'];

describe('service_tier', () => {
  it.each<[string, Tier, Record<string, unknown>, string]>([
    ['openai/gpt-5', 'flex', { service_tier: 'flex' }, 'flex'],
    ['openai/gpt-5', 'auto', { service_tier: 'auto' }, 'default'],
    ['anthropic/claude-sonnet-4-5', 'priority', { service_tier: 'auto' }, 'default'],
    ['anthropic/claude-sonnet-4-5', 'default', { service_tier: 'standard_only' }, 'default'],
    ['google/gemini-2.5-flash', 'flex', { serviceTier: 'flex' }, 'flex'],
    ['google/gemini-2.5-flash', 'priority', { serviceTier: 'priority' }, 'priority'],
  ])('%s with %s: the vendor gets %j and the Response shows the tier that served, %s', async (model, tier, wire, served) => {
    const response = await client.responses.create({ model, input: 'Hi', service_tier: tier });
    expect(sent().body).toMatchObject(wire);
    expect(response.service_tier).toBe(served);
    expect((await client.responses.retrieve(response.id)).service_tier).toBe(served);
  });

  it('streams the served tier in the final event too', async () => {
    const stream = await client.responses.create({ model: 'google/gemini-2.5-flash', input: 'Hi', service_tier: 'flex', stream: true });
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    for await (const event of stream) last = event;
    expect(last).toMatchObject({ type: 'response.completed', response: { service_tier: 'flex' } });
  });

  it('sends nothing to a chat server that has no tiers, and shows the default', async () => {
    const response = await client.responses.create({ model: 'vllm/qwen3-8b', input: 'Hi', service_tier: 'priority' });
    expect(sent().body).not.toHaveProperty('service_tier');
    expect(response.service_tier).toBe('default');
  });

  it('refuses a tier OpenAI does not have, naming the parameter', async () => {
    await expect(client.responses.create({ model: 'openai/gpt-5', input: 'Hi', service_tier: 'gold' as Tier })).rejects.toMatchObject({
      status: 400,
      param: 'service_tier',
    });
    expect(harness.upstream.requests).toHaveLength(0);
  });
});

describe('text.verbosity', () => {
  it("goes to OpenAI's wire and is echoed", async () => {
    const response = await client.responses.create({ model: 'openai/gpt-5', input: 'Hi', text: { verbosity: 'low' } });
    expect(sent().body['text']).toEqual({ verbosity: 'low' });
    expect(response.text?.verbosity).toBe('low');
  });

  it.each(['anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'vllm/qwen3-8b'])(
    '%s has no such control: nothing is sent, and the echo is medium',
    async (model) => {
      const response = await client.responses.create({ model, input: 'Hi', text: { verbosity: 'low' } });
      expect(JSON.stringify(sent().body)).not.toContain('verbosity');
      expect(response.text?.verbosity).toBe('medium');
    },
  );
});

describe('prompt-cache options', () => {
  const instructions = 'You answer questions about the house rules, citing the rule you apply. '.repeat(300);

  it('Anthropic: a 30-minute minimum lifetime is 1 h breakpoints, and the options are echoed', async () => {
    const response = await client.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      instructions,
      input: 'May I park on the lawn?',
      prompt_cache_options: { ttl: '30m' },
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    const ttls = JSON.stringify(sent().body).match(/"ttl":"[^"]+"/g) ?? [];
    expect(ttls.length).toBeGreaterThan(0);
    expect(new Set(ttls)).toEqual(new Set(['"ttl":"1h"']));
    expect(response).toMatchObject({ prompt_cache_options: { mode: 'implicit', ttl: '30m' }, prompt_cache_retention: null });

    // Every write was a 1 h one: priced at 2x input ($6 per million on Sonnet), not the 5-minute 1.25x.
    const usage = response.usage!;
    const writes = usage.input_tokens_details.cache_write_tokens as number;
    expect(writes).toBeGreaterThan(1000);
    const uncached = usage.input_tokens - usage.input_tokens_details.cached_tokens - writes;
    const stored = await harness.app.get(PrismaClient).response.findUniqueOrThrow({ where: { id: response.id } });
    expect(stored.costUsd).toBeCloseTo((uncached * 3 + writes * 6 + usage.output_tokens * 15) / 1_000_000, 12);
  });

  it("OpenAI's Responses wire gets the options as sent, and the retention that applied is echoed", async () => {
    const response = await client.responses.create({
      model: 'openai/gpt-5',
      input: 'Hi',
      prompt_cache_options: { mode: 'implicit', ttl: '30m' },
      prompt_cache_retention: '24h',
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(sent().body).toMatchObject({ prompt_cache_options: { mode: 'implicit', ttl: '30m' }, prompt_cache_retention: '24h' });
    expect(response).toMatchObject({ prompt_cache_options: { mode: 'implicit', ttl: '30m' }, prompt_cache_retention: '24h' });
  });

  it('Gemini applies neither: no options key, and no retention', async () => {
    const response = await client.responses.create({
      model: 'google/gemini-2.5-flash',
      input: 'Hi',
      prompt_cache_options: { ttl: '30m' },
      prompt_cache_retention: '24h',
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(response).not.toHaveProperty('prompt_cache_options');
    expect(response.prompt_cache_retention).toBeNull();
    expect(JSON.stringify(sent().body)).not.toContain('prompt_cache');
  });
});
