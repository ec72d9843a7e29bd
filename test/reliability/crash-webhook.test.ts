// Crash with webhooks pending: a real server process completes N store authorisations while the
// business system refuses every webhook, so N deliveries wait in the outbox for their next attempt;
// the server is killed with SIGKILL, started again with the receiver accepting, and every one of the
// N events must arrive: N distinct event ids, each with the bytes and the delivery id it was first
// tried with (a duplicate, allowed, would be recognisable by that id). On SQLite, and on PostgreSQL
// when TEST_DATABASE_URL is set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ADMIN, startServer, type ServerProcess } from '../helpers/load.ts';
import { PG_URL, postgresMissing } from '../helpers/postgres.ts';
import { FakeWebhookReceiver, fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { RUN_DIR } from './helpers.ts';

const N = 24;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(base: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
}

interface Target {
  url: string;
  /** Rows left in the outbox. */
  outboxRows(): Promise<number>;
  close(): Promise<void>;
}

function sqliteTarget(): Target {
  const file = join(mkdtempSync(join(RUN_DIR, 'db', 'crash-webhook-')), 'shop-chat.db');
  return {
    url: `sqlite:${file}`,
    async outboxRows() {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('select count(*) as n from webhook_outbox').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    async close() {},
  };
}

async function postgresTarget(base: string): Promise<Target> {
  const name = `crash_webhook_${randomBytes(4).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      return await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    async outboxRows() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return Number((await c.query('select count(*) as n from webhook_outbox')).rows[0].n);
      } finally {
        await c.end();
      }
    },
    close: async () => void (await admin(`drop database if exists ${name} with (force)`)),
  };
}

const kinds = [['sqlite', async () => sqliteTarget()] as const, ...(PG_URL ? [['postgres', () => postgresTarget(PG_URL!)] as const] : [])];

describe('SIGKILL with webhooks pending', () => {
  if (!PG_URL) postgresMissing('[postgres] refused deliveries survive the kill');
  for (const [kind, makeTarget] of kinds) {
    test(`[${kind}] ${N} refused deliveries survive the kill and are all delivered after the restart`, { timeout: 3 * 60_000 }, async () => {
      const fakes = await startFakes();
      const hook = new FakeWebhookReceiver();
      await hook.start();
      const target = await makeTarget();
      const env = {
        ...fakeStoreEnv(fakes),
        DATABASE_URL: target.url,
        LOG_LEVEL: 'info',
        SHOP_CHAT_WEBHOOK_URL: hook.hookUrl,
        SHOP_CHAT_WEBHOOK_SECRET: 'crash-webhook-secret',
      };
      const logFile = join(RUN_DIR, 'logs', `crash-webhook-${kind}-${process.pid}.log`);
      let server: ServerProcess | undefined;
      try {
        hook.refuseWith = 503;
        server = await startServer(env);
        const base = server.base;
        const shops = Array.from({ length: N }, (_, i) => `crash_hook_${kind}_${i}_${randomBytes(3).toString('hex')}`);
        await Promise.all(
          shops.map(async (shopUid, i) => {
            const onboard = await call(base, '/api/v1/shop/open/onboard', { mobile: `137${String(i).padStart(8, '0')}`, shopUid });
            assert.equal(onboard.status, 200, onboard.text);
            const kdt = String(60_000_000 + i);
            const app = fakes.youzan.addSelfUseApp(kdt);
            const auth = await call(base, '/api/v1/shop/open/store/authorize', { shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: kdt, authInfo: app });
            assert.equal(auth.status, 200, auth.text);
          }),
        );
        // Every delivery tried (and refused) at least once: they are pending, not merely unsent.
        const refused = (s: string) => hook.attempts.some((a) => a.body.shopUid === s && a.status === 503);
        for (let end = Date.now() + 20_000; !shops.every(refused); await sleep(20)) {
          if (Date.now() > end) assert.fail(`not every delivery was tried: ${shops.filter(refused).length}/${N}`);
        }
        server.child.kill('SIGKILL');
        assert.equal(await server.exited, 'SIGKILL');
        appendFileSync(logFile, `--- first run (killed)\n${server.output()}\n`);
        assert.equal(await target.outboxRows(), N, 'the N deliveries are in the outbox after the kill');
        const firstTried = new Map(hook.attempts.map((a) => [a.deliveryId, a]));
        const triedBeforeKill = hook.attempts.length;

        hook.refuseWith = undefined;
        server = await startServer(env);
        // Due within the backoff already drawn (a few seconds), or after the lease of a row the
        // kill caught in flight (30 s).
        const delivered = () => new Set(hook.received.filter((r) => shops.includes(String(r.body.shopUid))).map((r) => r.eventId));
        for (let end = Date.now() + 60_000; delivered().size < N; await sleep(50)) {
          if (Date.now() > end) assert.fail(`delivered ${delivered().size} of ${N} after the restart`);
        }
        const got = hook.received.filter((r) => shops.includes(String(r.body.shopUid)));
        assert.equal(new Set(got.map((r) => r.body.shopUid)).size, N, 'one event per authorisation');
        assert.equal(delivered().size, N, 'N distinct event ids');
        for (const r of got) {
          const first = firstTried.get(r.deliveryId);
          assert.ok(first, `delivery ${r.deliveryId} was one of those pending at the kill`);
          assert.equal(r.raw, first.raw, 'the same bytes as before the kill');
          assert.equal(r.eventId, first.eventId);
        }
        const duplicates = got.length - new Set(got.map((r) => r.deliveryId)).size;
        for (let end = Date.now() + 5000; (await target.outboxRows()) > 0 && Date.now() < end; ) await sleep(50);
        assert.equal(await target.outboxRows(), 0, 'the outbox is empty once everything is delivered');
        console.log(`# crash-webhook [${kind}]: ${N} pending at the kill (${triedBeforeKill} refused attempts), ${N} delivered after the restart, ${duplicates} duplicates`);
      } finally {
        if (server) appendFileSync(logFile, `--- last run\n${server.output()}\n`);
        await server?.stop();
        await hook.close();
        await fakes.close();
        await target.close();
      }
    });
  }
});
