// The webhook outbox (store/webhook.ts), through the real app on SQLite and PostgreSQL: a refused
// delivery is retried with the same delivery id and bytes, the row is written in the transaction of
// the state change, two senders on one database send each row once, the last attempt gives up with
// one error line, and (SQLite) the sender pauses while the database is locked and resumes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../../src/server/db/index.ts';
import { storeDb } from '../../src/server/store/repo.ts';
import { createWebhookSender, signWebhookBody, type WebhookInput, type WebhookSender } from '../../src/server/store/webhook.ts';
import { captureLogger } from '../fakes/store-harness.ts';
import { PG_URL, describeEachDatabase, json, onboardShop, type Harness } from './helpers/server.ts';
import { WEBHOOK_SECRET as SECRET, useStoreFakes } from './helpers/store.ts';

const P = '/api/v1/shop/open/store';
const fakes = useStoreFakes();
const { env } = fakes;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A Youzan KEY authorisation of a new shop (one request); the request's answer and the shop. */
async function authorizeKey(h: Harness, kdt = String(40_000_000 + Math.floor(Math.random() * 1e6))) {
  const { shopUid } = await onboardShop(h);
  const app = fakes.f.youzan.addSelfUseApp(kdt);
  const res = await h.call('POST', `${P}/authorize`, { shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: kdt, authInfo: app });
  return { res, shopUid, kdt };
}

const outboxRows = (h: Harness) => storeDb(h.db).selectFrom('webhook_outbox').selectAll().execute();

const event = (shopUid: string): WebhookInput => ({ shopUid, platform: 'FKW', sellerId: '1', authType: 'URL', status: 'AUTHORIZED', auth_fail_reason: '' });

/** A second connection (pool) to the harness's database: another instance's. */
async function secondHandle(h: Harness): Promise<DatabaseHandle> {
  if (h.kind === 'sqlite') return createDatabase(`sqlite:${h.sqlitePath}`);
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(h.db);
  return createDatabase(PG_URL!, { searchPath: rows[0]!.schema });
}

describeEachDatabase(
  'store webhook outbox',
  (h: () => Harness, kind) => {
    it('a refused delivery is retried with the same delivery id, body and signature; once accepted the row is gone', async () => {
      fakes.hook.refuseWith = 500;
      let shopUid: string;
      try {
        const a = await authorizeKey(h());
        shopUid = a.shopUid;
        assert.equal(a.res.statusCode, 200, a.res.body);
        await until('two refused attempts', () => fakes.hook.attempts.filter((x) => x.body.shopUid === shopUid).length >= 2);
      } finally {
        fakes.hook.refuseWith = undefined;
      }
      const delivered = await until('the delivery', () => fakes.hook.received.find((x) => x.body.shopUid === shopUid));
      const attempts = fakes.hook.attempts.filter((x) => x.body.shopUid === shopUid);
      assert.ok(attempts.length >= 3);
      assert.deepEqual(attempts.slice(0, -1).map((x) => x.status), attempts.slice(0, -1).map(() => 500));
      assert.match(delivered.deliveryId, /^[0-9a-f-]{36}$/);
      assert.equal(delivered.eventId, delivered.body.eventId);
      assert.equal(delivered.signature, signWebhookBody(SECRET, delivered.raw));
      for (const x of attempts) {
        assert.equal(x.deliveryId, delivered.deliveryId, 'one delivery id on every attempt');
        assert.equal(x.raw, delivered.raw, 'the same bytes on every attempt');
        assert.equal(x.signature, delivered.signature);
      }
      assert.equal(fakes.hook.received.filter((x) => x.body.shopUid === shopUid).length, 1);
      await until('the row deleted', async () => !(await outboxRows(h())).some((r) => r.id === delivered.deliveryId));
      const metrics = (await h().call('GET', '/metrics')).body;
      assert.match(metrics, /shop_chat_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
      assert.match(metrics, /shop_chat_webhook_deliveries_total\{outcome="failed"\} [2-9]/);
    });

    it('the outbox row is written in the transaction of the state change: no row, no change; no change, no row', async () => {
      // The outbox insert fails: the authorisation is rolled back with it (no AUTHORIZED without its webhook).
      await sql`alter table webhook_outbox rename to webhook_outbox_off`.execute(h().db);
      let failed: Awaited<ReturnType<typeof authorizeKey>>;
      try {
        failed = await authorizeKey(h());
      } finally {
        await sql`alter table webhook_outbox_off rename to webhook_outbox`.execute(h().db);
      }
      assert.equal(failed.res.statusCode, 500, failed.res.body);
      const st = json(await h().call('GET', `${P}/status?shopUid=${failed.shopUid}`)).data.connections;
      assert.deepEqual(st, [], 'the connection was rolled back with the outbox row');
      const again = await h().call('POST', `${P}/authorize`, { shopUid: failed.shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: failed.kdt, authInfo: fakes.f.youzan.addSelfUseApp(failed.kdt) });
      assert.equal(again.statusCode, 200, again.body);
      await until('the webhook of the retried authorisation', () => fakes.hook.received.find((x) => x.body.shopUid === failed.shopUid));

      // The state change fails (two shops claim one seller at once; the unique index refuses the
      // second inside its transaction): that 409 leaves no outbox row, so no webhook for the loser.
      const kdt = String(50_000_000 + Math.floor(Math.random() * 1e6));
      const [s1, s2] = [await onboardShop(h()), await onboardShop(h())];
      fakes.f.youzan.delay('silent', 150); // both pass the up-front checks before either writes
      let answers;
      try {
        answers = await Promise.all(
          [s1, s2].map((s) => h().call('POST', `${P}/authorize`, { shopUid: s.shopUid, platform: 'YOUZAN', authType: 'KEY', sellerId: kdt, authInfo: fakes.f.youzan.addSelfUseApp(kdt) })),
        );
      } finally {
        fakes.f.youzan.clearFaults();
      }
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 409], answers.map((r) => r.body).join('\n'));
      const winner = answers[0]!.statusCode === 200 ? s1 : s2;
      const loser = winner === s1 ? s2 : s1;
      await until('the winner webhook', () => fakes.hook.received.find((x) => x.body.shopUid === winner.shopUid));
      await h().services.store.webhook.drain();
      const rows = await outboxRows(h());
      assert.ok(!rows.some((r) => r.body.includes(loser.shopUid)), 'no outbox row for the refused change');
      assert.ok(!fakes.hook.attempts.some((x) => x.body.shopUid === loser.shopUid), 'no webhook for the refused change');
    });

    it('two senders on one database (two connections, as two instances) deliver each row once', async () => {
      const N = 40;
      const tag = `two_${randomBytes(3).toString('hex')}`;
      const other = await secondHandle(h());
      const sent = { a: 0, b: 0 };
      const counting = (k: 'a' | 'b'): typeof fetch => (input, init) => {
        sent[k]++;
        return fetch(input, init);
      };
      const cap = captureLogger();
      const mk = (db: unknown, k: 'a' | 'b') => createWebhookSender({ db, url: fakes.hook.hookUrl, secret: SECRET, log: cap.log, instanceId: `sender-${k}`, fetch: counting(k), pollMs: 20 });
      const a = mk(h().db, 'a');
      const b = mk(other.db, 'b');
      try {
        fakes.hook.delay('hook', 15); // POSTs overlap: both senders are claiming while rows are in flight
        await h().db.transaction().execute(async (trx) => {
          for (let i = 0; i < N; i++) await a.enqueue(storeDb(trx), event(`${tag}_${i}`));
        });
        a.start();
        b.start();
        await Promise.all([a.drain(), b.drain()]);
      } finally {
        fakes.hook.clearFaults();
        await a.stop();
        await b.stop();
        await other.close();
      }
      const got = fakes.hook.received.filter((x) => String(x.body.shopUid).startsWith(tag));
      assert.equal(new Set(got.map((x) => x.body.shopUid)).size, N, 'every event delivered');
      assert.equal(got.length, N, 'none twice');
      assert.equal(new Set(got.map((x) => x.deliveryId)).size, N);
      assert.equal(sent.a + sent.b, N, `one POST per row (a ${sent.a}, b ${sent.b})`);
      assert.ok(sent.a > 0 && sent.b > 0, `both senders sent (a ${sent.a}, b ${sent.b})`);
    });

    it('after the last attempt it gives up with one error line; the row stays with its last error', async () => {
      const cap = captureLogger();
      const sender = createWebhookSender({ db: h().db, url: fakes.hook.hookUrl, secret: SECRET, log: cap.log, maxAttempts: 3, baseMs: 10, capMs: 20 });
      const shopUid = `giveup_${randomBytes(3).toString('hex')}`;
      fakes.hook.refuseWith = 503;
      try {
        await sender.enqueue(storeDb(h().db), event(shopUid));
        sender.wake();
        await sender.drain();
      } finally {
        fakes.hook.refuseWith = undefined;
        await sender.stop();
      }
      const attempts = fakes.hook.attempts.filter((x) => x.body.shopUid === shopUid);
      assert.equal(attempts.length, 3);
      assert.equal(new Set(attempts.map((x) => x.deliveryId)).size, 1);
      assert.equal(cap.lines.filter((l) => l.includes('store webhook given up')).length, 1);
      assert.equal(cap.lines.filter((l) => l.includes('store webhook refused')).length, 3);
      const row = (await outboxRows(h())).find((r) => r.id === attempts[0]!.deliveryId)!;
      assert.equal(row.next_attempt_at, null);
      assert.equal(Number(row.attempts), 3);
      assert.equal(row.last_error, 'HTTP 503');
      assert.match((await h().call('GET', '/metrics')).body, /^shop_chat_webhook_outbox_rows\{state="given_up"\} 1$/m);
      await storeDb(h().db).deleteFrom('webhook_outbox').where('id', '=', row.id).execute();
      assert.match((await h().call('GET', '/metrics')).body, /^shop_chat_webhook_outbox_rows\{state="given_up"\} 0$/m);
    });

    if (kind === 'sqlite') {
      it('pauses while another process holds the write lock (one warning) and resumes by itself', async () => {
        const cap = captureLogger();
        const sender: WebhookSender = createWebhookSender({ db: h().db, url: fakes.hook.hookUrl, secret: SECRET, log: cap.log, pausedRetryMs: 100 });
        const shopUid = `paused_${randomBytes(3).toString('hex')}`;
        await sender.enqueue(storeDb(h().db), event(shopUid));
        const locker = new SqliteDatabase(h().sqlitePath!);
        try {
          locker.exec('begin immediate');
          sender.start(); // finds the row due, cannot lease it: busy past the deadline, a 503
          await until('the pause', () => cap.lines.some((l) => l.includes('webhook sender paused: database unavailable')), 10_000);
          await sleep(500);
          assert.equal(cap.lines.filter((l) => l.includes('webhook sender paused')).length, 1, 'one warning, not one per retry');
          locker.exec('commit');
          await until('the resume', () => cap.lines.some((l) => l.includes('webhook sender resumed')), 10_000);
          await until('the delivery', () => fakes.hook.received.some((x) => x.body.shopUid === shopUid));
        } finally {
          if (locker.inTransaction) locker.exec('rollback');
          locker.close();
          await sender.stop();
        }
        assert.equal(cap.lines.filter((l) => l.includes('webhook sender resumed')).length, 1);
        assert.equal(cap.lines.filter((l) => l.includes('webhook sender failed')).length, 0, cap.lines.join('\n'));
      });
    }
  },
  { env, store: { webhookBackoff: { baseMs: 20, capMs: 100 } } },
);
