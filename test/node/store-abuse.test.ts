// Issue 12, store connections: the public goods lookup must not amplify into upstream scans, a
// redirectUrl is checked before anything happens, and the callback's `error` is cut and cleaned.
// Against the fake FKW (test/fakes/platforms.ts), on SQLite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createHarness, describeEachDatabase, json, onboardShop, type Harness } from './helpers/server.ts';
import { stateOf, useStoreFakes } from './helpers/store.ts';

const P = '/api/v1/shop/open/store';
const fakes = useStoreFakes({ SHOP_CHAT_GOODS_UPSTREAM_PER_MINUTE: '4', SHOP_CHAT_REDIRECT_HOSTS: 'biz.example.test,*.corp.example.test' });
const { env } = fakes;

/** An onboarded shop connected to a fake FKW store holding `products` products (ids 1…n). */
async function fkwShop(h: Harness, products: number) {
  const { shopUid } = await onboardShop(h);
  const shopId = `s${randomBytes(4).toString('hex')}`;
  fakes.f.fkw.products.set(shopId, Array.from({ length: products }, (_, i) => ({ id: String(i + 1), name: `商品${i + 1}`, on_shelf: true, sku_list: [{ sku_id: `${i + 1}_1`, price: 10 }] })));
  const authUrl = json(await h.call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL' })).data.authUrl;
  const cb = await h.call('GET', `${P}/callback/fkw?code=${fakes.f.fkw.issueCode(shopId)}&state=${encodeURIComponent(stateOf(authUrl))}`, undefined, null);
  assert.equal(cb.statusCode, 200, cb.body);
  return { shopUid, shopId };
}

describeEachDatabase(
  'store abuse',
  (h: () => Harness) => {
    it('1,000 lookups of distinct unknown goods (concurrent, anonymous) make one catalogue scan per shop per minute', async () => {
      const a = await fkwShop(h(), 450); // 3 pages of 200
      const b = await fkwShop(h(), 10); // 1 page
      const get = (shopUid: string, goodsUid: string) => h().call('GET', `/api/v1/shop/widget/goods?shopUid=${shopUid}&goodsUid=${goodsUid}`, undefined, null);
      const before = fakes.f.fkw.count('getProductList');
      const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => get(i % 2 ? a.shopUid : b.shopUid, `unknown-${i}`)));
      const odd = answers.filter((r) => r.statusCode !== 404);
      // What went wrong, should it: the first odd answers and the server's error lines.
      const why = () => [...odd.slice(0, 3).map((r) => `${r.statusCode} ${r.body}`), ...h().logs.filter((l) => /"level":(40|50)/.test(l)).slice(-5)].join('\n');
      assert.equal(odd.length, 0, why());
      assert.equal(fakes.f.fkw.count('getProductList') - before, 3 + 1, 'one scan of each shop');
      // Known goods of the scanned catalogue answer without another call, as do more unknown ones.
      assert.equal(json(await get(a.shopUid, '449')).data.title, '商品449');
      assert.equal((await get(a.shopUid, 'unknown-x')).statusCode, 404);
      assert.equal(fakes.f.fkw.count('getProductList') - before, 4);
      // A minute later the next unknown id scans again, once.
      h().advanceClock(61_000);
      await Promise.all(Array.from({ length: 50 }, (_, i) => get(a.shopUid, `later-${i}`)));
      assert.equal(fakes.f.fkw.count('getProductList') - before, 4 + 3);
    });

    it('the upstream calls of one shop stop at SHOP_CHAT_GOODS_UPSTREAM_PER_MINUTE (4 here): a cut scan answers what it found, else 429', async () => {
      const { shopUid } = await fkwShop(h(), 1200); // 6 pages: more than the budget
      const get = (goodsUid: string) => h().call('GET', `/api/v1/shop/widget/goods?shopUid=${shopUid}&goodsUid=${goodsUid}`, undefined, null);
      const before = fakes.f.fkw.count('getProductList');
      const first = await Promise.all(Array.from({ length: 30 }, (_, i) => get(`nope-${i}`)));
      assert.deepEqual([...new Set(first.map((r) => r.statusCode))], [429]);
      assert.match(String(first[0]!.headers['retry-after']), /^\d+$/);
      assert.equal(json(await get('700')).data.uid, '700', 'found within the pages the budget paid for');
      assert.equal((await get('1100')).statusCode, 429);
      assert.equal(fakes.f.fkw.count('getProductList') - before, 4);
    });

    it('redirectUrl: parsed with URL, http(s) only, no user info; refused (400) before any connection, state or webhook exists', async () => {
      const { shopUid } = await onboardShop(h());
      for (const redirectUrl of ['http://[', 'https://example.com:99999/x', 'https://user:pw@example.com/x', 'https://user@example.com/', 'javascript:alert(1)', 'ftp://example.com/', 'https://evil.example/x']) {
        const res = await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl });
        assert.equal(res.statusCode, 400, `${redirectUrl}: ${res.body}`);
        assert.match(json(res).message, /^redirectUrl: /);
      }
      const status = json(await h().call('GET', `${P}/status?shopUid=${shopUid}`)).data;
      assert.deepEqual(status.connections, [], 'nothing was written');
      assert.equal(fakes.hook.received.filter((r) => r.body.shopUid === shopUid).length, 0);
      // Allowed hosts (SHOP_CHAT_REDIRECT_HOSTS=biz.example.test,*.corp.example.test) pass.
      for (const redirectUrl of ['https://biz.example.test/done?x=1', 'http://a.corp.example.test/cb']) {
        const res = await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl });
        assert.equal(res.statusCode, 200, `${redirectUrl}: ${res.body}`);
      }
    });

    it("the callback's error parameter is cut and cleaned before it is stored, redirected with and sent in the webhook", async () => {
      const { shopUid } = await onboardShop(h());
      const authUrl = json(await h().call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl: 'https://biz.example.test/done' })).data.authUrl;
      const raw = `access_denied<script>alert(1)</script>\r\nX-Injected: 1 ${'A'.repeat(400)}`;
      const cb = await h().call('GET', `${P}/callback/fkw?error=${encodeURIComponent(raw)}&state=${encodeURIComponent(stateOf(authUrl))}`, undefined, null);
      assert.equal(cb.statusCode, 302, cb.body);
      const reason = new URL(cb.headers.location as string).searchParams.get('auth_fail_reason')!;
      const stored = json(await h().call('GET', `${P}/status?shopUid=${shopUid}`)).data.connections[0].lastError as string;
      const sent = (await fakes.hookFor(shopUid, 'FAILED')).body.auth_fail_reason as string;
      for (const s of [reason, stored, sent]) {
        assert.ok(s.startsWith('authorization denied (access_denied script alert 1 script X-Injected: 1 AAA'), s);
        assert.ok(s.length <= 120, `${s.length} characters`);
        assert.doesNotMatch(s, /[<>\r\n]/);
      }
    });
  },
  { env },
);

it('in production a redirectUrl must be https', async () => {
  const h = await createHarness('sqlite', { env: { ...env, NODE_ENV: 'production', SHOP_CHAT_REDIRECT_HOSTS: '' } });
  try {
    const { shopUid } = await onboardShop(h);
    const plain = await h.call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl: 'http://biz.example.test/done' });
    assert.equal(plain.statusCode, 400, plain.body);
    assert.match(json(plain).message, /^redirectUrl: must be https/);
    const tls = await h.call('POST', `${P}/authorize`, { shopUid, platform: 'FKW', authType: 'URL', redirectUrl: 'https://biz.example.test/done' });
    assert.equal(tls.statusCode, 200, tls.body);
  } finally {
    await h.close();
  }
});
