// The script-tag bundle, built by `npm run build` into dist/shop-chat.iife.js. This file imports no
// widget code: the bundle alone defines the elements, inside iframes that play storefront pages.
import { expect, waitUntil } from '@open-wc/testing';

const BUNDLE = '/dist/shop-chat.iife.js';
const CHAT = '/test/browser/fixtures/chat.html';
const STUB = 'window.ShopChat = window.ShopChat || function(){(ShopChat.q = ShopChat.q || []).push(arguments)};';
const RECORD = `window.__errors = []; addEventListener('error', (e) => __errors.push(String(e.message)));
window.__opens = []; document.addEventListener('shop-chat-open', (e) => __opens.push(e.detail.chatUrl));`;

type PageWindow = Window & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bundle's API, untyped here on purpose
  ShopChat: any;
  __errors: string[];
  __opens: string[];
};

/** A same-origin page from HTML; resolves with its window once loaded. */
async function page(htmlText: string): Promise<PageWindow> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:1024px;height:700px';
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.srcdoc = htmlText;
  document.body.append(frame);
  await loaded;
  return frame.contentWindow as PageWindow;
}

const launchers = (w: PageWindow) => w.document.querySelectorAll('shop-chat-launcher');

describe('dist/shop-chat.iife.js', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));

  it('is built (run `npm run build` first)', async () => {
    const res = await fetch(BUNDLE);
    expect(res.status, `${BUNDLE} missing: run npm run build`).to.equal(200);
  });

  it('takes the visitor from data-* and a queued setVisitor; data-api-url becomes api-url', async () => {
    const w = await page(`<!doctype html><html><head>
      <script>${RECORD} ${STUB}
        ShopChat('setVisitor', { visitorUid: 'queued', mobile: '13800138000', email: 'a@example.com', note: 'VIP', vipLevel: 3 });
      </script>
      <script src="${BUNDLE}" data-org="org_1" data-sid="wg_1" data-visitor-uid="user_42" data-nickname="小明"
        data-avatar="https://example.com/a.png" data-api-url="https://api.example.com"></script>
      </head><body></body></html>`);
    const l = launchers(w)[0] as HTMLElement & { chatUrl: string };
    await waitUntil(() => new URL(l.chatUrl).searchParams.get('mobile'), 'setVisitor replayed');
    expect(l.getAttribute('api-url')).to.equal('https://api.example.com');
    const q = new URL(l.chatUrl).searchParams;
    expect([q.get('visitorUid'), q.get('nickname'), q.get('avatar')]).to.deep.equal(['user_42', '小明', 'https://example.com/a.png']);
    expect([q.get('mobile'), q.get('email'), q.get('note'), q.get('vipLevel')]).to.deep.equal(['13800138000', 'a@example.com', 'VIP', '3']);
    expect(q.get('uid')).to.equal(null);
    expect(typeof w.ShopChat.setVisitor).to.equal('function');
    expect(w.__errors).to.deep.equal([]);
  });

  it('placed in <head> twice, mounts one launcher from data-* and replays the queue in order', async () => {
    const goodsA = { uid: 'goods_a', title: 'A', price: 1 };
    const goodsB = { uid: 'goods_b', title: 'B', price: 2 };
    const w = await page(`<!doctype html><html><head>
      <script>${RECORD} ${STUB}
        ShopChat('setGoods', ${JSON.stringify(goodsA)});
        ShopChat('open');
        ShopChat('close');
        ShopChat('setGoods', ${JSON.stringify(goodsB)});
        ShopChat('open');
      </script>
      <script src="${BUNDLE}" data-org="org_1" data-sid="wg_1" data-t="2" data-chat-url="${CHAT}"
        data-position="bottom-left" data-lang="en"></script>
      <script src="${BUNDLE}" data-org="org_2" data-sid="wg_2"></script>
      </head><body><p>shop</p></body></html>`);
    expect(w.__errors).to.deep.equal([]);
    expect(launchers(w).length).to.equal(1);
    const l = launchers(w)[0] as HTMLElement & { chatUrl: string; isOpen: boolean; goodsInfo: unknown };
    expect(l.getAttribute('org')).to.equal('org_1');
    expect(l.getAttribute('sid')).to.equal('wg_1');
    expect(l.getAttribute('t')).to.equal('2');
    expect(l.getAttribute('position')).to.equal('bottom-left');
    expect(l.getAttribute('lang')).to.equal('en');
    expect(w.customElements.get('shop-chat-goods-card')).to.be.a('function');
    expect(w.customElements.get('shop-chat-order-card')).to.be.a('function');
    // Replayed in order: open with A, close, then open with B.
    const params = w.__opens.map((u) => w.ShopChat.parseChatParams(u));
    expect(params.map((p) => p.goodsInfo?.uid)).to.deep.equal(['goods_a', 'goods_b']);
    expect(params[0]).to.include({ org: 'org_1', sid: 'wg_1', t: 2, lang: 'en' });
    expect(l.isOpen).to.equal(true);
    await waitUntil(() => l.shadowRoot?.querySelector('iframe'), 'chat iframe rendered');
    expect(new URL(l.shadowRoot!.querySelector('iframe')!.src).pathname).to.equal(CHAT);
    expect(l.shadowRoot!.querySelector('[part="button"]')!.textContent).to.include('Chat with us');
  });

  it('window.ShopChat: functions, methods, and stub-style calls after load', async () => {
    const w = await page(`<!doctype html><html><head><script>${RECORD} ${STUB}</script></head><body>
      <script src="${BUNDLE}" data-org="org_1" data-sid="wg_1" data-chat-url="${CHAT}"></script></body></html>`);
    const api = w.ShopChat;
    for (const name of ['buildChatUrl', 'parseChatParams', 'resolveNavigatePath', 'open', 'close', 'setGoods', 'setOrder']) {
      expect(api[name], name).to.be.a('function');
    }
    const url = api.buildChatUrl({ org: 'o', sid: 's', t: 1, goodsInfo: { uid: 'g', title: '商品 & <b>' } });
    expect(api.parseChatParams(url).goodsInfo.title).to.equal('商品 & <b>');
    expect(api.resolveNavigatePath('order', {}, { orderDetailPath: '/pages/o' })).to.equal('/pages/o');
    const l = launchers(w)[0] as HTMLElement & { isOpen: boolean; orderInfo: { uid: string } };
    expect(l.isOpen).to.equal(false);
    expect(l.shadowRoot!.querySelector('iframe')).to.equal(null);
    api('setOrder', { uid: 'order_1', totalAmount: 5 });
    expect(l.orderInfo.uid).to.equal('order_1');
    api('open');
    expect(l.isOpen).to.equal(true);
    expect(w.ShopChat.parseChatParams(w.__opens[0]!).orderInfo.uid).to.equal('order_1');
    api.close();
    expect(l.isOpen).to.equal(false);
    api.open();
    expect(l.isOpen).to.equal(true);
    expect(() => api('no-such-method')).not.to.throw();
    expect(() => api('constructor')).not.to.throw();
    expect(w.__errors).to.deep.equal([]);
  });

  it('mounts nothing without org or shop uid; calls then go to a launcher of the page', async () => {
    const w = await page(`<!doctype html><html><head><script>${RECORD} ${STUB} ShopChat('open');</script>
      <script src="${BUNDLE}"></script></head>
      <body><shop-chat-launcher org="page_org" sid="s" chat-url="${CHAT}"></shop-chat-launcher></body></html>`);
    expect(launchers(w).length).to.equal(1);
    const l = launchers(w)[0] as HTMLElement & { isOpen: boolean };
    expect(l.hasAttribute('data-shop-chat-auto')).to.equal(false);
    expect(l.isOpen).to.equal(true);
    const empty = await page(`<!doctype html><html><head><script src="${BUNDLE}" data-sid="only_sid"></script></head><body></body></html>`);
    expect(launchers(empty).length).to.equal(0);
    expect(empty.ShopChat.buildChatUrl).to.be.a('function');
  });

  it('passes data-shop-uid and data-server through, so the launcher fetches its config', async () => {
    const w = await page(`<!doctype html><html><head><script>${RECORD}
      window.__fetched = []; window.fetch = async (u) => { __fetched.push(String(u));
        return new Response(JSON.stringify({ message: 'success', code: 200, data: { org: 'cfg_org', sid: 'cfg_sid', t: 1 } })); };
      </script><script async src="${BUNDLE}" data-shop-uid="shop_9" data-server="https://api.example.com"></script></head><body></body></html>`);
    await waitUntil(() => launchers(w).length === 1, 'async script mounted the launcher');
    const l = launchers(w)[0] as HTMLElement & { chatUrl: string; config?: unknown };
    await waitUntil(() => l.config, 'config fetched');
    expect((w as unknown as { __fetched: string[] }).__fetched).to.deep.equal([
      'https://api.example.com/api/v1/shop/widget/config?shopUid=shop_9',
    ]);
    expect(w.ShopChat.parseChatParams(l.chatUrl)).to.include({ org: 'cfg_org', sid: 'cfg_sid' });
  });

  it('without document.currentScript, reads the last shop-chat.iife.js script tag', async () => {
    const source = await (await fetch(BUNDLE)).text();
    const w = await page(`<!doctype html><html><head>
      <script type="text/plain" src="/other/shop-chat.iife.js.bak" data-org="wrong"></script>
      <script type="text/plain" src="${BUNDLE}?v=1" data-org="fallback_org" data-sid="s"></script>
      </head><body></body></html>`);
    (w as unknown as { eval(code: string): unknown }).eval(source); // no currentScript during eval
    expect(launchers(w).length).to.equal(1);
    expect(launchers(w)[0]!.getAttribute('org')).to.equal('fallback_org');
  });
});
