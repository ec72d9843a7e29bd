// Issue 12, what a client or a proxy header could do at the HTTP layer: walk around the rate limits
// (X-Forwarded-For, /token/refresh, a Redis outage), reach a 500 through a static path, read
// validation details without a token, see the demo pages or /docs where they are turned off.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/server/config.ts';
import { freePort } from '../helpers/net.ts';
import { createHarness, createOrgToken, json, onboardShop, type Harness } from './helpers/server.ts';

const O = '/api/v1/shop/open';
let roots: { widget: string; demo: string; dir: string };

before(() => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-static-'));
  roots = { dir, widget: join(dir, 'dist'), demo: join(dir, 'demo') };
  mkdirSync(roots.widget);
  mkdirSync(roots.demo);
  writeFileSync(join(roots.widget, 'shop-chat.iife.js'), 'void 0;');
  writeFileSync(join(roots.demo, 'index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(dir, 'package.json'), '{"secret":"outside the roots"}');
});
after(() => rmSync(roots.dir, { recursive: true, force: true }));

const errorLogs = (h: Harness) => h.logs.filter((l) => JSON.parse(l).level >= 50);

describe('SHOP_CHAT_TRUST_PROXY', () => {
  test('true is refused with the reason; false, hop counts and address lists are accepted', () => {
    for (const v of ['true', 'on', 'yes']) {
      assert.throws(() => loadConfig({ SHOP_CHAT_TRUST_PROXY: v }), /SHOP_CHAT_TRUST_PROXY is invalid: .*not true: trusting every hop lets a client write its own X-Forwarded-For/);
    }
    assert.equal(loadConfig({ SHOP_CHAT_TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ SHOP_CHAT_TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ SHOP_CHAT_TRUST_PROXY: '10.0.0.0/8, ::1,loopback' }).trustProxy, ['10.0.0.0/8', '::1', 'loopback']);
    for (const v of ['10.0.0.0/33', 'proxy.example.com', '1.2.3.4/8/9']) assert.throws(() => loadConfig({ SHOP_CHAT_TRUST_PROXY: v }), /SHOP_CHAT_TRUST_PROXY/, v);
  });

  for (const trust of ['1', '127.0.0.1']) {
    test(`${trust}: a client-written left-most X-Forwarded-For gets no bucket of its own (limit 5 per IP)`, async () => {
      const h = await createHarness('sqlite', { env: { SHOP_CHAT_TRUST_PROXY: trust, SHOP_CHAT_RATE_LIMIT_IP: '5' } });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 20; i++) {
          // The proxy (127.0.0.1, the socket) appends the address it saw: 203.0.113.9.
          const res = await h.call('GET', '/api/v1/shop/widget/config?shopUid=x', undefined, null, { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.9` });
          codes.push(res.statusCode);
        }
        assert.equal(codes.filter((c) => c === 429).length, 15, codes.join(' '));
      } finally {
        await h.close();
      }
    });
  }
});

describe('/token/refresh limits', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness('sqlite', { env: { SHOP_CHAT_RATE_LIMIT_REFRESH: '3', SHOP_CHAT_RATE_LIMIT_REFRESH_FAILURES: '4' } });
  });
  after(() => h.close());
  const refresh = (refreshToken: string, ip: string) =>
    h.app.inject({ method: 'POST', url: `${O}/token/refresh`, payload: { refreshToken }, remoteAddress: ip });

  test('each refresh token has its own count, whatever the IPs (3 per window here)', async () => {
    const { shopUid } = await onboardShop(h);
    const a = await createOrgToken(h, shopUid);
    const b = await createOrgToken(h, shopUid);
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await refresh(a.refreshToken, `192.0.2.${i}`)).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429, 429]);
    assert.equal((await refresh(b.refreshToken, '192.0.2.1')).statusCode, 200, 'another token is not affected');
  });

  test('failed refreshes of one IP are counted apart: past 4, even a valid token is refused from it', async () => {
    const { shopUid } = await onboardShop(h);
    const t = await createOrgToken(h, shopUid);
    const guesses = [];
    for (let i = 0; i < 6; i++) guesses.push((await refresh(`sc_rt_${randomBytes(32).toString('base64url')}`, '198.51.100.77')).statusCode);
    assert.deepEqual(guesses, [401, 401, 401, 401, 429, 429]);
    assert.equal((await refresh(t.refreshToken, '198.51.100.77')).statusCode, 429);
    assert.equal((await refresh(t.refreshToken, '198.51.100.78')).statusCode, 200, 'another IP is not affected');
  });
});

test('Redis down: the limits fall back to the in-process limiter, logged once and counted in /metrics', async () => {
  const h = await createHarness('sqlite', { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, SHOP_CHAT_RATE_LIMIT_IP: '3' } });
  try {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await h.call('GET', '/api/v1/shop/widget/config?shopUid=x', undefined, null)).statusCode);
    assert.deepEqual(codes, [404, 404, 404, 429, 429, 429]);
    await new Promise((r) => setTimeout(r, 500)); // ioredis keeps reconnecting meanwhile
    assert.equal(h.logs.filter((l) => l.includes('redis unavailable')).length, 1, 'logged once');
    assert.equal(h.logs.filter((l) => l.includes('"redis error"')).length, 1, 'the reconnects, once');
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.200' })).body;
    const fallback = Number(/^shop_chat_rate_limit_fallback_total (\d+)/m.exec(metrics)?.[1]);
    assert.ok(fallback >= 6, metrics.split('\n').filter((l) => l.includes('fallback')).join('\n'));
  } finally {
    await h.close();
  }
});

describe('static paths and bad URLs over real HTTP', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await createHarness('sqlite', { staticRoots: { widget: roots.widget, demo: roots.demo } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as { port: number }).port;
  });
  after(() => h.close());
  // http.request sends the path as written (fetch would normalise the dots away).
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path, method: 'GET' }, (m) => {
        let body = '';
        m.on('data', (c) => (body += c));
        m.on('end', () => resolve({ status: m.statusCode!, body }));
      });
      r.on('error', reject);
      r.end();
    });

  test('refused paths and undecodable URLs are 4xx in the envelope, logged below error level', async () => {
    assert.equal((await get('/widget/shop-chat.iife.js')).status, 200);
    for (const path of ['/widget/../package.json', '/widget/.%2e/package.json', '/widget/%00', '/widget/a%00.js', '/demo/%2e%2e/package.json', '/demo/a/../../package.json', '/widget/%', '/%E0%A4%A']) {
      const { status, body } = await get(path);
      assert.ok(status >= 400 && status < 500, `${path}: ${status} ${body}`);
      const e = JSON.parse(body);
      assert.deepEqual(Object.keys(e), ['message', 'code', 'data'], path);
      assert.equal(e.code, status);
      assert.ok(!body.includes('outside the roots'), path);
    }
    assert.deepEqual(errorLogs(h), []);
  });
});

test('store routes authenticate before they validate: 401 first, with no validation detail', async () => {
  const h = await createHarness('sqlite');
  try {
    for (const [method, url, body] of [
      ['POST', `${O}/store/authorize`, { platform: 'NOPE' }],
      ['GET', `${O}/store/status`, undefined],
      ['POST', `${O}/store/revoke`, { shopUid: 1 }],
    ] as const) {
      const res = await h.call(method, url, body, null);
      assert.equal(res.statusCode, 401, `${url}: ${res.body}`);
      assert.doesNotMatch(json(res).message, /platform|shopUid|Required/);
    }
  } finally {
    await h.close();
  }
});

test('NODE_ENV=production serves no demo pages unless SHOP_CHAT_DEMO=on; SHOP_CHAT_DOCS=off turns /docs and /openapi.json off', async () => {
  const production = { NODE_ENV: 'production', SHOP_CHAT_SECRET_KEY: randomBytes(32).toString('base64') };
  const staticRoots = { widget: roots.widget, demo: roots.demo };
  const cases: [Record<string, string>, number, number][] = [
    [production, 404, 200],
    [{ ...production, SHOP_CHAT_DEMO: 'on' }, 200, 200],
    [{ SHOP_CHAT_DEMO: 'off' }, 404, 200],
    [{ SHOP_CHAT_DOCS: 'off' }, 200, 404],
  ];
  for (const [env, demo, docs] of cases) {
    const h = await createHarness('sqlite', { env, staticRoots });
    try {
      assert.equal((await h.call('GET', '/demo/', undefined, null)).statusCode, demo, JSON.stringify(env));
      assert.equal((await h.call('GET', '/demo/index.html', undefined, null)).statusCode, demo, JSON.stringify(env));
      assert.equal((await h.call('GET', '/widget/shop-chat.iife.js', undefined, null)).statusCode, 200);
      assert.equal((await h.call('GET', '/docs', undefined, null)).statusCode === 404 ? 404 : 200, docs, JSON.stringify(env));
      assert.equal((await h.call('GET', '/openapi.json', undefined, null)).statusCode, docs);
    } finally {
      await h.close();
    }
  }
});
