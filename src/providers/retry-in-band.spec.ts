import { ProviderError } from '../common/provider-error.js';
import type { ModelStreamPart } from './model-adapter.js';
import { streamWithInBandRetries } from './retry-in-band.js';

const retry = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 };
const overloaded = () => new ProviderError({ provider: 'anthropic', message: 'Overloaded', status: 529, retryable: true, providerCode: 'overloaded_error' });
const plan = { type: 'response-metadata', id: 'msg_1', model: 'claude' } as ModelStreamPart;
const text = { type: 'text-delta', delta: 'Hi' } as ModelStreamPart;

/** A model call per script entry: its parts, then the error it throws (if any). */
function scripted(...attempts: { parts: ModelStreamPart[]; error?: Error }[]) {
  let calls = 0;
  const stream = async function* (_signal: AbortSignal): AsyncGenerator<ModelStreamPart> {
    const attempt = attempts[calls++]!;
    yield* attempt.parts;
    if (attempt.error) throw attempt.error;
  };
  return { stream, calls: () => calls };
}

async function collect(source: AsyncIterable<ModelStreamPart>): Promise<{ parts: ModelStreamPart[]; error: unknown }> {
  const parts: ModelStreamPart[] = [];
  try {
    for await (const part of source) parts.push(part);
    return { parts, error: null };
  } catch (error) {
    return { parts, error };
  }
}

describe(streamWithInBandRetries.name, () => {
  it('makes the call again after a retryable failure before output, and shows one clean attempt', async () => {
    const model = scripted({ parts: [plan], error: overloaded() }, { parts: [plan, text] });
    const result = await collect(streamWithInBandRetries(model.stream, retry, new AbortController().signal));
    expect(result).toEqual({ parts: [plan, text], error: null });
    expect(model.calls()).toBe(2);
  });

  it('gives up after maxRetries more attempts, with the last error', async () => {
    const model = scripted({ parts: [], error: overloaded() }, { parts: [], error: overloaded() }, { parts: [], error: overloaded() });
    const result = await collect(streamWithInBandRetries(model.stream, retry, new AbortController().signal));
    expect(result.error).toMatchObject({ providerCode: 'overloaded_error', status: 529 });
    expect(model.calls()).toBe(3);
  });

  it('does not retry once output was shown, nor an error that is not retryable', async () => {
    const afterOutput = scripted({ parts: [text], error: overloaded() }, { parts: [text] });
    expect(await collect(streamWithInBandRetries(afterOutput.stream, retry, new AbortController().signal))).toMatchObject({
      parts: [text],
      error: { status: 529 },
    });
    expect(afterOutput.calls()).toBe(1);

    const refused = new ProviderError({ provider: 'anthropic', message: 'bad', status: 400 });
    const final = scripted({ parts: [], error: refused }, { parts: [text] });
    expect((await collect(streamWithInBandRetries(final.stream, retry, new AbortController().signal))).error).toBe(refused);
    expect(final.calls()).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const model = scripted({ parts: [], error: overloaded() }, { parts: [text] });
    const slow = { maxRetries: 2, baseDelayMs: 10_000, maxDelayMs: 10_000 };
    const pending = collect(streamWithInBandRetries(model.stream, slow, controller.signal));
    // The first attempt has failed and the backoff has begun.
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('client left'));
    expect((await pending).error).toEqual(new Error('client left'));
    expect(model.calls()).toBe(1);
  });
});
