import { parseBatchLines } from './batch-lines.js';

const line = (value: unknown) => JSON.stringify(value);
const request = (customId: unknown, extra: Record<string, unknown> = {}) => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/responses',
  body: { model: 'm', input: 'hi' },
  ...extra,
});

describe('parseBatchLines', () => {
  it('takes valid lines and refuses each broken one with a code, going on with the rest', () => {
    const text = [
      line(request('a')),
      '{not json',
      '',
      line([1, 2]),
      line(request('a')),
      line(request('b', { method: 'GET' })),
      line(request('c', { url: '/v1/chat/completions' })),
      line(request('d', { body: 'text' })),
      line({ method: 'POST', url: '/v1/responses', body: {} }),
      line(request('e')),
      '',
    ].join('\n');
    expect(parseBatchLines(text, '/v1/responses')).toEqual([
      { line: 1, customId: 'a', body: { model: 'm', input: 'hi' } },
      { line: 2, customId: null, error: { code: 'invalid_json_line', message: 'Line 2 is not valid JSON.' } },
      { line: 4, customId: null, error: { code: 'invalid_json_line', message: 'Line 4 is not a JSON object.' } },
      { line: 5, customId: 'a', error: { code: 'duplicate_custom_id', message: "The custom_id 'a' of line 5 is used by an earlier line." } },
      { line: 6, customId: 'b', error: { code: 'invalid_method', message: "Line 6: 'method' must be 'POST'." } },
      { line: 7, customId: 'c', error: { code: 'mismatched_endpoint', message: "Line 7: 'url' must be the batch's endpoint, '/v1/responses'." } },
      { line: 8, customId: 'd', error: { code: 'missing_required_parameter', message: "Line 8 has no 'body' object." } },
      { line: 9, customId: null, error: { code: 'missing_required_parameter', message: "Line 9 has no 'custom_id' string." } },
      { line: 10, customId: 'e', body: { model: 'm', input: 'hi' } },
    ]);
  });
});
