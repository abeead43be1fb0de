import { anthropicServiceTier } from '../providers/anthropic/to-anthropic-request.js';
import { geminiServiceTier } from '../providers/gemini/to-gemini-request.js';
import { servedTier } from '../providers/served-tier.js';
import { appliedCacheSettings, appliedServiceSettings, servedTierChange } from './plan-service-settings.js';

describe(appliedServiceSettings.name, () => {
  it("keeps what OpenAI's wires apply, and shows the defaults where a provider has no such control", () => {
    const body = { service_tier: 'flex' as const, text: { verbosity: 'low' as const } };
    expect(appliedServiceSettings(body, { provider: 'openai', wire: 'openai-responses' })).toEqual({});
    expect(appliedServiceSettings(body, { provider: 'openai', wire: 'chat' })).toEqual({});
    expect(appliedServiceSettings(body, { provider: 'vllm', wire: 'chat' })).toEqual({ serviceTier: 'default', verbosity: 'medium' });
    expect(appliedServiceSettings(body, { provider: 'anthropic', wire: 'anthropic' })).toEqual({ verbosity: 'medium' });
    expect(appliedServiceSettings({}, { provider: 'vllm', wire: 'chat' })).toEqual({});
  });

  it('changes the echo only to a tier the vendor named that differs', () => {
    expect(servedTierChange('auto', 'default')).toBe('default');
    expect(servedTierChange('flex', 'flex')).toBeNull();
    expect(servedTierChange('priority', null)).toBeNull();
  });
});

describe('service tiers in each vendor’s terms', () => {
  it.each([
    [null, null, null],
    ['auto', 'auto', null],
    ['priority', 'auto', 'priority'],
    ['fast', 'auto', 'priority'],
    ['default', 'standard_only', 'standard'],
    ['flex', 'standard_only', 'flex'],
    ['scale', 'standard_only', null],
  ] as const)('%s: Anthropic %s, Gemini %s', (tier, anthropic, gemini) => {
    expect(anthropicServiceTier(tier)).toBe(anthropic);
    expect(geminiServiceTier(tier)).toBe(gemini);
  });

  it("reads the tier that served in OpenAI's names", () => {
    expect(['standard', 'priority', 'batch', 'flex', 'default', 'auto', 'gold', '', undefined].map(servedTier)).toEqual([
      'default',
      'priority',
      'default',
      'flex',
      'default',
      'auto',
      null,
      null,
      null,
    ]);
  });
});

describe(appliedCacheSettings.name, () => {
  const breakpoints = {
    kind: 'breakpoints',
    maxBreakpoints: 4,
    minTokens: 1024,
    lookback: 20,
    ttls: ['5m', '1h'],
    multipliers: { write5m: 1.25, write1h: 2, read: 0.1 },
  } as const;

  it("echoes OpenAI's retention as sent, and the options only on its Responses wire", () => {
    const body = { prompt_cache_options: { ttl: '30m' as const } };
    expect(appliedCacheSettings(body, { provider: 'openai', wire: 'openai-responses' }, { promptCacheRetention: '24h' })).toEqual({
      prompt_cache_retention: '24h',
      prompt_cache_options: { mode: 'implicit', ttl: '30m' },
    });
    expect(appliedCacheSettings(body, { provider: 'openai', wire: 'chat' }, { promptCacheRetention: null })).toEqual({
      prompt_cache_retention: null,
      prompt_cache_options: null,
    });
  });

  it('echoes the options on Anthropic only when 1 h breakpoints carried them', () => {
    const body = { prompt_cache_options: { ttl: '30m' as const } };
    const anthropic = { provider: 'anthropic', wire: 'anthropic' } as const;
    expect(appliedCacheSettings(body, anthropic, { promptCacheRetention: null, cache: { minTtl: '1h', capabilities: breakpoints as never } })).toEqual({
      prompt_cache_retention: null,
      prompt_cache_options: { mode: 'implicit', ttl: '30m' },
    });
    const fiveMinutesOnly = { ...breakpoints, ttls: ['5m'] };
    expect(
      appliedCacheSettings(body, anthropic, { promptCacheRetention: null, cache: { minTtl: '1h', capabilities: fiveMinutesOnly as never } })
        .prompt_cache_options,
    ).toBeNull();
  });
});
