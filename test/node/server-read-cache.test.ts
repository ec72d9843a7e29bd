// Authentication and binding reads are cached per process on SQLite (db/prepared.ts readCache).
// The cache must never serve what the database no longer says: writes through the API, writes by
// another connection (the admin CLI is another process) and the passing of time are all seen on
// the very next request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { createHarness, createOrgToken, json, onboardShop, type Harness } from './helpers/server.ts';

describe('read cache [sqlite]', () => {
  let h: Harness;
  let other: SqliteDatabase.Database;
  before(async () => {
    h = await createHarness('sqlite');
    // A second connection to the same file, as `npm run admin` would open.
    other = new SqliteDatabase(h.sqlitePath!);
    other.pragma('busy_timeout = 5000');
  });
  after(async () => {
    other.close();
    await h.close();
  });

  const binding = (shopUid: string, token: string) => h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`, undefined, token);

  test('a token revoked by another process is refused on its next use', async () => {
    const { shopUid } = await onboardShop(h);
    const t = await createOrgToken(h, shopUid);
    for (let i = 0; i < 3; i++) assert.equal((await binding(shopUid, t.accessToken)).statusCode, 200);
    other.prepare('update api_tokens set revoked = 1 where uid = ?').run(t.uid);
    const res = await binding(shopUid, t.accessToken);
    assert.equal(res.statusCode, 401);
    assert.match(json(res).message, /revoked/);
  });

  test('a token revoked through the API is refused on its next use', async () => {
    const { shopUid } = await onboardShop(h);
    const t = await createOrgToken(h, shopUid);
    assert.equal((await binding(shopUid, t.accessToken)).statusCode, 200);
    assert.equal((await h.call('POST', '/api/v1/shop/open/token/revoke', { uid: t.uid, revokeReason: 'test' })).statusCode, 200);
    assert.equal((await binding(shopUid, t.accessToken)).statusCode, 401);
  });

  test('a cached token still expires on time', async () => {
    const { shopUid } = await onboardShop(h);
    const t = await createOrgToken(h, shopUid);
    assert.equal((await binding(shopUid, t.accessToken)).statusCode, 200);
    h.advanceClock(25 * 3600_000);
    try {
      const res = await binding(shopUid, t.accessToken);
      assert.equal(res.statusCode, 401);
      assert.match(json(res).message, /expired/);
    } finally {
      h.advanceClock(-25 * 3600_000);
    }
  });

  test('binding shows a change made by another process, and one made through the API, at once', async () => {
    const { shopUid } = await onboardShop(h);
    const t = await createOrgToken(h, shopUid);
    assert.equal(json(await binding(shopUid, t.accessToken)).data.shop.name, `Shop ${shopUid}`);
    assert.equal(json(await binding(shopUid, t.accessToken)).data.shop.name, `Shop ${shopUid}`);
    other.prepare('update shops set name = ? where shop_uid = ?').run('Renamed elsewhere', shopUid);
    assert.equal(json(await binding(shopUid, t.accessToken)).data.shop.name, 'Renamed elsewhere');
    const up = await h.call('POST', '/api/v1/shop/open/update', { shopUid, shopName: 'Renamed here' }, t.accessToken);
    assert.equal(up.statusCode, 200);
    assert.equal(json(await binding(shopUid, t.accessToken)).data.shop.name, 'Renamed here');
  });

  test('a seat expiring while its shop is cached reads EXPIRED in the next binding, with no write in between', async () => {
    const { shopUid } = await onboardShop(h);
    const expireAt = new Date(Date.now() + 3600_000).toISOString();
    assert.equal((await h.call('POST', '/api/v1/shop/open/agent-seat/create', { shopUid, seatNoList: ['soon-1'], expireAt })).statusCode, 200);
    const seat = async () =>
      json(await h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`)).data.shop.agentSeats.find((s: { seatNo: string }) => s.seatNo === 'soon-1').status;
    assert.equal(await seat(), 'AVAILABLE');
    assert.equal(await seat(), 'AVAILABLE');
    h.advanceClock(2 * 3600_000);
    try {
      assert.equal(await seat(), 'EXPIRED');
    } finally {
      h.advanceClock(-2 * 3600_000);
    }
    assert.equal(await seat(), 'AVAILABLE', 'the clock went back: the view is made again');
  });

  test('a shop deleted by another process is 404 on the next binding, not served from the cache', async () => {
    const { shopUid } = await onboardShop(h);
    assert.equal((await h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`)).statusCode, 200);
    other.pragma('foreign_keys = OFF');
    other.prepare('delete from shops where shop_uid = ?').run(shopUid);
    assert.equal((await h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`)).statusCode, 404);
  });
});
