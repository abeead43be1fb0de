/** Characters of one client-supplied value a log line keeps. */
const LOG_VALUE_MAX = 80;

/**
 * A client-supplied string as a log line shows it: quoted and escaped (a newline cannot start a
 * forged line), and cut short (a megabyte-long tool type cannot flood the log).
 */
export function quoteForLog(value: string, max = LOG_VALUE_MAX): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}
