import { createHash } from 'node:crypto';

/** API keys are looked up by their sha256; a fast hash is enough for random, high-entropy keys. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
