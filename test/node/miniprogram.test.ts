// The mini-program kit as WeChat's developer tool gets it (the package's `miniprogram` folder, as
// "build npm" copies it to miniprogram_npm/shop-chat), rendered by miniprogram-simulate in jsdom:
// <shop-chat-button> renders, a tap navigates to the chat page with the shop, card and visitor,
// and the chat page template builds the <web-view src> from that query.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JSDOM } from 'jsdom';
import { parseChatParams } from '../../src/shared/index.ts';
import { ROOT } from '../e2e/helpers.ts';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(ROOT, 'build/package/package.json'), 'utf8'));

type Simulate = typeof import('miniprogram-simulate');
type NavigateCall = { url: string };
type ChatPage = { onLoad(query: Record<string, string>): Promise<void> };

describe('mini-program kit (miniprogram-simulate)', () => {
  let simulate: Simulate;
  let project: string;
  const calls: NavigateCall[] = [];

  before(() => {
    // miniprogram-simulate renders into a DOM: jsdom's, as globals, before it loads.
    const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', { url: 'https://servicewechat.com/' });
    const g = globalThis as Record<string, unknown>;
    for (const k of ['window', 'document', 'Node', 'Element', 'HTMLElement', 'Event', 'CustomEvent', 'getComputedStyle']) {
      g[k] = k === 'window' ? dom.window : (dom.window as unknown as Record<string, unknown>)[k];
    }
    simulate = require('miniprogram-simulate');
    // A mini-program project after "build npm": miniprogram_npm/shop-chat is the package's
    // `miniprogram` folder; the chat page is the template copied to pages/shop-chat/. Node's
    // node_modules lookup stands in for the tool's miniprogram_npm lookup of require('shop-chat').
    project = mkdtempSync(join(tmpdir(), 'shop-chat-mp-'));
    cpSync(join(ROOT, 'build/package', pkg.miniprogram), join(project, 'miniprogram_npm/shop-chat'), { recursive: true });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(join(project, 'miniprogram_npm/shop-chat'), join(project, 'node_modules/shop-chat'));
    cpSync(join(ROOT, 'build/package/dist/templates/chat-page'), join(project, 'pages/shop-chat'), { recursive: true });
    // The built-in <web-view> of simulate drops its attributes; this stand-in keeps `src` to compare.
    simulate.load({ id: 'web-view', tagName: 'wx-web-view', template: '<slot/>', properties: { src: { type: String, value: '' } } });
    (globalThis as unknown as { wx: { navigateTo: (o: NavigateCall) => void } }).wx.navigateTo = (o) => {
      calls.push({ url: o.url });
    };
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('the package points WeChat at a CommonJS folder with the kit and the button', () => {
    assert.equal(pkg.miniprogram, 'dist/miniprogram');
    const kit = require(join(project, 'miniprogram_npm/shop-chat'));
    assert.equal(typeof kit.buildChatUrl, 'function');
    assert.equal(typeof kit.chatPage, 'function');
    assert.equal(kit.DEFAULT_CHAT_PAGE, '/pages/shop-chat/index');
  });

  it('<shop-chat-button> renders its label and navigates to the chat page with shop, goods, order and visitor', async () => {
    const id = simulate.load(join(project, 'miniprogram_npm/shop-chat/shop-chat-button/index'), 'shop-chat-button', { compiler: 'simulate' });
    const goods = { uid: 'goods_001', title: '云朵记忆棉枕头 & <枕>', price: 99, navigateToPath: '/pages/goods/detail/index?goodsUid=goods_001' };
    const visitor = { visitorUid: 'v_1', nickname: '小明', vipLevel: 2 };
    const comp = simulate.render(id, { shopUid: 'demo_shop', goods, visitor });
    comp.attach(document.createElement('parent-wrapper'));
    const button = comp.querySelector('.shop-chat-button')!;
    assert.equal(button.dom!.textContent!.trim(), '联系客服');
    const opened: string[] = [];
    // triggerEvent('open') reaches listeners of the host, as `bindopen` would.
    (comp as unknown as { addEventListener(n: string, f: (e: { detail: { url: string } }) => void): void }).addEventListener('open', (e) => opened.push(e.detail.url));
    calls.length = 0;
    button.dispatchEvent('tap');
    await simulate.sleep(0); // simulate dispatches on a microtask, as the base library does
    assert.equal(calls.length, 1);
    const [path, query] = calls[0]!.url.split('?');
    assert.equal(path, '/pages/shop-chat/index');
    assert.deepEqual(opened, [calls[0]!.url]);
    const q = Object.fromEntries(query!.split('&').map((p) => p.split('=') as [string, string]));
    assert.deepEqual(Object.keys(q), ['shopUid', 'goodsInfo', 'visitorUid', 'nickname', 'vipLevel']);
    assert.deepEqual(JSON.parse(decodeURIComponent(q.goodsInfo!)), goods);
    assert.equal(decodeURIComponent(q.nickname!), '小明');

    // A changed property is what the next tap carries; `page` moves the chat page.
    comp.setData({ goods: null, order: { uid: 'order_1', goods: [] }, page: '/pkg/chat/index' });
    button.dispatchEvent('tap');
    await simulate.sleep(0);
    assert.match(calls[1]!.url, /^\/pkg\/chat\/index\?shopUid=demo_shop&orderInfo=/);
    assert.ok(!calls[1]!.url.includes('goodsInfo'));
  });

  it('the chat page template turns that query into the <web-view src>', async () => {
    const button = simulate.render(simulate.load(join(project, 'miniprogram_npm/shop-chat/shop-chat-button/index'), { compiler: 'simulate' }), {
      shopUid: 'demo_shop',
      goods: { uid: 'goods_001', title: '云朵记忆棉枕头 & <枕>', price: 99 },
      visitor: { visitorUid: 'v_1', nickname: '小明' },
    });
    calls.length = 0;
    button.querySelector('.shop-chat-button')!.dispatchEvent('tap');
    await simulate.sleep(0);
    const query = Object.fromEntries(calls[0]!.url.split('?')[1]!.split('&').map((p) => p.split('=')));

    const page = simulate.render(simulate.load(join(project, 'pages/shop-chat/index'), { compiler: 'simulate' }));
    page.attach(document.createElement('parent-wrapper'));
    assert.equal(page.querySelector('#shop-chat-web-view'), undefined, 'no web-view before onLoad');
    // The base library calls onLoad with the query values still encoded.
    await (page.instance as unknown as ChatPage).onLoad(query);
    const src = page.data.src as string;
    assert.equal(page.querySelector('#shop-chat-web-view')!.data.src, src);
    assert.ok(src.startsWith('https://cdn.weiyuai.cn/chat?org=org_xxx&t=1&sid=wg_xxx&'), src);
    const p = parseChatParams(src);
    assert.deepEqual(p.problems, []);
    assert.equal(p.goodsInfo?.title, '云朵记忆棉枕头 & <枕>');
    assert.equal(p.goodsInfo?.price, 99);
    const params = new URL(src).searchParams;
    assert.equal(params.get('visitorUid'), 'v_1');
    assert.equal(params.get('nickname'), '小明');
  });

  it('with `server`, the chat page asks the shop-chat server for org/sid of the shop', async () => {
    const kit = require(join(project, 'miniprogram_npm/shop-chat'));
    const requested: string[] = [];
    const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
    wx.request = (o: { url: string; success: (r: unknown) => void }) => {
      requested.push(o.url);
      o.success({ statusCode: 200, data: { code: 200, message: 'ok', data: { org: 'org_9', sid: 'wg_9', t: 1, chatUrl: 'https://chat.example.com/chat' } } });
    };
    const id = simulate.load({ template: '<web-view wx:if="{{src}}" src="{{src}}"></web-view><view wx:elif="{{error}}" class="error">{{error}}</view>', ...kit.chatPage({ server: 'https://api.example.com/' }) });
    const page = simulate.render(id);
    await (page.instance as unknown as ChatPage).onLoad({ shopUid: 'shop_1' });
    assert.deepEqual(requested, ['https://api.example.com/api/v1/shop/widget/config?shopUid=shop_1']);
    assert.ok((page.data.src as string).startsWith('https://chat.example.com/chat?org=org_9&t=1&sid=wg_9'), page.data.src);

    wx.request = (o: { fail: (e: { errMsg: string }) => void }) => o.fail({ errMsg: 'request:fail url not in domain list' });
    const failing = simulate.render(id);
    await (failing.instance as unknown as ChatPage).onLoad({ shopUid: 'shop_1' });
    assert.equal(failing.data.src, '');
    assert.equal(failing.querySelector('.error')!.dom!.textContent, 'request:fail url not in domain list');
  });
});
