import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAdapters } from '../../src/server/store/platforms/adapters.ts';
import { parseStoreConfig } from '../../src/server/store/config.ts';
import { TokenManager, StoreTokenError } from '../../src/server/store/refresh.ts';
import { aad, readConnection, type StoreDb } from '../../src/server/store/repo.ts';
import { createWebhookSender, type WebhookSender } from '../../src/server/store/webhook.ts';
import type { Vault } from '../../src/server/store/vault.ts';
import { FakeWebhookReceiver, fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { PG_URL, postgresMissing } from '../helpers/postgres.ts';
import { captureLogger, pgStoreDb, seedConnection, sqliteStoreDb, testVault, type TestDb } from '../fakes/store-harness.ts';

type Fakes = Awaited<ReturnType<typeof startFakes>>;
const MIN = 60_000;
const WEBHOOK_SECRET = 'fake-webhook-secret';

describe('store token refresh engine', () => {
  let f: Fakes;
  let hook: FakeWebhookReceiver;
  let t: TestDb;
  let vault: Vault;
  let cap: ReturnType<typeof captureLogger>;
  let webhook: WebhookSender;
  const allTokens: string[] = [];
  const adapters = () => createAdapters(parseStoreConfig(fakeStoreEnv(f)), { timeoutMs: 250 });
  const manager = (db: StoreDb = t.db, extra: Partial<ConstructorParameters<typeof TokenManager>[0]> = {}) =>
    new TokenManager({ db, vault, adapters: adapters(), log: cap.log, webhook, retry: { attempts: 4, baseMs: 20, capMs: 80 }, pollMs: 20, ...extra });

  before(async () => {
    f = await startFakes();
    hook = new FakeWebhookReceiver();
    await hook.start();
    t = await sqliteStoreDb();
    vault = testVault();
    cap = captureLogger();
    webhook = createWebhookSender({ db: t.db, url: hook.hookUrl, secret: WEBHOOK_SECRET, log: cap.log, baseMs: 20, capMs: 100 });
  });
  after(async () => {
    await webhook.stop();
    await t.close();
    await hook.close();
    await f.close();
  });
  beforeEach(() => {
    for (const x of [f.shoplazza, f.youzan, f.fkw]) {
      x.clearFaults();
      x.resetCounts();
    }
    hook.received.length = 0;
    hook.resetCounts();
    hook.clearFaults();
  });

  async function fkwConnection(expiresInMs: number, db: StoreDb = t.db, shopId = String(Math.floor(Math.random() * 1e9))) {
    const pair = f.fkw.seedPair(shopId);
    allTokens.push(pair.accessToken, pair.refreshToken);
    const id = await seedConnection(db, vault, { platform: 'FKW', sellerId: shopId, ...pair, expiresAt: Date.now() + expiresInMs });
    return { id, ...pair };
  }

  it('hands out a fresh token without calling the platform', async () => {
    const c = await fkwConnection(60 * MIN);
    assert.equal(await manager().getValidAccessToken(c.id), c.accessToken);
    assert.equal(f.fkw.count('refreshAccessToken'), 0);
  });

  it('refreshes before expiry (FKW margin 10 min) and stores the rotated pair; the old refresh token fails afterwards', async () => {
    const c = await fkwConnection(5 * MIN);
    const token = await manager().getValidAccessToken(c.id);
    allTokens.push(token);
    assert.notEqual(token, c.accessToken);
    assert.equal(f.fkw.count('refreshAccessToken'), 1);
    const row = (await readConnection(t.db, c.id))!;
    assert.ok(row.expires_at! > Date.now() + 100 * MIN);
    assert.ok(row.last_refresh_at! <= Date.now());
    assert.equal(row.version, 1);
    assert.equal(row.lease_owner, null);
    const storedRt = vault.decrypt(row.refresh_token_enc!, aad.refresh(c.id));
    allTokens.push(storedRt);
    assert.notEqual(storedRt, c.refreshToken);
    assert.equal(f.fkw.isRefreshTokenLive(c.refreshToken), false, 'old refresh token dead at the platform');
    assert.equal(f.fkw.isRefreshTokenLive(storedRt), true, 'the stored one is the live one');
    // Shoplazza: margin 1 hour.
    const sp = f.shoplazza.seedPair('margin-store');
    const sid = await seedConnection(t.db, vault, { platform: 'SHOPLAZZA', sellerId: 'margin-store', ...sp, expiresAt: Date.now() + 50 * MIN });
    const st = await manager().getValidAccessToken(sid);
    allTokens.push(st, ...Object.values(sp));
    assert.notEqual(st, sp.accessToken);
    assert.equal(f.shoplazza.count('refresh'), 1);
  });

  it('a missing expiry is refreshed soon, never kept forever', async () => {
    const pair = f.fkw.seedPair('noexp');
    const id = await seedConnection(t.db, vault, { platform: 'FKW', sellerId: 'noexp', ...pair, expiresAt: null });
    assert.notEqual(await manager().getValidAccessToken(id), pair.accessToken);
    assert.equal(f.fkw.count('refreshAccessToken'), 1);
  });

  it('50 concurrent callers in one process: exactly one upstream refresh, everyone gets the same new token', async () => {
    const c = await fkwConnection(-MIN);
    f.fkw.delay('refreshAccessToken', 100);
    const m = manager();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => m.getValidAccessToken(c.id)));
    assert.equal(f.fkw.count('refreshAccessToken'), 1);
    assert.equal(new Set(tokens).size, 1);
    assert.notEqual(tokens[0], c.accessToken);
    allTokens.push(tokens[0]!);
  });

  it('two managers (separate single-flight maps) on one SQLite database: the lease lets one refresh, the other reads the new version', async () => {
    const c = await fkwConnection(-MIN);
    f.fkw.delay('refreshAccessToken', 150);
    const m1 = manager(t.db, { instanceId: 'A' });
    const m2 = manager(t.db, { instanceId: 'B' }); // separate in-process maps: only the lease serialises them
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? m1 : m2).getValidAccessToken(c.id)));
    assert.equal(f.fkw.count('refreshAccessToken'), 1);
    assert.equal(new Set(tokens).size, 1);
    allTokens.push(tokens[0]!);
  });

  it('transient failures (5xx, timeout) are retried with backoff', async () => {
    const c = await fkwConnection(-MIN);
    f.fkw.inject('refreshAccessToken', { type: 'status', status: 503 }, { type: 'hang', ms: 500 });
    const token = await manager().getValidAccessToken(c.id);
    allTokens.push(token);
    assert.equal(f.fkw.count('refreshAccessToken'), 3);
    const row = (await readConnection(t.db, c.id))!;
    assert.equal(row.status, 'AUTHORIZED');
    assert.equal(row.last_error, null);
  });

  it('transient failures exhausted: the still-valid token is used, the error recorded, the sweep backs off', async () => {
    const c = await fkwConnection(5 * MIN);
    f.fkw.inject('refreshAccessToken', ...Array.from({ length: 4 }, () => ({ type: 'status' as const, status: 500 })));
    assert.equal(await manager().getValidAccessToken(c.id), c.accessToken);
    assert.equal(f.fkw.count('refreshAccessToken'), 4);
    const row = (await readConnection(t.db, c.id))!;
    assert.equal(row.status, 'AUTHORIZED');
    assert.match(row.last_error!, /HTTP 500/);
    assert.equal(row.fail_count, 1);
    assert.ok(row.next_attempt_at! > Date.now());
    assert.equal(row.lease_owner, null);
    assert.equal(hook.received.length, 0, 'no webhook for transient trouble');
    // An expired token with the platform down is UNAVAILABLE, not NEEDS_REAUTH.
    const d = await fkwConnection(-MIN);
    f.fkw.inject('refreshAccessToken', ...Array.from({ length: 4 }, () => ({ type: 'status' as const, status: 502 })));
    await assert.rejects(manager().getValidAccessToken(d.id), (e: StoreTokenError) => e.reason === 'UNAVAILABLE');
  });

  it('permanent failure: NEEDS_REAUTH, exactly one signed webhook, no retry loop', async () => {
    const c = await fkwConnection(-MIN);
    f.fkw.seedPair('x'); // unrelated
    // Kill the refresh token at the platform (revoked authorisation).
    const dead = await fkwConnection(-MIN, t.db, 'revoked-shop');
    await manager().getValidAccessToken(dead.id); // rotates: dead.refreshToken is now invalid
    f.fkw.resetCounts();
    hook.received.length = 0;
    // Put the stale refresh token back, as if another system had rotated it away.
    await t.db.updateTable('store_connection').set({ refresh_token_enc: vault.encrypt(dead.refreshToken, aad.refresh(dead.id)), expires_at: Date.now() - MIN }).where('id', '=', dead.id).execute();
    const m = manager();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => m.getValidAccessToken(dead.id)));
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as StoreTokenError).reason === 'NEEDS_REAUTH'));
    assert.equal(f.fkw.count('refreshAccessToken'), 1, 'no retry of a permanent failure');
    await assert.rejects(m.getValidAccessToken(dead.id), (e: StoreTokenError) => e.reason === 'NEEDS_REAUTH');
    assert.equal(f.fkw.count('refreshAccessToken'), 1);
    const row = (await readConnection(t.db, dead.id))!;
    assert.equal(row.status, 'NEEDS_REAUTH');
    assert.match(row.last_error!, /rt 102/);
    await webhook.drain();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hook.received.length, 1, 'exactly one webhook');
    const w = hook.received[0]!;
    assert.equal(w.body.status, 'NEEDS_REAUTH');
    assert.equal(w.body.auth_status, 'FAIL');
    assert.equal(w.body.platform, 'FKW');
    assert.equal(w.body.sellerId, 'revoked-shop');
    assert.equal(w.signature, `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(w.raw).digest('hex')}`);
    void c;
  });

  it('the webhook is retried until the receiver accepts it', async () => {
    hook.inject('hook', { type: 'status', status: 500 }, { type: 'reset' });
    await webhook.enqueue(t.db, { shopUid: 's', platform: 'YOUZAN', sellerId: '1', authType: 'KEY', status: 'AUTHORIZED', auth_fail_reason: '' });
    webhook.wake();
    await webhook.drain();
    assert.equal(hook.count('hook'), 3);
    assert.equal(hook.received.length, 1);
  });

  it('the SQLite file and the captured logs hold no platform token or secret in plaintext', async () => {
    const secrets = [...allTokens, f.fkw.clientSecret, f.shoplazza.clientSecret].filter((s) => s.length > 8);
    assert.ok(secrets.length > 10);
    const bytes = readdirSync(t.dir)
      .map((n) => readFileSync(join(t.dir, n)).toString('latin1'))
      .join('\n');
    const logs = cap.lines.join('\n');
    assert.ok(logs.length > 0);
    for (const s of secrets) {
      assert.ok(!bytes.includes(s), 'database file leaks a token');
      assert.ok(!logs.includes(s), 'logs leak a token');
    }
  });
});

const PG_SUITE = 'store token refresh across two instances on PostgreSQL';
if (!PG_URL) postgresMissing(PG_SUITE);
else describe(PG_SUITE, () => {
  const url = PG_URL!;
  let f: Fakes;
  let pgdb: Awaited<ReturnType<typeof pgStoreDb>>;
  before(async () => {
    f = await startFakes();
    pgdb = await pgStoreDb(url, `store_refresh_${process.pid}`);
  });
  after(async () => {
    await pgdb?.close();
    await f?.close();
  });

  it('50 callers split over two instances (separate pools): exactly one upstream refresh, all get the same new token', async () => {
    const vault = testVault();
    const cap = captureLogger();
    const webhook = createWebhookSender({ db: pgdb.db, log: cap.log });
    const adapters = createAdapters(parseStoreConfig(fakeStoreEnv(f)), { timeoutMs: 2000 });
    const pair = f.fkw.seedPair('pg-shop');
    const id = await seedConnection(pgdb.db, vault, { platform: 'FKW', sellerId: 'pg-shop', ...pair, expiresAt: Date.now() - MIN });
    f.fkw.delay('refreshAccessToken', 200);
    const a = new TokenManager({ db: pgdb.open(), vault, adapters, log: cap.log, webhook, instanceId: 'pg-A', pollMs: 25 });
    const b = new TokenManager({ db: pgdb.open(), vault, adapters, log: cap.log, webhook, instanceId: 'pg-B', pollMs: 25 });
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).getValidAccessToken(id)));
    assert.equal(f.fkw.count('refreshAccessToken'), 1);
    assert.equal(new Set(tokens).size, 1);
    assert.notEqual(tokens[0], pair.accessToken);
    const row = (await readConnection(pgdb.db, id))!;
    assert.equal(row.version, 1);
    assert.equal(vault.decrypt(row.access_token_enc!, aad.access(id)), tokens[0]);
    assert.equal(f.fkw.isRefreshTokenLive(vault.decrypt(row.refresh_token_enc!, aad.refresh(id))), true);
    assert.equal(a.upstreamCalls + b.upstreamCalls, 1);
  });
});
