import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createHarness, describeEachDatabase, json, onboardShop } from './helpers/server.ts';

const ROUTES: Array<[string, string]> = [
  ['post', '/api/v1/shop/open/onboard'],
  ['get', '/api/v1/shop/open/binding'],
  ['post', '/api/v1/shop/open/update'],
  ['post', '/api/v1/shop/open/shop/vip-level'],
  ['post', '/api/v1/shop/open/agent-seat/query'],
  ['get', '/api/v1/shop/open/agent-seat/detail'],
  ['post', '/api/v1/shop/open/agent-seat/create'],
  ['post', '/api/v1/shop/open/agent-seat/update'],
  ['post', '/api/v1/shop/open/agent-seat/delete'],
  ['post', '/api/v1/shop/open/token/create'],
  ['post', '/api/v1/shop/open/token/query/org'],
  ['post', '/api/v1/shop/open/token/query/user'],
  ['get', '/api/v1/shop/open/token/detail'],
  ['post', '/api/v1/shop/open/token/update'],
  ['post', '/api/v1/shop/open/token/delete'],
  ['post', '/api/v1/shop/open/token/refresh'],
  ['post', '/api/v1/shop/open/token/revoke'],
  ['get', '/api/v1/shop/widget/config'],
  ['get', '/healthz'],
  ['get', '/readyz'],
];

describeEachDatabase('HTTP behaviour', (h) => {
  test('errors are envelopes with status = code: unknown route 404, malformed JSON 400, 413, 415', async () => {
    let res = await h().call('GET', '/api/v1/shop/open/nope', undefined, null);
    assert.equal(res.statusCode, 404);
    assert.deepEqual(json(res), { message: 'Route GET /api/v1/shop/open/nope not found', code: 404, data: null });

    res = await h().call('POST', '/api/v1/shop/open/onboard', '{"mobile": "1380', undefined, { 'content-type': 'application/json' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(json(res), { message: 'body: malformed JSON', code: 400, data: null });

    const big = JSON.stringify({ mobile: '13800138000', shopUid: 'x', shopName: 'y'.repeat(1024 * 1024 + 10) });
    res = await h().call('POST', '/api/v1/shop/open/onboard', big, undefined, { 'content-type': 'application/json' });
    assert.equal(res.statusCode, 413);
    assert.deepEqual(json(res), { message: 'body: larger than 1 MB', code: 413, data: null });

    res = await h().call('POST', '/api/v1/shop/open/onboard', '<a/>', undefined, { 'content-type': 'application/xml' });
    assert.equal(res.statusCode, 415);
    assert.equal(json(res).code, 415);

    res = await h().call('POST', '/api/v1/shop/open/onboard', undefined);
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^body: /);
  });

  test('authentication happens before validation: no token + bad body → 401', async () => {
    const res = await h().call('POST', '/api/v1/shop/open/update', { nothing: true }, null);
    assert.equal(res.statusCode, 401);
  });

  test('responses carry only schema fields and an x-request-id', async () => {
    const { shopUid } = await onboardShop(h());
    const res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`);
    assert.ok(res.headers['x-request-id']);
    const shop = json(res).data.shop;
    assert.equal('vip_expire_date' in shop, false);
    assert.equal('enabled' in shop, true);
  });

  test('/healthz and /readyz', async () => {
    let res = await h().call('GET', '/healthz', undefined, null);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res), { message: 'success', code: 200, data: { status: 'ok' } });
    res = await h().call('GET', '/readyz', undefined, null);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res).data, { status: 'ok' });
  });

  test('/openapi.json lists every route with request and response schemas; /docs serves the reference page', async () => {
    const res = await h().call('GET', '/openapi.json', undefined, null);
    assert.equal(res.statusCode, 200);
    const doc = json(res);
    assert.match(doc.openapi, /^3\./);
    for (const [method, path] of ROUTES) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
      assert.ok(op.responses?.['200']?.content?.['application/json']?.schema, `${path} has a 200 schema`);
      if (method === 'post' && path !== '/api/v1/shop/open/token/delete') assert.ok(op.requestBody, `${path} has a request body schema`);
    }
    const onboard = doc.paths['/api/v1/shop/open/onboard'].post;
    const bodySchema = onboard.requestBody.content['application/json'].schema;
    assert.deepEqual(bodySchema.required.sort(), ['mobile', 'shopUid']);
    assert.ok(onboard.responses['4XX'], 'error envelope documented');
    const binding = doc.paths['/api/v1/shop/open/binding'].get;
    assert.ok(binding.parameters.some((p: { name: string; in: string }) => p.name === 'shopUid' && p.in === 'query'));
    assert.equal(doc.paths['/openapi.json'], undefined);
    const docs = await h().app.inject({ method: 'GET', url: '/docs' });
    assert.ok([200, 302].includes(docs.statusCode));
    const page = await h().app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
  });

  test('widget config: public, CORS open, cache headers, ETag + 304; nothing secret', async () => {
    const { shopUid, shop, mobile } = await onboardShop(h());
    const url = `/api/v1/shop/widget/config?shopUid=${encodeURIComponent(shopUid)}`;
    const res = await h().call('GET', url, undefined, null, { origin: 'https://shop.example.com' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['cache-control'], 'public, max-age=60');
    const etag = res.headers.etag as string;
    assert.match(etag, /^"[^"]+"$/);
    const body = json(res);
    assert.deepEqual(body, {
      message: 'success',
      code: 200,
      data: {
        org: shop.orgUid,
        sid: shop.workgroups[0].uid,
        t: 1,
        chatUrl: 'https://cdn.weiyuai.cn/chat',
        apiUrl: 'https://api.weiyuai.cn',
        goodsDetailPath: '',
        orderDetailPath: '',
        shop: { name: shop.name, logo: shop.logo },
      },
    });
    assert.equal(res.body.includes(mobile), false, 'no mobile number');

    const cached = await h().call('GET', url, undefined, null, { 'if-none-match': etag });
    assert.equal(cached.statusCode, 304);
    assert.equal(cached.body, '');

    const pre = await h().app.inject({
      method: 'OPTIONS',
      url,
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.headers['access-control-allow-origin'], '*');

    // Open API routes are not CORS-open.
    const open = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`, undefined, undefined, { origin: 'https://evil.example.com' });
    assert.equal(open.headers['access-control-allow-origin'], undefined);

    // Changing the shop changes the ETag.
    await h().call('POST', '/api/v1/shop/open/update', { shopUid, shopName: 'Changed' });
    const changed = await h().call('GET', url, undefined, null, { 'if-none-match': etag });
    assert.equal(changed.statusCode, 200);
    assert.equal(json(changed).data.shop.name, 'Changed');
  });

  test('widget config: unknown or disabled shop 404, missing shopUid 400', async () => {
    const { shopUid } = await onboardShop(h());
    let res = await h().call('GET', '/api/v1/shop/widget/config?shopUid=nope_unknown', undefined, null);
    assert.equal(res.statusCode, 404);
    assert.equal(json(res).code, 404);
    await h().db.updateTable('shops').set({ enabled: 0 }).where('shop_uid', '=', shopUid).execute();
    res = await h().call('GET', `/api/v1/shop/widget/config?shopUid=${shopUid}`, undefined, null);
    assert.equal(res.statusCode, 404);
    res = await h().call('GET', '/api/v1/shop/widget/config', undefined, null);
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'shopUid: Required');
  });
});

describeEachDatabase(
  'widget config paths from the environment',
  (h) => {
    test('chatUrl and mini-program paths come from SHOP_CHAT_* variables', async () => {
      const { shopUid } = await onboardShop(h());
      const res = await h().call('GET', `/api/v1/shop/widget/config?shopUid=${shopUid}`, undefined, null);
      const data = json(res).data;
      assert.equal(data.chatUrl, 'https://chat.example.com/chat');
      assert.equal(data.goodsDetailPath, '/pages/goods/detail/index');
      assert.equal(data.orderDetailPath, '/pages/order/detail/index');
    });
  },
  {
    env: {
      SHOP_CHAT_CHAT_URL: 'https://chat.example.com/chat',
      SHOP_CHAT_GOODS_DETAIL_PATH: '/pages/goods/detail/index',
      SHOP_CHAT_ORDER_DETAIL_PATH: '/pages/order/detail/index',
    },
  },
);

test('rate limit: 429 in the envelope per token and per IP', async () => {
  const h = await createHarness('sqlite', { env: { SHOP_CHAT_RATE_LIMIT: '3', SHOP_CHAT_RATE_LIMIT_IP: '5' } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.call('GET', '/api/v1/shop/open/binding?shopUid=x')).statusCode);
    assert.deepEqual(statuses, [404, 404, 404, 429]);
    // (each of these also counted against the IP: 4 so far)
    const res = await h.call('GET', '/api/v1/shop/open/binding?shopUid=x');
    assert.equal(res.statusCode, 429);
    const body = json(res);
    assert.equal(body.code, 429);
    assert.match(body.message, /rate limit exceeded/);
    assert.equal(body.data, null);
    assert.ok(res.headers['retry-after']);
    // The per-IP limit (5) counts every request from the IP (5 so far): anonymous calls are limited.
    const anon = await h.call('GET', '/api/v1/shop/widget/config?shopUid=x', undefined, null);
    assert.equal(anon.statusCode, 429);
    assert.equal(json(anon).code, 429);
    // Another token from the same IP is now limited by the IP limit too.
    const other = await h.call('GET', '/api/v1/shop/open/binding?shopUid=x', undefined, 'sc_at_another');
    assert.equal(other.statusCode, 429);
    // Health probes are never limited.
    assert.equal((await h.call('GET', '/healthz', undefined, null)).statusCode, 200);
  } finally {
    await h.close();
  }
});

test('rate limit with REDIS_URL: two instances share the limit', async () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  let available = true;
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    available = false;
  } finally {
    probe.disconnect();
  }
  if (!available) {
    if (process.env.CI === 'true') assert.fail(`Redis not reachable at ${redisUrl} (required when CI=true)`);
    console.log(`Redis rate-limit test skipped: no Redis at ${redisUrl}`);
    return;
  }
  const ns = `shop-chat-test-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
  const env = { REDIS_URL: redisUrl, SHOP_CHAT_RATE_LIMIT: '1000', SHOP_CHAT_RATE_LIMIT_IP: '4' };
  const a = await createHarness('sqlite', { env, rateLimitNamespace: ns });
  const b = await createHarness('sqlite', { env, rateLimitNamespace: ns });
  try {
    const url = '/api/v1/shop/widget/config?shopUid=x';
    const s = [];
    s.push((await a.call('GET', url, undefined, null)).statusCode);
    s.push((await b.call('GET', url, undefined, null)).statusCode);
    s.push((await a.call('GET', url, undefined, null)).statusCode);
    s.push((await b.call('GET', url, undefined, null)).statusCode);
    s.push((await a.call('GET', url, undefined, null)).statusCode);
    s.push((await b.call('GET', url, undefined, null)).statusCode);
    assert.deepEqual(s, [404, 404, 404, 404, 429, 429]);
  } finally {
    await a.close();
    await b.close();
  }
});

test('an internal error is a 500 envelope without detail, logged with the request id; /readyz fails when the database is gone', async () => {
  const h = await createHarness('sqlite');
  try {
    const { shopUid } = await onboardShop(h);
    await h.db.destroy();
    const res = await h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`);
    assert.equal(res.statusCode, 500);
    assert.deepEqual(json(res), { message: 'Internal Server Error', code: 500, data: null });
    assert.ok(!/at |\.ts|sqlite|kysely/i.test(res.body), 'no stack or internal detail');
    const reqId = res.headers['x-request-id'] as string;
    const line = h.logs.find((l) => l.includes('"level":50') && l.includes(reqId));
    assert.ok(line, 'the error is logged with its request id');
    const ready = await h.call('GET', '/readyz', undefined, null);
    assert.equal(ready.statusCode, 503);
    assert.equal(json(ready).code, 503);
  } finally {
    await h.app.close();
  }
});
