// Store-connection API through the real app (app.inject), on SQLite and on PostgreSQL.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { aad, findConnection } from '../../src/server/store/repo.ts';
import { createOrgToken, describeEachDatabase, json, onboardShop, type Harness } from './helpers/server.ts';
import { stateOf, useStoreFakes } from './helpers/store.ts';

const P = '/api/v1/shop/open/store';
const fakes = useStoreFakes({ SHOP_CHAT_PUBLIC_URL: 'http://127.0.0.1:9003' });
const { env } = fakes;
const seen: string[] = []; // every platform token/secret/code the tests handled

describeEachDatabase(
  'store connection API',
  (h: () => Harness) => {
    it('URL: authorize returns the platform page with a signed state; the callback stores the tokens and redirects SUCCESS', async () => {
      const { shopUid } = await onboardShop(h());
      const res = await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl: 'https://biz.example.test/done?x=1' });
      assert.equal(res.statusCode, 200, res.body);
      const authUrl = json(res).data.authUrl as string;
      assert.ok(authUrl.startsWith(`${fakes.f.fkw.url}/api/oauth/getAuthCode?`));
      assert.equal(new URL(authUrl).searchParams.get('redirect_uri'), 'http://127.0.0.1:9003/api/v1/shop/open/store/callback/fkw');
      const pending = json(await h().call('GET', `${P}/status?shopUid=${shopUid}`)).data.connections;
      assert.equal(pending[0].status, 'PENDING');

      const shopId = `fkw${randomBytes(3).toString('hex')}`;
      const code = fakes.f.fkw.issueCode(shopId);
      seen.push(code);
      const cb = await h().call('GET', `${P}/callback/fkw?code=${code}&state=${encodeURIComponent(stateOf(authUrl))}`, undefined, null);
      assert.equal(cb.statusCode, 302, cb.body);
      const loc = new URL(cb.headers.location as string);
      assert.equal(loc.origin + loc.pathname, 'https://biz.example.test/done');
      assert.equal(loc.searchParams.get('x'), '1');
      assert.equal(loc.searchParams.get('shopUid'), shopUid);
      assert.equal(loc.searchParams.get('platform'), 'FKW');
      assert.equal(loc.searchParams.get('sellerId'), shopId);
      assert.equal(loc.searchParams.get('auth_status'), 'SUCCESS');
      assert.equal(loc.searchParams.get('auth_fail_reason'), '');

      const st = await h().call('GET', `${P}/status?shopUid=${shopUid}`);
      assert.equal(st.statusCode, 200);
      const c = json(st).data.connections[0];
      assert.equal(c.status, 'AUTHORIZED');
      assert.equal(c.sellerId, shopId);
      assert.equal(c.authType, 'URL');
      assert.ok(Date.parse(c.expiresAt) > Date.now() + 100 * 60_000);
      const row = (await findConnection(h().db as never, shopUid, 'FKW'))!;
      const svc = h().services.store;
      const at = svc.vault.decrypt(row.access_token_enc!, aad.access(row.id));
      const rt = svc.vault.decrypt(row.refresh_token_enc!, aad.refresh(row.id));
      seen.push(at, rt);
      assert.equal(fakes.f.fkw.access.get(at), shopId);
      for (const s of [at, rt, code]) assert.ok(!st.body.includes(s), 'status never shows a token');
      const w = await fakes.hookFor(shopUid, 'AUTHORIZED');
      assert.equal(w.body.auth_status, 'SUCCESS');
      assert.equal(w.body.sellerId, shopId);

      // The same state again: reused — fails cleanly, the connection stays as it is.
      const again = await h().call('GET', `${P}/callback/fkw?code=${fakes.f.fkw.issueCode(shopId)}&state=${encodeURIComponent(stateOf(authUrl))}`, undefined, null);
      assert.equal(again.statusCode, 302);
      const l2 = new URL(again.headers.location as string);
      assert.equal(l2.searchParams.get('auth_status'), 'FAIL');
      assert.equal(l2.searchParams.get('auth_fail_reason'), 'state already used');
      assert.equal(json(await h().call('GET', `${P}/status?shopUid=${shopUid}`)).data.connections[0].status, 'AUTHORIZED');

      // Repeat authorisation while valid: 409.
      const rep = await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL' });
      assert.equal(rep.statusCode, 409);
      assert.equal(json(rep).code, 409);
      assert.match(json(rep).message, /repeat authorized/);

      // Another shop claiming the same sellerId: 409.
      const other = await onboardShop(h());
      const taken = await h().call('POST', `${P}/authorize`, { shopUid: other.shopUid, platform: 'FKW', authType: 'URL', sellerId: shopId });
      assert.equal(taken.statusCode, 409);
      assert.match(json(taken).message, /seller id already authorized/);
      // …and through the callback (the seller only becomes known there): FAIL.
      const o = json(await h().call('POST', `${P}/authorize`, { shopUid: other.shopUid, platform: 'FKW', authType: 'URL' })).data.authUrl;
      const cb2 = await h().call('GET', `${P}/callback/fkw?code=${fakes.f.fkw.issueCode(shopId)}&state=${encodeURIComponent(stateOf(o))}`, undefined, null);
      assert.equal(cb2.statusCode, 400);
      assert.match(cb2.headers['content-type'] as string, /text\/html/);
      assert.match(cb2.body, /seller id already authorized/);
      assert.equal(json(await h().call('GET', `${P}/status?shopUid=${other.shopUid}`)).data.connections[0].status, 'FAILED');
    });

    it('expired state (10 min) and forged state fail cleanly; a refused code marks FAILED with a webhook', async () => {
      const { shopUid } = await onboardShop(h());
      const a1 = json(await h().call('POST', `${P}/authorize`, { shopUid, platform: 'YOUZAN', authType: 'URL' })).data.authUrl;
      assert.ok(a1.startsWith(`${fakes.f.youzan.url}/auth/authorize?`));
      h().advanceClock(11 * 60_000);
      try {
        const exp = await h().call('GET', `${P}/callback/youzan?code=${fakes.f.youzan.issueCode('9001')}&state=${encodeURIComponent(stateOf(a1))}`, undefined, null);
        assert.equal(exp.statusCode, 400);
        assert.match(exp.body, /state expired/);
      } finally {
        h().advanceClock(-11 * 60_000);
      }
      const forged = stateOf(a1).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      const bad = await h().call('GET', `${P}/callback/youzan?code=x&state=${encodeURIComponent(forged)}`, undefined, null);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /invalid/);
      // State of one platform used on another's callback: invalid.
      const cross = await h().call('GET', `${P}/callback/fkw?code=x&state=${encodeURIComponent(stateOf(a1))}`, undefined, null);
      assert.equal(cross.statusCode, 400);
      // A refused (expired) code: FAILED, webhook FAILED.
      const a2 = json(await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL' })).data.authUrl;
      const r = await h().call('GET', `${P}/callback/fkw?code=${fakes.f.fkw.issueCode('x1', { expired: true })}&state=${encodeURIComponent(stateOf(a2))}`, undefined, null);
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /rt 100/);
      const conns = json(await h().call('GET', `${P}/status?shopUid=${shopUid}`)).data.connections;
      const fkw = conns.find((c: { platform: string }) => c.platform === 'FKW');
      assert.equal(fkw.status, 'FAILED');
      assert.match(fkw.lastError, /rt 100/);
      assert.match(String((await fakes.hookFor(shopUid, 'FAILED')).body.auth_fail_reason), /rt 100/);
      // The merchant cancelling on the platform page.
      const a3 = json(await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl: 'https://biz.example.test/r' })).data.authUrl;
      const deny = await h().call('GET', `${P}/callback/fkw?error=access_denied&state=${encodeURIComponent(stateOf(a3))}`, undefined, null);
      assert.equal(new URL(deny.headers.location as string).searchParams.get('auth_status'), 'FAIL');
    });

    it('KEY (Youzan silent, grant_id = store id): validated with the platform, stored, never shown', async () => {
      const { shopUid } = await onboardShop(h());
      const kdt = String(40_000_000 + Math.floor(Math.random() * 1e6));
      const app = fakes.f.youzan.addSelfUseApp(kdt);
      seen.push(app.apiSecret, app.apiKey);
      const res = await h().call('POST', `${P}/authorize`, { shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: kdt, authInfo: app });
      assert.equal(res.statusCode, 200, res.body);
      const c = json(res).data.connection;
      assert.equal(c.status, 'AUTHORIZED');
      assert.equal(c.authType, 'KEY');
      assert.equal(c.sellerId, kdt);
      assert.ok(!res.body.includes(app.apiSecret));
      const pair = fakes.f.youzan.currentPair(kdt)!;
      seen.push(pair.at, pair.rt);
      assert.ok(!res.body.includes(pair.at));
      assert.equal((await fakes.hookFor(shopUid, 'AUTHORIZED')).body.platform, 'YOUZAN');

      // The same authInfo for another shop: 409 (compared by fingerprint).
      const other = await onboardShop(h());
      const dup = await h().call('POST', `${P}/authorize`, { shopUid: other.shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: '123', authInfo: app });
      assert.equal(dup.statusCode, 409);
      assert.match(json(dup).message, /authInfo/);
      // The same sellerId with other credentials for another shop: 409.
      const app2 = fakes.f.youzan.addSelfUseApp(kdt);
      seen.push(app2.apiSecret);
      const dupSeller = await h().call('POST', `${P}/authorize`, { shopUid: other.shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: kdt, authInfo: app2 });
      assert.equal(dupSeller.statusCode, 409);
      assert.match(json(dupSeller).message, /seller id already authorized/);
      // Wrong secret: 400 naming authInfo, recorded as FAILED.
      const wrong = await h().call('POST', `${P}/authorize`, { shopUid: other.shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: '5550001', authInfo: { apiKey: app2.apiKey, apiSecret: 'fake-wrong' } });
      assert.equal(wrong.statusCode, 400);
      assert.match(json(wrong).message, /^authInfo: rejected by YOUZAN/);

      // The stored token is usable and refreshes through the engine (silent refresh=true rotates).
      const svc = h().services.store;
      const row = (await findConnection(h().db as never, shopUid, 'YOUZAN'))!;
      assert.equal(await svc.getValidAccessToken(row.id), pair.at);
      await (h().db as any).updateTable('store_connection').set({ expires_at: Date.now() + 10 * 60_000 }).where('id', '=', row.id).execute();
      const fresh = await svc.getValidAccessToken(row.id);
      seen.push(fresh, fakes.f.youzan.currentPair(kdt)!.rt);
      assert.notEqual(fresh, pair.at);
      assert.equal(fakes.f.youzan.isRefreshTokenLive(pair.rt), false, 'rotation killed the old refresh token');

      // Revoke: gone from status, tokens deleted; a new authorisation is possible.
      const rv = await h().call('POST', `${P}/revoke`, { shopUid, platform: 'YOUZAN' });
      assert.equal(rv.statusCode, 200);
      assert.equal(json(rv).data.revoked, true);
      assert.deepEqual(json(await h().call('GET', `${P}/status?shopUid=${shopUid}`)).data.connections, []);
      assert.equal(await findConnection(h().db as never, shopUid, 'YOUZAN'), undefined);
      assert.equal((await h().call('POST', `${P}/revoke`, { shopUid, platform: 'YOUZAN' })).statusCode, 404);
    });

    it('KEY (Shoplazza private-app token) and the seed-004 parameter errors', async () => {
      const { shopUid } = await onboardShop(h());
      const store = `st-${randomBytes(3).toString('hex')}`;
      const token = fakes.f.shoplazza.addPrivateToken(store);
      seen.push(token);
      const ok = await h().call('POST', `${P}/authorize`, { shopUid, platform: 'SHOPLAZZA', authType: 'KEY', sellerId: store, authInfo: { token } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(json(ok).data.connection.sellerName, `Store ${store}`);
      assert.equal(json(ok).data.connection.expiresAt, null);

      const cases: [unknown, number, RegExp][] = [
        [{ shopUid: 'no-such-shop', platform: 'FKW', authType: 'URL' }, 404, /store not exist/],
        [{ shopUid, platform: 'FKW' }, 400, /^authType/],
        [{ shopUid, platform: 'EBAY', authType: 'URL' }, 400, /^platform/],
        [{ platform: 'FKW', authType: 'URL' }, 400, /^shopUid/],
        [{ shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: '1' }, 400, /^authInfo/],
        [{ shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: '1', authInfo: { apiKey: 'fake-k' } }, 400, /^authInfo\.apiSecret/],
        [{ shopUid, platform: 'YOUZAN', authType: 'KEY', authInfo: { apiKey: 'k', apiSecret: 's' } }, 400, /^sellerId/],
        [{ shopUid, platform: 'SHOPLAZZA', authType: 'URL', sellerId: 'Evil.example.com' }, 400, /^sellerId/],
        [{ shopUid, platform: 'SHOPLAZZA', authType: 'URL' }, 400, /^sellerId/],
        [{ shopUid, platform: 'FKW', authType: 'KEY', authInfo: { token: 'fake' } }, 400, /^authType/],
        [{ shopUid, platform: 'FKW', authType: 'URL', redirectUrl: 'javascript:alert(1)' }, 400, /^redirectUrl/],
        [{ shopUid, platform: 'SHOPLAZZA', authType: 'KEY', sellerId: store, authInfo: { token } }, 409, /repeat authorized/],
      ];
      for (const [body, status, re] of cases) {
        const r = await h().call('POST', `${P}/authorize`, body);
        assert.equal(r.statusCode, status, `${JSON.stringify(body)} → ${r.body}`);
        assert.equal(json(r).code, status);
        assert.match(json(r).message, re, JSON.stringify(body));
      }
      // Same authInfo (token) for another shop: 409.
      const other = await onboardShop(h());
      const dup = await h().call('POST', `${P}/authorize`, { shopUid: other.shopUid, platform: 'SHOPLAZZA', authType: 'KEY', sellerId: 'other-store', authInfo: { token } });
      assert.equal(dup.statusCode, 409);
      assert.equal((await h().call('GET', `${P}/status`)).statusCode, 400);
      assert.equal((await h().call('GET', `${P}/status?shopUid=nope`)).statusCode, 404);
    });

    it('tenancy: an org token only for its own shops; no token is 401', async () => {
      const a = await onboardShop(h());
      const b = await onboardShop(h());
      const tok = (await createOrgToken(h(), a.shopUid)).accessToken;
      assert.equal((await h().call('GET', `${P}/status?shopUid=${a.shopUid}`, undefined, tok)).statusCode, 200);
      assert.equal((await h().call('GET', `${P}/status?shopUid=${b.shopUid}`, undefined, tok)).statusCode, 403);
      assert.equal((await h().call('POST', `${P}/authorize`, { shopUid: b.shopUid, platform: 'FKW', authType: 'URL' }, tok)).statusCode, 403);
      assert.equal((await h().call('POST', `${P}/revoke`, { shopUid: b.shopUid, platform: 'FKW' }, tok)).statusCode, 403);
      assert.equal((await h().call('POST', `${P}/authorize`, { shopUid: a.shopUid, platform: 'FKW', authType: 'URL' }, tok)).statusCode, 200);
      assert.equal((await h().call('GET', `${P}/status?shopUid=${a.shopUid}`, undefined, null)).statusCode, 401);
    });

    it('Shoplazza URL flow end to end: partner exchange, then refresh at the store host; old refresh token dead', async () => {
      const { shopUid } = await onboardShop(h());
      const store = `sz-${randomBytes(3).toString('hex')}`;
      const authUrl = json(await h().call('POST', `${P}/authorize`, { shopUid, platform: 'SHOPLAZZA', authType: 'URL', sellerId: store })).data.authUrl;
      assert.ok(authUrl.startsWith(`${fakes.f.shoplazza.url}/stores/${store}/admin/oauth/authorize?`));
      const code = fakes.f.shoplazza.issueCode(store);
      seen.push(code);
      const cb = await h().call('GET', `${P}/callback/shoplazza?code=${code}&state=${encodeURIComponent(stateOf(authUrl))}&shop=${store}.myshoplaza.com`, undefined, null);
      assert.equal(cb.statusCode, 200, cb.body);
      assert.match(cb.body, /Authorization complete/);
      const svc = h().services.store;
      const row = (await findConnection(h().db as never, shopUid, 'SHOPLAZZA'))!;
      const oldRt = svc.vault.decrypt(row.refresh_token_enc!, aad.refresh(row.id));
      seen.push(oldRt, svc.vault.decrypt(row.access_token_enc!, aad.access(row.id)));
      await (h().db as any).updateTable('store_connection').set({ expires_at: Date.now() + 30 * 60_000 }).where('id', '=', row.id).execute();
      const t = await svc.getValidAccessToken(row.id);
      seen.push(t);
      assert.equal(fakes.f.shoplazza.access.get(t), store);
      assert.equal(fakes.f.shoplazza.isRefreshTokenLive(oldRt), false);
    });

    it('public goods card from FKW products, cached; unknown goods 404', async () => {
      const { shopUid } = await onboardShop(h());
      const shopId = `g${randomBytes(3).toString('hex')}`;
      fakes.f.fkw.products.set(shopId, [
        { id: '101', name: '演示商品', picture: 'https://img.example.test/101.png', on_shelf: true, sku_list: [{ sku_id: '101_1', price: 99, stock: 5, product_code: 'internal-code' }] },
        { id: '102', name: 'Bad picture', picture: 'javascript:alert(1)', on_shelf: false, sku_list: [] },
      ]);
      const authUrl = json(await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL' })).data.authUrl;
      const code = fakes.f.fkw.issueCode(shopId);
      assert.equal((await h().call('GET', `${P}/callback/fkw?code=${code}&state=${encodeURIComponent(stateOf(authUrl))}`, undefined, null)).statusCode, 200);
      const svc = h().services.store;
      const inject = (url: string) => h().call('GET', url, undefined, null);
      const get = async (goodsUid: string) => inject(`/api/v1/shop/widget/goods?shopUid=${shopUid}&goodsUid=${goodsUid}`);
      const g = json(await get('101')).data;
      const before = fakes.f.fkw.count('getProductList');
      assert.deepEqual(g, { uid: '101', type: 'GOODS', shopUid, title: '演示商品', price: 99, image: 'https://img.example.test/101.png', status: 'ON_SHELF' });
      await get('101');
      assert.equal(fakes.f.fkw.count('getProductList'), before, 'served from the cache');
      const g2 = await svc.goods({ shopUid, orgUid: '', enabled: true }, '102');
      assert.deepEqual(g2, { uid: '102', type: 'GOODS', shopUid, title: 'Bad picture', status: 'OFF_SHELF' }, 'unsafe picture dropped');
      assert.equal(await svc.goods({ shopUid, orgUid: '', enabled: true }, '999'), null);
      assert.equal((await get('999')).statusCode, 404);
      assert.equal((await inject(`/api/v1/shop/widget/goods?shopUid=nope&goodsUid=1`)).statusCode, 404);
      assert.equal((await inject(`/api/v1/shop/widget/goods?shopUid=${shopUid}`)).statusCode, 400);
    });

    it('/openapi.json documents the store routes with their schemas', async () => {
      const res = await h().call('GET', '/openapi.json', undefined, null);
      assert.equal(res.statusCode, 200);
      const doc = json(res);
      for (const p of ['authorize', 'status', 'revoke', 'callback/{platform}']) assert.ok(doc.paths[`${P}/${p}`], p);
      assert.ok(JSON.stringify(doc.paths[`${P}/authorize`]).includes('authInfo'));
    });

    it('neither the database nor the captured logs hold a platform token, secret or code', async () => {
      const logs = h().logs.join('\n');
      assert.ok(logs.length > 0);
      const secrets = [...seen, fakes.f.fkw.clientSecret, fakes.f.youzan.clientSecret, fakes.f.shoplazza.clientSecret, env.SHOP_CHAT_SECRET_KEY!].filter((s) => s && s.length >= 8);
      assert.ok(secrets.length > 15);
      for (const s of secrets) assert.ok(!logs.includes(s), `logs leak ${s.slice(0, 6)}…`);
      if (h().sqlitePath) {
        const dir = dirname(h().sqlitePath!);
        const bytes = readdirSync(dir)
          .map((n) => readFileSync(join(dir, n)).toString('latin1'))
          .join('\n');
        for (const s of secrets) assert.ok(!bytes.includes(s), `database file leaks ${s.slice(0, 6)}…`);
      } else {
        const rows = await (h().db as any).selectFrom('store_connection').selectAll().execute();
        const dump = JSON.stringify(rows);
        for (const s of secrets) assert.ok(!dump.includes(s), 'database rows leak a token');
      }
    });
  },
  { env },
);
