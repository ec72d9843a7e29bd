// Upstream mode end to end over HTTP: the app in front of a second server process in local mode,
// and in front of the fake Bytedesk (each way of failing → our envelope and status; one refresh for
// 50 callers and for two server processes; the widget config while upstream is down; /readyz and
// the admin CLI when the credential is refused; no upstream token anywhere).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { WIDGET_CONFIG_TTL_MS } from '../../src/server/routes/widget.ts';
import { FakeBytedesk } from '../fakes/bytedesk.ts';
import { startServerProcess } from '../helpers/server-process.ts';
import { ADMIN_TOKEN, createHarness, createOrgToken, createUpstreamHarness, json, uniqueShop, type Harness } from './helpers/server.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const CONFIG = '/api/v1/shop/widget/config';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Status and envelope of an error answer: the HTTP status equals `code`, data null. */
function assertEnvelope(res: LightMyRequestResponse, status: number, message?: RegExp, data: unknown = null) {
  assert.equal(res.statusCode, status, res.body);
  const body = json(res);
  assert.deepEqual(Object.keys(body), ['message', 'code', 'data']);
  assert.equal(body.code, status);
  assert.deepEqual(body.data, data);
  if (message) assert.match(body.message, message);
}

describe('upstream mode: in front of a second server process in local mode', () => {
  let h: Harness & { upstream: { base: string } };
  before(async () => {
    h = await createUpstreamHarness();
  });
  after(() => h?.close());

  test('onboard goes upstream; the proxy’s widget config shows the upstream’s org and workgroup uids', async () => {
    const { shopUid, mobile } = uniqueShop();
    const res = await h.call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid, shopName: '上游店铺', shopLogo: 'https://example.com/u.png' });
    assert.equal(res.statusCode, 200, res.body);
    const shop = json(res).data.shopList[0];
    const upstreamConfig = await fetch(`${h.upstream.base}${CONFIG}?shopUid=${shopUid}`).then((r) => r.json());
    const config = await h.call('GET', `${CONFIG}?shopUid=${shopUid}`, undefined, null);
    assert.equal(config.statusCode, 200);
    const data = json(config).data;
    assert.equal(data.org, shop.orgUid);
    assert.equal(data.sid, shop.workgroups[0].uid);
    assert.deepEqual(data, upstreamConfig.data, 'the same config as the upstream’s own');
    // The shop lives upstream: our database holds only its mirrored binding.
    assert.equal((await h.localDb!.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid).execute()).length, 0);
    assert.equal((await h.db.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid).execute()).length, 1);
  });

  test('the OpenAPI document does not change with the mode', async () => {
    const ours = json(await h.call('GET', '/openapi.json', undefined, null));
    const theirs = await fetch(`${h.upstream.base}/openapi.json`).then((r) => r.json());
    assert.deepEqual(ours, theirs);
  });

  test('API tokens stay ours: an org token of the proxy works at the proxy, and upstream does not know it', async () => {
    const { shopUid, mobile } = uniqueShop();
    assert.equal((await h.call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid })).statusCode, 200);
    const token = await createOrgToken(h, shopUid);
    assert.equal((await h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`, undefined, token.accessToken)).statusCode, 200);
    const atUpstream = await fetch(`${h.upstream.base}/api/v1/shop/open/binding?shopUid=${shopUid}`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    assert.equal(atUpstream.status, 401);
  });
});

describe('upstream mode: in front of the fake Bytedesk', () => {
  const fake = new FakeBytedesk();
  let h: Harness;
  const responses: string[] = [];
  const call = async (...args: Parameters<Harness['call']>) => {
    const res = await h.call(...args);
    responses.push(JSON.stringify(res.headers) + res.body);
    return res;
  };
  const onboard = async () => {
    const { shopUid, mobile } = uniqueShop('bd');
    const res = await call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid, shopName: '演示店铺' });
    assert.equal(res.statusCode, 200, res.body);
    return json(res).data.shopList[0] as { shopUid: string; orgUid: string; workgroups: { uid: string }[] };
  };

  before(async () => {
    await fake.start();
    const t = fake.issue();
    h = await createHarness('sqlite', {
      env: {
        SHOP_CHAT_UPSTREAM_URL: fake.url,
        SHOP_CHAT_UPSTREAM_ACCESS_TOKEN: t.accessToken,
        SHOP_CHAT_UPSTREAM_REFRESH_TOKEN: t.refreshToken!,
        SHOP_CHAT_UPSTREAM_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'trace',
      },
    });
  });
  afterEach(() => fake.clearFaults());
  after(async () => {
    await h?.close();
    await fake.stop();
  });

  test('Bytedesk’s HTTP 200 {code: 500, data: false} is a 502 envelope; its real 400/403/409 keep their status', async () => {
    const shop = await onboard();
    fake.inject('update', { type: 'business', message: '更新失败' });
    assertEnvelope(await call('POST', '/api/v1/shop/open/update', { shopUid: shop.shopUid, shopName: 'x' }), 502, /更新失败/);
    for (const status of [400, 403, 409] as const) {
      fake.inject('agent-seat/query', { type: 'status', status, message: `upstream says ${status}` });
      assertEnvelope(await call('POST', '/api/v1/shop/open/agent-seat/query', { shopUid: shop.shopUid }), status, new RegExp(`upstream says ${status}`));
    }
    const dup = await call('POST', '/api/v1/shop/open/agent-seat/create', { shopUid: shop.shopUid, seatNoList: [`${shop.shopUid}-base-1`], expireAt: '2027-09-10T23:59:59+08:00' });
    assertEnvelope(dup, 409);
  });

  test("upstream's 429 reaches the caller with its Retry-After (seconds), and without one when upstream sent none", async () => {
    const shop = await onboard();
    const url = `/api/v1/shop/open/binding?shopUid=${shop.shopUid}`;
    fake.inject('binding', { type: 'status', status: 429, message: 'too many requests', retryAfter: '7' });
    const limited = await call('GET', url);
    assertEnvelope(limited, 429, /too many requests/);
    assert.equal(limited.headers['retry-after'], '7');
    fake.inject('binding', { type: 'status', status: 429, message: 'too many requests' });
    const bare = await call('GET', url);
    assertEnvelope(bare, 429);
    assert.equal(bare.headers['retry-after'], undefined);
  });

  test('slow (504), down, malformed, a proxy’s HTML 502, a reset (502): an envelope, never a hang or a 500', async () => {
    const shop = await onboard();
    const url = `/api/v1/shop/open/binding?shopUid=${shop.shopUid}`;
    fake.inject('binding', { type: 'hang', ms: 6000 });
    const started = performance.now();
    assertEnvelope(await call('GET', url), 504, /within 2000 ms/);
    assert.ok(performance.now() - started < 4000, 'answered at the timeout');
    for (const fault of [{ type: 'garbage' }, { type: 'shape' }, { type: 'html502' }, { type: 'reset' }] as const) {
      // A read is sent again once after a dropped connection: drop both.
      fake.inject('binding', fault, fault);
      assertEnvelope(await call('GET', url), 502, /upstream/);
      fake.clearFaults();
    }
    await fake.stop();
    try {
      assertEnvelope(await call('GET', url), 502, /unreachable/);
    } finally {
      await fake.start();
    }
    assert.equal((await call('GET', url)).statusCode, 200);
  });

  test('an unknown shop (Bytedesk’s business error) is a 404 for the tenancy checks and the public routes; upstream is asked once a minute', async () => {
    const before = fake.count('binding');
    assertEnvelope(await call('POST', '/api/v1/shop/open/agent-seat/query', { shopUid: 'nobody_here' }), 404, /shop not found/);
    for (let i = 0; i < 10; i++) {
      assertEnvelope(await call('GET', `${CONFIG}?shopUid=nobody_here`, undefined, null), 404);
      assert.equal((await call('GET', '/api/v1/shop/widget/goods?shopUid=nobody_here&goodsUid=g1', undefined, null)).statusCode, 404);
    }
    assert.equal(fake.count('binding'), before + 1, 'public requests do not make us call upstream for every unknown shop');
  });

  test('an org token reaches its own shop only: the mirror’s shop → org mapping', async () => {
    const a = await onboard();
    const b = await onboard();
    const token = await createOrgToken(h, a.shopUid);
    assert.equal(token.orgUid, a.orgUid);
    assert.equal((await call('POST', '/api/v1/shop/open/agent-seat/query', { shopUid: a.shopUid }, token.accessToken)).statusCode, 200);
    const before = fake.count('agent-seat/query');
    assertEnvelope(await call('POST', '/api/v1/shop/open/agent-seat/query', { shopUid: b.shopUid }, token.accessToken), 403);
    assertEnvelope(await call('GET', `/api/v1/shop/open/binding?shopUid=${b.shopUid}`, undefined, token.accessToken), 403);
    assert.equal(fake.count('agent-seat/query'), before, 'refused before upstream is asked');
  });

  test('an expired access token: 401 upstream, one refresh and a retry; 50 concurrent callers share the refresh', async () => {
    const shop = await onboard();
    fake.expireAccessTokens();
    fake.delay('token/refresh', 100);
    const before = fake.count('token/refresh');
    const all = await Promise.all(Array.from({ length: 50 }, () => call('GET', `/api/v1/shop/open/binding?shopUid=${shop.shopUid}`)));
    assert.deepEqual([...new Set(all.map((r) => r.statusCode))], [200]);
    assert.equal(fake.count('token/refresh') - before, 1);
    assert.equal(h.services.upstream!.credential.refreshCalls, 1);
  });

  test('the widget config is served from the mirror, asks upstream at most once per shop per minute, and survives upstream being down', async () => {
    const shop = await onboard();
    const config = () => call('GET', `${CONFIG}?shopUid=${shop.shopUid}`, undefined, null);
    const before = fake.count('binding');
    const first = await config();
    assert.equal(first.statusCode, 200);
    assert.equal(json(first).data.org, shop.orgUid);
    assert.equal(json(first).data.sid, shop.workgroups[0]!.uid);
    assert.equal(first.headers['x-shop-chat-upstream'], undefined);
    assert.equal(fake.count('binding'), before, 'just mirrored by onboard: upstream not asked');
    // A minute later (and past the in-process cache of WIDGET_CONFIG_TTL_MS): one check, in the background.
    h.advanceClock(61_000);
    await sleep(WIDGET_CONFIG_TTL_MS + 100);
    for (let i = 0; i < 20; i++) assert.equal((await config()).statusCode, 200);
    await sleep(100);
    assert.equal(fake.count('binding'), before + 1, 'one background check in the minute');
    await fake.stop();
    try {
      h.advanceClock(61_000);
      await sleep(WIDGET_CONFIG_TTL_MS + 100);
      assert.equal((await config()).statusCode, 200);
      await sleep(100); // the background check meets the closed port
      const down = await config();
      assert.equal(down.statusCode, 200);
      assert.equal(json(down).data.org, shop.orgUid, 'the last known config');
      assert.equal(down.headers['x-shop-chat-upstream'], 'unavailable');
    } finally {
      await fake.start();
    }
  });

  test('a refused refresh: the credential needs a new token; /readyz and `upstream status` say so; set-token fixes it', async () => {
    const shop = await onboard();
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    assertEnvelope(await call('GET', `/api/v1/shop/open/binding?shopUid=${shop.shopUid}`), 503, /needs a new token.*upstream set-token/);
    assertEnvelope(await call('GET', '/readyz', undefined, null), 503, /refused this server’s credential.*upstream set-token/, { status: 'unavailable' });
    const cli = (args: string[], input?: string) =>
      new Promise<{ code: number; stdout: string }>((resolveRun) => {
        const child = execFile(
          process.execPath,
          ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/server/cli.ts'), 'upstream', ...args],
          { cwd: dirname(h.sqlitePath!), env: { PATH: process.env.PATH ?? '', DATABASE_URL: h.config.databaseUrl, SHOP_CHAT_UPSTREAM_URL: fake.url, NODE_ENV: 'test' } },
          (err, stdout) => resolveRun({ code: err ? Number(err.code ?? 1) : 0, stdout }),
        );
        child.stdin!.end(input ?? '');
      });
    const status = await cli(['status']);
    assert.equal(status.code, 0);
    assert.equal(JSON.parse(status.stdout).status, 'NEEDS_TOKEN');
    assert.match(JSON.parse(status.stdout).lastError, /refresh token invalid/);
    const fresh = fake.issue();
    const set = await cli(['set-token'], `${fresh.accessToken}\n${fresh.refreshToken}\n`);
    assert.equal(set.code, 0, set.stdout);
    assert.equal(JSON.parse(set.stdout).status, 'ACTIVE');
    assert.ok(!set.stdout.includes(fresh.accessToken) && !status.stdout.includes(fresh.refreshToken!), 'no token printed');
    assert.equal((await call('GET', '/readyz', undefined, null)).statusCode, 200);
    assert.equal((await call('GET', `/api/v1/shop/open/binding?shopUid=${shop.shopUid}`)).statusCode, 200);
  });

  test('no upstream token in the database file, the logs or any response', () => {
    const tokens = fake.issuedTokens();
    assert.ok(tokens.length >= 4);
    const dir = dirname(h.sqlitePath!);
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
    const logs = h.logs.join('');
    assert.ok(logs.includes('upstream credential refreshed'), 'the refresh was logged');
    const text = responses.join('');
    for (const t of tokens) {
      assert.ok(!files.includes(t), 'a token in the database files');
      assert.ok(!logs.includes(t), 'a token in the logs');
      assert.ok(!text.includes(t), 'a token in a response');
    }
    // The upstream saw our credential, never a caller's admin token.
    assert.ok(!fake.received.some((r) => r.authorization?.includes(ADMIN_TOKEN)));
  });
});

describe('upstream mode: two server processes share one credential', () => {
  const fake = new FakeBytedesk();
  let dir: string;
  before(async () => {
    await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'shop-chat-two-'));
  });
  after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('after the access token expired, the two refresh it exactly once (the lease and the compare-and-swap)', async () => {
    const t = fake.issue();
    const admin = `two-admin-${randomBytes(8).toString('hex')}`;
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'shared.db')}`,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SHOP_CHAT_ADMIN_TOKEN: admin,
      SHOP_CHAT_SECRET_KEY: randomBytes(32).toString('base64'),
      SHOP_CHAT_RATE_LIMIT: '1000000',
      SHOP_CHAT_RATE_LIMIT_IP: '1000000',
      SHOP_CHAT_UPSTREAM_URL: fake.url,
      SHOP_CHAT_UPSTREAM_ACCESS_TOKEN: t.accessToken,
      SHOP_CHAT_UPSTREAM_REFRESH_TOKEN: t.refreshToken!,
    };
    const a = await startServerProcess(env, dir);
    const b = await startServerProcess(env, dir);
    try {
      const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
      const ob = await fetch(`${a.base}/api/v1/shop/open/onboard`, { method: 'POST', headers, body: JSON.stringify({ mobile: '13900000077', shopUid: 'two_shop' }) });
      assert.equal(ob.status, 200, await ob.text());
      fake.expireAccessTokens();
      fake.delay('token/refresh', 300);
      const before = fake.count('token/refresh');
      const all = await Promise.all(
        Array.from({ length: 40 }, (_, i) => fetch(`${(i % 2 ? a : b).base}/api/v1/shop/open/binding?shopUid=two_shop`, { headers }).then((r) => r.status)),
      );
      assert.deepEqual([...new Set(all)], [200]);
      assert.equal(fake.count('token/refresh') - before, 1, 'one refresh for both processes');
      const output = a.output() + b.output();
      for (const token of fake.issuedTokens()) assert.ok(!output.includes(token), 'a token in a server log');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
