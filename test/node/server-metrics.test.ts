// GET /metrics: Prometheus text format from a per-app registry; request counts and latency by route
// pattern (never the raw URL), store token-refresh outcomes and vault errors, default process metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { createMetrics, metricsPlugin } from '../../src/server/http/metrics.ts';
import { StoreTokenError } from '../../src/server/store/refresh.ts';
import { VaultError } from '../../src/server/store/vault.ts';
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { seedConnection } from '../fakes/store-harness.ts';
import { createHarness, json, onboardShop, type Harness } from './helpers/server.ts';

/** Samples of one scrape: `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const sample = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

describe('GET /metrics', () => {
  let f: Awaited<ReturnType<typeof startFakes>>;
  let h: Harness;
  const scrape = async () => {
    const res = await h.call('GET', '/metrics', undefined, null);
    assert.equal(res.statusCode, 200);
    return { text: res.body, m: parse(res.body), res };
  };

  before(async () => {
    f = await startFakes();
    h = await createHarness('sqlite', { env: fakeStoreEnv(f) });
  });
  after(async () => {
    await h?.close();
    await f?.close();
  });

  it('answers in the Prometheus text format with the default process metrics', async () => {
    const { res, text } = await scrape();
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'shop_chat_http_requests_total',
      'shop_chat_http_request_duration_seconds',
      'shop_chat_store_token_refresh_total',
      'shop_chat_store_vault_errors_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.match(text, /^shop_chat_store_vault_errors_total\{operation="decrypt"\} 0$/m);
  });

  it('counts requests by method, route pattern and status, and times them', async () => {
    const before = (await scrape()).m;
    for (let i = 0; i < 3; i++) assert.equal((await h.call('GET', '/healthz', undefined, null)).statusCode, 200);
    const { shopUid } = await onboardShop(h);
    const cfg = await h.call('GET', `/api/v1/shop/widget/config?shopUid=${shopUid}`, undefined, null);
    assert.equal(cfg.statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/shop/widget/config?shopUid=no_such_shop', undefined, null)).statusCode, 404);
    assert.equal((await h.call('POST', '/api/v1/shop/open/onboard', {}, null)).statusCode, 401);
    const { m } = await scrape();

    const delta = (key: string) => sample(m, key) - sample(before, key);
    assert.equal(delta('shop_chat_http_requests_total{method="GET",route="/healthz",status="200"}'), 3);
    assert.equal(delta('shop_chat_http_request_duration_seconds_count{method="GET",route="/healthz"}'), 3);
    assert.ok(delta('shop_chat_http_request_duration_seconds_bucket{le="10",method="GET",route="/healthz"}') === 3);
    assert.ok(sample(m, 'shop_chat_http_request_duration_seconds_sum{method="GET",route="/healthz"}') > 0);
    assert.equal(delta('shop_chat_http_requests_total{method="POST",route="/api/v1/shop/open/onboard",status="200"}'), 1);
    assert.equal(delta('shop_chat_http_requests_total{method="POST",route="/api/v1/shop/open/onboard",status="401"}'), 1);
    assert.equal(delta('shop_chat_http_requests_total{method="GET",route="/api/v1/shop/widget/config",status="200"}'), 1);
    assert.equal(delta('shop_chat_http_requests_total{method="GET",route="/api/v1/shop/widget/config",status="404"}'), 1);
    // The previous scrape is counted too.
    assert.ok(delta('shop_chat_http_requests_total{method="GET",route="/metrics",status="200"}') >= 1);
  });

  it('labels with route patterns only: no token, id or query string reaches a label', async () => {
    const secret = 'sc_at_SECRETsecretSECRETsecret0000';
    await h.call('GET', `/api/v1/shop/open/token/detail?uid=tok_secret_uid_1234`, undefined, secret);
    await h.call('GET', `/api/v1/shop/open/store/callback/fkw?code=code_secret_5678&state=x.y.z`, undefined, null);
    await h.call('GET', `/no/such/route/${secret}?token=${secret}`, undefined, null);
    const { text, m } = await scrape();
    for (const leak of [secret, 'tok_secret_uid_1234', 'code_secret_5678', '/no/such', '?']) {
      assert.ok(!text.split('\n').some((l) => !l.startsWith('#') && l.includes(leak)), `metrics hold ${leak}`);
    }
    assert.ok(sample(m, 'shop_chat_http_requests_total{method="GET",route="/api/v1/shop/open/token/detail",status="401"}') >= 1);
    assert.ok(sample(m, 'shop_chat_http_requests_total{method="GET",route="/api/v1/shop/open/store/callback/:platform",status="400"}') >= 1);
    assert.ok(sample(m, 'shop_chat_http_requests_total{method="GET",route="(unmatched)",status="404"}') >= 1);
  });

  it('counts store token refresh outcomes by platform: success and permanent failure', async () => {
    const store = h.services.store;
    const before = (await scrape()).m;

    const pair = f.fkw.seedPair('9001');
    const ok = await seedConnection(h.db as never, store.vault, { platform: 'FKW', sellerId: '9001', ...pair, expiresAt: Date.now() + 5 * 60_000 });
    const token = await store.getValidAccessToken(ok);
    assert.notEqual(token, pair.accessToken, 'refreshed within the FKW margin');

    // A refresh token the platform does not know: a permanent failure, NEEDS_REAUTH.
    const dead = await seedConnection(h.db as never, store.vault, {
      platform: 'FKW',
      sellerId: '9002',
      accessToken: 'fkw_at_dead',
      refreshToken: 'fkw_rt_unknown_to_the_platform',
      expiresAt: Date.now() + 60_000,
    });
    await assert.rejects(store.getValidAccessToken(dead), (e: unknown) => e instanceof StoreTokenError && e.reason === 'NEEDS_REAUTH');

    const { m } = await scrape();
    const delta = (key: string) => sample(m, key) - sample(before, key);
    assert.equal(delta('shop_chat_store_token_refresh_total{platform="FKW",outcome="success"}'), 1);
    assert.equal(delta('shop_chat_store_token_refresh_total{platform="FKW",outcome="permanent_failure"}'), 1);
  });

  it('counts vault errors (a stored token that does not decrypt)', async () => {
    const store = h.services.store;
    const before = (await scrape()).m;
    const id = await seedConnection(h.db as never, store.vault, { platform: 'FKW', sellerId: '9003', accessToken: 'x', refreshToken: 'y', expiresAt: Date.now() + 86_400_000 });
    // Tamper with the ciphertext: authentication fails.
    const row = await h.db.selectFrom('store_connection' as never).select('access_token_enc' as never).where('id' as never, '=', id as never).executeTakeFirstOrThrow();
    const sealed = (row as { access_token_enc: string }).access_token_enc;
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await h.db.updateTable('store_connection' as never).set({ access_token_enc: tampered } as never).where('id' as never, '=', id as never).execute();
    await assert.rejects(store.getValidAccessToken(id), VaultError);
    const { m } = await scrape();
    assert.equal(sample(m, 'shop_chat_store_vault_errors_total{operation="decrypt"}') - sample(before, 'shop_chat_store_vault_errors_total{operation="decrypt"}'), 1);
  });

  it('keeps one registry per app: two apps in one process count separately', async () => {
    const a = Fastify();
    const b = Fastify();
    await a.register(metricsPlugin, { metrics: createMetrics() });
    await b.register(metricsPlugin, { metrics: createMetrics() });
    a.get('/x', async () => 'x');
    b.get('/x', async () => 'x');
    await a.inject('/x');
    await a.inject('/x');
    await b.inject('/x');
    const count = async (app: typeof a) =>
      sample(parse((await app.inject('/metrics')).body), 'shop_chat_http_requests_total{method="GET",route="/x",status="200"}');
    assert.equal(await count(a), 2);
    assert.equal(await count(b), 1);
    await a.close();
    await b.close();
    // The app of the harness still answers.
    assert.equal(json((await h.call('GET', '/healthz', undefined, null))).code, 200);
  });
});
