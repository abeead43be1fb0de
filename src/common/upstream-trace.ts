/** One request as it went to the upstream: the exact body text, and headers with secrets redacted. */
export interface UpstreamRequestRecord {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * What a model call did at the HTTP level, filled in by callProvider as it goes, for operators:
 * every request sent (a recovery sends a second one) and every attempt (retries included).
 */
export interface UpstreamTrace {
  requests: UpstreamRequestRecord[];
  attempts: number;
}

export function newUpstreamTrace(): UpstreamTrace {
  return { requests: [], attempts: 0 };
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'proxy-authorization']);

/** Credentials never reach storage: their names stay, their values do not. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value]));
}
