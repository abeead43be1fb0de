import { newMessageItem, newModelRequest } from '../../test/factories.js';
import { estimateUsage } from './estimate-usage.js';

describe(estimateUsage.name, () => {
  it('counts what was sent and what arrived before the cut, about four characters a token', () => {
    const request = newModelRequest({ items: [newMessageItem({ text: 'x'.repeat(400) })] });
    const usage = estimateUsage(request, [
      { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'r'.repeat(40) }], status: 'incomplete' },
      {
        type: 'message',
        id: 'msg_2',
        role: 'assistant',
        status: 'incomplete',
        content: [{ type: 'output_text', text: 'y'.repeat(80), annotations: [], logprobs: [] }],
      },
    ]);
    expect(usage.inputTokens).toBeGreaterThan(100);
    expect(usage.inputTokens).toBeLessThan(200);
    expect(usage).toMatchObject({ outputTokens: 30, reasoningTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it('estimates no output when nothing arrived', () => {
    expect(estimateUsage(newModelRequest(), []).outputTokens).toBe(0);
  });
});
