import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/widget/index.ts';
import { parseChatParams, type ShopChatLauncher } from '../../src/widget/index.ts';
import { CHAT, goods, order, recordNavigation, restoreEnvironment, stubMiniProgram } from './helpers.ts';

const root = (el: ShopChatLauncher) => el.shadowRoot!;
const button = (el: ShopChatLauncher) => root(el).querySelector<HTMLButtonElement>('[part="button"]')!;
const frames = (el: ShopChatLauncher) => root(el).querySelectorAll('iframe');
/** The button's name from content (svg is aria-hidden, label and "unread" visually hidden). */
const name = (el: ShopChatLauncher) => button(el).textContent!.replace(/\s+/g, ' ').trim();
const panel = (el: ShopChatLauncher) => root(el).querySelector<HTMLElement>('[part="panel"]');
const chatRequests = () =>
  performance.getEntriesByType('resource').filter((e) => e.name.includes('/fixtures/chat.html')).length;

async function launcher(extra = html``) {
  return fixture<ShopChatLauncher>(
    html`<shop-chat-launcher org="org_1" sid="wg_1" chat-url=${CHAT}>${extra}</shop-chat-launcher>`,
  );
}

describe('<shop-chat-launcher>', () => {
  const realFetch = window.fetch;
  afterEach(async () => {
    restoreEnvironment();
    window.fetch = realFetch;
    await setViewport({ width: 1024, height: 768 });
    await emulateMedia({ colorScheme: 'light' });
    performance.clearResourceTimings();
  });

  it('renders a labelled floating button, bottom-right by default', async () => {
    const el = await launcher();
    expect(name(el)).to.equal('在线客服');
    expect(button(el).getAttribute('aria-expanded')).to.equal('false');
    expect(el.getAttribute('position')).to.equal('bottom-right');
    const r = button(el).getBoundingClientRect();
    expect(getComputedStyle(el).position).to.equal('fixed');
    expect(Math.round(innerWidth - r.right)).to.equal(20);
    expect(Math.round(innerHeight - r.bottom)).to.equal(20);
  });

  it('honours position and the offset tokens', async () => {
    const el = await fixture<ShopChatLauncher>(
      html`<shop-chat-launcher org="o" position="bottom-left" style="--shop-chat-offset-x: 33px; --shop-chat-offset-y: 44px"></shop-chat-launcher>`,
    );
    const r = button(el).getBoundingClientRect();
    expect(Math.round(r.left)).to.equal(33);
    expect(Math.round(innerHeight - r.bottom)).to.equal(44);
    el.position = 'inline';
    await el.updateComplete;
    expect(getComputedStyle(el).position).to.equal('static');
    expect(root(el).querySelector('[part="label"]')!.getBoundingClientRect().width).to.be.greaterThan(0);
  });

  it('builds chatUrl from its attributes', async () => {
    const el = await fixture<ShopChatLauncher>(
      html`<shop-chat-launcher org="org_1" sid="wg_1" lang="en" mode="dark" goods-info=${JSON.stringify(goods)}></shop-chat-launcher>`,
    );
    expect(el.chatUrl.startsWith('https://cdn.weiyuai.cn/chat?')).to.equal(true);
    const p = parseChatParams(el.chatUrl);
    expect(p).to.include({ org: 'org_1', sid: 'wg_1', t: 1, lang: 'en', mode: 'dark' });
    expect(p.goodsInfo?.title).to.equal('演示商品');
    expect(p.problems).to.deep.equal([]);
    el.t = '2';
    expect(parseChatParams(el.chatUrl).t).to.equal(2);
    expect(name(el)).to.equal('Chat with us');
  });

  it('creates no iframe and fetches nothing before the first open, then exactly one', async () => {
    const el = await launcher();
    await aTimeout(50);
    expect(frames(el).length).to.equal(0);
    expect(panel(el)).to.equal(null);
    expect(chatRequests()).to.equal(0);
    setTimeout(() => button(el).click());
    const ev = await oneEvent(el, 'shop-chat-open');
    expect(ev.detail).to.deep.equal({ chatUrl: el.chatUrl, display: 'panel' });
    expect(ev.bubbles && ev.composed).to.equal(true);
    await el.updateComplete;
    expect(frames(el).length).to.equal(1);
    expect(frames(el)[0]!.getAttribute('src')).to.equal(el.chatUrl);
    expect(frames(el)[0]!.title).to.equal('客服会话');
    await waitUntil(() => chatRequests() === 1, 'chat page requested once opened');
    el.close();
    await el.updateComplete;
    expect(panel(el)!.hidden).to.equal(true);
    el.open();
    await el.updateComplete;
    expect(frames(el).length).to.equal(1);
    expect(panel(el)!.hidden).to.equal(false);
  });

  it('opens a panel on desktop and full screen at 375 px', async () => {
    const el = await launcher();
    el.open();
    await el.updateComplete;
    let r = panel(el)!.getBoundingClientRect();
    expect(Math.round(r.width)).to.equal(380);
    expect(r.height).to.be.lessThan(innerHeight);
    el.close();
    await setViewport({ width: 375, height: 667 });
    setTimeout(() => el.open());
    const ev = await oneEvent(el, 'shop-chat-open');
    expect(ev.detail.display).to.equal('fullscreen');
    await el.updateComplete;
    r = panel(el)!.getBoundingClientRect();
    expect([r.left, r.top, r.width, r.height]).to.deep.equal([0, 0, 375, 667]);
    expect(getComputedStyle(panel(el)!).borderRadius).to.equal('0px');
  });

  it('toggles with the keyboard; Esc closes and focus returns to the button', async () => {
    const el = await launcher();
    button(el).focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.isOpen).to.equal(true);
    expect(button(el).getAttribute('aria-expanded')).to.equal('true');
    await waitUntil(() => root(el).activeElement?.getAttribute('part') === 'close-button', 'focus moves into the panel');
    const closed = oneEvent(el, 'shop-chat-close');
    await sendKeys({ press: 'Escape' });
    await closed;
    await el.updateComplete;
    expect(el.isOpen).to.equal(false);
    expect(root(el).activeElement).to.equal(button(el));
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(el.isOpen).to.equal(true);
    await sendKeys({ press: 'Enter' }); // on the close button
    await el.updateComplete;
    expect(el.isOpen).to.equal(false);
    expect(root(el).activeElement).to.equal(button(el));
  });

  it('Esc does nothing when closed, toggle() flips', async () => {
    const el = await launcher();
    let closes = 0;
    el.addEventListener('shop-chat-close', () => closes++);
    await sendKeys({ press: 'Escape' });
    el.toggle();
    expect(el.isOpen).to.equal(true);
    el.toggle();
    expect(el.isOpen).to.equal(false);
    expect(closes).to.equal(1);
  });

  it('is accessible closed and open', async () => {
    const el = await launcher();
    await expect(el).to.be.accessible();
    el.unread = 3;
    el.open();
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('shows the unread badge: hidden at 0, 5, 99+', async () => {
    const el = await launcher();
    const badge = () => root(el).querySelector('[part="badge"]');
    const badgeText = () =>
      [...badge()!.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
    expect(badge()).to.equal(null);
    el.unread = 5;
    await el.updateComplete;
    expect(badgeText()).to.equal('5');
    expect(name(el)).to.equal('在线客服 5 条未读');
    el.unread = 99;
    await el.updateComplete;
    expect(badgeText()).to.equal('99');
    el.unread = 100;
    await el.updateComplete;
    expect(badgeText()).to.equal('99+');
    el.setAttribute('unread', '0');
    await el.updateComplete;
    expect(badge()).to.equal(null);
  });

  it('updates the iframe when the goods or order change while open', async () => {
    const el = await launcher();
    el.goodsInfo = goods;
    el.open();
    await el.updateComplete;
    const frame = frames(el)[0]!;
    expect(parseChatParams(frame.src).goodsInfo?.uid).to.equal('goods_demo_001');
    el.goodsInfo = { ...goods, uid: 'g2' };
    el.orderInfo = order;
    await el.updateComplete;
    expect(frames(el)[0]).to.equal(frame);
    const p = parseChatParams(frame.src);
    expect(p.goodsInfo?.uid).to.equal('g2');
    expect(p.orderInfo?.uid).to.equal('order_demo_001');
  });

  it('fires shop-chat-error for invalid goods-info and leaves it out of the URL', async () => {
    const el = await launcher();
    setTimeout(() => el.setAttribute('goods-info', '{"uid":"x","url":"javascript:alert(1)"}'));
    const ev = await oneEvent(el, 'shop-chat-error');
    expect(ev.detail.reason).to.equal('invalid-info');
    expect(el.chatUrl).not.to.include('goodsInfo');
  });

  it('inside a mini-program web-view navigates the page instead of opening a panel', async () => {
    stubMiniProgram();
    const nav = recordNavigation();
    const el = await launcher();
    setTimeout(() => el.open());
    const ev = await oneEvent(el, 'shop-chat-open');
    expect(ev.detail.display).to.equal('navigate');
    await el.updateComplete;
    expect(nav.assigned).to.deep.equal([el.chatUrl]);
    expect(frames(el).length).to.equal(0);
  });

  it('fetches the widget config with server + shop-uid and uses it', async () => {
    const requests: string[] = [];
    window.fetch = (async (input: RequestInfo | URL) => {
      requests.push(String(input));
      const data = {
        org: 'org_cfg',
        sid: 'wg_cfg',
        t: 1,
        chatUrl: 'https://chat.example.com/chat',
        goodsDetailPath: '/pages/shop/goods',
        orderDetailPath: '/pages/shop/order',
        shop: { name: '演示店铺', logo: null },
      };
      return new Response(JSON.stringify({ message: 'success', code: 200, data }), { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const { navigateToPath: _, ...noPath } = goods;
    const el = await fixture<ShopChatLauncher>(
      html`<shop-chat-launcher server="https://api.example.com/" shop-uid="shop 5&x" .goodsInfo=${noPath}></shop-chat-launcher>`,
    );
    await waitUntil(() => el.config !== undefined, 'config arrives');
    expect(requests).to.deep.equal(['https://api.example.com/api/v1/shop/widget/config?shopUid=shop%205%26x']);
    expect(el.chatUrl.startsWith('https://chat.example.com/chat?')).to.equal(true);
    const p = parseChatParams(el.chatUrl);
    expect(p).to.include({ org: 'org_cfg', sid: 'wg_cfg', t: 1 });
    expect(p.goodsInfo?.navigateToPath).to.equal('/pages/shop/goods');
    await el.updateComplete;
    expect(root(el).querySelector('iframe')).to.equal(null);
  });

  it('does not fetch the config when org and sid are given', async () => {
    let calls = 0;
    window.fetch = (async () => (calls++, new Response('{}'))) as typeof fetch;
    await fixture(html`<shop-chat-launcher org="o" sid="s" server="https://api.example.com" shop-uid="shop_1"></shop-chat-launcher>`);
    await aTimeout(30);
    expect(calls).to.equal(0);
  });

  for (const [what, respond] of [
    ['an error envelope', async () => new Response(JSON.stringify({ message: 'shop not found', code: 404, data: null }), { status: 404 })],
    ['a network failure', async () => Promise.reject(new TypeError('Failed to fetch'))],
    ['a non-JSON body', async () => new Response('<html>oops</html>', { status: 200 })],
  ] as const) {
    it(`on ${what}: fires shop-chat-error, shows "客服暂不可用" and asks again on the next click`, async () => {
      window.fetch = respond as typeof fetch;
      const warn = console.warn;
      const warnings: unknown[][] = [];
      console.warn = (...a: unknown[]) => void warnings.push(a);
      try {
        const el = document.createElement('shop-chat-launcher');
        el.setAttribute('server', 'https://api.example.com');
        el.setAttribute('shop-uid', 'shop_missing');
        el.setAttribute('chat-url', CHAT);
        const error = oneEvent(el, 'shop-chat-error');
        await fixture(html`<div>${el}</div>`);
        const ev = await error;
        expect(ev.detail.reason).to.equal('config');
        expect(ev.detail.message).to.be.a('string').and.not.equal('');
        await el.updateComplete;
        expect(name(el)).to.equal('客服暂不可用');
        expect(button(el).getAttribute('aria-disabled')).to.equal('true');
        button(el).click();
        await aTimeout(30);
        expect(el.isOpen).to.equal(false);
        expect(frames(el).length).to.equal(0);
        expect(warnings.length, 'warned once').to.equal(1);
        expect(String(warnings[0]![0])).to.include(ev.detail.message);
        // the server is back: the next click fetches the config again and opens the chat
        window.fetch = (async () => new Response(JSON.stringify({ code: 200, message: 'ok', data: { org: 'org_9', sid: 'wg_9' } }))) as typeof fetch;
        const opened = oneEvent(el, 'shop-chat-open');
        button(el).click();
        await opened;
        await el.updateComplete;
        expect(el.isOpen).to.equal(true);
        expect(name(el)).to.equal('在线客服');
        expect(parseChatParams(frames(el)[0]!.src)).to.include({ org: 'org_9', sid: 'wg_9' });
        expect(warnings.length).to.equal(1);
      } finally {
        console.warn = warn;
      }
    });
  }

  it('follows mode: dark, and auto with prefers-color-scheme', async () => {
    const el = await launcher();
    el.open();
    await el.updateComplete;
    const bg = () => getComputedStyle(panel(el)!).backgroundColor;
    expect(bg()).to.equal('rgb(255, 255, 255)');
    el.mode = 'dark';
    await el.updateComplete;
    expect(bg()).to.equal('rgb(31, 31, 31)');
    el.mode = 'auto';
    await el.updateComplete;
    expect(bg()).to.equal('rgb(255, 255, 255)');
    await emulateMedia({ colorScheme: 'dark' });
    expect(bg()).to.equal('rgb(31, 31, 31)');
  });

  it('drops its Esc listener when disconnected and restores it when reconnected open', async () => {
    const el = await launcher();
    el.open();
    el.remove();
    let closes = 0;
    el.addEventListener('shop-chat-close', () => closes++);
    await sendKeys({ press: 'Escape' });
    expect(closes).to.equal(0);
    document.body.append(el);
    await sendKeys({ press: 'Escape' });
    expect(closes).to.equal(1);
    el.remove();
  });
});
