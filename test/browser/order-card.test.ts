import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/widget/index.ts';
import type { ShopChatOrderCard } from '../../src/widget/index.ts';
import { goods, order, recordNavigation, restoreEnvironment, stubMiniProgram, withoutPayload } from './helpers.ts';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);
const text = (el: Element, name: string) => part(el, name)?.textContent?.replace(/\s+/g, ' ').trim();

describe('<shop-chat-order-card>', () => {
  afterEach(restoreEnvironment);

  it('renders number, status text, goods, total, payment, time and the recipient name', async () => {
    const el = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${order}></shop-chat-order-card>`);
    expect(text(el, 'order-uid')).to.equal('订单 order_demo_001');
    expect(text(el, 'status')).to.equal('待发货');
    expect(text(el, 'total')).to.equal('¥99.00');
    expect(text(el, 'payment')).to.equal('支付方式: 支付宝');
    expect(text(el, 'time')).to.equal('下单时间: 2026-03-11 10:30:00');
    expect(text(el, 'receiver')).to.equal('收货人: 张三');
    expect(el.shadowRoot!.querySelectorAll('[part~="goods"]').length).to.equal(1);
    expect(text(el, 'title')).to.equal('演示商品');
    expect(text(el, 'quantity')).to.equal('×1');
    const card = part(el, 'card')!;
    expect(card.getAttribute('role')).to.equal('link');
    expect(card.getAttribute('tabindex')).to.equal('0');
  });

  it('never renders the phone number or street address', async () => {
    const el = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${order}></shop-chat-order-card>`);
    const all = el.shadowRoot!.textContent!;
    expect(all).not.to.include('13800138000');
    expect(all).not.to.include('浦东');
  });

  it('falls back to status, renders a list of goods, and speaks English', async () => {
    const info = { ...order, statusText: undefined, goods: [goods, { ...goods, uid: 'g2', title: '第二件', price: 10, quantity: 3 }] };
    const el = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card lang="en" .info=${info}></shop-chat-order-card>`);
    expect(text(el, 'status')).to.equal('paid');
    const rows = [...el.shadowRoot!.querySelectorAll('[part~="goods"]')];
    expect(rows.map((r) => r.querySelector('[part="title"]')!.textContent)).to.deep.equal(['演示商品', '第二件']);
    expect(text(el, 'payment')).to.equal('Payment: 支付宝');
    expect(text(el, 'order-uid')).to.equal('Order order_demo_001');
    expect(text(el, 'total')).to.match(/99\.00/);
  });

  it('reads the info attribute as JSON and shows an empty state when invalid', async () => {
    const el = await fixture<ShopChatOrderCard>(
      html`<shop-chat-order-card info=${JSON.stringify({ uid: 'o1', totalAmount: '5' })}></shop-chat-order-card>`,
    );
    expect(text(el, 'total')).to.equal('¥5.00');
    setTimeout(() => el.setAttribute('info', JSON.stringify({ uid: 'o1', navigateToPath: 'https://evil.example/' })));
    const ev = await oneEvent(el, 'shop-chat-error');
    expect(ev.detail.message).to.include('navigateToPath');
    await el.updateComplete;
    expect(text(el, 'card')).to.equal('无法显示该卡片');
  });

  it('is accessible', async () => {
    const el = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${order}></shop-chat-order-card>`);
    await expect(el).to.be.accessible();
  });

  it('in a mini-program: navigateTo the own path, the server default, the built-in default; switchTab fallback', async () => {
    const calls = stubMiniProgram();
    const { navigateToPath: _, ...noPath } = order;
    const own = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${order}></shop-chat-order-card>`);
    const server = await fixture<ShopChatOrderCard>(
      html`<shop-chat-order-card order-detail-path="/pages/orders/show" .info=${noPath}></shop-chat-order-card>`,
    );
    const builtin = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${noPath}></shop-chat-order-card>`);
    for (const el of [own, server, builtin]) (part(el, 'card') as HTMLElement).click();
    expect(calls.map(withoutPayload)).to.deep.equal([
      ['navigateTo', order.navigateToPath, own.value],
      ['navigateTo', '/pages/orders/show', server.value],
      ['navigateTo', '/pages/order/detail/index', builtin.value],
    ]);
    const failing = stubMiniProgram({ navigateFails: true });
    (part(own, 'card') as HTMLElement).focus();
    await sendKeys({ press: 'Enter' });
    expect(failing.map(withoutPayload)).to.deep.equal([
      ['navigateTo', order.navigateToPath, own.value],
      ['switchTab', '/pages/order/detail/index', undefined],
    ]);
  });

  it('a cancelled event does nothing; outside a mini-program nothing is opened (orders have no url)', async () => {
    const calls = stubMiniProgram();
    const nav = recordNavigation();
    const el = await fixture<ShopChatOrderCard>(html`<shop-chat-order-card .info=${order}></shop-chat-order-card>`);
    const cancel = (e: Event) => e.preventDefault();
    el.addEventListener('shop-chat-card-click', cancel);
    (part(el, 'card') as HTMLElement).click();
    expect(calls).to.deep.equal([]);
    el.removeEventListener('shop-chat-card-click', cancel);
    delete window.__wxjs_environment;
    setTimeout(() => (part(el, 'card') as HTMLElement).click());
    const ev = await oneEvent(el, 'shop-chat-card-click');
    expect(ev.detail).to.include({ kind: 'order', path: order.navigateToPath });
    expect(calls).to.deep.equal([]);
    expect(nav.opened).to.deep.equal([]);
  });
});
