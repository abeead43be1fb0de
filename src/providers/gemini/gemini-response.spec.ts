import { ProviderError } from '../../common/provider-error.js';
import { readFixtureLines } from './__fixtures__/fixture-body.js';
import { convertGeminiResponseBody } from './gemini-response.js';

const convert = (text: string) => [...convertGeminiResponseBody(text, 'google')];

describe(convertGeminiResponseBody.name, () => {
  it('folds a JSON array of partial responses like the SSE events', () => {
    const text = `[${readFixtureLines('gemini-thought.chunks.txt').join(',')}]`;

    expect(convert(text).map((part) => part.type)).toEqual([
      'response-metadata',
      'reasoning-summary-delta',
      'reasoning-summary-delta',
      'reasoning-end',
      'text-delta',
      'text-delta',
      'finish',
    ]);
  });

  it('reads one whole GenerateContentResponse', () => {
    const [line] = readFixtureLines('gemini-function-call.chunks.txt');

    expect(convert(line!).at(-1)).toMatchObject({ type: 'finish', reason: { unified: 'tool-calls', raw: 'STOP' } });
  });

  it.each([
    ['text that is not JSON', '<html>Bad Gateway</html>'],
    ['JSON that is not a response', '{"candidates": "none"}'],
  ])('throws a malformed-response error for %s', (_, text) => {
    expect(() => convert(text)).toThrow(ProviderError);
    expect(() => convert(text)).toThrow('malformed upstream response');
  });

  it('throws the error of an error body sent with status 200', () => {
    expect(() => convert('[{"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}}]')).toThrow(
      expect.objectContaining({ providerCode: 'INTERNAL', message: 'Internal error' }),
    );
  });
});
