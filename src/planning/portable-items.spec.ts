import { hostedItemTypes } from '../items/hosted-items.js';
import type { HostedItem, Item } from '../items/item.schemas.js';
import { toPortableItems } from './portable-items.js';

describe(toPortableItems.name, () => {
  it('turns a custom tool call and its output into a function call of {"input"} and its output', () => {
    const items: Item[] = [
      { type: 'custom_tool_call', id: 'ctc_1', call_id: 'c1', name: 'apply_patch', namespace: 'fs', input: 'a "b"\n', status: 'completed' },
      { type: 'custom_tool_call_output', id: 'ctco_1', call_id: 'c1', output: 'ok', status: 'completed' },
    ];
    expect(toPortableItems(items)).toEqual([
      { type: 'function_call', id: 'ctc_1', call_id: 'c1', name: 'apply_patch', namespace: 'fs', arguments: '{"input":"a \\"b\\"\\n"}', status: 'completed' },
      { type: 'function_call_output', id: 'ctco_1', call_id: 'c1', output: 'ok', status: 'completed' },
    ]);
  });

  // One row per hosted item type: who "says" it on a wire without it, and the exact text.
  it.each(Object.entries(hostedItemTypes))('%s becomes a %s-side text message naming it, with its fields as JSON', (type, { by }) => {
    const item = { type, id: 'x_1', status: 'completed', call_id: 'c', provider_data: { secret: 1 } } as unknown as HostedItem;
    const [message] = toPortableItems([item]);
    const text = `[${type}] {"status":"completed","call_id":"c"}`;
    expect(message).toEqual(
      by === 'model'
        ? { type: 'message', id: 'x_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] }
        : { type: 'message', id: 'x_1', role: 'user', status: 'completed', content: [{ type: 'input_text', text }] },
    );
  });

  it('shows a very long field (a generated image) by its length only', () => {
    const item = { type: 'image_generation_call', id: 'ig_1', status: 'completed', result: 'A'.repeat(20_000) } as HostedItem;
    expect(toPortableItems([item])[0]).toMatchObject({
      content: [{ text: '[image_generation_call] {"status":"completed","result":"[20000 characters left out]"}' }],
    });
  });

  it('returns the same array when nothing needs rewriting', () => {
    const items: Item[] = [{ type: 'message', id: 'm', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'hi' }] }];
    expect(toPortableItems(items)).toBe(items);
  });
});
