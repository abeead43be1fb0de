/**
 * The lines of a batch's input file, as OpenAI's Batch API reads them: one JSON object per line,
 * `{custom_id, method: "POST", url: <the batch's endpoint>, body}`, custom ids unique. A line that
 * breaks a rule is not run: it goes to the error file with a code saying why, and the rest of the
 * batch goes on.
 */
export type BatchLine =
  | { line: number; customId: string; body: Record<string, unknown> }
  | { line: number; customId: string | null; error: { code: string; message: string } };

/** OpenAI's limit on requests in one batch file. */
export const MAX_BATCH_LINES = 50_000;

export function parseBatchLines(text: string, endpoint: string): BatchLine[] {
  const lines: BatchLine[] = [];
  const seen = new Set<string>();
  const rows = text.split('\n');
  for (const [index, raw] of rows.entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      lines.push({ line, customId: null, error: { code: 'invalid_json_line', message: `Line ${line} is not valid JSON.` } });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      lines.push({ line, customId: null, error: { code: 'invalid_json_line', message: `Line ${line} is not a JSON object.` } });
      continue;
    }
    const entry = value as Record<string, unknown>;
    const customId = typeof entry['custom_id'] === 'string' && entry['custom_id'] !== '' ? entry['custom_id'] : null;
    const refuse = (code: string, message: string) => lines.push({ line, customId, error: { code, message } });
    if (customId === null) refuse('missing_required_parameter', `Line ${line} has no 'custom_id' string.`);
    else if (seen.has(customId)) refuse('duplicate_custom_id', `The custom_id '${customId}' of line ${line} is used by an earlier line.`);
    else if (entry['method'] !== 'POST') refuse('invalid_method', `Line ${line}: 'method' must be 'POST'.`);
    else if (entry['url'] !== endpoint) refuse('mismatched_endpoint', `Line ${line}: 'url' must be the batch's endpoint, '${endpoint}'.`);
    else if (typeof entry['body'] !== 'object' || entry['body'] === null || Array.isArray(entry['body']))
      refuse('missing_required_parameter', `Line ${line} has no 'body' object.`);
    else lines.push({ line, customId, body: entry['body'] as Record<string, unknown> });
    if (customId !== null) seen.add(customId);
  }
  return lines;
}
