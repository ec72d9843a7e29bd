// The fake store platforms and a webhook receiver for one test file of the store connections,
// started before its tests and closed after them, and the store settings that point at them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { FakeWebhookReceiver, fakeStoreEnv, startFakes, type ReceivedWebhook } from '../../fakes/platforms.ts';

export const WEBHOOK_SECRET = 'fake-webhook-secret';

export interface StoreFakes {
  /** The fake Shoplazza, Youzan and FKW (ready once the file's `before` ran). */
  f: Awaited<ReturnType<typeof startFakes>>;
  hook: FakeWebhookReceiver;
  /** SHOP_CHAT_* for a harness: the fakes, a fresh vault key, the webhook, no refresh sweep, and `extra`. */
  readonly env: Record<string, string>;
  /** The first accepted webhook of `shopUid` with `status`, waited for up to 5 s. */
  hookFor(shopUid: string, status: string): Promise<ReceivedWebhook>;
}

export function useStoreFakes(extra: Record<string, string> = {}): StoreFakes {
  const fakes = { env: {} as Record<string, string> } as StoreFakes;
  before(async () => {
    fakes.f = await startFakes();
    fakes.hook = new FakeWebhookReceiver();
    await fakes.hook.start();
    Object.assign(fakes.env, fakeStoreEnv(fakes.f), {
      SHOP_CHAT_SECRET_KEY: randomBytes(32).toString('base64'),
      SHOP_CHAT_WEBHOOK_URL: fakes.hook.hookUrl,
      SHOP_CHAT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SHOP_CHAT_REFRESH_SWEEP: 'off',
      ...extra,
    });
  });
  after(async () => {
    await fakes.hook?.close();
    await fakes.f?.close();
  });
  fakes.hookFor = async (shopUid, status) => {
    const end = Date.now() + 5000;
    for (;;) {
      const w = fakes.hook.received.find((r) => r.body.shopUid === shopUid && r.body.status === status);
      if (w) return w;
      if (Date.now() > end) assert.fail(`no ${status} webhook for ${shopUid}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return fakes;
}

/** The OAuth `state` of an authorisation URL. */
export const stateOf = (authUrl: string) => new URL(authUrl).searchParams.get('state')!;
