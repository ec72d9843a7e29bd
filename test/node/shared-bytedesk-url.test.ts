// The chat URL in the names and shapes the real Bytedesk visitor page reads (cdn.weiyuai.cn/chat):
// visitor identity, lang and mode codes, navbar, cards normalised once for every entry point.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildChatUrl,
  buildChatUrlDetailed,
  chatLang,
  chatMode,
  normaliseCard,
  orderGoods,
  parseChatParams,
  withPayload,
} from '../../src/shared/index.ts';
import * as urlEntry from '../../src/shared/url-entry.ts';

/** What the real page does: URLSearchParams, names case-insensitive, the last one winning. */
function pageParams(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(url).searchParams) out[k.toLowerCase()] = v;
  return out;
}

describe('visitor identity', () => {
  test('visitorUid, nickname, avatar, mobile, email, note and vipLevel go out under those names; no uid', () => {
    const url = buildChatUrl({
      org: 'o',
      sid: 's',
      visitorUid: 'user_42',
      nickname: '小明',
      avatar: 'https://example.com/a.png',
      mobile: '13800138000',
      email: 'a@example.com',
      note: 'VIP 客户',
      vipLevel: 3,
    });
    const p = pageParams(url);
    assert.equal(p.visitoruid, 'user_42');
    assert.equal(p.uid, undefined);
    assert.deepEqual(
      [p.nickname, p.avatar, p.mobile, p.email, p.note, p.viplevel],
      ['小明', 'https://example.com/a.png', '13800138000', 'a@example.com', 'VIP 客户', '3'],
    );
    const back = parseChatParams(url);
    assert.equal(back.visitorUid, 'user_42');
    assert.equal(back.vipLevel, '3');
    assert.equal(back.email, 'a@example.com');
    assert.equal((back as { uid?: string }).uid, undefined);
  });

  test('an extra uid param is a pass-through, not the visitor', () => {
    const url = buildChatUrl({ visitorUid: 'v', extra: { uid: 'bytedesk_own', channel: 'web' } });
    assert.equal(pageParams(url).uid, 'bytedesk_own');
    assert.equal(parseChatParams(url).visitorUid, 'v');
  });
});

describe('lang and mode in the page\'s codes', () => {
  test('language tags map onto the page list; others are left out', () => {
    const cases: Array<[string, string | undefined]> = [
      ['zh-CN', 'zh-cn'],
      ['zh', 'zh-cn'],
      ['zh_Hans_CN', 'zh-cn'],
      ['zh-SG', 'zh-cn'],
      ['zh-TW', 'zh-tw'],
      ['zh-HK', 'zh-tw'],
      ['zh-Hant', 'zh-tw'],
      ['zh-mo', 'zh-tw'],
      ['en', 'en'],
      ['en-US', 'en'],
      ['ja', 'ja-jp'],
      ['ko-KR', 'ko-kr'],
      ['vi', 'vi-vn'],
      ['ms-MY', 'ms-my'],
      ['es-419', 'es-es'],
      ['fr-CA', 'fr-fr'],
      ['th', 'th-th'],
      ['de-DE', undefined],
      ['', undefined],
      ['constructor', undefined],
      ['zhx', undefined],
      ['en_US', 'en'],
      ['zh_TW', 'zh-tw'],
      ['zh_Hant_HK', 'zh-tw'],
      ['zh-Latn-TW', 'zh-cn'],
    ];
    for (const [tag, code] of cases) {
      assert.equal(chatLang(tag), code, tag);
      const sent = pageParams(buildChatUrl({ org: 'o', lang: tag })).lang;
      assert.equal(sent, code, tag);
    }
    assert.equal(chatLang(null), undefined);
    assert.equal(chatLang('ZH-tw-x'), 'zh-tw');
    assert.equal(chatLang('zh-twx'), 'zh-cn');
  });

  test('mode auto goes out as system; light, dark and system as they are; anything else not at all', () => {
    assert.equal(pageParams(buildChatUrl({ mode: 'auto' })).mode, 'system');
    assert.equal(chatMode('system'), 'system');
    assert.equal(chatMode('light'), 'light');
    assert.equal(chatMode('dark'), 'dark');
    assert.equal(chatMode('neon'), undefined);
    assert.equal(chatMode(null), undefined);
    assert.equal(buildChatUrl({ org: 'o', mode: 'neon' as 'dark' }), 'https://cdn.weiyuai.cn/chat?org=o');
    assert.equal(parseChatParams(buildChatUrl({ mode: 'auto' })).mode, 'system');
  });

  test('navbar: false sends navbar=0; otherwise nothing', () => {
    assert.equal(pageParams(buildChatUrl({ org: 'o', navbar: false })).navbar, '0');
    assert.equal(pageParams(buildChatUrl({ org: 'o', navbar: true })).navbar, undefined);
    assert.equal(buildChatUrl({ org: 'o' }), 'https://cdn.weiyuai.cn/chat?org=o');
    assert.equal(parseChatParams(buildChatUrl({ org: 'o', navbar: false })).navbar, false);
    assert.equal(parseChatParams('?navbar=1').navbar, true);
    assert.equal(parseChatParams('?navbar=false').navbar, false);
    assert.equal(parseChatParams('?org=o').navbar, undefined);
  });
});

describe('cards normalised once, for the launcher and shop-chat/url', () => {
  const loose = { goodsUid: 'g1', title: '枕头', price: '99.50', quantity: '2', extra: { sku: 'A-1' }, other: 1 };

  test('goodsUid becomes uid, numbers are numbers, extra a JSON string, unknown keys dropped', () => {
    const url = urlEntry.buildChatUrl({ goodsInfo: loose });
    const sent = JSON.parse(pageParams(url).goodsinfo!);
    assert.deepEqual(sent, { uid: 'g1', title: '枕头', price: 99.5, quantity: 2, extra: '{"sku":"A-1"}' });
    assert.equal(typeof sent.price, 'number');
    assert.deepEqual(normaliseCard('goods', loose), { ok: true, value: sent });
    assert.equal(urlEntry.normaliseCard, normaliseCard);
  });

  test("an order's goods go out as one object, the whole list in goodsList", () => {
    const order = { uid: 'o1', goods: [{ goodsUid: 'g1', price: '1' }, { uid: 'g2' }, { uid: 'g3' }] };
    const sent = JSON.parse(pageParams(buildChatUrl({ orderInfo: order })).orderinfo!);
    assert.deepEqual(sent.goods, { uid: 'g1', price: 1 });
    assert.deepEqual(sent.goodsList, [{ uid: 'g1', price: 1 }, { uid: 'g2' }, { uid: 'g3' }]);
    const back = parseChatParams(buildChatUrl({ orderInfo: order })).orderInfo!;
    assert.deepEqual(orderGoods(back).map((g) => g.uid), ['g1', 'g2', 'g3']);
  });

  test('a list of one is one object and no goodsList; an order without goods stays without', () => {
    const one = normaliseCard('order', { uid: 'o', goods: [{ uid: 'g' }] });
    assert.deepEqual(one, { ok: true, value: { uid: 'o', goods: { uid: 'g' } } });
    assert.deepEqual(normaliseCard('order', { uid: 'o', goods: [] }), { ok: true, value: { uid: 'o' } });
    assert.deepEqual(normaliseCard('order', { uid: 'o' }), { ok: true, value: { uid: 'o' } });
    assert.deepEqual(normaliseCard('order', { uid: 'o', goods: { uid: 'g' } }), { ok: true, value: { uid: 'o', goods: { uid: 'g' } } });
  });

  test('orderGoods: goodsList first, else goods as a list', () => {
    assert.deepEqual(orderGoods({ uid: 'o', goods: { uid: 'a' }, goodsList: [{ uid: 'a' }, { uid: 'b' }] }).length, 2);
    assert.deepEqual(orderGoods({ uid: 'o', goods: { uid: 'a' }, goodsList: [] }), [{ uid: 'a' }]);
    assert.deepEqual(orderGoods({ uid: 'o', goods: [{ uid: 'a' }, { uid: 'b' }] }).length, 2);
    assert.deepEqual(orderGoods({ uid: 'o' }), []);
  });

  test('an invalid card is left out and reported; the rest of the URL stays', () => {
    const r = buildChatUrlDetailed({ org: 'o', goodsInfo: { uid: 'g', url: 'javascript:alert(1)' }, orderInfo: { title: 'x' } as never });
    assert.equal(r.url, 'https://cdn.weiyuai.cn/chat?org=o');
    assert.deepEqual(r.problems, ['goodsInfo.url: must be an http(s) URL', 'orderInfo.uid: required']);
    assert.deepEqual(buildChatUrlDetailed({ goodsInfo: 'nope' as never }).problems, ['goodsInfo: must be an object']);
    assert.deepEqual(buildChatUrlDetailed({ goodsInfo: null, orderInfo: undefined }).problems, []);
  });

  test('over budget: the goodsList goes last, after descriptions, images, tags and extra', () => {
    const goods = Array.from({ length: 8 }, (_, i) => ({ uid: `g${i}`, title: '标题'.repeat(40) }));
    const r = buildChatUrlDetailed({ orderInfo: { uid: 'o', goods }, maxLength: 1500 });
    assert.deepEqual(r.dropped, ['orderInfo.goodsList']);
    assert.ok(r.url.length <= 1500);
    const sent = JSON.parse(pageParams(r.url).orderinfo!);
    assert.equal(sent.goods.uid, 'g0');
    assert.equal(sent.goodsList, undefined);
  });

  test('over budget: fields of the goods inside goodsList go too', () => {
    const goods = Array.from({ length: 3 }, (_, i) => ({ uid: `g${i}`, image: `https://example.com/${'i'.repeat(300)}.png` }));
    const r = buildChatUrlDetailed({ orderInfo: { uid: 'o', goods }, maxLength: 1000 });
    assert.deepEqual(r.dropped, ['orderInfo.image']);
    const sent = JSON.parse(pageParams(r.url).orderinfo!);
    assert.deepEqual(sent.goodsList, [{ uid: 'g0' }, { uid: 'g1' }, { uid: 'g2' }]);
    assert.deepEqual(sent.goods, { uid: 'g0' });
  });
});

describe('parseChatParams reads names as the page does', () => {
  test('names are case-insensitive and the last duplicate wins', () => {
    const p = parseChatParams('?ORG=first&org=second&Sid=s1&SID=s2&VISITORUID=v&Mode=dark&LANG=en&T=2');
    assert.equal(p.org, 'second');
    assert.equal(p.sid, 's2');
    assert.equal(p.visitorUid, 'v');
    assert.equal(p.mode, 'dark');
    assert.equal(p.lang, 'en');
    assert.equal(p.t, 2);
    assert.deepEqual(p.params, { org: 'second', SID: 's2', VISITORUID: 'v', Mode: 'dark', LANG: 'en', T: '2' });
  });

  test('goodsInfo in any case, the last one winning', () => {
    const a = encodeURIComponent(JSON.stringify({ uid: 'a' }));
    const b = encodeURIComponent(JSON.stringify({ uid: 'b', price: 5 }));
    assert.deepEqual(parseChatParams(`?goodsinfo=${a}&GOODSINFO=${b}`).goodsInfo, { uid: 'b', price: 5 });
    assert.equal(parseChatParams(`?ORDERINFO=${encodeURIComponent('{"uid":"o"}')}`).orderInfo?.uid, 'o');
  });

  test('an empty value counts as absent; a later empty value blanks an earlier one', () => {
    const p = parseChatParams('?org=o&org=&sid=&t=');
    assert.equal(p.org, undefined);
    assert.equal(p.sid, undefined);
    assert.equal(p.t, undefined);
    assert.deepEqual(p.problems, []);
  });

  test('"+" is a space in names and values', () => {
    const p = parseChatParams('?nickname=a+b&my+key=c+d');
    assert.equal(p.nickname, 'a b');
    assert.equal(p.params['my key'], 'c d');
  });

  test('a visitor field over the URL limit is reported and ignored', () => {
    const p = parseChatParams(`?avatar=${'a'.repeat(1001)}&nickname=${'n'.repeat(1000)}`);
    assert.equal(p.avatar, undefined);
    assert.equal(p.nickname, 'n'.repeat(1000));
    assert.deepEqual(p.problems, ['avatar: over 1000 characters, ignored']);
  });

  test('a card of exactly the parameter limit is read; a bad root type is reported at the root', () => {
    assert.deepEqual(parseChatParams(`?goodsInfo=${encodeURIComponent('[1]')}`).problems, ['goodsInfo: must be an object, ignored']);
    assert.deepEqual(parseChatParams(`?goodsInfo=${encodeURIComponent('{"uid":1}')}`).goodsInfo, { uid: '1' });
  });

  test('a name without "=" is a parameter with an empty value', () => {
    const p = parseChatParams('?flag&org=o');
    assert.equal(p.params.flag, '');
    assert.equal(p.org, 'o');
  });

  test('the query stops at "#"', () => {
    assert.equal(parseChatParams('?org=o#sid=s').sid, undefined);
    assert.equal(parseChatParams('org=o#x').org, 'o');
  });
});

describe('withPayload (mini-program detail pages read ?payload=)', () => {
  test('adds the card as percent-encoded JSON, keeping an existing query and hash', () => {
    const info = { uid: 'g1', title: '枕头 & co' };
    const enc = encodeURIComponent(JSON.stringify(info));
    assert.equal(withPayload('/pages/goods/detail/index', info), `/pages/goods/detail/index?payload=${enc}`);
    assert.equal(withPayload('/pages/a?x=1', info), `/pages/a?x=1&payload=${enc}`);
    assert.equal(withPayload('/pages/a?', info), `/pages/a?payload=${enc}`);
    assert.equal(withPayload('/pages/a?x=1&', info), `/pages/a?x=1&payload=${enc}`);
    assert.equal(withPayload('/pages/a#top', info), `/pages/a?payload=${enc}#top`);
    const back = withPayload('/p?x=1', info).split('payload=')[1]!;
    assert.deepEqual(JSON.parse(decodeURIComponent(back)), info);
  });
});

describe('parseChatParams edges', () => {
  test('empty pairs are skipped; a bad name is reported by its first 40 characters', () => {
    assert.deepEqual(parseChatParams('?&org=o&&').params, { org: 'o' });
    const bad = 'k'.repeat(50) + '%E0%A4%A';
    assert.deepEqual(parseChatParams(`?${bad}=1`).problems, [`${'k'.repeat(40)}: malformed percent-encoding, ignored`]);
    assert.deepEqual(parseChatParams('?org=%E0%A4%A').problems, ['org: malformed percent-encoding, ignored']);
  });

  test('a card of exactly the parameter limit is read, one character more is not', () => {
    const json = (n: number) => {
      const base = '{"uid":"g"}';
      return base.slice(0, -1) + ' '.repeat(n - base.length) + '}';
    };
    assert.equal(parseChatParams(`?goodsInfo=${encodeURIComponent(json(16_000))}`).goodsInfo?.uid, 'g');
    assert.deepEqual(parseChatParams(`?goodsInfo=${encodeURIComponent(json(16_001))}`).problems, ['goodsInfo: over 16000 characters, ignored']);
  });

  test('t takes 0, 1 and 2 only', () => {
    assert.deepEqual([0, 1, 2].map((t) => parseChatParams(`?t=${t}`).t), [0, 1, 2]);
    assert.deepEqual(parseChatParams('?t=3').problems, ['t: must be 0, 1 or 2, ignored']);
    assert.deepEqual(parseChatParams('?mode=auto').problems, ['mode: must be light, dark or system, ignored']);
    assert.deepEqual(['light', 'dark', 'system'].map((m) => parseChatParams(`?mode=${m}`).mode), ['light', 'dark', 'system']);
  });

  test('a location-like object without a string search, and other inputs, give no parameters', () => {
    assert.deepEqual(parseChatParams({ search: 42 } as never).params, {});
    assert.deepEqual(parseChatParams(null as never).params, {});
    assert.equal(parseChatParams(new URL('https://x.com/chat?org=u')).org, 'u');
  });
});

describe('withPayload edges', () => {
  test('a hash at the very start, and a path without one', () => {
    const enc = encodeURIComponent(JSON.stringify({ uid: 'g' }));
    assert.equal(withPayload('#x', { uid: 'g' }), `?payload=${enc}#x`);
    assert.equal(withPayload('/a?b#c?d', { uid: 'g' }), `/a?b&payload=${enc}#c?d`);
  });
});

describe('parseChatParams: what is absent stays absent', () => {
  test('no card keys without cards; a name-less pair; a query that is all hash', () => {
    const p = parseChatParams('?org=o');
    assert.equal('goodsInfo' in p, false);
    assert.equal('orderInfo' in p, false);
    assert.deepEqual(parseChatParams('?=x&org=o').params, { '': 'x', org: 'o' });
    assert.deepEqual(parseChatParams('?#org=o').params, {});
    assert.deepEqual(parseChatParams('org=o#').params, { org: 'o' });
    assert.deepEqual(parseChatParams({ search: 'org=s' }).params, { org: 's' });
  });
});

describe('URL composition edges', () => {
  test('no parameters: the base exactly, with nothing appended', () => {
    assert.equal(buildChatUrl(), 'https://cdn.weiyuai.cn/chat');
    assert.equal(buildChatUrl({ baseUrl: 'https://x.example/chat#top' }), 'https://x.example/chat#top');
  });

  test('a base ending in ? or & takes the query as it is; a base of only a hash gets it before the hash', () => {
    assert.equal(buildChatUrl({ baseUrl: 'https://x.example/chat?', org: 'o' }), 'https://x.example/chat?org=o');
    assert.equal(buildChatUrl({ baseUrl: 'https://x.example/chat?a=1&', org: 'o' }), 'https://x.example/chat?a=1&org=o');
    assert.equal(buildChatUrl({ baseUrl: 'https://x.example/chat?a=1', org: 'o' }), 'https://x.example/chat?a=1&org=o');
    assert.equal(buildChatUrl({ baseUrl: '#h', org: 'o' }), '?org=o#h');
  });

  test('extra params: text as it is, objects as JSON', () => {
    const url = buildChatUrl({ org: 'o', extra: { a: 'x y', b: 2, c: true, d: null } });
    assert.equal(url, 'https://cdn.weiyuai.cn/chat?org=o&a=x%20y&b=2&c=true');
  });

  test('onDropped is told only when something was dropped or the URL is still over budget', () => {
    const calls: unknown[][] = [];
    buildChatUrl({ org: 'o', goodsInfo: { uid: 'g', description: 'd'.repeat(50) }, onDropped: (f, over) => calls.push([f, over]) });
    assert.equal(calls.length, 0);
    buildChatUrl({ org: 'o', goodsInfo: { uid: 'g', description: 'd'.repeat(300) }, maxLength: 200, onDropped: (f, over) => calls.push([f, over]) });
    assert.deepEqual(calls, [[['goodsInfo.description'], false]]);
  });

  test('an invalid order is reported as an order, an invalid goods as goods', () => {
    // What a storefront without types may pass.
    const r = buildChatUrlDetailed({ org: 'o', goodsInfo: { uid: 'g', status: 'X' } as never, orderInfo: { uid: 'o1', goods: 'g' } as never });
    assert.deepEqual(r.problems, ['goodsInfo.status: must be one of ON_SHELF, OFF_SHELF', 'orderInfo.goods: must be an object']);
    assert.equal(r.url, 'https://cdn.weiyuai.cn/chat?org=o');
  });
});
