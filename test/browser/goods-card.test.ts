import { aTimeout, expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/widget/index.ts';
import type { ShopChatGoodsCard } from '../../src/widget/index.ts';
import { goods, recordNavigation, restoreEnvironment, stubMiniProgram, withoutPayload } from './helpers.ts';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);
const text = (el: Element, name: string) => part(el, name)?.textContent?.trim();

describe('<shop-chat-goods-card>', () => {
  afterEach(restoreEnvironment);

  it('renders image, title, description, price, quantity and tags', async () => {
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    expect(text(el, 'title')).to.equal('演示商品');
    expect(text(el, 'description')).to.equal('商品描述');
    expect(text(el, 'price')).to.equal('¥99.00');
    expect(text(el, 'quantity')).to.equal('数量 1');
    expect([...el.shadowRoot!.querySelectorAll('[part="tag"]')].map((t) => t.textContent)).to.deep.equal(['新品', '包邮']);
    const img = part(el, 'image') as HTMLImageElement;
    expect(img.getAttribute('src')).to.equal('https://example.com/goods.png');
    expect(img.getAttribute('loading')).to.equal('lazy');
    expect(img.alt).to.equal('演示商品');
    const card = part(el, 'card')!;
    expect(card.getAttribute('role')).to.equal('link');
    expect(card.getAttribute('tabindex')).to.equal('0');
    expect(card.getAttribute('aria-label')).to.equal(null); // name from content: title, price …
  });

  it('clamps the description to two lines', async () => {
    const long = '很长的描述'.repeat(50);
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${{ ...goods, description: long }}></shop-chat-goods-card>`);
    const d = part(el, 'description') as HTMLElement;
    expect(getComputedStyle(d).webkitLineClamp).to.equal('2');
    const lineHeight = parseFloat(getComputedStyle(d).lineHeight);
    expect(d.getBoundingClientRect().height).to.be.at.most(lineHeight * 2 + 1);
  });

  it('reads the info attribute as JSON, accepts goodsUid and numeric strings', async () => {
    const el = await fixture<ShopChatGoodsCard>(
      html`<shop-chat-goods-card info=${JSON.stringify({ goodsUid: 'g1', title: 'T', price: '12.5' })}></shop-chat-goods-card>`,
    );
    expect(el.value?.uid).to.equal('g1');
    expect(text(el, 'price')).to.equal('¥12.50');
  });

  it('speaks English with lang="en", and follows <html lang>', async () => {
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card lang="en" .info=${goods}></shop-chat-goods-card>`);
    expect(text(el, 'quantity')).to.equal('Qty 1');
    document.documentElement.lang = 'en-US';
    const el2 = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${{ ...goods, status: 'OFF_SHELF' }}></shop-chat-goods-card>`);
    expect(text(el2, 'off-shelf')).to.equal('Off shelf');
  });

  it('shows an empty state and fires shop-chat-error for invalid info', async () => {
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card></shop-chat-goods-card>`);
    expect(el.shadowRoot!.querySelector('[part="card"]')).to.equal(null);
    setTimeout(() => el.setAttribute('info', '{not json'));
    const ev = await oneEvent(el, 'shop-chat-error');
    expect(ev.detail.reason).to.equal('invalid-info');
    await el.updateComplete;
    expect(text(el, 'card')).to.equal('无法显示该卡片');
    expect(part(el, 'card')!.getAttribute('role')).to.equal(null);
    el.info = { ...goods, image: 'javascript:alert(1)' };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect(el.value).to.equal(undefined);
  });

  it('is accessible', async () => {
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    await expect(el).to.be.accessible();
    const dark = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card mode="dark" .info=${goods}></shop-chat-goods-card>`);
    await expect(dark).to.be.accessible();
  });

  it('switches colours with mode, and tokens override them', async () => {
    const light = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    const dark = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card mode="dark" .info=${goods}></shop-chat-goods-card>`);
    const bg = (el: Element) => getComputedStyle(part(el, 'card')!).backgroundColor;
    expect(bg(light)).to.equal('rgb(255, 255, 255)');
    expect(bg(dark)).to.equal('rgb(31, 31, 31)');
    dark.style.setProperty('--shop-chat-color-bg', 'rgb(1, 2, 3)');
    expect(bg(dark)).to.equal('rgb(1, 2, 3)');
  });

  it('activates with Enter and Space', async () => {
    recordNavigation();
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    const kinds: string[] = [];
    el.addEventListener('shop-chat-card-click', (e) => kinds.push(e.detail.kind));
    (part(el, 'card') as HTMLElement).focus();
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'Space' });
    await sendKeys({ press: 'Tab' });
    expect(kinds).to.deep.equal(['goods', 'goods']);
  });

  it('click fires a bubbling, composed, cancelable event with kind, info and path', async () => {
    recordNavigation();
    const el = await fixture<ShopChatGoodsCard>(html`<div><shop-chat-goods-card .info=${goods}></shop-chat-goods-card></div>`);
    const card = el.querySelector('shop-chat-goods-card')!;
    setTimeout(() => (part(card, 'card') as HTMLElement).click());
    const ev = await oneEvent(el, 'shop-chat-card-click');
    expect(ev.bubbles && ev.composed && ev.cancelable).to.equal(true);
    expect(ev.detail.kind).to.equal('goods');
    expect(ev.detail.info.uid).to.equal('goods_demo_001');
    expect(ev.detail.path).to.equal(goods.navigateToPath);
  });

  it('in a mini-program: navigateTo the own path, then the server default, then the built-in default', async () => {
    const calls = stubMiniProgram();
    const nav = recordNavigation();
    const own = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    (part(own, 'card') as HTMLElement).click();
    const { navigateToPath: _, ...noPath } = goods;
    const server = await fixture<ShopChatGoodsCard>(
      html`<shop-chat-goods-card goods-detail-path="/pages/item/index?from=chat" .info=${noPath}></shop-chat-goods-card>`,
    );
    (part(server, 'card') as HTMLElement).click();
    const builtin = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${noPath}></shop-chat-goods-card>`);
    (part(builtin, 'card') as HTMLElement).click();
    // each path carries the card as ?payload= (JSON), as Bytedesk's detail pages read it
    expect(calls.map(withoutPayload)).to.deep.equal([
      ['navigateTo', goods.navigateToPath, own.value],
      ['navigateTo', '/pages/item/index?from=chat', server.value],
      ['navigateTo', '/pages/goods/detail/index', builtin.value],
    ]);
    expect(calls[2]![1]).to.equal(`/pages/goods/detail/index?payload=${encodeURIComponent(JSON.stringify(builtin.value))}`);
    expect((builtin.value as { title?: string }).title).to.equal(goods.title);
    expect(nav.opened).to.deep.equal([]);
  });

  it('in a mini-program: falls back to switchTab (path without query) when navigateTo fails', async () => {
    const calls = stubMiniProgram({ navigateFails: true });
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    (part(el, 'card') as HTMLElement).click();
    expect(calls.map(withoutPayload)).to.deep.equal([
      ['navigateTo', goods.navigateToPath, el.value],
      // WeChat's switchTab takes no query: the payload cannot go along
      ['switchTab', '/pages/goods/detail/index', undefined],
    ]);
  });

  it('detects the mini-program from the user agent too', async () => {
    Object.defineProperty(navigator, 'userAgent', { value: 'Mozilla/5.0 MicroMessenger/8.0 miniProgram', configurable: true });
    const calls = stubMiniProgram();
    delete window.__wxjs_environment;
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    (part(el, 'card') as HTMLElement).click();
    expect(calls.map(withoutPayload)).to.deep.equal([['navigateTo', goods.navigateToPath, el.value]]);
  });

  it('reports a missing wx.miniProgram instead of navigating elsewhere', async () => {
    stubMiniProgram({ wx: false });
    const nav = recordNavigation();
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    setTimeout(() => (part(el, 'card') as HTMLElement).click());
    const ev = await oneEvent(el, 'shop-chat-error');
    expect(ev.detail.reason).to.equal('wx-unavailable');
    expect(nav.opened).to.deep.equal([]);
  });

  it('a cancelled event does nothing', async () => {
    const calls = stubMiniProgram();
    const nav = recordNavigation();
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    el.addEventListener('shop-chat-card-click', (e) => e.preventDefault());
    (part(el, 'card') as HTMLElement).click();
    delete window.__wxjs_environment;
    delete window.wx;
    (part(el, 'card') as HTMLElement).click();
    expect(calls).to.deep.equal([]);
    expect(nav.opened).to.deep.equal([]);
  });

  it('outside a mini-program opens the http(s) url, never a javascript: url', async () => {
    const nav = recordNavigation();
    const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
    (part(el, 'card') as HTMLElement).click();
    expect(nav.opened).to.deep.equal(['https://example.com/goods/1']);
    for (const url of ['javascript:window.__xss=1', 'JaVaScRiPt:window.__xss=1', ' javascript:1', 'data:text/html,x', '//evil.example/x']) {
      el.info = { ...goods, url };
      await el.updateComplete;
      el.activate();
      (part(el, 'card') as HTMLElement).click();
    }
    const { url: _, ...noUrl } = goods;
    el.info = noUrl;
    await el.updateComplete;
    (part(el, 'card') as HTMLElement).click();
    await aTimeout(20);
    expect(nav.opened).to.deep.equal(['https://example.com/goods/1']);
    expect((window as { __xss?: unknown }).__xss).to.equal(undefined);
  });

  it('the default navigation opens a new browsing context with the url', async () => {
    const opened: unknown[][] = [];
    const realOpen = window.open;
    window.open = ((...args: unknown[]) => (opened.push(args), null)) as typeof window.open;
    try {
      const el = await fixture<ShopChatGoodsCard>(html`<shop-chat-goods-card .info=${goods}></shop-chat-goods-card>`);
      (part(el, 'card') as HTMLElement).click();
    } finally {
      window.open = realOpen;
    }
    expect(opened).to.deep.equal([['https://example.com/goods/1', '_blank', 'noopener']]);
  });
});
