import type { PublicItem } from '../items/item.schemas.js';
import { restoreStoredRequest, toStoredRequest } from './stored-request.js';

const message = (text: string) =>
  ({ id: 'msg_1', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text }] }) as unknown as PublicItem;

describe(toStoredRequest.name, () => {
  it.each([
    ['a string input', { model: 'm', input: 'hi', store: true }, { model: 'm', input: { $input_as_items: 'string' }, store: true }],
    ['an item input', { input: [{ role: 'user', content: 'hi' }], model: 'm' }, { input: { $input_as_items: 'items' }, model: 'm' }],
    ['no input', { model: 'm', conversation: 'conv_1' }, { model: 'm', conversation: 'conv_1' }],
    ['a null input', { model: 'm', input: null }, { model: 'm', input: null }],
    ['a body that is not an object', 'text', 'text'],
  ])('keeps %s of a foreground request as a mark', (_, body, stored) => {
    expect(toStoredRequest(body, false)).toEqual(stored);
    if (typeof body === 'object') expect(Object.keys(toStoredRequest(body, false) as object)).toEqual(Object.keys(body));
  });

  it('keeps a background request whole: the worker plans from it', () => {
    const body = { model: 'm', input: 'hi', background: true };
    expect(toStoredRequest(body, true)).toBe(body);
  });
});

describe(restoreStoredRequest.name, () => {
  it('puts back a string input as its text, and item input as the stored items', () => {
    expect(restoreStoredRequest({ model: 'm', input: { $input_as_items: 'string' } }, [message('hi «ü»')])).toEqual({ model: 'm', input: 'hi «ü»' });
    const items = [message('one'), message('two')];
    expect(restoreStoredRequest({ input: { $input_as_items: 'items' } }, items)).toEqual({ input: items });
  });

  it('leaves a request without a mark, or without stored items, as it is', () => {
    const whole = { model: 'm', input: 'hi' };
    expect(restoreStoredRequest(whole, [message('other')])).toBe(whole);
    const crashed = { model: 'm', input: { $input_as_items: 'string' } };
    expect(restoreStoredRequest(crashed, [])).toBe(crashed);
    expect(restoreStoredRequest(null, [message('x')])).toBeNull();
  });
});
