import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { parseStoreConfig } from '../../src/server/store/config.ts';
import { readConnection } from '../../src/server/store/repo.ts';
import { StoreService } from '../../src/server/store/service.ts';
import { refreshDue, startRefreshSweep, type RefreshDueProgress } from '../../src/server/store/sweep.ts';
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { captureLogger, seedConnection, sqliteStoreDb, type TestDb } from '../fakes/store-harness.ts';

const DAY = 86_400_000;

describe('store refresh sweep', () => {
  let f: Awaited<ReturnType<typeof startFakes>>;
  let t: TestDb;
  let svc: StoreService;
  const service = (env: Record<string, string> = {}) =>
    new StoreService({
      db: t.db,
      config: parseStoreConfig({ ...fakeStoreEnv(f), SHOP_CHAT_SECRET_KEY: key, ...env }),
      log: captureLogger().log,
    });
  const key = randomBytes(32).toString('base64');
  before(async () => {
    f = await startFakes();
    t = await sqliteStoreDb();
    svc = service();
  });
  after(async () => {
    await svc.close();
    await t.close();
    await f.close();
  });

  it('refreshDue refreshes what expires within 7 days, at bounded concurrency, with progress; leaves the rest', async () => {
    const mk = async (store: string, expiresAt: number | null, extra: { status?: string; refresh?: boolean } = {}) => {
      const pair = f.shoplazza.seedPair(store);
      return {
        id: await seedConnection(t.db, svc.vault, {
          platform: 'SHOPLAZZA',
          sellerId: store,
          accessToken: pair.accessToken,
          refreshToken: extra.refresh === false ? null : pair.refreshToken,
          expiresAt,
          ...(extra.status ? { status: extra.status } : {}),
        }),
        pair,
      };
    };
    const due = await Promise.all(Array.from({ length: 6 }, (_, i) => mk(`due-${i}`, Date.now() + (i + 1) * DAY)));
    const later = await mk('later', Date.now() + 200 * DAY);
    const noExpiry = await mk('noexp', null);
    const reauth = await mk('reauth', Date.now() + DAY, { status: 'NEEDS_REAUTH' });
    const staticKey = await mk('static', null, { refresh: false });
    f.shoplazza.delay('refresh', 50);
    const progress: RefreshDueProgress[] = [];
    const summary = await refreshDue(svc, { onProgress: (p) => progress.push(p), concurrency: 3 });
    assert.equal(summary.total, 7);
    assert.equal(summary.refreshed, 7);
    assert.equal(summary.failed, 0);
    assert.equal(progress[0]!.done, 0);
    assert.equal(progress.at(-1)!.done, 7);
    assert.equal(f.shoplazza.count('refresh'), 7);
    for (const d of [...due, noExpiry]) {
      const row = (await readConnection(t.db, d.id))!;
      assert.ok(row.expires_at! > Date.now() + 300 * DAY);
      assert.equal(f.shoplazza.isRefreshTokenLive(d.pair.refreshToken), false);
    }
    for (const d of [later, reauth, staticKey]) assert.equal((await readConnection(t.db, d.id))!.version, 0);
    // A second pass right away finds nothing (refreshed less than a day ago, far from expiry).
    assert.equal((await refreshDue(svc)).total, 0);
  });

  it('a permanent failure in the sweep ends in NEEDS_REAUTH; a transient one backs the connection off', async () => {
    const dead = await seedConnection(t.db, svc.vault, { platform: 'FKW', sellerId: 'dead', accessToken: 'fake-at-dead', refreshToken: 'fake-rt-unknown', expiresAt: Date.now() + DAY });
    const s1 = await refreshDue(svc);
    assert.deepEqual([s1.total, s1.needsReauth], [1, 1]);
    assert.equal((await readConnection(t.db, dead))!.status, 'NEEDS_REAUTH');

    const pair = f.fkw.seedPair('flaky');
    const flaky = await seedConnection(t.db, svc.vault, { platform: 'FKW', sellerId: 'flaky', ...pair, expiresAt: Date.now() + DAY });
    f.fkw.resetCounts();
    f.fkw.inject('refreshAccessToken', ...Array.from({ length: 4 }, () => ({ type: 'status' as const, status: 503 })));
    const s2 = await refreshDue(svc);
    assert.equal(s2.total, 1);
    assert.equal(f.fkw.count('refreshAccessToken'), 4, 'transient failures retried, then given up');
    assert.equal(s2.failed, 1);
    const fl = (await readConnection(t.db, flaky))!;
    assert.equal(fl.status, 'AUTHORIZED');
    assert.equal(fl.fail_count, 1);
    assert.match(fl.last_error!, /HTTP 503/);
    assert.ok(fl.next_attempt_at! > Date.now(), 'backed off');
    assert.equal((await refreshDue(svc)).total, 0, 'not due again before next_attempt_at');
    f.fkw.clearFaults();
  });

  it('startRefreshSweep runs passes on its interval and stops; SHOP_CHAT_REFRESH_SWEEP=off disables it', async () => {
    const pair = f.shoplazza.seedPair('sweep-me');
    const id = await seedConnection(t.db, svc.vault, { platform: 'SHOPLAZZA', sellerId: 'sweep-me', ...pair, expiresAt: Date.now() + 2 * DAY });
    const s = startRefreshSweep(svc, { firstDelayMs: 10, intervalMs: 60_000 });
    const end = Date.now() + 3000;
    while ((await readConnection(t.db, id))!.version === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    assert.equal((await readConnection(t.db, id))!.version, 1);
    const disabled = service({ SHOP_CHAT_REFRESH_SWEEP: 'off' });
    const off = startRefreshSweep(disabled, { firstDelayMs: 1 });
    await new Promise((r) => setTimeout(r, 50));
    await off.stop();
    assert.equal(disabled.manager.upstreamCalls, 0, 'SHOP_CHAT_REFRESH_SWEEP=off: no pass ran');
    await disabled.close();
  });
});
