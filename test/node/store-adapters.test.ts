import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAdapters, type Adapters } from '../../src/server/store/platforms/adapters.ts';
import { parseStoreConfig, type StoreConfig } from '../../src/server/store/config.ts';
import { PlatformError } from '../../src/server/store/platforms/platform.ts';
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';

type Fakes = Awaited<ReturnType<typeof startFakes>>;

async function rejectsKind(p: Promise<unknown>, kind: 'permanent' | 'transient', re?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof PlatformError, String(e));
    assert.equal(e.kind, kind, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

describe('store adapters against the fake platforms', () => {
  let f: Fakes;
  let config: StoreConfig;
  let a: Adapters;
  before(async () => {
    f = await startFakes();
    config = parseStoreConfig({ ...fakeStoreEnv(f), SHOP_CHAT_PUBLIC_URL: 'http://127.0.0.1:9' });
    a = createAdapters(config, { timeoutMs: 300 });
  });
  after(() => f.close());
  beforeEach(() => {
    f.shoplazza.clearFaults();
    f.youzan.clearFaults();
    f.fkw.clearFaults();
  });

  describe('Shoplazza (seed 001)', () => {
    it('builds the authorisation URL on the store host and rejects store names that are not host labels', () => {
      const url = new URL(a.SHOPLAZZA.authUrl({ state: 'st', sellerId: 'demo-store-1' }));
      assert.equal(url.origin + url.pathname, `${f.shoplazza.url}/stores/demo-store-1/admin/oauth/authorize`);
      assert.equal(url.searchParams.get('state'), 'st');
      assert.equal(url.searchParams.get('redirect_uri'), 'http://127.0.0.1:9/api/v1/shop/open/store/callback/shoplazza');
      assert.equal(url.searchParams.get('client_secret'), null);
      for (const bad of ['Evil.com', 'a.b', 'x/y', '-x', 'a@b', '']) {
        assert.ok(a.SHOPLAZZA.checkSellerId(bad, 'URL'), bad);
        assert.throws(() => a.SHOPLAZZA.authUrl({ state: 's', sellerId: bad }));
      }
      const real = createAdapters(parseStoreConfig({ SHOPLAZZA_CLIENT_ID: 'fake-id', SHOPLAZZA_CLIENT_SECRET: 'fake-s' }), {});
      assert.match(real.SHOPLAZZA.authUrl({ state: 's', sellerId: 'shop1' }), /^https:\/\/shop1\.myshoplaza\.com\/admin\/oauth\/authorize\?/);
    });

    it('exchanges a code at the partner endpoint, then refreshes at the store host with redirect_uri; both tokens rotate', async () => {
      f.shoplazza.redirectUri = 'http://127.0.0.1:9/api/v1/shop/open/store/callback/shoplazza';
      const code = f.shoplazza.issueCode('demo-store');
      const t = await a.SHOPLAZZA.exchangeCode({ code, sellerId: 'demo-store' });
      assert.equal(t.sellerId, 'demo-store');
      assert.ok(t.expiresAt! > Date.now() + 300 * 86_400_000);
      const r = await a.SHOPLAZZA.refresh({ sellerId: 'demo-store', authType: 'URL', refreshToken: t.refreshToken, credentials: null });
      assert.notEqual(r.accessToken, t.accessToken);
      assert.notEqual(r.refreshToken, t.refreshToken);
      const body = JSON.parse(f.shoplazza.requests.at(-1)!.body);
      assert.deepEqual(Object.keys(body).sort(), ['client_id', 'client_secret', 'grant_type', 'redirect_uri', 'refresh_token']);
      assert.equal(body.grant_type, 'refresh_token');
      // The old refresh token is dead: a permanent failure.
      await rejectsKind(a.SHOPLAZZA.refresh({ sellerId: 'demo-store', authType: 'URL', refreshToken: t.refreshToken, credentials: null }), 'permanent', /invalid_grant/);
      f.shoplazza.redirectUri = '';
    });

    it('a missing expiry means refresh soon', async () => {
      f.shoplazza.omitExpiry = true;
      try {
        const t = await a.SHOPLAZZA.exchangeCode({ code: f.shoplazza.issueCode('s2'), sellerId: 's2' });
        assert.ok(t.expiresAt! < Date.now() + 2 * 3_600_000);
      } finally {
        f.shoplazza.omitExpiry = false;
      }
    });

    it('validates a private-app KEY token against the shop API', async () => {
      const token = f.shoplazza.addPrivateToken('keystore');
      const t = await a.SHOPLAZZA.validateKey({ sellerId: 'keystore', authInfo: { token } });
      assert.equal(t.accessToken, token);
      assert.equal(t.sellerName, 'Store keystore');
      await rejectsKind(a.SHOPLAZZA.validateKey({ sellerId: 'keystore', authInfo: { token: 'fake-wrong' } }), 'permanent', /rejected/);
    });

    it('classifies 5xx, timeouts, resets and HTML bodies as transient', async () => {
      const { refreshToken } = f.shoplazza.seedPair('t1');
      const input = { sellerId: 't1', authType: 'URL' as const, refreshToken, credentials: null };
      f.shoplazza.inject('refresh', { type: 'status', status: 503 }, { type: 'hang', ms: 1000 }, { type: 'reset' }, { type: 'garbage' });
      await rejectsKind(a.SHOPLAZZA.refresh(input), 'transient', /HTTP 503/);
      await rejectsKind(a.SHOPLAZZA.refresh(input), 'transient', /timed out after 300 ms/);
      await rejectsKind(a.SHOPLAZZA.refresh(input), 'transient', /network error/);
      await rejectsKind(a.SHOPLAZZA.refresh(input), 'transient', /without a JSON body/);
      const ok = await a.SHOPLAZZA.refresh(input);
      assert.ok(ok.accessToken);
    });
  });

  describe('Youzan (seed 002)', () => {
    it('KEY: silent grant with grant_id, envelope parsed, expires in epoch ms; refresh=true rotates and kills the old refresh token', async () => {
      const app = f.youzan.addSelfUseApp('42587152');
      const t = await a.YOUZAN.validateKey({ sellerId: '42587152', authInfo: app });
      assert.equal(t.sellerId, '42587152');
      assert.ok(Math.abs(t.expiresAt! - (Date.now() + 7 * 86_400_000)) < 60_000);
      assert.ok(t.refreshExpiresAt! > Date.now() + 27 * 86_400_000);
      const again = await a.YOUZAN.validateKey({ sellerId: '42587152', authInfo: app });
      assert.equal(again.accessToken, t.accessToken, 'repeat without refresh returns the same pair');
      const r = await a.YOUZAN.refresh({ sellerId: '42587152', authType: 'KEY', refreshToken: t.refreshToken, credentials: app });
      assert.notEqual(r.accessToken, t.accessToken);
      assert.equal(f.youzan.isRefreshTokenLive(t.refreshToken!), false);
      const sent = JSON.parse(f.youzan.requests.at(-1)!.body);
      assert.equal(sent.authorize_type, 'silent');
      assert.equal(sent.refresh, true);
      assert.equal(sent.grant_id, '42587152');
    });

    it('KEY: wrong credentials are a permanent failure carrying the envelope code, never the secret', async () => {
      const app = f.youzan.addSelfUseApp('1001');
      await rejectsKind(a.YOUZAN.validateKey({ sellerId: '1001', authInfo: { apiKey: app.apiKey, apiSecret: 'fake-wrong-secret' } }), 'permanent', /code 40010/);
    });

    it('URL: code exchange, then refresh_token grant; the old refresh token fails after rotation', async () => {
      const code = f.youzan.issueCode('777');
      const t = await a.YOUZAN.exchangeCode({ code, sellerId: null });
      assert.equal(t.sellerId, '777');
      const r = await a.YOUZAN.refresh({ sellerId: '777', authType: 'URL', refreshToken: t.refreshToken, credentials: null });
      assert.notEqual(r.refreshToken, t.refreshToken);
      await rejectsKind(a.YOUZAN.refresh({ sellerId: '777', authType: 'URL', refreshToken: t.refreshToken, credentials: null }), 'permanent', /40003/);
    });

    it('a missing expiry means refresh soon; 5xx is transient', async () => {
      f.youzan.omitExpiry = true;
      try {
        const t = await a.YOUZAN.exchangeCode({ code: f.youzan.issueCode('778'), sellerId: null });
        assert.ok(t.expiresAt! < Date.now() + 2 * 3_600_000);
      } finally {
        f.youzan.omitExpiry = false;
      }
      f.youzan.inject('authorization_code', { type: 'status', status: 502, body: { success: false, code: 502, message: 'bad gateway' } });
      await rejectsKind(a.YOUZAN.exchangeCode({ code: 'x', sellerId: null }), 'transient');
    });
  });

  describe('FKW (seed 003)', () => {
    it('authorisation URL is getAuthCode with platform_code and state, no secret', () => {
      const url = new URL(a.FKW.authUrl({ state: 'st', sellerId: null }));
      assert.equal(url.pathname, '/api/oauth/getAuthCode');
      assert.equal(url.searchParams.get('cmd'), 'getAuthCode');
      assert.equal(url.searchParams.get('platform_code'), 'FKW');
      assert.equal(url.searchParams.get('client_id'), f.fkw.clientId);
      assert.equal(url.searchParams.get('client_secret'), null);
    });

    it('exchanges the code (query-string parameters), expiry 2 h, refresh 28 days; refresh rotates', async () => {
      const t = await a.FKW.exchangeCode({ code: f.fkw.issueCode('11039290'), sellerId: null });
      assert.equal(t.sellerId, '11039290');
      assert.ok(Math.abs(t.expiresAt! - (Date.now() + 7_200_000)) < 60_000);
      assert.ok(Math.abs(t.refreshExpiresAt! - (Date.now() + 2_419_200_000)) < 60_000);
      const req = f.fkw.requests.at(-1)!;
      assert.match(req.url, /grant_type=authorization_code/);
      const r = await a.FKW.refresh({ sellerId: '11039290', authType: 'URL', refreshToken: t.refreshToken, credentials: null });
      assert.notEqual(r.accessToken, t.accessToken);
      await rejectsKind(a.FKW.refresh({ sellerId: '11039290', authType: 'URL', refreshToken: t.refreshToken, credentials: null }), 'permanent', /rt 102/);
    });

    it('reads success:false at HTTP 200 as a refusal (expired code: rt 100)', async () => {
      await rejectsKind(a.FKW.exchangeCode({ code: f.fkw.issueCode('1', { expired: true }), sellerId: null }), 'permanent', /rt 100/);
    });

    it('error messages never carry the client secret or the URL', async () => {
      f.fkw.inject('refreshAccessToken', { type: 'hang', ms: 1000 });
      await assert.rejects(a.FKW.refresh({ sellerId: '1', authType: 'URL', refreshToken: 'fake-rt-xyz', credentials: null }), (e: Error) => {
        assert.ok(!e.message.includes(f.fkw.clientSecret));
        assert.ok(!e.message.includes('fake-rt-xyz'));
        assert.ok(!e.message.includes('http'));
        return true;
      });
    });

    it('product API: scans the catalogue page by page within a budget, public fields only', async () => {
      const { accessToken } = f.fkw.seedPair('555');
      f.fkw.products.set(
        '555',
        Array.from({ length: 250 }, (_, i) => ({
          id: String(i + 1),
          name: `商品${i + 1}`,
          picture: 'https://img.example.test/p.png',
          on_shelf: true,
          sku_list: [
            { sku_id: `${i + 1}_1`, price: 25.5, stock: 3 },
            { sku_id: `${i + 1}_2`, price: 19.9, stock: 0 },
          ],
        })),
      );
      let calls = 0;
      const spend = () => ++calls <= 25;
      const scan = await a.FKW.listGoods!({ accessToken, sellerId: '555', spend });
      assert.equal(scan.complete, true);
      assert.equal(scan.goods.length, 250);
      assert.equal(calls, 2, 'two pages of 200');
      assert.deepEqual(scan.goods.find((g) => g.id === '230'), { id: '230', title: '商品230', image: 'https://img.example.test/p.png', price: 19.9, onShelf: true });
      const cut = await a.FKW.listGoods!({ accessToken, sellerId: '555', spend: () => false });
      assert.deepEqual(cut, { goods: [], complete: false }, 'no budget, no upstream call');
      await rejectsKind(a.FKW.listGoods!({ accessToken: 'fake-bad', sellerId: '555', spend: () => true }), 'permanent', /rt -3/);
    });
  });
});
