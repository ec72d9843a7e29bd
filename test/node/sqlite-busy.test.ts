// SQLite shared with another connection (a second server, the admin CLI, a backup): a write that
// finds the lock taken waits for it off the event loop, up to SHOP_CHAT_DB_BUSY_TIMEOUT_MS, then
// answers 503 with Retry-After; and one onboard that fails inside a group commit fails alone.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { createHarness, json, uniqueShop, type Harness } from './helpers/server.ts';

describe('SQLite busy [sqlite]', () => {
  let h: Harness;
  let other: SqliteDatabase.Database;
  before(async () => {
    h = await createHarness('sqlite', { env: { SHOP_CHAT_DB_BUSY_TIMEOUT_MS: '600' } });
    other = new SqliteDatabase(h.sqlitePath!);
    other.pragma('busy_timeout = 5000');
  });
  after(async () => {
    other.close();
    await h.close();
  });

  const onboard = (shop = uniqueShop()) => h.call('POST', '/api/v1/shop/open/onboard', { mobile: shop.mobile, shopUid: shop.shopUid });

  /** Holds the write lock on the other connection for `ms`, measuring this process's longest event-loop stall meanwhile. */
  async function whileLocked<T>(ms: number, fn: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
    other.exec('begin immediate');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const release = setTimeout(() => other.exec('commit'), ms);
    try {
      const result = await fn();
      return { result, stallMs: delay.max / 1e6 };
    } finally {
      delay.disable();
      await new Promise((r) => setTimeout(r, Math.max(0, ms)));
      clearTimeout(release);
      if (other.inTransaction) other.exec('commit');
    }
  }

  test('writes wait for a lock held 300 ms and succeed; the event loop keeps turning', async () => {
    const { result, stallMs } = await whileLocked(300, () => Promise.all(Array.from({ length: 20 }, () => onboard())));
    assert.deepEqual(
      result.map((r) => r.statusCode),
      Array(20).fill(200),
    );
    assert.ok(stallMs < 200, `longest event-loop stall ${stallMs.toFixed(0)} ms`);
  });

  test('past the deadline a write answers 503 with Retry-After, never 500; reads still answer', async () => {
    const kept = uniqueShop();
    assert.equal((await onboard(kept)).statusCode, 200);
    const { result, stallMs } = await whileLocked(1200, async () => {
      const started = performance.now();
      const [writes, read, health] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, () => onboard())),
        h.call('GET', `/api/v1/shop/open/binding?shopUid=${kept.shopUid}`),
        h.call('GET', '/healthz'),
      ]);
      return { writes, read, health, ms: performance.now() - started };
    });
    for (const w of result.writes) {
      assert.equal(w.statusCode, 503, w.body);
      assert.equal(w.headers['retry-after'], '1');
      assert.deepEqual(json(w), { message: 'database busy, retry later', code: 503, data: null });
    }
    assert.equal(result.read.statusCode, 200, 'a read does not need the lock');
    assert.equal(result.health.statusCode, 200);
    assert.ok(result.ms < 1100, `answered by the 600 ms deadline (${result.ms.toFixed(0)} ms)`);
    assert.ok(stallMs < 200, `longest event-loop stall ${stallMs.toFixed(0)} ms`);
    assert.equal((await onboard()).statusCode, 200, 'writes again once the lock is free');
  });

  test('an onboard whose commit fails is the only one of its group commit to fail', async () => {
    // A deferred foreign key: checked at COMMIT, so this shop breaks the shared transaction's commit.
    other.exec(`
      create table onboard_guard (shop_uid text references shops(shop_uid) deferrable initially deferred);
      create trigger onboard_guard_boom after insert on shops when new.shop_uid like 'boom_%'
      begin insert into onboard_guard values ('no such shop'); end;`);
    try {
      const shops = Array.from({ length: 12 }, (_, i) => (i === 5 ? { ...uniqueShop(), shopUid: `boom_${Date.now()}` } : uniqueShop()));
      const answers = await Promise.all(shops.map((s) => onboard(s)));
      assert.deepEqual(
        answers.map((a, i) => (i === 5 ? a.statusCode >= 500 : a.statusCode)),
        shops.map((_, i) => (i === 5 ? true : 200)),
      );
      const stored = other.prepare(`select shop_uid from shops where shop_uid in (${shops.map(() => '?').join(',')})`).pluck().all(...shops.map((s) => s.shopUid));
      assert.equal(stored.length, 11, 'the other eleven were written');
    } finally {
      other.exec('drop trigger onboard_guard_boom; drop table onboard_guard;');
    }
  });
});
