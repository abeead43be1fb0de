import { createHmac, randomBytes } from 'node:crypto';

/** The Standard Webhooks `v1` signature, as the openai SDK's `webhooks.unwrap()` verifies it. */
export function signWebhookPayload(input: { id: string; timestamp: number; body: string; secret: string }): string {
  // Like the SDK: a `whsec_` secret is base64 key material; anything else is used as its UTF-8 bytes.
  const key = input.secret.startsWith('whsec_') ? Buffer.from(input.secret.slice('whsec_'.length), 'base64') : Buffer.from(input.secret, 'utf8');
  const mac = createHmac('sha256', key).update(`${input.id}.${input.timestamp}.${input.body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The `webhook-signature` header: one `v1,` signature per secret, space-separated as Standard
 * Webhooks allows. During a secret rotation's grace period the delivery carries the new and the
 * previous secret's signatures, so a receiver still holding the old secret keeps verifying.
 */
export function webhookSignatureHeader(input: { id: string; timestamp: number; body: string; secrets: readonly string[] }): string {
  return input.secrets.map((secret) => signWebhookPayload({ id: input.id, timestamp: input.timestamp, body: input.body, secret })).join(' ');
}

/** 32 random bytes: within Standard Webhooks' 24–64 byte range. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
