import { aTimeout, expect, fixture, html } from '@open-wc/testing';
import { buildChatUrl, parseChatParams } from '../../src/widget/index.ts';
import type { ShopChatGoodsCard, ShopChatLauncher, ShopChatOrderCard } from '../../src/widget/index.ts';
import { CHAT, goods, order, recordNavigation, restoreEnvironment } from './helpers.ts';

// Each payload sets window.__xss if it ever runs; all fit the shortest rendered field (32 chars).
const PAYLOADS = [
  '<img src=x onerror=__xss=1>',
  '<script>__xss=1</script>',
  '" onmouseover="__xss=1" x="',
  "'><svg onload=__xss=1>",
  'javascript:__xss=1',
  '<iframe srcdoc="<b>">',
  '${__xss=1}{{__xss=1}}',
  '</style><img src=x onerror=__xss=1>'.slice(0, 32),
  '<a href=javascript:__xss=1>x</a>',
  '<!--<img src=x onerror=__xss=1>-->'.slice(0, 32),
];

const goodsWith = (p: string) => ({
  ...goods,
  uid: p,
  type: p,
  shopUid: p,
  title: p,
  description: p,
  tagList: [p, p],
  extra: p,
});
const orderWith = (p: string) => ({
  ...order,
  uid: p,
  type: p,
  visitorUid: p,
  shopUid: p,
  time: p,
  status: p,
  statusText: p,
  paymentMethod: p,
  extra: p,
  shippingAddress: { name: p, phone: p.slice(0, 32), address: p },
  goods: [goodsWith(p), goodsWith(p)],
});

/** Nothing ran, no element was created from the data, and the payload shows as literal text. */
async function assertInert(el: Element, payload: string, minOccurrences: number) {
  await aTimeout(30); // let any injected <img onerror> / <svg onload> fire
  expect((window as { __xss?: unknown }).__xss, 'a payload executed').to.equal(undefined);
  const root = el.shadowRoot!;
  expect(root.querySelectorAll('script, iframe, svg, a, b, [onerror], [onload], [onmouseover]').length).to.equal(0);
  // The only images are the ones built from the (safe) image field.
  for (const img of root.querySelectorAll('img')) expect(img.getAttribute('src')).to.equal(goods.image);
  const shown = root.textContent!.split(payload).length - 1;
  expect(shown, `"${payload}" shown literally`).to.be.at.least(minOccurrences);
}

describe('card input: XSS payloads stay inert', () => {
  afterEach(restoreEnvironment);

  for (const payload of PAYLOADS) {
    it(`goods card, property, attribute and URL: ${payload}`, async () => {
      const info = goodsWith(payload);
      const byProp = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${info}></shop-chat-goods-card>`);
      expect(byProp.value, 'payload card is valid data').to.not.equal(undefined);
      await assertInert(byProp, payload, 4); // title, description, two tags
      const byAttr = await fixture<ShopChatGoodsCard>(
        html`<shop-chat-goods-card info=${JSON.stringify(info)}></shop-chat-goods-card>`,
      );
      await assertInert(byAttr, payload, 4);
      const parsed = parseChatParams(buildChatUrl({ org: 'o', sid: 's', goodsInfo: info }));
      expect(parsed.problems).to.deep.equal([]);
      const byUrl = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${parsed.goodsInfo}></shop-chat-goods-card>`);
      await assertInert(byUrl, payload, 4);
    });

    it(`order card, property, attribute and URL: ${payload}`, async () => {
      const info = orderWith(payload);
      const byProp = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${info}></shop-chat-order-card>`);
      expect(byProp.value, 'payload card is valid data').to.not.equal(undefined);
      // uid, status text, payment, time, recipient, two nested titles
      await assertInert(byProp, payload, 7);
      const byAttr = await fixture<ShopChatOrderCard>(
        html`<shop-chat-order-card info=${JSON.stringify(info)}></shop-chat-order-card>`,
      );
      await assertInert(byAttr, payload, 7);
      const parsed = parseChatParams(buildChatUrl({ org: 'o', sid: 's', orderInfo: info }));
      expect(parsed.problems).to.deep.equal([]);
      const byUrl = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${parsed.orderInfo}></shop-chat-order-card>`);
      await assertInert(byUrl, payload, 7);
    });
  }

  it('unsafe url, image and navigateToPath values are rejected and never navigated to', async () => {
    const nav = recordNavigation();
    const bad = [
      { url: 'javascript:__xss=1' },
      { url: 'java\tscript:__xss=1' },
      { url: 'data:text/html,<script>__xss=1</script>' },
      { image: 'javascript:__xss=1' },
      { image: '//evil.example/x.png' },
      { image: 'x" onerror="__xss=1' },
      { navigateToPath: 'javascript:__xss=1' },
      { navigateToPath: '//evil.example' },
    ];
    for (const patch of bad) {
      const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${{ ...goods, ...patch }}></shop-chat-goods-card>`);
      expect(el.value, JSON.stringify(patch)).to.equal(undefined);
      expect(el.shadowRoot!.querySelector('img')).to.equal(null);
      (el.shadowRoot!.querySelector('[part="card"]') as HTMLElement).click();
      el.activate();
    }
    await aTimeout(30);
    expect(nav.opened).to.deep.equal([]);
    expect((window as { __xss?: unknown }).__xss).to.equal(undefined);
  });

  it('launcher: payloads in goods-info travel encoded, a javascript: chat-url is never loaded', async () => {
    const info = goodsWith(PAYLOADS[0]!);
    const el = await fixture<ShopChatLauncher>(
      html`<shop-chat-launcher org="o" sid="s" chat-url="javascript:__xss=1//" goods-info=${JSON.stringify(info)}></shop-chat-launcher>`,
    );
    expect(el.chatUrl.startsWith('https://cdn.weiyuai.cn/chat?')).to.equal(true);
    expect(el.chatUrl).not.to.match(/[<>"' ]/);
    expect(parseChatParams(el.chatUrl).goodsInfo?.title).to.equal(PAYLOADS[0]);
    el.setAttribute('chat-url', CHAT);
    await el.updateComplete;
    el.open();
    await el.updateComplete;
    const frame = el.shadowRoot!.querySelector('iframe')!;
    expect(new URL(frame.src).pathname).to.equal(CHAT);
    el.setAttribute('chat-url', 'javascript:__xss=1//');
    await el.updateComplete;
    expect(frame.src.startsWith('https://cdn.weiyuai.cn/chat?')).to.equal(true);
    el.close();
    await aTimeout(30);
    expect((window as { __xss?: unknown }).__xss).to.equal(undefined);
  });
});
