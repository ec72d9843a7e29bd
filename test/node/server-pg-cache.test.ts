// The read cache on PostgreSQL, exact across instances: two instances (two pools, two LISTEN
// connections) on one schema. A change through one is seen on the other's next request; a change
// that notifies nobody is not (so the cache really serves); a lost LISTEN connection means no cache
// until it is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { postgresMissing } from '../helpers/postgres.ts';
import { PG_URL, createHarness, json, onboardShop, type Harness } from './helpers/server.ts';

if (!PG_URL) postgresMissing('read cache across instances [postgres]');
else
  describe('read cache across instances [postgres]', () => {
    let a: Harness;
    let b: Harness;
    let schema: string;
    let admin: pg.Client;
    before(async () => {
      a = await createHarness('postgres');
      schema = (await sql<{ s: string }>`select current_schema() as s`.execute(a.db)).rows[0]!.s;
      b = await createHarness('postgres', { schema });
      admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
    });
    after(async () => {
      await admin?.end();
      await b?.close();
      await a?.close();
    });

    const name = async (h: Harness, shopUid: string) => {
      const res = await h.call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`);
      assert.equal(res.statusCode, 200, res.body);
      return json(res).data.shop.name as string;
    };
    /** Renames behind every instance's back: no notification. */
    const silentRename = (shopUid: string, to: string) => admin.query(`update ${schema}.shops set name = $1 where shop_uid = $2`, [to, shopUid]);
    const waitLive = async (h: Harness) => {
      const changes = (h.db.getExecutor().adapter as unknown as { changes?: { live: boolean } }).changes;
      for (let i = 0; i < 100 && !changes?.live; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(changes?.live, 'the LISTEN connection is up');
    };

    test('a rename through instance A is seen on B at its next request', async () => {
      await waitLive(b);
      const { shopUid } = await onboardShop(a);
      assert.equal(await name(b, shopUid), `Shop ${shopUid}`);
      assert.equal(await name(b, shopUid), `Shop ${shopUid}`, 'served again (from the cache)');
      assert.equal((await a.call('POST', '/api/v1/shop/open/update', { shopUid, shopName: 'Renamed on A' })).statusCode, 200);
      // A answered once its own notification came back; B's copy was sent at the same commit. Here
      // both are in one process and the "next request" is an in-memory call, so give B the few
      // milliseconds a real request to another process takes.
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await name(b, shopUid), 'Renamed on A');
    });

    test('B serves its cached view until a change is notified', async () => {
      await waitLive(b);
      const { shopUid } = await onboardShop(a);
      // A's notification of the onboard reaches B asynchronously: let it arrive before B loads.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await name(b, shopUid), `Shop ${shopUid}`);
      await silentRename(shopUid, 'silent');
      assert.equal(await name(b, shopUid), `Shop ${shopUid}`, 'cached: nobody said anything changed');
      await admin.query(`select pg_notify('shop_chat_changes', 'someone')`);
      let seen = '';
      for (let i = 0; i < 50 && seen !== 'silent'; i++) {
        seen = await name(b, shopUid);
        if (seen !== 'silent') await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(seen, 'silent', 'a notification invalidates');
    });

    test('while the LISTEN connection is lost there is no cache; it comes back by itself', async () => {
      await waitLive(b);
      const { shopUid } = await onboardShop(a);
      assert.equal(await name(b, shopUid), `Shop ${shopUid}`);
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen shop_chat_changes' and pid <> pg_backend_pid()`,
      );
      assert.ok((killed.rowCount ?? 0) >= 1);
      const changes = (b.db.getExecutor().adapter as unknown as { changes: { live: boolean } }).changes;
      for (let i = 0; i < 100 && changes.live; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(changes.live, false, 'the loss is noticed');
      await silentRename(shopUid, 'seen without cache');
      assert.equal(await name(b, shopUid), 'seen without cache', 'not served from the cache while the feed is down');
      await waitLive(b);
      await silentRename(shopUid, 'after');
      assert.equal(await name(b, shopUid), 'after', 'nothing loaded before the reconnect is served');
    });
  });
