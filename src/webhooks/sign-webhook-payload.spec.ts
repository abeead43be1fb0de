import OpenAI from 'openai';
import { newWebhookSecret, signWebhookPayload, webhookSignatureHeader } from './sign-webhook-payload.js';
import { retryDelayMs } from './webhook-dispatcher.js';

function signedHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const id = 'wh_test';
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhookPayload({ id, timestamp, body, secret }) };
}

describe(signWebhookPayload.name, () => {
  const body = JSON.stringify({ object: 'event', id: 'evt_1', type: 'response.completed', created_at: 1750287018, data: { id: 'resp_abc' } });

  it('is accepted by the official SDK with the same secret', async () => {
    const secret = newWebhookSecret();
    const event = await new OpenAI({ apiKey: 'x', webhookSecret: secret }).webhooks.unwrap(body, signedHeaders(body, secret));
    expect(event).toEqual(JSON.parse(body));
  });

  it('is rejected by the official SDK with another secret, or another body', async () => {
    const secret = newWebhookSecret();
    const sdk = new OpenAI({ apiKey: 'x', webhookSecret: newWebhookSecret() });
    await expect(sdk.webhooks.unwrap(body, signedHeaders(body, secret))).rejects.toBeInstanceOf(OpenAI.InvalidWebhookSignatureError);
    const own = new OpenAI({ apiKey: 'x', webhookSecret: secret });
    await expect(own.webhooks.unwrap(body.replace('resp_abc', 'resp_xyz'), signedHeaders(body, secret))).rejects.toBeInstanceOf(
      OpenAI.InvalidWebhookSignatureError,
    );
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the standard-webhooks specification's test suite.
    expect(
      signWebhookPayload({
        id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        timestamp: 1614265330,
        body: '{"test": 2432232314}',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});

describe(webhookSignatureHeader.name, () => {
  const body = JSON.stringify({ object: 'event', id: 'evt_2', type: 'response.failed', created_at: 1750287018, data: { id: 'resp_def' } });

  it('carries one signature per secret, so a receiver holding either secret verifies it (secret rotation)', async () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = webhookSignatureHeader({ id: 'wh_rot', timestamp, body, secrets: [current, previous] });
    expect(signature.split(' ')).toEqual([
      signWebhookPayload({ id: 'wh_rot', timestamp, body, secret: current }),
      signWebhookPayload({ id: 'wh_rot', timestamp, body, secret: previous }),
    ]);
    const headers = { 'webhook-id': 'wh_rot', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    for (const secret of [current, previous])
      expect(await new OpenAI({ apiKey: 'x', webhookSecret: secret }).webhooks.unwrap(body, headers)).toEqual(JSON.parse(body));
    await expect(new OpenAI({ apiKey: 'x', webhookSecret: newWebhookSecret() }).webhooks.unwrap(body, headers)).rejects.toBeInstanceOf(
      OpenAI.InvalidWebhookSignatureError,
    );
  });
});

describe(retryDelayMs.name, () => {
  it('doubles from the base, jitters within the upper half, and stops at one hour', () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, () => 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, () => 1)).toBe(8000);
    expect(retryDelayMs(30, 1000, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(1000, 1000, () => 0.5)).toBe(2_700_000);
  });
});
