import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { createOrgToken, describeEachDatabase, json, onboardShop } from './helpers/server.ts';

const T = '/api/v1/shop/open/token';
const TOKEN_KEYS = [
  'uid', 'userUid', 'orgUid', 'level', 'platform', 'createdAt', 'updatedAt', 'name', 'description', 'accessToken',
  'refreshToken', 'type', 'scope', 'expiresAt', 'permanent', 'revoked', 'revokeReason', 'channel', 'device',
];
const MASKED_AT = /^sc_at_…[A-Za-z0-9_-]{4}$/;
const MASKED_RT = /^sc_rt_…[A-Za-z0-9_-]{4}$/;
const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describeEachDatabase('API tokens', (h, kind) => {
  test('create returns full tokens once (random, prefixed), 24 h expiry; the org is resolved from shopUid', async () => {
    const { shopUid, shop } = await onboardShop(h());
    const res = await h().call('POST', `${T}/create`, {
      name: 'shop-open-token',
      description: 'for shop open integration',
      userUid: 'user_xxx',
      shopUid,
      channel: 'WEB',
      device: 'shop-system',
    });
    assert.equal(res.statusCode, 200);
    const t = json(res).data;
    assert.deepEqual(Object.keys(t), TOKEN_KEYS);
    assert.match(t.accessToken, /^sc_at_[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url, prefixed');
    assert.match(t.refreshToken, /^sc_rt_[A-Za-z0-9_-]{43}$/);
    assert.equal(t.orgUid, shop.orgUid);
    assert.equal(t.userUid, 'user_xxx');
    assert.equal(t.name, 'shop-open-token');
    assert.equal(t.description, 'for shop open integration');
    assert.equal(t.channel, 'WEB');
    assert.equal(t.device, 'shop-system');
    assert.deepEqual(t.scope, []);
    assert.equal(t.type, null);
    assert.equal(t.permanent, false);
    assert.equal(t.revoked, false);
    assert.equal(t.revokeReason, null);
    assert.match(t.expiresAt, ISO_OFFSET);
    const ttl = new Date(t.expiresAt).getTime() - Date.now();
    assert.ok(ttl > 86_400_000 - 60_000 && ttl <= 86_400_000 + 1000, `expires in 24 h (${ttl} ms)`);
    const second = await createOrgToken(h(), shopUid);
    assert.notEqual(second.accessToken, t.accessToken);

    // The new token works.
    const bind = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`, undefined, t.accessToken);
    assert.equal(bind.statusCode, 200);
  });

  test('create: a given refreshToken is used; the admin must name shopUid; unknown shop 404; org token defaults to its org', async () => {
    const { shopUid, shop } = await onboardShop(h());
    const given = `my-own-refresh-token-${'x'.repeat(20)}-${kind}`;
    let res = await h().call('POST', `${T}/create`, { name: 'n', shopUid, refreshToken: given });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).data.refreshToken, given);
    res = await h().call('POST', `${T}/refresh`, { refreshToken: given }, null);
    assert.equal(res.statusCode, 200);

    res = await h().call('POST', `${T}/create`, { name: 'n' });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'shopUid: Required');
    res = await h().call('POST', `${T}/create`, { shopUid });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'name: Required');
    res = await h().call('POST', `${T}/create`, { name: 'n', shopUid: 'nope_unknown' });
    assert.equal(res.statusCode, 404);

    const orgToken = await createOrgToken(h(), shopUid);
    res = await h().call('POST', `${T}/create`, { name: 'child' }, orgToken.accessToken);
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).data.orgUid, shop.orgUid);
  });

  test('query/org and query/user: Spring pages with masked tokens; detail and update mask too', async () => {
    const { shopUid } = await onboardShop(h());
    const a = await createOrgToken(h(), shopUid, { userUid: 'user_a' });
    await createOrgToken(h(), shopUid, { userUid: 'user_b' });
    let res = await h().call('POST', `${T}/query/org?shopUid=${shopUid}`, { pageNumber: 0, pageSize: 20 });
    assert.equal(res.statusCode, 200);
    const page = json(res).data;
    assert.equal(page.totalElements, 2);
    assert.equal(page.numberOfElements, 2);
    assert.deepEqual(page.sort, { empty: true, sorted: false, unsorted: true });
    for (const t of page.content) {
      assert.deepEqual(Object.keys(t), TOKEN_KEYS);
      assert.match(t.accessToken, MASKED_AT);
      assert.match(t.refreshToken, MASKED_RT);
    }
    const listedA = page.content.find((t: { uid: string }) => t.uid === a.uid);
    assert.equal(listedA.accessToken, `sc_at_…${a.accessToken.slice(-4)}`);

    res = await h().call('POST', `${T}/query/user?shopUid=${shopUid}`, { userUid: 'user_a', pageNumber: 0, pageSize: 20 });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res).data.content.map((t: { uid: string }) => t.uid), [a.uid]);
    res = await h().call('POST', `${T}/query/user`, { pageNumber: 0 });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'userUid: Required');

    res = await h().call('GET', `${T}/detail?uid=${a.uid}`);
    assert.equal(res.statusCode, 200);
    assert.match(json(res).data.accessToken, MASKED_AT);
    assert.match(json(res).data.refreshToken, MASKED_RT);
    assert.ok(!res.body.includes(a.accessToken) && !res.body.includes(a.refreshToken));

    res = await h().call('POST', `${T}/update`, { uid: a.uid, name: 'updated-token-name', description: 'updated description' });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).data.name, 'updated-token-name');
    assert.equal(json(res).data.description, 'updated description');
    assert.match(json(res).data.accessToken, MASKED_AT);

    // An org token lists its own org without naming a shop; body may be omitted.
    res = await h().call('POST', `${T}/query/org`, undefined, a.accessToken);
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).data.totalElements, 2);
    assert.equal(json(res).data.size, 20);
    // The admin must name the shop.
    res = await h().call('POST', `${T}/query/org`, {});
    assert.equal(res.statusCode, 400);
    res = await h().call('GET', `${T}/detail?uid=token_nope`);
    assert.equal(res.statusCode, 404);
  });

  test('refresh: new access token, old one stops at once; no bearer needed; invalid refresh token 401', async () => {
    const { shopUid } = await onboardShop(h());
    const t = await createOrgToken(h(), shopUid);
    h().advanceClock(2000);
    let res = await h().call('POST', `${T}/refresh`, { refreshToken: t.refreshToken, channel: 'WEB' }, null);
    assert.equal(res.statusCode, 200);
    const r = json(res).data;
    assert.equal(r.uid, t.uid);
    assert.match(r.accessToken, /^sc_at_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(r.accessToken, t.accessToken);
    assert.equal(r.refreshToken, t.refreshToken);
    assert.equal(r.channel, 'WEB');
    assert.ok(new Date(r.expiresAt).getTime() > new Date(t.expiresAt).getTime());

    res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`, undefined, t.accessToken);
    assert.equal(res.statusCode, 401, 'old access token stops working');
    res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`, undefined, r.accessToken);
    assert.equal(res.statusCode, 200);

    res = await h().call('POST', `${T}/refresh`, { refreshToken: 'sc_rt_wrong' }, null);
    assert.equal(res.statusCode, 401);
    assert.equal(json(res).code, 401);
    res = await h().call('POST', `${T}/refresh`, {}, null);
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'refreshToken: Required');
  });

  test('401 for missing, malformed, unknown, expired, revoked and deleted tokens', async () => {
    const { shopUid } = await onboardShop(h());
    const url = `/api/v1/shop/open/binding?shopUid=${shopUid}`;
    const check = async (token: string | null, headers: Record<string, string> = {}, why = '') => {
      const res = await h().call('GET', url, undefined, token, headers);
      assert.equal(res.statusCode, 401, why);
      const body = json(res);
      assert.equal(body.code, 401);
      assert.equal(body.data, null);
      return body.message as string;
    };
    assert.match(await check(null, {}, 'missing'), /Authorization/);
    const inject = (authorization: string) => h().app.inject({ method: 'GET', url, headers: { authorization } });
    for (const value of ['Basic abc', 'Bearer', 'Bearer a b', 'sc_at_xxx']) {
      const res = await inject(value);
      assert.equal(res.statusCode, 401, value);
      assert.equal(json(res).code, 401);
    }
    await check('sc_at_unknownunknownunknownunknownunknown0000', {}, 'unknown');
    await check('not-a-token-at-all', {}, 'no prefix');

    const expiring = await createOrgToken(h(), shopUid);
    h().advanceClock(86_400_000 + 1000);
    assert.match(await check(expiring.accessToken, {}, 'expired'), /expired/);
    // Its refresh token is still valid (30 days): refresh brings it back.
    const refreshed = await h().call('POST', `${T}/refresh`, { refreshToken: expiring.refreshToken }, null);
    assert.equal(refreshed.statusCode, 200);
    h().advanceClock(31 * 86_400_000);
    const late = await h().call('POST', `${T}/refresh`, { refreshToken: expiring.refreshToken }, null);
    assert.equal(late.statusCode, 401, 'refresh token expires after 30 days');

    const revoked = await createOrgToken(h(), shopUid);
    let res = await h().call('POST', `${T}/revoke`, { uid: revoked.uid, revokeReason: 'manual revoke' });
    assert.deepEqual(json(res), { message: 'success', code: 200, data: true });
    assert.match(await check(revoked.accessToken, {}, 'revoked'), /revoked/);
    res = await h().call('GET', `${T}/detail?uid=${revoked.uid}`);
    assert.equal(json(res).data.revoked, true);
    assert.equal(json(res).data.revokeReason, 'manual revoke');
    res = await h().call('POST', `${T}/refresh`, { refreshToken: revoked.refreshToken }, null);
    assert.equal(res.statusCode, 401, 'a revoked token cannot be refreshed');

    const byValue = await createOrgToken(h(), shopUid);
    res = await h().call('POST', `${T}/revoke`, { accessToken: byValue.accessToken, revokeReason: 'security reason' });
    assert.equal(json(res).data, true);
    await check(byValue.accessToken, {}, 'revoked by value');
    res = await h().call('POST', `${T}/revoke`, { revokeReason: 'x' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^uid: Required/);
    res = await h().call('POST', `${T}/revoke`, { accessToken: 'sc_at_nope' });
    assert.equal(res.statusCode, 404);

    const deleted = await createOrgToken(h(), shopUid);
    res = await h().call('POST', `${T}/delete?uid=${deleted.uid}`);
    assert.deepEqual(json(res), { message: 'success', code: 200, data: true });
    await check(deleted.accessToken, {}, 'deleted');
    res = await h().call('GET', `${T}/detail?uid=${deleted.uid}`);
    assert.equal(res.statusCode, 404, 'soft-deleted tokens are gone from the API');
    const row = await h().db.selectFrom('api_tokens').selectAll().where('uid', '=', deleted.uid).executeTakeFirstOrThrow();
    assert.ok(row.deleted_at !== null, 'soft delete keeps the row');
    res = await h().call('POST', `${T}/delete`);
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'uid: Required');
    res = await h().call('POST', `${T}/delete`, { uid: 'token_nope' });
    assert.equal(res.statusCode, 404);
  });

  test('an org token reads and changes its own organisation’s tokens only (403 elsewhere)', async () => {
    const a = await onboardShop(h());
    const b = await onboardShop(h());
    const ta = await createOrgToken(h(), a.shopUid);
    const tb = await createOrgToken(h(), b.shopUid);
    const calls: Array<[ 'GET' | 'POST', string, unknown ]> = [
      ['GET', `${T}/detail?uid=${tb.uid}`, undefined],
      ['POST', `${T}/update`, { uid: tb.uid, name: 'x' }],
      ['POST', `${T}/delete?uid=${tb.uid}`, undefined],
      ['POST', `${T}/revoke`, { uid: tb.uid }],
      ['POST', `${T}/revoke`, { accessToken: tb.accessToken }],
      ['POST', `${T}/create`, { name: 'x', shopUid: b.shopUid }],
      ['POST', `${T}/query/org?shopUid=${b.shopUid}`, {}],
      ['POST', `${T}/query/user?shopUid=${b.shopUid}`, { userUid: 'u' }],
    ];
    for (const [method, url, body] of calls) {
      const res = await h().call(method, url, body, ta.accessToken);
      assert.equal(res.statusCode, 403, `${method} ${url}`);
      assert.equal(json(res).code, 403);
    }
    // tb still works: nothing was changed.
    const res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${b.shopUid}`, undefined, tb.accessToken);
    assert.equal(res.statusCode, 200);
    // Own org: allowed.
    const own = await h().call('GET', `${T}/detail?uid=${ta.uid}`, undefined, ta.accessToken);
    assert.equal(own.statusCode, 200);
  });

  if (kind === 'sqlite') {
    test('the SQLite files hold no issued token in plaintext, and the captured logs hold no token', async () => {
      const { shopUid } = await onboardShop(h());
      const t = await createOrgToken(h(), shopUid);
      const refreshed = json(await h().call('POST', `${T}/refresh`, { refreshToken: t.refreshToken }, null)).data;
      await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}&token=${t.accessToken}`, undefined, refreshed.accessToken);
      await h().call('POST', `${T}/revoke`, { accessToken: refreshed.accessToken, revokeReason: 'x' });
      await h().call('POST', `${T}/refresh`, { refreshToken: t.refreshToken }, null);
      const secrets = [t.accessToken, t.refreshToken, refreshed.accessToken];
      const dir = dirname(h().sqlitePath!);
      const files = readdirSync(dir).map((f) => join(dir, f));
      assert.ok(files.length >= 1);
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const s of secrets) {
          assert.equal(bytes.includes(Buffer.from(s)), false, `${file} holds a token in plaintext`);
          // Nor the random part alone.
          assert.equal(bytes.includes(Buffer.from(s.slice(6))), false, `${file} holds a token body`);
        }
      }
      const logs = h().logs.join('');
      assert.ok(logs.length > 0, 'logs were captured');
      for (const s of [...secrets, h().config.adminToken!]) {
        assert.equal(logs.includes(s), false, 'a token leaked into the logs');
        assert.equal(logs.includes(s.slice(6)), false, 'a token body leaked into the logs');
      }
      assert.ok(logs.includes('token=[REDACTED]'), 'sensitive query values are redacted');
    });
  }
});
