// Upstream mode's client, credential and mirror against the fake Bytedesk (test/fakes/bytedesk.ts):
// each way upstream fails becomes our envelope's status, and the credential is refreshed once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createShopEvents } from '../../src/server/events.ts';
import { createDatabase, migrateToLatest, type DatabaseHandle } from '../../src/server/db/index.ts';
import { ApiError } from '../../src/server/errors.ts';
import { UpstreamOpenApi } from '../../src/server/open-api/upstream/api.ts';
import { UpstreamCredential } from '../../src/server/open-api/upstream/credential.ts';
import { BindingMirror } from '../../src/server/open-api/upstream/mirror.ts';
import { upstreamDb } from '../../src/server/open-api/upstream/tables.ts';
import { MirrorWidgetSource } from '../../src/server/open-api/upstream/widget-source.ts';
import { silentLogger } from '../../src/server/store/log.ts';
import { Vault } from '../../src/server/store/vault.ts';
import { FakeBytedesk } from '../fakes/bytedesk.ts';
import { PG_URL, postgresMissing } from '../helpers/postgres.ts';
import pg from 'pg';

const TIMEOUT_MS = 400;

describe('upstream client, credential and mirror (fake Bytedesk)', () => {
  const fake = new FakeBytedesk();
  const vault = new Vault(randomBytes(32));
  let dir: string;
  let file: string;
  let handle: DatabaseHandle;
  let others: DatabaseHandle[] = [];

  const make = (h = handle, instanceId?: string, timeoutMs = 5000) => {
    const transport = { baseUrl: fake.url, timeoutMs };
    const credential = new UpstreamCredential({ db: upstreamDb(h.db), vault, transport, log: silentLogger, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))), ...(instanceId ? { instanceId } : {}) });
    const mirror = new BindingMirror(upstreamDb(h.db), createShopEvents());
    return { credential, mirror, api: new UpstreamOpenApi(transport, credential, mirror) };
  };
  const rejects = async (p: Promise<unknown>, code: number, message?: RegExp) => {
    const err = await p.then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError, `an ApiError, not ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
  };
  let shopCounter = 0;
  const onboard = (api: UpstreamOpenApi) => {
    shopCounter++;
    return api.onboard({ mobile: `1380000${String(shopCounter).padStart(4, '0')}`, country: '86', shopUid: `up_shop_${shopCounter}`, shopName: `店铺 ${shopCounter}`, shopLogo: 'https://example.com/l.png' });
  };

  before(async () => {
    await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'shop-chat-upstream-'));
    file = join(dir, 'up.db');
    handle = createDatabase(`sqlite:${file}`);
    await migrateToLatest(handle.db);
  });
  after(async () => {
    for (const o of others) await o.close();
    await handle.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fake.clearFaults();
    await upstreamDb(handle.db).deleteFrom('upstream_credential').execute();
  });

  test('onboard and binding go upstream with the credential; the mirror keeps shop, org, first workgroup, name, logo', async () => {
    const { credential, api, mirror } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const data = await onboard(api);
    const shop = data.shopList[0]!;
    const row = await mirror.find(shop.shopUid);
    assert.deepEqual(
      row && { org: row.org_uid, wg: row.workgroup_uid, name: row.name, logo: row.logo },
      { org: shop.orgUid, wg: shop.workgroups[0]!.uid, name: shop.name, logo: 'https://example.com/l.png' },
    );
    const bound = await api.binding(shop.shopUid);
    assert.equal(bound.shop.orgUid, shop.orgUid);
    assert.ok(fake.received.some((r) => r.op === 'binding' && r.authorization === `Bearer ${t.accessToken}`));
  });

  test('Bytedesk business errors (HTTP 200, code 500, data false) are 502 with upstream’s message; real 400/403/409 keep their status', async () => {
    const { credential, api } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    await rejects(api.binding('no_such_shop'), 502, /店铺不存在/);
    const { shopList } = await onboard(api);
    const shopUid = shopList[0]!.shopUid;
    await rejects(api.createSeats({ shopUid, seatNoList: [`${shopUid}-base-1`], expireAt: '2027-01-01T00:00:00+08:00' }), 409, /席位编号已存在/);
    for (const status of [400, 403, 409] as const) {
      fake.inject('binding', { type: 'status', status, message: `refused ${status}` });
      await rejects(api.binding(shopUid), status, new RegExp(`refused ${status}`));
    }
  });

  test('slow, down and malformed upstream answers are 504 / 502, within the timeout', async () => {
    const { credential, api } = make(handle, undefined, TIMEOUT_MS);
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const { shopList } = await onboard(api);
    const shopUid = shopList[0]!.shopUid;
    fake.inject('binding', { type: 'hang', ms: TIMEOUT_MS * 3 });
    const started = performance.now();
    await rejects(api.binding(shopUid), 504, /within 400 ms/);
    assert.ok(performance.now() - started < TIMEOUT_MS * 2, 'bounded by the timeout');
    for (const [fault, message] of [
      [{ type: 'garbage' }, /no JSON/],
      [{ type: 'html502' }, /HTTP 502/],
      [{ type: 'shape' }, /unexpected shape/],
    ] as const) {
      fake.inject('binding', fault);
      await rejects(api.binding(shopUid), 502, message);
    }
    // A connection dropped before an answer is tried once more (a kept-alive socket closed under it).
    fake.inject('binding', { type: 'reset' }, { type: 'reset' });
    await rejects(api.binding(shopUid), 502, /unreachable/);
    await fake.stop();
    try {
      await rejects(api.binding(shopUid), 502, /unreachable/);
    } finally {
      await fake.start();
    }
    assert.deepEqual(await api.binding(shopUid).then((b) => b.shopUid), shopUid, 'and back once upstream is');
  });

  test('a dropped connection is tried once more for calls that may repeat (reads, onboard, update), never for seat create or token refresh', async () => {
    const { credential, api } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const { shopList } = await onboard(api);
    const shopUid = shopList[0]!.shopUid;
    for (const [op, call] of [
      ['binding', () => api.binding(shopUid)],
      ['onboard', () => onboard(api)],
    ] as const) {
      const before = fake.count(op);
      fake.inject(op, { type: 'reset' });
      await call();
      assert.equal(fake.count(op) - before, 2, `${op}: the dropped call and its repeat`);
    }
    const before = fake.count('agent-seat/create');
    fake.inject('agent-seat/create', { type: 'reset' });
    await rejects(api.createSeats({ shopUid, seatNoList: [`${shopUid}-x-1`], expireAt: '2027-01-01T00:00:00+08:00' }), 502, /unreachable/);
    assert.equal(fake.count('agent-seat/create') - before, 1, 'a create is not sent twice');
  });

  test('a 401 (expired token) is answered by one refresh and a retry; 50 concurrent callers share that one refresh', async () => {
    const { credential, api } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const { shopList } = await onboard(api);
    const shopUid = shopList[0]!.shopUid;
    fake.expireAccessTokens();
    fake.delay('token/refresh', 50);
    const before = fake.count('token/refresh');
    const results = await Promise.all(Array.from({ length: 50 }, () => api.binding(shopUid)));
    assert.equal(results.length, 50);
    assert.equal(fake.count('token/refresh') - before, 1, 'one upstream refresh');
    assert.equal(credential.refreshCalls, 1);
    const s = await credential.status();
    assert.equal(s.status, 'ACTIVE');
    assert.ok(s.lastRefreshAt && s.expiresAt && Date.parse(s.expiresAt) > Date.now(), 'the new expiry is stored');
  });

  test('the access token is refreshed before expiresAt, not after a failed call', async () => {
    const { credential, api } = make();
    const t = fake.issue({ ttlMs: 60_000 }); // inside the 5-minute margin
    await credential.set(t.accessToken, t.refreshToken, t.expiresAt);
    const before = fake.count('token/refresh');
    await rejects(api.binding('nobody'), 502);
    assert.equal(fake.count('token/refresh') - before, 1);
    assert.ok(!fake.received.some((r) => r.op === 'binding' && r.authorization === `Bearer ${t.accessToken}`), 'the old token was not used');
  });

  test('two instances on one database refresh once: the lease and the compare-and-swap', async () => {
    const second = createDatabase(`sqlite:${file}`);
    others.push(second);
    const a = make(handle, 'instance-a');
    const b = make(second, 'instance-b');
    const t = fake.issue();
    await a.credential.seed(t.accessToken, t.refreshToken);
    const { shopList } = await onboard(a.api);
    const shopUid = shopList[0]!.shopUid;
    fake.expireAccessTokens();
    fake.delay('token/refresh', 200);
    const before = fake.count('token/refresh');
    await Promise.all([...Array.from({ length: 10 }, () => a.api.binding(shopUid)), ...Array.from({ length: 10 }, () => b.api.binding(shopUid))]);
    assert.equal(fake.count('token/refresh') - before, 1);
    assert.equal(a.credential.refreshCalls + b.credential.refreshCalls, 1);
  });

  test('a refused refresh marks the credential as needing a new token: 503 until set-token', async () => {
    const { credential, api } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    await rejects(api.binding('any'), 503, /needs a new token.*upstream set-token/);
    const s = await credential.status();
    assert.equal(s.status, 'NEEDS_TOKEN');
    assert.match(s.lastError ?? '', /refresh token invalid/);
    const calls = fake.count('token/refresh');
    await rejects(api.binding('any'), 503);
    assert.equal(fake.count('token/refresh'), calls, 'no further refresh attempts');
    const fresh = fake.issue();
    await credential.set(fresh.accessToken, fresh.refreshToken);
    assert.equal((await credential.status()).status, 'ACTIVE');
    await rejects(api.binding('any'), 502, /店铺不存在/);
  });

  test('a permanent token without a refresh token works; refused, it needs a new one (no refresh call)', async () => {
    const { credential, api } = make();
    const t = fake.issue({ permanent: true });
    await credential.seed(t.accessToken, undefined);
    const { shopList } = await onboard(api);
    assert.ok(shopList[0]);
    assert.equal((await credential.status()).refreshable, false);
    const calls = fake.count('token/refresh');
    fake.inject('binding', { type: 'status', status: 401 });
    await rejects(api.binding(shopList[0]!.shopUid), 503, /needs a new token/);
    assert.equal(fake.count('token/refresh'), calls);
    assert.equal((await credential.status()).status, 'NEEDS_TOKEN');
  });

  test('refresh while upstream is down: the current token while valid, then 502, and the credential stays ACTIVE', async () => {
    const { credential, api } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    fake.expireAccessTokens();
    fake.inject('token/refresh', { type: 'html502' }, { type: 'html502' }, { type: 'html502' });
    await rejects(api.binding('x'), 502);
    assert.equal((await credential.status()).status, 'ACTIVE', 'a transient failure is no refusal');
  });

  test('widget source: the mirror answers while upstream is down, and upstream is asked at most once per shop per minute', async () => {
    let now = Date.now();
    const transport = { baseUrl: fake.url, timeoutMs: 5000 };
    const { credential } = make();
    const mirror = new BindingMirror(upstreamDb(handle.db), createShopEvents(), () => now);
    const api = new UpstreamOpenApi(transport, credential, mirror);
    const source = new MirrorWidgetSource(api, silentLogger, () => now);
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const { shopList } = await onboard(api);
    const shop = shopList[0]!;
    const calls = () => fake.count('binding');
    const base = calls();
    assert.deepEqual(await source.lookup(shop.shopUid), { orgUid: shop.orgUid, workgroupUid: shop.workgroups[0]!.uid, name: shop.name, logo: shop.logo, upstreamUnavailable: false });
    assert.equal(calls(), base, 'a binding seen less than a minute ago: no upstream call');
    now += 61_000;
    await fake.stop();
    try {
      for (let i = 0; i < 20; i++) assert.equal((await source.lookup(shop.shopUid))?.orgUid, shop.orgUid);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await source.lookup(shop.shopUid))?.upstreamUnavailable, true, 'says so');
    } finally {
      await fake.start();
    }
    assert.equal(calls(), base, 'the only attempt met a closed port');
    // A shop the mirror does not know: one upstream call on the request path, then a minute of rest.
    // Upstream's business error (Bytedesk's "no such shop") means not found here.
    assert.equal(await source.lookup('unknown_shop'), undefined);
    assert.equal(await source.lookup('unknown_shop'), undefined);
    assert.equal(calls(), base + 1);
  });

  test('widget source: concurrent requests for a shop the mirror does not know share one upstream call', async () => {
    const { credential, api } = make();
    const source = new MirrorWidgetSource(api, silentLogger);
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const { shopList } = await onboard(api);
    const shop = shopList[0]!;
    await upstreamDb(handle.db).deleteFrom('upstream_binding').where('shop_uid', '=', shop.shopUid).execute();
    fake.delay('binding', 100);
    const base = fake.count('binding');
    const all = await Promise.all(Array.from({ length: 10 }, () => source.lookup(shop.shopUid)));
    assert.deepEqual(new Set(all.map((w) => w?.orgUid)), new Set([shop.orgUid]), 'every request gets the binding');
    assert.equal(fake.count('binding'), base + 1);
  });

  test('no upstream token in the database file', async () => {
    const { credential } = make();
    const t = fake.issue();
    await credential.seed(t.accessToken, t.refreshToken);
    const bytes = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
    for (const token of fake.issuedTokens()) assert.ok(!bytes.includes(token), 'token found in the database files');
  });
});

// The credential's lease, compare-and-swap and upsert on PostgreSQL: two pools are two instances.
if (!PG_URL) {
  postgresMissing('upstream credential [postgres]');
} else {
  const url = PG_URL;
  describe('upstream credential [postgres]', () => {
    const fake = new FakeBytedesk();
    const schema = `up_${randomBytes(5).toString('hex')}`;
    const admin = async (q: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(q);
      } finally {
        await c.end();
      }
    };
    const handles: DatabaseHandle[] = [];
    before(async () => {
      await fake.start();
      await admin(`create schema ${schema}`);
      for (let i = 0; i < 2; i++) handles.push(createDatabase(url, { searchPath: schema }));
      await migrateToLatest(handles[0]!.db);
    });
    after(async () => {
      for (const h of handles) await h.close();
      await admin(`drop schema if exists ${schema} cascade`);
      await fake.stop();
    });

    test('two instances refresh once; set-token replaces a refused credential', async () => {
      const vault = new Vault(randomBytes(32));
      const [a, b] = handles.map((h, i) => {
        const transport = { baseUrl: fake.url, timeoutMs: 5000 };
        const credential = new UpstreamCredential({ db: upstreamDb(h.db), vault, transport, log: silentLogger, instanceId: `pg-${i}` });
        return { credential, api: new UpstreamOpenApi(transport, credential, new BindingMirror(upstreamDb(h.db), createShopEvents())) };
      });
      const t = fake.issue();
      assert.equal(await a!.credential.seed(t.accessToken, t.refreshToken), true);
      assert.equal(await b!.credential.seed('another', undefined), false, 'seeded once');
      const { shopList } = await a!.api.onboard({ mobile: '13800001234', country: '86', shopUid: 'pg_shop', shopName: 'PG', shopLogo: undefined });
      fake.expireAccessTokens();
      fake.delay('token/refresh', 200);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).api.binding(shopList[0]!.shopUid)));
      assert.equal(a!.credential.refreshCalls + b!.credential.refreshCalls, 1);
      fake.clearFaults();
      const fresh = fake.issue({ permanent: true });
      await b!.credential.set(fresh.accessToken, undefined);
      await b!.credential.set(fresh.accessToken, undefined); // the upsert twice: version moves, one row
      const s = await a!.credential.status();
      assert.deepEqual([s.status, s.refreshable, s.expiresAt], ['ACTIVE', false, null]);
    });
  });
}
