// Issue 11, one round trip on PostgreSQL: the statements a request sends, counted at the driver.
// Binding is one query (JSON aggregation), none at all once cached, the caller's token included; onboarding a new user with a new shop is one statement
// (plus the change notification of the read cache); anything else takes the general path and gets
// the same answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { postgresMissing } from '../helpers/postgres.ts';
import { sql } from 'kysely';
import { PG_URL, createHarness, createOrgToken, json, type Harness } from './helpers/server.ts';

// Installed before any connection is made: db/index.ts wraps each client's `query` as it comes.
let recording: string[] | undefined;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text?: string };
  recording?.push(typeof q === 'string' ? q : String(q?.text ?? ''));
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

/** The texts of the statements `fn` sends through any pg client of this process. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  recording = sent;
  try {
    await fn();
  } finally {
    recording = undefined;
  }
  return sent;
}
const isNotify = (text: string) => /^select pg_notify/.test(text);

if (!PG_URL) postgresMissing('round trips [postgres]');
else
  describe('round trips [postgres]', () => {
    let h: Harness;
    before(async () => {
      h = await createHarness('postgres');
    });
    after(async () => {
      await h?.close();
    });
    const onboard = (body: Record<string, unknown>) => h.call('POST', '/api/v1/shop/open/onboard', body);

    test('onboarding a new user with a new shop is one statement, and answers the rows it wrote', async () => {
      let res!: Awaited<ReturnType<typeof onboard>>;
      const sent = await statementsOf(async () => {
        res = await onboard({ mobile: '13900000001', shopUid: 'rt_shop_1', shopName: '店铺一', shopLogo: 'https://example.com/1.png' });
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(sent.filter((t) => !isNotify(t)).length, 1, sent.join('\n---\n'));
      const [shop] = json(res).data.shopList;
      assert.equal(shop.shopUid, 'rt_shop_1');
      assert.equal(shop.name, '店铺一');
      assert.equal(shop.logo, 'https://example.com/1.png');
      assert.equal(shop.agents.length, 1);
      assert.equal(shop.agentSeats.length, 1);
      assert.equal(shop.workgroups.length, 1);
      // What onboard answered is what binding reads back.
      const binding = json(await h.call('GET', '/api/v1/shop/open/binding?shopUid=rt_shop_1')).data;
      assert.deepEqual(binding.shop, shop);
    });

    test('binding is one query', async () => {
      await onboard({ mobile: '13900000002', shopUid: 'rt_shop_2' });
      let status = 0;
      const sent = await statementsOf(async () => {
        status = (await h.call('GET', '/api/v1/shop/open/binding?shopUid=rt_shop_2')).statusCode;
      });
      assert.equal(status, 200);
      assert.ok(sent.length <= 1, sent.join('\n---\n'));
    });

    test("with an org token, a repeated binding is served from the read cache: no statement at all; a revoke through another instance ends it at once", async () => {
      await onboard({ mobile: '13900000005', shopUid: 'rt_shop_5' });
      const { accessToken, uid } = await createOrgToken(h, 'rt_shop_5');
      const binding = () => h.call('GET', '/api/v1/shop/open/binding?shopUid=rt_shop_5', undefined, accessToken);
      assert.equal((await binding()).statusCode, 200);
      let status = 0;
      const sent = await statementsOf(async () => {
        status = (await binding()).statusCode;
      });
      assert.equal(status, 200);
      assert.deepEqual(sent, []);
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(h.db)).rows[0]!.s;
      const other = await createHarness('postgres', { schema });
      try {
        assert.equal((await other.call('POST', '/api/v1/shop/open/token/revoke', { uid, revokeReason: 'test' })).statusCode, 200);
      } finally {
        await other.close();
      }
      assert.equal((await binding()).statusCode, 401);
    });

    test('a known user, a known shop and a race for one new shop take the general path with the same answers', async () => {
      await onboard({ mobile: '13900000003', shopUid: 'rt_shop_3' });
      // The same user, a second shop.
      const second = json(await onboard({ mobile: '13900000003', shopUid: 'rt_shop_4' })).data;
      assert.deepEqual(second.shopList.map((s: { shopUid: string }) => s.shopUid).sort(), ['rt_shop_3', 'rt_shop_4']);
      // A new user joining a known shop.
      const joined = json(await onboard({ mobile: '13900000004', shopUid: 'rt_shop_3' })).data;
      assert.deepEqual(joined.shopList.map((s: { shopUid: string }) => s.shopUid), ['rt_shop_3']);
      // Ten new users race for one new shop: one shop, one organisation, ten agents, no error.
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => onboard({ mobile: `1390000010${i}`, shopUid: 'rt_race' })));
      assert.deepEqual([...new Set(answers.map((r) => r.statusCode))], [200]);
      const orgs = new Set(answers.map((r) => json(r).data.shopList[0].orgUid));
      assert.equal(orgs.size, 1);
      const binding = json(await h.call('GET', '/api/v1/shop/open/binding?shopUid=rt_race')).data;
      assert.equal(binding.shop.agents.length, 10);
    });
  });
