// PostgreSQL faults under load, against a private cluster this file starts (test/helpers/pg-cluster.ts):
// its backends terminated, the cluster stopped and started, restarted, frozen with SIGSTOP. The
// server is a real process. Counted for each fault: 0 crashes, 0 × 500, every answer while the
// database is out a 503 (with Retry-After) within 2 s, the first 200 within 5 s of the database
// being back, and every acknowledged onboard still there at the end.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { runLoad, sleep, startServer, statusCounts, type Answer, type ServerProcess } from '../helpers/load.ts';
import { parseStoreConfig } from '../../src/server/store/config.ts';
import { StoreService } from '../../src/server/store/service.ts';
import { storeDb } from '../../src/server/store/repo.ts';
import { startRefreshSweep } from '../../src/server/store/sweep.ts';
import { createWebhookSender } from '../../src/server/store/webhook.ts';
import { FakeWebhookReceiver } from '../fakes/platforms.ts';
import { captureLogger } from '../fakes/store-harness.ts';
import { pgClusterMissing, startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';

const missing = pgClusterMissing();
const DB = 'faults';

describe('PostgreSQL faults under load', { skip: missing && process.env.CI !== 'true' ? missing : false }, () => {
  let cluster: PgCluster;
  let server: ServerProcess;
  const acknowledged: string[] = [];

  before(async () => {
    cluster = await startPgCluster();
    await cluster.createDatabase(DB);
    server = await startServer({ DATABASE_URL: cluster.url(DB) });
  });

  after(async () => {
    await server?.stop();
    await cluster?.destroy();
  });

  /**
   * Load while `fault` runs from `faultAt`; `fault` resolves when the database is back (its `back`
   * time, ms since the load started), and the load goes on for 5.5 s more (however slow the
   * machine made the fault). Checks the counted properties.
   */
  async function underFault(name: string, o: { faultAt: number; fault: () => Promise<void> }) {
    let back = Number.NaN;
    const t0 = performance.now();
    const stop = new AbortController();
    const faulted = sleep(o.faultAt).then(async () => {
      await o.fault();
      back = performance.now() - t0;
      await sleep(5500);
      stop.abort();
    });
    const load = await runLoad({ bases: () => [server.base], durationMs: 60_000, concurrency: 8, prefix: `${name}_${Date.now().toString(36)}`, signal: stop.signal });
    await faulted;
    acknowledged.push(...load.acknowledged);
    const counts = statusCounts(load.answers);
    const summary = `${name}: ${JSON.stringify(counts)}`;
    assert.equal(server.child.exitCode, null, `${summary}: the server is still running`);
    assert.equal(counts[500] ?? 0, 0, `${summary}: no 500`);
    const bad = load.answers.filter((a) => a.status !== 200 && a.status !== 503);
    assert.deepEqual(bad.slice(0, 3), [], `${summary}: only 200 and 503`);
    const outage = load.answers.filter((a) => a.status === 503);
    for (const a of outage) {
      assert.ok(a.ms < 2000, `${summary}: a 503 took ${a.ms.toFixed(0)} ms`);
      assert.equal(a.retryAfter, '1', 'Retry-After on every 503');
      assert.equal(a.envelopeCode, 503, 'the envelope says 503');
    }
    const firstOkAfter = load.answers.filter((a: Answer) => a.status === 200 && a.at >= back).sort((x, y) => x.at - y.at)[0];
    assert.ok(firstOkAfter, `${summary}: answers 200 again after the database is back`);
    assert.ok(firstOkAfter.at + firstOkAfter.ms - back < 5000, `${summary}: recovered ${(firstOkAfter.at + firstOkAfter.ms - back).toFixed(0)} ms after the database was back`);
    console.log(`# ${summary}, max 503 ${Math.max(0, ...outage.map((a) => a.ms)).toFixed(0)} ms, recovered in ${(firstOkAfter.at + firstOkAfter.ms - back).toFixed(0)} ms`);
    return { counts, outage };
  }

  test('its backends terminated (pg_terminate_backend) twice', async () => {
    await underFault('terminate', {
      faultAt: 800,
      fault: async () => {
        assert.ok((await cluster.terminateBackends(DB)) > 0, 'the server had connections');
        await sleep(300);
        await cluster.terminateBackends(DB);
      },
    });
  });

  test('the cluster stopped for 1.5 s mid-load, then started', async () => {
    const { outage } = await underFault('stop', {
      faultAt: 800,
      fault: async () => {
        await cluster.stop();
        const ready = await fetch(`${server.base}/readyz`);
        assert.equal(ready.status, 503, '/readyz says 503 while the database is down');
        assert.equal((await fetch(`${server.base}/healthz`)).status, 200, '/healthz stays 200');
        await sleep(1500);
        await cluster.start();
      },
    });
    assert.ok(outage.length > 0, 'requests were answered during the outage');
  });

  test('a fast restart', async () => {
    await underFault('restart', { faultAt: 800, fault: () => cluster.restart() });
  });

  test('frozen with SIGSTOP for 2.5 s (connections hang, nothing is refused)', async () => {
    const { outage } = await underFault('sigstop', {
      faultAt: 800,
      fault: async () => {
        cluster.freeze(true);
        await sleep(2500);
        cluster.freeze(false);
      },
    });
    assert.ok(outage.length > 0, 'requests were answered 503 while it was frozen');
  });

  test('the refresh sweep pauses while the cluster is stopped and resumes by itself', async () => {
    const { createDatabase } = await import('../../src/server/db/index.ts');
    const handle = createDatabase(cluster.url(DB));
    const logged = captureLogger();
    const service = new StoreService({ db: handle.db, config: parseStoreConfig({ SHOP_CHAT_SECRET_KEY: Buffer.alloc(32, 3).toString('base64') }), log: logged.log });
    await cluster.stop();
    const sweep = startRefreshSweep(service, { firstDelayMs: 0, intervalMs: 3_600_000, pausedRetryMs: 200 });
    try {
      const seen = async (msg: RegExp) => {
        for (let i = 0; i < 100 && !logged.lines.some((l) => msg.test(l)); i++) await sleep(100);
        return logged.lines.filter((l) => msg.test(l)).length;
      };
      assert.equal(await seen(/sweep paused: database unavailable/), 1, 'one warning when it pauses');
      await sleep(600);
      assert.equal(await seen(/sweep paused/), 1, 'not one per retry');
      await cluster.start();
      assert.equal(await seen(/sweep resumed/), 1, `resumed within the retry interval: ${logged.lines.join('\n')}`);
      assert.equal(logged.lines.filter((l) => /sweep failed/.test(l)).length, 0);
    } finally {
      await sweep.stop();
      await service.close();
      await handle.close();
    }
  });

  test('the webhook sender pauses while the cluster is stopped and resumes by itself, then sends what waited', async () => {
    const { createDatabase } = await import('../../src/server/db/index.ts');
    const handle = createDatabase(cluster.url(DB));
    const logged = captureLogger();
    const hook = new FakeWebhookReceiver();
    await hook.start();
    const sender = createWebhookSender({ db: handle.db, url: hook.hookUrl, secret: 'pg-faults-secret', log: logged.log, pausedRetryMs: 200 });
    try {
      await sender.enqueue(storeDb(handle.db), { shopUid: 'paused_shop', platform: 'FKW', sellerId: '1', authType: 'URL', status: 'AUTHORIZED', auth_fail_reason: '' });
      await cluster.stop();
      sender.start();
      const seen = async (msg: RegExp) => {
        for (let i = 0; i < 100 && !logged.lines.some((l) => msg.test(l)); i++) await sleep(100);
        return logged.lines.filter((l) => msg.test(l)).length;
      };
      assert.equal(await seen(/webhook sender paused: database unavailable/), 1, 'one warning when it pauses');
      await sleep(600);
      assert.equal(await seen(/webhook sender paused/), 1, 'not one per retry');
      await cluster.start();
      assert.equal(await seen(/webhook sender resumed/), 1, `resumed within the retry interval: ${logged.lines.join('\n')}`);
      assert.equal((await hook.waitFor(1)).length, 1, 'the delivery that waited is sent');
      assert.equal(logged.lines.filter((l) => /webhook sender failed/.test(l)).length, 0);
    } finally {
      await sender.stop();
      await hook.close();
      await handle.close();
    }
  });

  test('every acknowledged onboard is in the database', async () => {
    const c = new pg.Client({ connectionString: cluster.url(DB) });
    await c.connect();
    try {
      const { rows } = await c.query<{ shop_uid: string }>('select shop_uid from shops where shop_uid = any($1)', [acknowledged]);
      const found = new Set(rows.map((r) => r.shop_uid));
      const lost = acknowledged.filter((s) => !found.has(s));
      assert.ok(acknowledged.length > 30, `enough writes were acknowledged (${acknowledged.length})`);
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged onboards lost`);
    } finally {
      await c.end();
    }
    assert.match(await (await fetch(`${server.base}/metrics`)).text(), /shop_chat_db_pool_errors_total [1-9]/, 'pool errors were counted');
  });
});
