import { ProviderError } from '../common/provider-error.js';
import { DONE_EVENT, readJsonEvent, SKIP_EVENT } from './read-json-event.js';

const event = (data: string, name?: string) => ({ event: name, id: undefined, data });
const onErrorEvent = (payload: unknown, text: string) => new ProviderError({ provider: 'p', message: `in-band: ${JSON.stringify(payload ?? text)}` });

describe(readJsonEvent.name, () => {
  it('reads the JSON payload of a data event, whitespace around it ignored', () => {
    expect(readJsonEvent(event(' {"type":"delta","n":1}\n'), 'p', onErrorEvent)).toEqual({ type: 'delta', n: 1 });
  });

  it('skips a keep-alive and ends at [DONE]', () => {
    expect(readJsonEvent(event('  '), 'p')).toBe(SKIP_EVENT);
    expect(readJsonEvent(event('[DONE]'), 'p')).toBe(DONE_EVENT);
  });

  it('throws an error event as the adapter maps it, with its JSON or, when it is not JSON, its text', () => {
    expect(() => readJsonEvent(event('{"error":{"message":"overloaded"}}', 'error'), 'p', onErrorEvent)).toThrow('in-band: {"error":{"message":"overloaded"}}');
    expect(() => readJsonEvent(event('upstream went away', 'error'), 'p', onErrorEvent)).toThrow('in-band: "upstream went away"');
  });

  it('reads an error event as data when the wire has no in-band error event', () => {
    expect(readJsonEvent(event('{"error":{"code":500}}', 'error'), 'p')).toEqual({ error: { code: 500 } });
  });

  it('throws a malformed-upstream ProviderError for data that is not JSON', () => {
    let thrown: unknown;
    try {
      readJsonEvent(event('{"type":'), 'gemini', onErrorEvent);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProviderError);
    expect(thrown).toMatchObject({ provider: 'gemini', message: 'malformed upstream response' });
    expect((thrown as ProviderError).cause).toBeInstanceOf(SyntaxError);
  });
});
