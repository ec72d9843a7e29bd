// shop-chat/react as built (dist/react.js, the widget from dist/shop-chat.js) under React 19:
// properties set as properties, events as on… props, the ref is the element.
import { expect, waitUntil } from '@open-wc/testing';
import { createElement, createRef, version } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import type * as Wrappers from '../../src/react/index.ts';
import type { ShopChatLauncher as LauncherElement, ShopChatOpenEvent } from '../../src/widget/index.ts';
import { CHAT, goods } from './helpers.ts';

// The built file, as a consumer imports it (the widget from dist/shop-chat.js), typed by its source.
const { ShopChatGoodsCard, ShopChatLauncher } = (await import('../../dist/react.js' as string)) as typeof Wrappers;

describe('shop-chat/react (React 19)', () => {
  let host: HTMLElement;
  let root: Root;
  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    root.unmount();
    host.remove();
  });
  const render = (node: Parameters<Root['render']>[0]) => flushSync(() => root.render(node));

  it('renders the launcher with object properties, and its events reach on… props', async () => {
    expect(version).to.match(/^19\./);
    const ref = createRef<LauncherElement>();
    const opened: string[] = [];
    render(
      createElement(ShopChatLauncher, {
        ref,
        org: 'org_1',
        sid: 'wg_1',
        chatBaseUrl: CHAT,
        goodsInfo: goods,
        position: 'inline',
        onShopChatOpen: (e: ShopChatOpenEvent) => opened.push(e.detail.chatUrl),
      }),
    );
    const el = host.querySelector('shop-chat-launcher')!;
    expect(ref.current).to.equal(el);
    expect(el.goodsInfo, 'set as a property, not a string attribute').to.equal(goods);
    expect(el.hasAttribute('goodsinfo')).to.equal(false);
    await el.updateComplete;
    expect(el.chatUrl).to.contain(`goodsInfo=${encodeURIComponent(JSON.stringify(goods)).slice(0, 20)}`);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part="button"]')!.click();
    expect(opened).to.deep.equal([el.chatUrl]);

    // A new handler replaces the old one; removing the prop removes the listener.
    const second: string[] = [];
    render(createElement(ShopChatLauncher, { ref, org: 'org_1', sid: 'wg_1', chatBaseUrl: CHAT, position: 'inline', onShopChatClose: () => second.push('close') }));
    el.close();
    el.open();
    expect(opened.length).to.equal(1);
    el.close();
    expect(second).to.deep.equal(['close', 'close']);
  });

  it('a card renders its info object and reports clicks through onShopChatCardClick', async () => {
    const clicks: string[] = [];
    render(
      createElement(ShopChatGoodsCard, {
        info: goods,
        onShopChatCardClick: (e: CustomEvent<{ kind: string; info: { uid: string } }>) => {
          e.preventDefault();
          clicks.push(`${e.detail.kind} ${e.detail.info.uid}`);
        },
      }),
    );
    const card = host.querySelector('shop-chat-goods-card')!;
    await waitUntil(() => card.shadowRoot?.querySelector('[part="title"]'), 'the card renders');
    expect(card.shadowRoot!.querySelector('[part="title"]')!.textContent).to.equal(goods.title);
    card.shadowRoot!.querySelector<HTMLElement>('[part="card"]')!.click();
    expect(clicks).to.deep.equal([`goods ${goods.uid}`]);
  });
});
