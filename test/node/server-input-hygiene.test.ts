// Issue 12, input that reached a 500 or was stored raw: NUL bytes, unsafe logos and names, dates
// no one can read, page parameters read as numbers, client-chosen refresh tokens. On SQLite and
// PostgreSQL (the NUL bytes were a 500 only there).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateCard, GOODS_SPEC } from '../../src/shared/card-spec.ts';
import { GoodsInfo } from '../../src/shared/cards-zod.ts';
import { describeEachDatabase, json, onboardShop, createOrgToken, uniqueShop, type Harness } from './helpers/server.ts';

const O = '/api/v1/shop/open';

test('the card field table refuses U+0000 in both readers (browser validator and zod)', () => {
  const card = { uid: 'g1', title: 'a\u0000b' };
  assert.equal(GoodsInfo.safeParse(card).success, false);
  const v = validateCard(GOODS_SPEC, card);
  assert.equal(v.ok, false);
  assert.match((v as { problem: string }).problem, /^title: must not contain U\+0000$/);
  assert.equal(GoodsInfo.safeParse({ uid: 'g1', title: 'ab' }).success, true);
});

describeEachDatabase('input hygiene', (h: () => Harness) => {
  test('U+0000 in any text field is a 400 with the field named, never a 500 (query, body, public endpoints)', async () => {
    const { shopUid } = await onboardShop(h());
    const cases: [string, string, unknown, string | null][] = [
      ['GET', '/api/v1/shop/widget/config?shopUid=a%00b', undefined, null],
      ['GET', `/api/v1/shop/widget/goods?shopUid=${shopUid}&goodsUid=1%002`, undefined, null],
      ['GET', `${O}/binding?shopUid=a%00b`, undefined, undefined as never],
      ['POST', `${O}/onboard`, { mobile: '13800000009', shopUid: 'x\u0000y' }, undefined as never],
      ['POST', `${O}/update`, { shopUid, shopName: 'a\u0000b' }, undefined as never],
      ['POST', `${O}/token/create`, { name: 'n\u0000', shopUid }, undefined as never],
      ['POST', `${O}/token/refresh`, { refreshToken: 'sc_rt_\u0000' }, null],
      ['POST', `${O}/agent-seat/create`, { shopUid, seatNoList: ['s\u0000'], expireAt: '2030-01-01T00:00:00+08:00' }, undefined as never],
      ['GET', `${O}/store/status?shopUid=a%00b`, undefined, undefined as never],
      ['POST', `${O}/store/authorize`, { shopUid, platform: 'FKW', authType: 'URL', sellerId: 'a\u0000' }, undefined as never],
    ];
    for (const [method, url, body, token] of cases) {
      const res = await h().call(method as 'GET', url, body, token ?? undefined);
      assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
      assert.match(json(res).message, /must not contain U\+0000/, url);
    }
  });

  test('shopLogo must be an http(s) URL and shopName plain text; the widget config never serves either raw', async () => {
    const { shopUid, mobile } = uniqueShop();
    for (const shopLogo of ['javascript:alert(document.domain)', 'data:image/png;base64,AAAA', '//evil.example/x.png', 'http://[', 'logo.png']) {
      const res = await h().call('POST', `${O}/onboard`, { mobile, shopUid, shopLogo });
      assert.equal(res.statusCode, 400, shopLogo);
      assert.match(json(res).message, /^shopLogo: must be an http\(s\) URL/);
    }
    for (const shopName of ['<img src=x onerror=alert(1)>', 'a<b', 'line\nbreak', 'x'.repeat(256), '   ']) {
      const res = await h().call('POST', `${O}/onboard`, { mobile, shopUid, shopName });
      assert.equal(res.statusCode, 400, shopName);
      assert.match(json(res).message, /^shopName: /);
    }
    const ok = await h().call('POST', `${O}/onboard`, { mobile, shopUid, shopName: 'Tom & Jerry 小店', shopLogo: 'https://cdn.example.com/logo.png' });
    assert.equal(ok.statusCode, 200, ok.body);
    const upd = await h().call('POST', `${O}/update`, { shopUid, shopLogo: 'javascript:alert(1)' });
    assert.equal(upd.statusCode, 400);
    const config = json(await h().call('GET', `/api/v1/shop/widget/config?shopUid=${shopUid}`, undefined, null)).data;
    assert.deepEqual(config.shop, { name: 'Tom & Jerry 小店', logo: 'https://cdn.example.com/logo.png' });
  });

  test('dates: 1970 … 9999 with real offsets only', async () => {
    const { shopUid } = await onboardShop(h());
    let n = 0;
    const create = (expireAt: string) => h().call('POST', `${O}/agent-seat/create`, { shopUid, seatNo: `${shopUid}-d${++n}`, expireAt });
    for (const bad of ['0000-01-01T00:00:00+23:59', '1969-12-31T23:59:59Z', '2030-01-01T00:00:00+15:00', '2030-01-01T00:00:00-13:00', '2030-01-01T00:00:00+05:17', '2030-02-30T00:00:00Z']) {
      const res = await create(bad);
      assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
      assert.match(json(res).message, /^expireAt: /);
    }
    for (const [good, back] of [
      ['2030-01-01T00:00:00+05:45', '2030-01-01T02:15:00+08:00'],
      ['9999-12-31T23:59:59+08:00', '9999-12-31T23:59:59+08:00'],
      ['1970-01-01T00:00:00Z', '1970-01-01T08:00:00+08:00'],
      ['2030-06-01T00:00:00+14:00', '2030-05-31T18:00:00+08:00'],
    ]) {
      const res = await create(good!);
      assert.equal(res.statusCode, 200, `${good}: ${res.body}`);
      assert.equal(json(res).data[0].expireAt, back);
    }
    const vip = await h().call('POST', `${O}/shop/vip-level`, { shopUid, vipLevel: 1, vipExpireDate: '0000-01-01T00:00:00+23:59' });
    assert.equal(vip.statusCode, 400);
  });

  test('page parameters are decimal integers only: [1], true, "0x10", "1e3", 1.5 are 400; 2 and "2" work', async () => {
    const { shopUid } = await onboardShop(h());
    for (const pageNumber of [[1], true, '0x10', '1e3', 1.5, ' 7', '', -1, null]) {
      const res = await h().call('POST', `${O}/agent-seat/query`, { shopUid, pageNumber });
      assert.equal(res.statusCode, 400, `${JSON.stringify(pageNumber)}: ${res.body}`);
      assert.match(json(res).message, /^pageNumber: /);
    }
    for (const pageSize of [[5], false, '0x10']) {
      const res = await h().call('POST', `${O}/token/query/org?shopUid=${shopUid}`, { pageSize });
      assert.equal(res.statusCode, 400, JSON.stringify(pageSize));
    }
    for (const pageNumber of [2, '2']) {
      const res = await h().call('POST', `${O}/agent-seat/query`, { shopUid, pageNumber, pageSize: '5' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(json(res).data.number, 2);
      assert.equal(json(res).data.size, 5);
    }
  });

  test('client-chosen refreshToken: weak values and values in use answer the same 400 (no cross-tenant oracle)', async () => {
    const a = await onboardShop(h());
    const b = await onboardShop(h());
    const weak = ['a'.repeat(34), ' '.repeat(34), 'abab'.repeat(10), 'abcdefgh'.repeat(4) + 'abc', 'short-but-random-Xy7', 'has space in it but is long enough 12345', 'sc_rt_é'.padEnd(40, 'q'), '0123456789'.repeat(3) + 'ab'];
    const messages = new Set<string>();
    for (const refreshToken of weak) {
      const res = await h().call('POST', `${O}/token/create`, { name: 'n', shopUid: a.shopUid, refreshToken });
      assert.equal(res.statusCode, 400, `${JSON.stringify(refreshToken)}: ${res.body}`);
      messages.add(json(res).message);
    }
    const chosen = 'Kq3vZ9-tR2_pLm8.xW4~yB7/nC5+hF1dG6sJ0eA';
    const aToken = await createOrgToken(h(), a.shopUid, { refreshToken: chosen });
    assert.equal(aToken.refreshToken, chosen);
    // Org B's token tries org A's value: the same 400 as a weak value.
    const bToken = await createOrgToken(h(), b.shopUid);
    const taken = await h().call('POST', `${O}/token/create`, { name: 'probe', refreshToken: chosen }, bToken.accessToken);
    assert.equal(taken.statusCode, 400, taken.body);
    messages.add(json(taken).message);
    assert.equal(messages.size, 1, [...messages].join(' | '));
    assert.match([...messages][0]!, /^refreshToken: not accepted/);
  });
});
