// anthropic-tool-use.json is hand-made from documented payloads, not a recording. Modelled on: the
// Messages API response object with thinking, text and tool_use blocks and cache-read usage.
import { readFixtureText } from './__fixtures__/fixture-body.js';
import { convertAnthropicMessage } from './anthropic-message.js';

describe(convertAnthropicMessage.name, () => {
  it('yields the parts the streamed answer would have produced', () => {
    expect(convertAnthropicMessage(readFixtureText('anthropic-tool-use.json'), 'anthropic')).toEqual([
      { type: 'response-metadata', id: 'msg_01Aq9w938a90dw8q', model: 'claude-sonnet-4-5-20250929' },
      { type: 'reasoning-summary-delta', delta: 'The user wants the weather.', index: 0 },
      { type: 'reasoning-end', providerData: { anthropic: { thinking: 'The user wants the weather.', signature: 'EqQBCgIYAhIMsig' } } },
      { type: 'text-delta', delta: "I'll check the weather." },
      { type: 'tool-call-start', index: 2, callId: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather' },
      { type: 'tool-call-delta', index: 2, delta: '{"location":"San Francisco, CA","unit":"celsius"}' },
      {
        type: 'finish',
        serviceTier: 'default',
        reason: { unified: 'tool-calls', raw: 'tool_use' },
        usage: { inputTokens: 1536, cachedInputTokens: 1024, cacheWriteTokens: 0, outputTokens: 71, reasoningTokens: 7 },
      },
    ]);
  });

  it('throws an error body sent with status 200 as a ProviderError', () => {
    expect(() => convertAnthropicMessage('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'anthropic')).toThrow(
      expect.objectContaining({ providerCode: 'overloaded_error', retryable: true }),
    );
  });

  it('fails on a body that does not parse', () => {
    expect(() => convertAnthropicMessage('{"id":', 'anthropic')).toThrow('malformed upstream response');
  });
});
