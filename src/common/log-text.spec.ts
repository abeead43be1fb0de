import { quoteForLog } from './log-text.js';

describe(quoteForLog.name, () => {
  it('quotes and escapes, so a client string cannot forge a log line', () => {
    expect(quoteForLog('web_search')).toBe('"web_search"');
    expect(quoteForLog('x\n[Nest] 1 - ERROR fake\r\u001b[31m')).toBe('"x\\n[Nest] 1 - ERROR fake\\r\\u001b[31m"');
  });

  it('keeps 80 characters of a long value', () => {
    expect(quoteForLog('a'.repeat(10_000))).toBe(`"${'a'.repeat(80)}…"`);
  });
});
