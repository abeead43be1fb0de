import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type ProviderData, providerDataSchema } from '../items/item.schemas.js';
import { ServerSecretsRepository } from '../persistence/server-secrets.repository.js';

const PREFIX = 'rse1.';
const SECRET_NAME = 'reasoning-envelope-key';

/**
 * The `encrypted_content` we hand out for `include: ["reasoning.encrypted_content"]`: a reasoning
 * item's provider artifacts (Anthropic signatures, Gemini thought signatures, OpenAI encrypted
 * content, a chat server's provenance), sealed with AES-256-GCM, so that a `store: false` client can
 * send the item back and the next turn replays it. Opaque to the client, and any change to it fails
 * to open. The key is made on first start and kept in the database, so every instance, before and
 * after a restart, opens what any of them sealed.
 */
@Injectable()
export class ReasoningEnvelope implements OnModuleInit {
  private key: Buffer | null = null;

  constructor(private readonly secrets: ServerSecretsRepository) {}

  async onModuleInit(): Promise<void> {
    // Two instances starting together read the same key: the first one's.
    const value = await this.secrets.getOrCreate(SECRET_NAME, () => randomBytes(32).toString('base64'));
    this.key = Buffer.from(value, 'base64');
  }

  seal(data: ProviderData): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.requireKey(), iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** Whether a client's `encrypted_content` is one of ours (else it is left as the client sent it). */
  static isEnvelope(text: string): boolean {
    return text.startsWith(PREFIX);
  }

  /** The artifacts sealed in an envelope of ours, or null when it was altered or sealed with another key. */
  open(text: string): ProviderData | null {
    const raw = Buffer.from(text.slice(PREFIX.length), 'base64url');
    if (raw.length < 12 + 16) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.requireKey(), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      const parsed = providerDataSchema.safeParse(JSON.parse(plain));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private requireKey(): Buffer {
    if (!this.key) throw new Error('ReasoningEnvelope used before its key was loaded');
    return this.key;
  }
}
