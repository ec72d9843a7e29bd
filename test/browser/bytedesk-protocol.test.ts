// The launcher against a fake of the real Bytedesk visitor page (fixtures/bytedesk-chat.html): the
// URL as that page reads it, its iframe messages both ways, the unread count, the failure states.
import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import '../../src/widget/index.ts';
import type { ShopChatLauncher } from '../../src/widget/index.ts';
import { launcherTiming, visitorStorageKey } from '../../src/widget/launcher/launcher.ts';
import { goods, order, recordNavigation, restoreEnvironment } from './helpers.ts';

const FAKE = '/test/browser/fixtures/bytedesk-chat.html';
const API = `${location.origin}/fake-bytedesk`;

interface FakePage {
  page: Record<string, unknown> & { goodsInfo?: Record<string, unknown>; orderInfo?: Record<string, unknown> };
  loadId: number;
  received: Array<{ data: Record<string, unknown>; origin: string }>;
}

const root = (el: ShopChatLauncher) => el.shadowRoot!;
const button = (el: ShopChatLauncher) => root(el).querySelector<HTMLButtonElement>('[part="button"]')!;
const panel = (el: ShopChatLauncher) => root(el).querySelector<HTMLElement>('[part="panel"]')!;
const status = (el: ShopChatLauncher) => root(el).querySelector<HTMLElement>('[part="status"]')!;
const frame = (el: ShopChatLauncher) => root(el).querySelector('iframe')!;
const fake = (el: ShopChatLauncher) => frame(el).contentWindow as unknown as FakePage;
const name = (el: ShopChatLauncher) => button(el).textContent!.replace(/\s+/g, ' ').trim();

/** The fake page posts `message` to the host, as the real page's buttons and bubbles do. */
const post = (el: ShopChatLauncher, message: unknown) => frame(el).contentWindow!.postMessage({ cmd: 'post', message }, '*');

async function loaded(el: ShopChatLauncher): Promise<FakePage> {
  await waitUntil(() => {
    try {
      return !!fake(el)?.page;
    } catch {
      return false;
    }
  }, 'the fake chat page loaded');
  return fake(el);
}

async function opened(template = html`<shop-chat-launcher org="org_1" sid="wg_1" chat-url=${FAKE}></shop-chat-launcher>`) {
  const el = await fixture<ShopChatLauncher>(template);
  el.open();
  await el.updateComplete;
  await loaded(el);
  return el;
}

/** Records the URLs the page fetches (the requests still go out). */
function spyFetch(): string[] {
  const urls: string[] = [];
  const real = window.fetch;
  window.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    urls.push(String(input));
    return real(input, init);
  }) as typeof fetch;
  return urls;
}

describe('the launcher speaks the real Bytedesk page\'s language', () => {
  const realFetch = window.fetch;
  const saved = { ...launcherTiming };
  beforeEach(() => localStorage.clear());
  afterEach(async () => {
    restoreEnvironment();
    window.fetch = realFetch;
    Object.assign(launcherTiming, saved);
    localStorage.clear();
    await setViewport({ width: 1024, height: 768 });
    await emulateMedia({ colorScheme: 'light' });
  });

  describe('the URL, as the page reads it', () => {
    it('cards normalised (title, numeric price, one goods object), visitorUid not uid, navbar=0, mode=system, lang code', async () => {
      const looseGoods = { goodsUid: 'g_loose', title: '云朵枕头', price: '99.50', extra: { sku: 'A-1' } };
      const listOrder = { ...order, goods: [order.goods, { uid: 'g2', title: '第二件', price: 5 }] };
      const page = (
        await loaded(
          await opened(
            html`<shop-chat-launcher org="org_1" sid="wg_1" chat-url=${FAKE} visitor-uid="user_42" nickname="小明" avatar="https://example.com/a.png"
              mode="auto" lang="en-US" .goodsInfo=${looseGoods} .orderInfo=${listOrder}></shop-chat-launcher>`,
          ),
        )
      ).page;
      expect(page.goodsInfo).to.deep.equal({ uid: 'g_loose', title: '云朵枕头', price: 99.5, extra: '{"sku":"A-1"}' });
      expect(page.orderInfo!.goods).to.deep.equal(order.goods);
      expect(Array.isArray(page.orderInfo!.goods)).to.equal(false);
      expect((page.orderInfo!.goodsList as unknown[]).length).to.equal(2);
      expect(page).to.include({ org: 'org_1', sid: 'wg_1', t: '1', visitorUid: 'user_42', nickname: '小明', avatar: 'https://example.com/a.png' });
      expect(page.uid).to.equal(null);
      expect(page.navbar).to.equal('0');
      expect(page.mode).to.equal('system');
      expect(page.lang).to.equal('en');
    });

    it('the visitor property (setVisitor) adds mobile, email, note and vipLevel; the attributes win', async () => {
      const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="o" sid="s" chat-url=${FAKE} nickname="attr"></shop-chat-launcher>`);
      el.visitor = { visitorUid: 'u9', nickname: 'prop', mobile: '13800138000', email: 'a@example.com', note: 'VIP', vipLevel: 2 };
      el.open();
      await el.updateComplete;
      const { page } = await loaded(el);
      expect(page).to.include({ visitorUid: 'u9', nickname: 'attr', mobile: '13800138000', email: 'a@example.com', note: 'VIP', vipLevel: '2' });
    });

    it('a language the page does not have is left out', async () => {
      const { page } = await loaded(await opened(html`<shop-chat-launcher org="o" sid="s" chat-url=${FAKE} lang="de-DE"></shop-chat-launcher>`));
      expect(page.lang).to.equal(null);
      expect(page.mode).to.equal(null);
    });
  });

  describe('messages from the chat page', () => {
    for (const type of ['CLOSE_CHAT_WINDOW', 'MINIMIZE_WINDOW']) {
      it(`${type} closes the panel and puts focus on the button`, async () => {
        const el = await opened();
        frame(el).focus();
        const closed = oneEvent(el, 'shop-chat-close');
        post(el, { type });
        await closed;
        await el.updateComplete;
        expect(el.isOpen).to.equal(false);
        expect(panel(el).hidden).to.equal(true);
        await waitUntil(() => root(el).activeElement === button(el), 'focus on the button');
      });
    }

    it('MAXIMIZE_WINDOW toggles the larger panel, reflected as the maximized attribute', async () => {
      const el = await opened();
      const before = panel(el).getBoundingClientRect();
      post(el, { type: 'MAXIMIZE_WINDOW' });
      await waitUntil(() => el.hasAttribute('maximized'), 'maximized');
      expect(el.maximized).to.equal(true);
      await el.updateComplete;
      const after = panel(el).getBoundingClientRect();
      expect(after.width).to.be.greaterThan(before.width);
      expect(after.height).to.be.greaterThan(before.height);
      post(el, { type: 'MAXIMIZE_WINDOW' });
      await waitUntil(() => !el.hasAttribute('maximized'), 'back to normal');
      expect(panel(el).getBoundingClientRect().width).to.equal(before.width);
    });

    it('MESSAGE_BUBBLE_CLICK fires shop-chat-message-click, then goes to the card url', async () => {
      const nav = recordNavigation();
      const el = await opened();
      const clicked = oneEvent(el, 'shop-chat-message-click');
      post(el, { type: 'MESSAGE_BUBBLE_CLICK', uid: 'msg_1', clickedMessageType: 'GOODS', content: JSON.stringify(goods), extra: '{"a":1}', position: 'right' });
      const ev = await clicked;
      expect(ev.bubbles && ev.composed && ev.cancelable).to.equal(true);
      expect(ev.detail).to.deep.equal({ type: 'GOODS', uid: 'msg_1', content: goods, navigateToPath: goods.navigateToPath, extra: { a: 1 } });
      expect(nav.assigned).to.deep.equal([goods.url]);
    });

    it('a cancelled shop-chat-message-click, or a card without an http(s) url, navigates nowhere', async () => {
      const nav = recordNavigation();
      const el = await opened();
      el.addEventListener('shop-chat-message-click', (e) => e.preventDefault(), { once: true });
      let seen = oneEvent(el, 'shop-chat-message-click');
      post(el, { type: 'MESSAGE_BUBBLE_CLICK', uid: 'm1', clickedMessageType: 'GOODS', content: goods });
      await seen;
      seen = oneEvent(el, 'shop-chat-message-click');
      post(el, { type: 'MESSAGE_BUBBLE_CLICK', uid: 'm2', clickedMessageType: 'GOODS', content: { uid: 'g', url: 'javascript:alert(1)' } });
      expect((await seen).detail.navigateToPath).to.equal(undefined);
      seen = oneEvent(el, 'shop-chat-message-click');
      post(el, { type: 'MESSAGE_BUBBLE_CLICK', uid: 'm3', clickedMessageType: 'TEXT', content: 'hello {' });
      expect((await seen).detail).to.include({ type: 'TEXT', content: 'hello {' });
      expect(nav.assigned).to.deep.equal([]);
    });

    it('LOCALSTORAGE_RESPONSE keeps the Bytedesk ids per org; on close the badge shows the served count', async () => {
      const urls = spyFetch();
      const el = await opened(html`<shop-chat-launcher org="org_1" sid="wg_1" chat-url=${FAKE} api-url=${API}></shop-chat-launcher>`);
      post(el, { type: 'LOCALSTORAGE_RESPONSE', uid: 'bd_n7', visitorUid: 'user_42' });
      await waitUntil(() => localStorage.getItem(visitorStorageKey('org_1')), 'stored');
      expect(JSON.parse(localStorage.getItem('shop-chat:org_1')!)).to.deep.equal({ uid: 'bd_n7', visitorUid: 'user_42' });
      const unread = oneEvent(el, 'shop-chat-unread');
      el.close();
      expect((await unread).detail).to.deep.equal({ count: 7 });
      await el.updateComplete;
      expect(el.unread).to.equal(7);
      expect(name(el)).to.equal('在线客服 7 条未读');
      expect(urls).to.deep.equal([`${API}/visitor/api/v1/message/unread/count?uid=bd_n7&visitorUid=user_42&orgUid=org_1&client=WEB_FLOAT`]);
      const zero = oneEvent(el, 'shop-chat-unread');
      el.open();
      expect((await zero).detail).to.deep.equal({ count: 0 });
      await el.updateComplete;
      expect(root(el).querySelector('[part="badge"]')).to.equal(null);
    });

    it('messages from another window or another origin are ignored', async () => {
      const el = await opened();
      // another frame of the same origin posts to the host
      const other = document.createElement('iframe');
      other.src = FAKE;
      document.body.append(other);
      await waitUntil(() => (other.contentWindow as unknown as FakePage)?.page, 'other frame');
      other.contentWindow!.postMessage({ cmd: 'post', message: { type: 'CLOSE_CHAT_WINDOW' } }, '*');
      // the panel's own iframe, navigated to another origin, posts too
      const otherOrigin = location.href.includes('localhost') ? location.origin.replace('localhost', '127.0.0.1') : location.origin.replace('127.0.0.1', 'localhost');
      let received = 0;
      const count = (e: MessageEvent) => void (e.data?.type === 'MAXIMIZE_WINDOW' && received++);
      window.addEventListener('message', count);
      frame(el).contentWindow!.postMessage({ cmd: 'goto', url: otherOrigin + FAKE }, '*');
      await waitUntil(() => {
        try {
          return frame(el).contentWindow!.location.href === 'never';
        } catch {
          return true; // cross-origin now
        }
      }, 'the frame went to another origin');
      await aTimeout(300);
      frame(el).contentWindow!.postMessage({ cmd: 'post', message: { type: 'MAXIMIZE_WINDOW' } }, '*');
      await waitUntil(() => received > 0, 'the cross-origin message arrived');
      await aTimeout(50);
      window.removeEventListener('message', count);
      other.remove();
      expect(el.isOpen).to.equal(true);
      expect(el.maximized).to.equal(false);
    });
  });

  describe('messages to the chat page', () => {
    it('changing mode or lang posts to the iframe (its origin as target) and never reloads it', async () => {
      const el = await opened();
      const win = fake(el);
      const { loadId } = win;
      const src = frame(el).src;
      el.mode = 'dark';
      await el.updateComplete;
      el.lang = 'en';
      await el.updateComplete;
      el.mode = 'auto';
      await el.updateComplete;
      await waitUntil(() => win.received.length >= 3, 'three messages');
      expect(win.received.map((r) => r.data)).to.deep.equal([
        { type: 'BYTEDESK_IFRAME_THEME_MODE_SYNC', mode: 'dark' },
        { type: 'BYTEDESK_IFRAME_LANG_SYNC', lang: 'en' },
        { type: 'BYTEDESK_IFRAME_THEME_MODE_SYNC', mode: 'system' },
      ]);
      expect(win.received.every((r) => r.origin === location.origin)).to.equal(true);
      expect(fake(el).loadId).to.equal(loadId);
      expect(frame(el).src).to.equal(src);
      // a new product still reloads (the page reads cards from its URL only)
      el.goodsInfo = goods;
      await el.updateComplete;
      expect(frame(el).src).to.not.equal(src);
    });

    it('a change while closed is posted on reopening, without a reload', async () => {
      const el = await opened();
      const win = fake(el);
      el.close();
      el.mode = 'dark';
      await el.updateComplete;
      el.open();
      await el.updateComplete;
      await waitUntil(() => win.received.length === 1, 'posted on reopening');
      expect(win.received[0]!.data).to.deep.equal({ type: 'BYTEDESK_IFRAME_THEME_MODE_SYNC', mode: 'dark' });
      expect(fake(el).loadId).to.equal(win.loadId);
    });
  });

  describe('unread count', () => {
    it('polls while closed and visible, not while open', async () => {
      launcherTiming.poll = 40;
      localStorage.setItem(visitorStorageKey('org_1'), JSON.stringify({ uid: 'bd_n3' }));
      const urls = spyFetch();
      const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="org_1" sid="wg_1" chat-url=${FAKE} api-url=${API}></shop-chat-launcher>`);
      await waitUntil(() => el.unread === 3, 'count from the fake endpoint');
      await aTimeout(200);
      expect(urls.length).to.be.greaterThan(2);
      expect(urls[0]).to.equal(`${API}/visitor/api/v1/message/unread/count?uid=bd_n3&orgUid=org_1&client=WEB_FLOAT`);
      el.open();
      const during = urls.length;
      await aTimeout(200);
      expect(urls.length).to.equal(during);
    });

    it('the widget config apiUrl is the fallback API base', async () => {
      localStorage.setItem(visitorStorageKey('org_c'), JSON.stringify({ uid: 'bd_n4' }));
      const real = window.fetch;
      window.fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
        String(input).includes('/widget/config')
          ? Promise.resolve(new Response(JSON.stringify({ code: 200, message: 'ok', data: { org: 'org_c', sid: 'wg_c', apiUrl: API } })))
          : real(input, init)) as typeof fetch;
      const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher server="https://shop.example.com" shop-uid="s1"></shop-chat-launcher>`);
      await waitUntil(() => el.unread === 4, 'count via the config apiUrl');
    });

    it('errors back off and reach the console once', async () => {
      launcherTiming.poll = 40;
      localStorage.setItem(visitorStorageKey('org_1'), JSON.stringify({ uid: 'bd_fail' }));
      const warn = console.warn;
      const warnings: unknown[] = [];
      console.warn = (...a: unknown[]) => void warnings.push(a);
      try {
        const urls = spyFetch();
        const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="org_1" sid="wg_1" api-url=${API}></shop-chat-launcher>`);
        await aTimeout(1000);
        // 40, 80, 160, 320, 640 ms apart: about 5 requests in a second, not 25
        expect(urls.length).to.be.within(3, 7);
        expect(warnings.length).to.equal(1);
        expect(el.unread).to.equal(0);
        el.remove();
      } finally {
        console.warn = warn;
      }
    });
  });

  describe('failure states', () => {
    it('without org and sid: a disabled "Chat unavailable" button that opens nothing, one warning', async () => {
      const warn = console.warn;
      const warnings: unknown[] = [];
      console.warn = (...a: unknown[]) => void warnings.push(a);
      try {
        const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher lang="en" org="org_only" position="inline"></shop-chat-launcher>`);
        expect(name(el)).to.equal('Chat unavailable');
        expect(button(el).getAttribute('aria-disabled')).to.equal('true');
        button(el).click();
        button(el).click();
        await aTimeout(30);
        expect(el.isOpen).to.equal(false);
        expect(root(el).querySelector('iframe')).to.equal(null);
        expect(warnings.length).to.equal(1);
        el.sid = 'wg_1';
        await el.updateComplete;
        expect(name(el)).to.equal('Chat with us');
        expect(button(el).hasAttribute('aria-disabled')).to.equal(false);
      } finally {
        console.warn = warn;
      }
    });

    it('a loading state until the chat page loads', async () => {
      const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="o" sid="s" chat-url=${FAKE}></shop-chat-launcher>`);
      el.open();
      await el.updateComplete;
      expect(status(el).hidden).to.equal(false);
      expect(status(el).getAttribute('role')).to.equal('status');
      expect(status(el).textContent).to.equal('正在连接客服…');
      await loaded(el);
      await waitUntil(() => status(el).hidden, 'the loading state goes');
    });

    it('not loaded in time: a message with a link that opens the chat in a new tab', async () => {
      launcherTiming.load = 150;
      const el = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="o" sid="s" lang="en" chat-url="/fake-bytedesk/never"></shop-chat-launcher>`);
      el.open();
      await el.updateComplete;
      await waitUntil(() => status(el).textContent!.includes('did not load'), 'the slow message');
      const link = status(el).querySelector('a')!;
      expect(link.hidden).to.equal(false);
      expect(link.textContent).to.equal('Open it in a new tab');
      expect(link.getAttribute('href')).to.equal(el.chatUrl);
      expect(link.target).to.equal('_blank');
      expect(link.rel).to.equal('noopener');
      await expect(el).to.be.accessible();
    });

    it('full screen on phones: aria-modal and the page behind does not scroll; both undone on close', async () => {
      await setViewport({ width: 375, height: 700 });
      document.documentElement.style.overflow = 'clip';
      const el = await opened();
      expect(panel(el).getAttribute('aria-modal')).to.equal('true');
      expect(document.documentElement.style.overflow).to.equal('hidden');
      el.close();
      await el.updateComplete;
      expect(document.documentElement.style.overflow).to.equal('clip');
      document.documentElement.style.overflow = '';
      await setViewport({ width: 1024, height: 768 });
      el.open();
      await el.updateComplete;
      expect(panel(el).hasAttribute('aria-modal')).to.equal(false);
      expect(document.documentElement.style.overflow).to.equal('');
    });
  });

  describe('accessibility (axe)', () => {
    for (const scheme of ['light', 'dark'] as const) {
      it(`launcher closed, open, maximized, disabled and loading; both cards (${scheme})`, async () => {
        await emulateMedia({ colorScheme: scheme });
        const mode = scheme === 'dark' ? 'dark' : 'light';
        const closed = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="o" sid="s" mode=${mode} chat-url=${FAKE} unread="3"></shop-chat-launcher>`);
        await expect(closed).to.be.accessible();
        const open = await opened(html`<shop-chat-launcher org="o" sid="s" mode=${mode} chat-url=${FAKE}></shop-chat-launcher>`);
        await waitUntil(() => status(open).hidden, 'loaded');
        await expect(open).to.be.accessible();
        open.maximized = true;
        await open.updateComplete;
        await expect(open).to.be.accessible();
        const disabled = await fixture<ShopChatLauncher>(html`<shop-chat-launcher mode=${mode} position="inline"></shop-chat-launcher>`);
        await expect(disabled).to.be.accessible();
        const loading = await fixture<ShopChatLauncher>(html`<shop-chat-launcher org="o" sid="s" mode=${mode} chat-url="/fake-bytedesk/never"></shop-chat-launcher>`);
        loading.open();
        await loading.updateComplete;
        expect(status(loading).hidden).to.equal(false);
        await expect(loading).to.be.accessible();
        await expect(await fixture(html`<shop-chat-goods-card mode=${mode} .info=${goods}></shop-chat-goods-card>`)).to.be.accessible();
        await expect(await fixture(html`<shop-chat-order-card mode=${mode} .info=${order}></shop-chat-order-card>`)).to.be.accessible();
      });
    }
  });
});
