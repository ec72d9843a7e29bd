import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runs } from '../helpers/runs.ts';
import {
  buildChatUrl,
  buildChatUrlDetailed,
  parseChatParams,
  resolveNavigatePath,
  parseGoodsInfo,
  parseOrderInfo,
  DEFAULT_GOODS_PATH,
  DEFAULT_ORDER_PATH,
  LIMITS,
  orderGoods,
} from '../../src/shared/index.ts';

/** A query parameter holding `value` as JSON, as any client could send it (no normalising). */
const q = (name: string, value: unknown) => `${name}=${encodeURIComponent(JSON.stringify(value))}`;

const tricky = `演示商品 & # % + ' " < > 😀 ?a=b`;
const goods = {
  uid: 'goods_demo_001',
  type: 'GOODS',
  shopUid: 'shop_demo_005',
  title: tricky,
  description: '商品描述 100% 好评 & 包邮',
  price: 99,
  image: 'https://example.com/goods.png?x=1&y=2',
  url: 'https://example.com/goods/1',
  quantity: 1,
  status: 'ON_SHELF' as const,
  tagList: ['新品', '#热卖'],
  navigateToPath: '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=shop_demo_005',
};
const order = {
  uid: 'order_demo_001',
  type: 'ORDER',
  visitorUid: 'visitor_demo_001',
  shopUid: 'shop_demo_005',
  time: '2026-03-11 10:30:00',
  status: 'paid',
  statusText: '待发货',
  totalAmount: 99,
  paymentMethod: '支付宝',
  shippingAddress: { name: '张三', phone: '13800138000', address: '上海市 <b>浦东</b>' },
  navigateToPath: '/pages/order/detail/index?type=order&orderUid=order_demo_001&shopUid=shop_demo_005',
  goods: { uid: 'goods_demo_001', title: tricky, shopUid: 'shop_demo_005' },
};

describe('buildChatUrl → parseChatParams', () => {
  test('round-trips the seed example with Chinese text, emoji and URL metacharacters', () => {
    const url = buildChatUrl({ org: 'df_org_uid', t: 1, sid: 'df_wg_uid', goodsInfo: goods, orderInfo: order });
    assert.ok(url.startsWith('https://cdn.weiyuai.cn/chat?org=df_org_uid&t=1&sid=df_wg_uid&goodsInfo='));
    assert.doesNotMatch(url.slice(url.indexOf('?')), /[ "<>#]/, 'metacharacters are percent-encoded');
    const parsed = parseChatParams(new URL(url));
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.org, 'df_org_uid');
    assert.equal(parsed.t, 1);
    assert.equal(parsed.sid, 'df_wg_uid');
    assert.deepEqual(parsed.goodsInfo, goods);
    assert.deepEqual(parsed.orderInfo, order);
  });

  test('a URL read by URLSearchParams (what the Bytedesk page does) gives the same JSON back', () => {
    const url = buildChatUrl({ org: 'o', goodsInfo: goods });
    assert.deepEqual(JSON.parse(new URL(url).searchParams.get('goodsInfo')!), goods);
  });

  test('works without URLSearchParams (WeChat mini-program JS has none)', () => {
    const saved = globalThis.URLSearchParams;
    // @ts-expect-error simulate the mini-program runtime
    delete globalThis.URLSearchParams;
    try {
      const url = buildChatUrl({ org: 'o', t: 2, goodsInfo: { uid: 'g' } });
      assert.equal(url, 'https://cdn.weiyuai.cn/chat?org=o&t=2&goodsInfo=%7B%22uid%22%3A%22g%22%7D');
    } finally {
      globalThis.URLSearchParams = saved;
    }
  });

  test('visitor, language, mode and extra params; null and undefined are dropped; base query and hash kept', () => {
    const url = buildChatUrl({
      baseUrl: 'https://chat.example.com/chat?navbar=0#top',
      org: 'o',
      t: 0,
      sid: 'agent1',
      visitorUid: 'v1',
      nickname: '小明 & co',
      avatar: 'https://example.com/a.png',
      lang: 'en',
      mode: 'dark',
      autoSendBizInfo: true,
      goodsInfo: null,
      orderInfo: undefined,
      extra: { channel: 'web', skip: undefined, none: null },
    });
    assert.equal(
      url,
      'https://chat.example.com/chat?navbar=0&org=o&t=0&sid=agent1&visitorUid=v1&nickname=%E5%B0%8F%E6%98%8E%20%26%20co&avatar=https%3A%2F%2Fexample.com%2Fa.png&lang=en&mode=dark&autoSendBizInfo=true&channel=web#top',
    );
    const p = parseChatParams(url);
    assert.equal(p.nickname, '小明 & co');
    assert.equal(p.mode, 'dark');
    assert.equal(p.t, 0);
    assert.equal(p.params.channel, 'web');
    assert.equal(p.params.navbar, '0');
  });

  test('property: any printable card survives the round trip', () => {
    // A grapheme can be many UTF-16 units (emoji ZWJ sequences): bound the length the schema counts.
    const str = (max: number) => fc.string({ unit: 'grapheme', maxLength: max }).filter((s) => s.length <= max);
    const card = fc.record(
      {
        uid: fc.string({ minLength: 1, maxLength: 40 }),
        title: str(30),
        description: str(60),
        price: fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }),
        quantity: fc.nat(1000),
        tagList: fc.array(str(10), { maxLength: 5 }),
        // a pattern rather than fc.webUrl, which costs seconds per few dozen samples
        url: fc.stringMatching(/^https?:\/\/[a-z0-9-]{1,20}(\.[a-z]{2,6}){1,2}(\/[\w.~%!$&'()*+,;=:@-]{0,20}){0,3}(\?[\w=&%-]{0,20})?(#[\w-]{0,10})?$/),
      },
      { requiredKeys: ['uid'] },
    );
    fc.assert(
      fc.property(card, fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), (g, org) => {
        const url = buildChatUrl({ org, goodsInfo: g, maxLength: 100_000 });
        const p = parseChatParams(url);
        assert.deepEqual(p.problems, []);
        assert.deepEqual(p.goodsInfo, { ...g });
        if (org) assert.equal(p.org, org);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('length budget', () => {
  const long = { ...goods, description: 'd'.repeat(300), image: 'https://example.com/' + 'i'.repeat(400), tagList: Array.from({ length: 20 }, (_, i) => `tag${i}`.padEnd(30, 'x')) };
  const full = buildChatUrl({ org: 'o', goodsInfo: long, maxLength: 1e6 }).length;

  test('under the budget nothing is dropped', () => {
    const r = buildChatUrlDetailed({ org: 'o', goodsInfo: long, maxLength: full });
    assert.deepEqual(r.dropped, []);
    assert.equal(r.overBudget, false);
  });

  test('drops description, then image, then tags, and tells the caller which', () => {
    const steps = [full - 1, full - 400, full - 800];
    const expected = [['goodsInfo.description'], ['goodsInfo.description', 'goodsInfo.image'], ['goodsInfo.description', 'goodsInfo.image', 'goodsInfo.tagList']];
    steps.forEach((max, i) => {
      const told: string[][] = [];
      const r = buildChatUrlDetailed({ org: 'o', goodsInfo: long, maxLength: max, onDropped: (f) => told.push(f) });
      assert.deepEqual(r.dropped, expected[i]);
      assert.deepEqual(told, [expected[i]]);
      assert.ok(r.url.length <= max, `${r.url.length} <= ${max}`);
      const back = parseChatParams(r.url);
      assert.deepEqual(back.problems, [], 'the JSON is whole, never cut');
      assert.equal(back.goodsInfo?.title, long.title);
    });
  });

  test('default budget is 4,096 characters and nested order goods lose their descriptions too', () => {
    const orderWithGoods = { uid: 'o', goods: Array.from({ length: 5 }, (_, i) => ({ uid: `g${i}`, description: '描'.repeat(150) })) };
    const r = buildChatUrlDetailed({ orderInfo: orderWithGoods });
    assert.ok(r.url.length <= 4096);
    assert.deepEqual(r.dropped, ['orderInfo.description']);
    assert.equal(orderGoods(parseChatParams(r.url).orderInfo!).length, 5);
  });

  test('still over budget after every optional field: reported, JSON left whole', () => {
    const r = buildChatUrlDetailed({ goodsInfo: { uid: 'g', title: '长'.repeat(100) }, maxLength: 200 });
    assert.equal(r.overBudget, true);
    assert.equal(parseChatParams(r.url).goodsInfo?.title, '长'.repeat(100));
  });
});

describe('parseChatParams never throws', () => {
  test('unsafe URLs in cards are dropped and reported; the other parameters still come back', () => {
    for (const bad of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example.com/x', 'JaVaScRiPt:alert(1)', ' https://x.com', 'https:/x.com']) {
      const p = parseChatParams(`?org=o&sid=s&${q('goodsInfo', { uid: 'g', url: bad })}`);
      assert.equal(p.goodsInfo, undefined, bad);
      assert.equal(p.org, 'o');
      assert.equal(p.sid, 's');
      assert.deepEqual(p.problems, ['goodsInfo.url: must be an http(s) URL, ignored']);
    }
    const img = parseChatParams(q('orderInfo', { uid: 'o', goods: { uid: 'g', image: 'javascript:x' } }));
    assert.equal(img.orderInfo, undefined);
    assert.match(img.problems[0]!, /^orderInfo\.goods\.image: /);
  });

  test('navigateToPath must be a mini-program path', () => {
    for (const bad of ['https://evil.com', '//evil.com/pages', 'pages/x', 'javascript:alert(1)', '/\\evil']) {
      const p = parseChatParams(q('goodsInfo', { uid: 'g', navigateToPath: bad }));
      assert.equal(p.goodsInfo, undefined, bad);
      assert.match(p.problems[0]!, /^goodsInfo\.navigateToPath: /);
    }
  });

  test('malformed JSON, oversized values, bad percent-encoding, bad t and mode are reported', () => {
    const huge = encodeURIComponent(JSON.stringify({ uid: 'g', title: 'x'.repeat(LIMITS.param) }));
    const p = parseChatParams(`?org=o&t=7&mode=neon&goodsInfo=%7B%22uid&orderInfo=${huge}&bad=%E0%A4%A&sid=s`);
    assert.equal(p.org, 'o');
    assert.equal(p.sid, 's');
    assert.equal(p.goodsInfo, undefined);
    assert.equal(p.orderInfo, undefined);
    assert.deepEqual(p.problems, [
      'bad: malformed percent-encoding, ignored',
      't: must be 0, 1 or 2, ignored',
      'mode: must be light, dark or system, ignored',
      'goodsInfo: not valid JSON, ignored',
      `orderInfo: over ${LIMITS.param} characters, ignored`,
    ]);
  });

  test('fields over their length limit are reported by name', () => {
    const p = parseChatParams(q('goodsInfo', { uid: 'g', title: 't'.repeat(101) }));
    assert.deepEqual(p.problems, ['goodsInfo.title: at most 100 characters, ignored']);
    assert.deepEqual(parseChatParams(buildChatUrl({ goodsInfo: { uid: 'g', title: 't'.repeat(100) } })).problems, []);
  });

  test('__proto__ keys neither pollute nor survive', () => {
    const p = parseChatParams(`?__proto__=x&goodsInfo=${encodeURIComponent('{"uid":"g","__proto__":{"polluted":true},"constructor":{"x":1}}')}`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(p.goodsInfo, { uid: 'g' });
    assert.equal(p.params.__proto__ as unknown, 'x');
  });

  test('property: arbitrary query strings never throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const p = parseChatParams(s);
        assert.ok(Array.isArray(p.problems));
      }),
      { numRuns: runs(1000) },
    );
  });

  test('accepts a plain string, a query without "?", a URL and a location-like object', () => {
    assert.equal(parseChatParams('org=a').org, 'a');
    assert.equal(parseChatParams('https://x.com/chat?org=b#h').org, 'b');
    assert.equal(parseChatParams({ search: '?org=c' }).org, 'c');
    // @ts-expect-error wrong input type still does not throw
    assert.deepEqual(parseChatParams(undefined).problems, []);
  });
});

describe('card schemas', () => {
  test('goodsUid is accepted as an alias of uid; numeric strings are coerced', () => {
    const r = parseGoodsInfo({ goodsUid: 'g9', price: '99.50', quantity: '2' });
    assert.deepEqual(r, { ok: true, value: { uid: 'g9', price: 99.5, quantity: 2 } });
  });

  test('bad numbers, statuses and missing uid are refused with the field named', () => {
    assert.deepEqual(parseGoodsInfo({ uid: 'g', price: 'abc' }), { ok: false, problem: 'price: must be a number' });
    assert.deepEqual(parseGoodsInfo({ uid: 'g', price: -1 }), { ok: false, problem: 'price: must not be negative' });
    assert.equal(parseGoodsInfo({ uid: 'g', quantity: 1.5 }).ok, false);
    assert.equal(parseGoodsInfo({ uid: 'g', status: 'SOLD' }).ok, false);
    assert.match((parseOrderInfo({ title: 'x' }) as { problem: string }).problem, /^uid: /);
  });

  test('extra may be an object: it is carried as a JSON string', () => {
    assert.deepEqual(parseGoodsInfo({ uid: 'g', extra: { sku: 'A-1' } }), { ok: true, value: { uid: 'g', extra: '{"sku":"A-1"}' } });
  });
});

describe('resolveNavigatePath', () => {
  test('own path first, then the server default, then the built-in default', () => {
    const defaults = { goodsDetailPath: '/pages/shop/goods', orderDetailPath: '/pages/shop/order' };
    assert.equal(resolveNavigatePath('goods', goods, defaults), goods.navigateToPath);
    assert.equal(resolveNavigatePath('order', order, defaults), order.navigateToPath);
    assert.equal(resolveNavigatePath('goods', { uid: 'g' }, defaults), '/pages/shop/goods');
    assert.equal(resolveNavigatePath('order', { uid: 'o' }, defaults), '/pages/shop/order');
    assert.equal(resolveNavigatePath('goods', { uid: 'g' }), DEFAULT_GOODS_PATH);
    assert.equal(resolveNavigatePath('order', { uid: 'o' }, { goodsDetailPath: '/x', orderDetailPath: '' }), DEFAULT_ORDER_PATH);
    assert.equal(DEFAULT_GOODS_PATH, '/pages/goods/detail/index');
    assert.equal(DEFAULT_ORDER_PATH, '/pages/order/detail/index');
  });

  test('an unsafe path at any step is skipped', () => {
    assert.equal(resolveNavigatePath('goods', { navigateToPath: 'https://evil.com' }, { goodsDetailPath: '//evil' }), DEFAULT_GOODS_PATH);
    assert.equal(resolveNavigatePath('goods', { navigateToPath: 42 }, { goodsDetailPath: '/ok' }), '/ok');
    assert.equal(resolveNavigatePath('order', null, null), DEFAULT_ORDER_PATH);
  });
});
