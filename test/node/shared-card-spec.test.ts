// The card field table (src/shared/card-spec.ts) as the two readers derived from it apply it: the
// browser's validator (parseGoodsInfo / parseOrderInfo) and the server's zod schemas. One table of
// cards with the answer a storefront gets, field by field: the value, or `field.path: message`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aliasUid } from '../../src/shared/card-spec.ts';
import { GoodsInfo, OrderInfo } from '../../src/shared/cards-zod.ts';
import { normaliseCard, orderGoods, parseGoodsInfo, parseOrderInfo } from '../../src/shared/cards.ts';

type Expect = { value: Record<string, unknown> } | { problem: string };
type Case = [name: string, input: unknown, expect: Expect];

const x = (n: number) => 'x'.repeat(n);
const g = (fields: Record<string, unknown>) => ({ uid: 'g1', ...fields });

const GOODS: Case[] = [
  ['uid only', { uid: 'g1' }, { value: { uid: 'g1' } }],
  ['a numeric uid is a string', { uid: 12 }, { value: { uid: '12' } }],
  ['goodsUid stands for uid', { goodsUid: 'g2' }, { value: { uid: 'g2' } }],
  ['uid wins over goodsUid', { uid: 'g1', goodsUid: 'g2' }, { value: { uid: 'g1' } }],
  ['a null uid takes goodsUid', { uid: null, goodsUid: 7 }, { value: { uid: '7' } }],
  ['no uid', { title: 't' }, { problem: 'uid: required' }],
  ['a null goodsUid is no uid', { goodsUid: null }, { problem: 'uid: required' }],
  ['uid of 128 characters', { uid: x(128) }, { value: { uid: x(128) } }],
  ['uid of 129 characters', { uid: x(129) }, { problem: 'uid: at most 128 characters' }],
  ['uid true', { uid: true }, { problem: 'uid: must be a string' }],
  ['uid NaN', { uid: NaN }, { problem: 'uid: must be a string' }],
  ['uid infinite', { uid: Infinity }, { problem: 'uid: must be a string' }],
  ['not an object: null', null, { problem: '(root): must be an object' }],
  ['not an object: a list', [{ uid: 'g1' }], { problem: '(root): must be an object' }],
  ['not an object: text', 'g1', { problem: '(root): must be an object' }],
  ['unknown keys go; null is absent; the table orders the keys', { other: 1, title: null, price: 2, uid: 'g1', type: 'GOODS' }, { value: { uid: 'g1', type: 'GOODS', price: 2 } }],
  ['title of 100', g({ title: x(100) }), { value: g({ title: x(100) }) }],
  ['title of 101', g({ title: x(101) }), { problem: 'title: at most 100 characters' }],
  ['type of 33', g({ type: x(33) }), { problem: 'type: at most 32 characters' }],
  ['shopUid of 129', g({ shopUid: x(129) }), { problem: 'shopUid: at most 128 characters' }],
  ['description of 300', g({ description: x(300) }), { value: g({ description: x(300) }) }],
  ['description of 301', g({ description: x(301) }), { problem: 'description: at most 300 characters' }],
  ['a number for a text', g({ title: 5 }), { problem: 'title: must be a string' }],
  ['a NUL at the start', g({ title: '\u0000a' }), { problem: 'title: must not contain U+0000' }],
  ['a NUL inside', g({ title: 'a\u0000b' }), { problem: 'title: must not contain U+0000' }],
  ['a NUL at the end', g({ title: 'ab\u0000' }), { problem: 'title: must not contain U+0000' }],
  ['price 0', g({ price: 0 }), { value: g({ price: 0 }) }],
  ['price as text', g({ price: '12.50' }), { value: g({ price: 12.5 }) }],
  ['price as text with spaces', g({ price: ' 7 ' }), { value: g({ price: 7 }) }],
  ['price negative', g({ price: -1 }), { problem: 'price: must not be negative' }],
  ['price negative as text', g({ price: '-3' }), { problem: 'price: must not be negative' }],
  ['price in exponent form', g({ price: '1e3' }), { problem: 'price: must be a number' }],
  ['price with a trailing point', g({ price: '1.' }), { problem: 'price: must be a number' }],
  ['price with a leading point', g({ price: '.5' }), { problem: 'price: must be a number' }],
  ['price with two points', g({ price: '1.2.3' }), { problem: 'price: must be a number' }],
  ['price with letters after', g({ price: '12a' }), { problem: 'price: must be a number' }],
  ['price with letters before', g({ price: 'a12' }), { problem: 'price: must be a number' }],
  ['price empty', g({ price: '' }), { problem: 'price: must be a number' }],
  ['price infinite', g({ price: Infinity }), { problem: 'price: must be a number' }],
  ['price NaN', g({ price: NaN }), { problem: 'price: must be a number' }],
  ['price true', g({ price: true }), { problem: 'price: must be a number' }],
  ['quantity 3', g({ quantity: '3' }), { value: g({ quantity: 3 }) }],
  ['quantity 2.5', g({ quantity: 2.5 }), { problem: 'quantity: must be an integer' }],
  ['quantity beyond safe integers', g({ quantity: 2 ** 53 }), { problem: 'quantity: must be an integer' }],
  ['status ON_SHELF', g({ status: 'ON_SHELF' }), { value: g({ status: 'ON_SHELF' }) }],
  ['status OFF_SHELF', g({ status: 'OFF_SHELF' }), { value: g({ status: 'OFF_SHELF' }) }],
  ['status unknown', g({ status: 'SOLD' }), { problem: 'status: must be one of ON_SHELF, OFF_SHELF' }],
  ['tags', g({ tagList: ['a', 'b'] }), { value: g({ tagList: ['a', 'b'] }) }],
  ['tags not a list', g({ tagList: 'a' }), { problem: 'tagList: must be a list' }],
  ['20 tags', g({ tagList: Array(20).fill('t') }), { value: g({ tagList: Array(20).fill('t') }) }],
  ['21 tags', g({ tagList: Array(21).fill('t') }), { problem: 'tagList: too many items' }],
  ['a tag not text', g({ tagList: ['a', 'b', 'c', 4] }), { problem: 'tagList.3: must be a string' }],
  ['a tag of 33', g({ tagList: [x(33)] }), { problem: 'tagList.0: at most 32 characters' }],
  ['extra as text', g({ extra: '{"a":1}' }), { value: g({ extra: '{"a":1}' }) }],
  ['extra as an object', g({ extra: { a: 1 } }), { value: g({ extra: '{"a":1}' }) }],
  ['extra of 2000', g({ extra: x(2000) }), { value: g({ extra: x(2000) }) }],
  ['extra of 2001', g({ extra: x(2001) }), { problem: 'extra: at most 2000 characters' }],
  ['extra as a number', g({ extra: 5 }), { problem: 'extra: must be a string' }],
  ['extra as a list', g({ extra: [1] }), { problem: 'extra: must be a string' }],
  ['image https', g({ image: 'https://a.example/i.png' }), { value: g({ image: 'https://a.example/i.png' }) }],
  ['url http in capitals', g({ url: 'HTTP://A.EXAMPLE/p?q=1#h' }), { value: g({ url: 'HTTP://A.EXAMPLE/p?q=1#h' }) }],
  ['image javascript:', g({ image: 'javascript:alert(1)' }), { problem: 'image: must be an http(s) URL' }],
  ['image protocol-relative', g({ image: '//a.example/i.png' }), { problem: 'image: must be an http(s) URL' }],
  ['image without a host', g({ image: 'https:///i.png' }), { problem: 'image: must be an http(s) URL' }],
  ['image of the scheme only', g({ image: 'https://' }), { problem: 'image: must be an http(s) URL' }],
  ['url with a space', g({ url: 'https://a.example/a b' }), { problem: 'url: must be an http(s) URL' }],
  ['url with a leading space', g({ url: ' https://a.example/' }), { problem: 'url: must be an http(s) URL' }],
  ['url with a backslash for a host', g({ url: 'https://\\evil.example/' }), { problem: 'url: must be an http(s) URL' }],
  ['url of 1001', g({ url: `https://a.example/${x(1001 - 18)}` }), { problem: 'url: at most 1000 characters' }],
  ['path', g({ navigateToPath: '/pages/goods/detail?id=1' }), { value: g({ navigateToPath: '/pages/goods/detail?id=1' }) }],
  ['path of one slash', g({ navigateToPath: '/' }), { value: g({ navigateToPath: '/' }) }],
  ['path with a colon in its query', g({ navigateToPath: '/p?t=10:30' }), { value: g({ navigateToPath: '/p?t=10:30' }) }],
  ['path without its slash', g({ navigateToPath: 'pages/a' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
  ['path of two slashes', g({ navigateToPath: '//evil.example/a' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
  ['path with a scheme', g({ navigateToPath: '/javascript:alert(1)' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
  ['path with a space', g({ navigateToPath: '/pages/a b' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
  ['path with a space in its query', g({ navigateToPath: '/p?a=b c' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
  ['path with a backslash', g({ navigateToPath: '/\\evil' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
];

const o = (fields: Record<string, unknown>) => ({ uid: 'o1', ...fields });
const ORDERS: Case[] = [
  ['uid only', { uid: 'o1' }, { value: { uid: 'o1' } }],
  ['goodsUid is no order uid', { goodsUid: 'o1' }, { problem: 'uid: required' }],
  ['one goods', o({ goods: { goodsUid: 'g1', price: '2' } }), { value: o({ goods: { uid: 'g1', price: 2 } }) }],
  ['a list of goods', o({ goods: [{ uid: 'g1' }, { goodsUid: 'g2' }] }), { value: o({ goods: [{ uid: 'g1' }, { uid: 'g2' }] }) }],
  ['goods not an object', o({ goods: 'g1' }), { problem: 'goods: must be an object' }],
  ['a goods without uid', o({ goods: [{ uid: 'g1' }, { title: 't' }] }), { problem: 'goods.1.uid: required' }],
  ['a goods with a bad field', o({ goodsList: [{ uid: 'g1', price: -1 }] }), { problem: 'goodsList.0.price: must not be negative' }],
  ['20 goods', o({ goods: Array.from({ length: 20 }, (_, i) => ({ uid: `g${i}` })) }), { value: o({ goods: Array.from({ length: 20 }, (_, i) => ({ uid: `g${i}` })) }) }],
  ['21 goods', o({ goods: Array.from({ length: 21 }, (_, i) => ({ uid: `g${i}` })) }), { problem: 'goods: too many items' }],
  ['an address', o({ shippingAddress: { name: x(100), phone: x(32), address: x(300), other: 1 } }), { value: o({ shippingAddress: { name: x(100), phone: x(32), address: x(300) } }) }],
  ['an address name of 101', o({ shippingAddress: { name: x(101) } }), { problem: 'shippingAddress.name: at most 100 characters' }],
  ['an address phone of 33', o({ shippingAddress: { phone: x(33) } }), { problem: 'shippingAddress.phone: at most 32 characters' }],
  ['an address of 301', o({ shippingAddress: { address: x(301) } }), { problem: 'shippingAddress.address: at most 300 characters' }],
  ['an address not an object', o({ shippingAddress: 'street' }), { problem: 'shippingAddress: must be an object' }],
  ['order texts', o({ visitorUid: 'v', time: 't', status: 'PAID', statusText: '已付款', paymentMethod: 'wx', totalAmount: '9.9' }), { value: o({ visitorUid: 'v', time: 't', status: 'PAID', statusText: '已付款', totalAmount: 9.9, paymentMethod: 'wx' }) }],
  ['order status of 33', o({ status: x(33) }), { problem: 'status: at most 32 characters' }],
  ['order statusText of 101', o({ statusText: x(101) }), { problem: 'statusText: at most 100 characters' }],
  ['order time of 101', o({ time: x(101) }), { problem: 'time: at most 100 characters' }],
  ['order paymentMethod of 101', o({ paymentMethod: x(101) }), { problem: 'paymentMethod: at most 100 characters' }],
  ['order visitorUid of 129', o({ visitorUid: x(129) }), { problem: 'visitorUid: at most 128 characters' }],
  ['order totalAmount negative', o({ totalAmount: -2 }), { problem: 'totalAmount: must not be negative' }],
  ['order path', o({ navigateToPath: 'x' }), { problem: 'navigateToPath: must be a mini-program path beginning with /' }],
];

/** The first zod issue as `path: message`, as the browser validator reports it. */
function zodProblem(r: { error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return (r.error?.issues ?? []).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

type Browser = { ok: true; value: unknown } | { ok: false; problem: string };
type Server = { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } };

function check(name: string, browser: Browser, server: Server, expect: Expect) {
  if ('value' in expect) {
    assert.ok(browser.ok, `${name}: browser refused: ${browser.ok ? '' : browser.problem}`);
    assert.deepEqual(browser.value, expect.value, `${name}: browser value`);
    assert.ok(server.success, `${name}: server refused: ${zodProblem(server).join('; ')}`);
    assert.deepEqual(JSON.parse(JSON.stringify(server.data)), expect.value, `${name}: server value`);
  } else {
    assert.deepEqual(browser, { ok: false, problem: expect.problem }, `${name}: browser`);
    assert.equal(server.success, false, `${name}: server accepted`);
    const problems = zodProblem(server);
    const path = expect.problem.slice(0, expect.problem.indexOf(': '));
    // zod has our messages; a bad goods it reports on `goods` itself ("goods: 1.uid: required").
    const top = path.split('.')[0];
    assert.ok(
      problems.some((p) => p === expect.problem) ||
        (path === '(root)' && problems.length > 0) ||
        (/^goods(List)?\./.test(path) && problems.includes(`${top}: ${expect.problem.slice(top!.length + 1)}`)),
      `${name}: server said ${problems.join('; ')}, expected ${expect.problem}`,
    );
  }
}

describe('card field table: what a storefront gets for each field', () => {
  test('goodsInfo, field by field: browser validator and server schema alike', () => {
    for (const [name, input, expect] of GOODS) check(name, parseGoodsInfo(input), GoodsInfo.safeParse(input), expect);
  });

  test('orderInfo, field by field: browser validator and server schema alike', () => {
    for (const [name, input, expect] of ORDERS) check(name, parseOrderInfo(input), OrderInfo.safeParse(input), expect);
  });

  test('an error that is not a validation problem (a throwing getter) is not swallowed', () => {
    const input = { uid: 'g1' };
    Object.defineProperty(input, 'title', { enumerable: true, get: () => { throw new RangeError('boom'); } });
    assert.throws(() => parseGoodsInfo(input), RangeError);
  });

  test('aliasUid: only a missing or null uid takes goodsUid; anything else is passed through as it is', () => {
    const withUid = { uid: 'a', goodsUid: 'b' };
    assert.equal(aliasUid(withUid), withUid);
    assert.deepEqual(aliasUid({ goodsUid: 'b' }), { goodsUid: 'b', uid: 'b' });
    assert.deepEqual(aliasUid({ uid: null, goodsUid: 0 }), { uid: 0, goodsUid: 0 });
    const noAlias = { goodsUid: null };
    assert.equal(aliasUid(noAlias), noAlias);
    assert.equal(aliasUid('x'), 'x');
    assert.equal(aliasUid(null), null);
    const list = [{ goodsUid: 'b' }];
    assert.equal(aliasUid(list), list);
    // Only own fields count (the browser reads objects a page built, prototypes and all).
    assert.deepEqual(parseGoodsInfo(Object.create({ uid: 'g1' })), { ok: false, problem: 'uid: required' });
    assert.deepEqual(parseGoodsInfo(Object.assign(Object.create({ title: 'inherited' }), { uid: 'g1' })), { ok: true, value: { uid: 'g1' } });
  });

  test('normaliseCard: one goods stays one object, two become goods + goodsList, none stays none', () => {
    assert.deepEqual(normaliseCard('order', { uid: 'o1', goods: [{ uid: 'g1' }] }), { ok: true, value: { uid: 'o1', goods: { uid: 'g1' } } });
    assert.deepEqual(normaliseCard('order', { uid: 'o1', goodsList: [{ uid: 'g1' }, { uid: 'g2' }] }), {
      ok: true,
      value: { uid: 'o1', goods: { uid: 'g1' }, goodsList: [{ uid: 'g1' }, { uid: 'g2' }] },
    });
    assert.deepEqual(normaliseCard('order', { uid: 'o1', goods: [] }), { ok: true, value: { uid: 'o1' } });
    assert.deepEqual(normaliseCard('order', { goods: [] }), { ok: false, problem: 'uid: required' });
    assert.deepEqual(normaliseCard('goods', { goodsUid: 3, other: 1 }), { ok: true, value: { uid: '3' } });
    // goodsList wins over goods; an empty goodsList falls back to goods.
    assert.deepEqual(orderGoods({ uid: 'o', goods: { uid: 'a' }, goodsList: [{ uid: 'b' }] }), [{ uid: 'b' }]);
    assert.deepEqual(orderGoods({ uid: 'o', goods: { uid: 'a' }, goodsList: [] }), [{ uid: 'a' }]);
    assert.deepEqual(orderGoods({ uid: 'o' }), []);
  });
});
