// Issue 12, limits a hostile tenant or client could walk around: concurrent refreshes of one
// refresh token, seats without bound. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/server/config.ts';
import { REFRESH_AGREEMENT_MS } from '../../src/server/services/tokens.ts';
import { createOrgToken, describeEachDatabase, json, onboardShop, type Harness } from './helpers/server.ts';

const O = '/api/v1/shop/open';

test('the seat limit defaults to 1,000 per shop', () => {
  assert.equal(loadConfig({}).maxSeatsPerShop, 1000);
  assert.throws(() => loadConfig({ SHOP_CHAT_MAX_SEATS_PER_SHOP: '0' }), /SHOP_CHAT_MAX_SEATS_PER_SHOP/);
});

describeEachDatabase('abuse limits', (h: () => Harness) => {
  test('seats per shop stop at SHOP_CHAT_MAX_SEATS_PER_SHOP (12 here): at the limit 200, one more 409, concurrent creations never pass it', async () => {
    const { shopUid } = await onboardShop(h()); // 1 base seat
    const org = await createOrgToken(h(), shopUid);
    const expireAt = '2030-01-01T00:00:00+08:00';
    const create = (nos: string[]) => h().call('POST', `${O}/agent-seat/create`, { shopUid, seatNoList: nos, expireAt }, org.accessToken);
    const nos = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${shopUid}-x${from + i}`);
    assert.equal((await create(nos(0, 12))).statusCode, 409, '1 + 12 > 12');
    const upTo = await create(nos(0, 11));
    assert.equal(upTo.statusCode, 200, upTo.body);
    const over = await create(nos(11, 1));
    assert.equal(over.statusCode, 409, over.body);
    assert.match(json(over).message, /^seat limit reached: shop \S+ has 12 of at most 12 seats/);
    // A deleted seat frees its place; then four concurrent creations of one seat each: one fits.
    assert.equal((await h().call('POST', `${O}/agent-seat/delete`, { shopUid, seatNo: `${shopUid}-x0` }, org.accessToken)).statusCode, 200);
    const raced = await Promise.all([20, 21, 22, 23].map((i) => create(nos(i, 1))));
    assert.deepEqual(raced.map((r) => r.statusCode).sort(), [200, 409, 409, 409]);
    const binding = json(await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, org.accessToken)).data;
    assert.equal(binding.shop.agentSeats.length, 12);
  });

  test('20 concurrent refreshes of one refresh token agree: every 200 carries the same live access token', async () => {
    const { shopUid } = await onboardShop(h());
    const t = await createOrgToken(h(), shopUid);
    const refresh = () => h().call('POST', `${O}/token/refresh`, { refreshToken: t.refreshToken }, null);
    const answers = await Promise.all(Array.from({ length: 20 }, refresh));
    const ok = answers.filter((r) => r.statusCode === 200);
    for (const r of answers) assert.ok(r.statusCode === 200 || r.statusCode === 409, r.body);
    const tokens = new Set(ok.map((r) => json(r).data.accessToken as string));
    assert.equal(tokens.size, 1, `${ok.length} × 200 with ${tokens.size} different access tokens`);
    const [access] = [...tokens];
    assert.notEqual(access, t.accessToken);
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, access)).statusCode, 200, 'the agreed token works');
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, t.accessToken)).statusCode, 401, 'the old one stopped');

    // A refresh once the agreement has passed is a new token, and the previous one stops.
    h().advanceClock(2 * REFRESH_AGREEMENT_MS);
    const later = json(await refresh()).data.accessToken as string;
    assert.notEqual(later, access);
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, access)).statusCode, 401);
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, later)).statusCode, 200);
  });
}, { env: { SHOP_CHAT_MAX_SEATS_PER_SHOP: '12' } });

test('the SQLite file and its WAL are created 0600 (owner only), whatever the umask', { skip: process.platform === 'win32' }, async () => {
  const { mkdtempSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createDatabase, migrateToLatest } = await import('../../src/server/db/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-mode-'));
  const old = process.umask(0o022);
  try {
    const handle = createDatabase(`sqlite:${join(dir, 'data', 'x.db')}`);
    await migrateToLatest(handle.db);
    for (const f of ['x.db', 'x.db-wal', 'x.db-shm']) assert.equal(statSync(join(dir, 'data', f)).mode & 0o777, 0o600, f);
    await handle.close();
  } finally {
    process.umask(old);
    rmSync(dir, { recursive: true, force: true });
  }
});
