// The chat round trip in the demo, in Debian's Chromium against the real server: the stand-in chat
// page (demo/chat.html) posts what the real Bytedesk page posts (header buttons, card clicks), the
// launcher answers with mode/lang sync messages, and the unread badge shows what a (routed) fake of
// Bytedesk's unread-count endpoint serves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchBrowser, startServer, waitFor, watchedPage, type RunningServer, type WatchedPage } from './helpers.ts';

const GOODS_URL = 'https://example.com/goods/1';
const UNREAD = 'https://api.weiyuai.cn/visitor/api/v1/message/unread/count';

describe('chat round trip (demo)', () => {
  let server: RunningServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function product(opts?: Parameters<typeof watchedPage>[1]): Promise<WatchedPage & { frame: Frame }> {
    const w = await watchedPage(browser, opts);
    pages.push(w);
    await w.page.goto(`${server.base}/demo/index.html#/product/goods_demo_001`);
    await w.page.locator('#product h1').waitFor();
    await waitFor(() => w.page.evaluate(() => (document.getElementById('launcher') as any).config), 'widget config');
    await w.page.locator('#ask').click();
    const handle = await w.page.locator('shop-chat-launcher iframe').elementHandle({ timeout: 10_000 });
    const frame = await waitFor(() => handle!.contentFrame(), 'the chat iframe');
    await frame.locator('#goods-message shop-chat-goods-card').waitFor();
    return { ...w, frame };
  }

  const isOpen = (page: Page) => page.evaluate(() => (document.getElementById('launcher') as any).isOpen as boolean);

  it('the URL carries navbar=0; the stand-in header buttons close, minimise and maximise the panel', async () => {
    const { page, frame, errors, external } = await product();
    const url = new URL(frame.url());
    assert.equal(url.searchParams.get('navbar'), '0');
    assert.equal(url.searchParams.get('uid'), null);
    await frame.locator('#maximize').click();
    await page.locator('shop-chat-launcher[maximized]').waitFor();
    const big = await page.locator('shop-chat-launcher [part=panel]').boundingBox();
    await frame.locator('#maximize').click();
    await page.locator('shop-chat-launcher:not([maximized])').waitFor();
    const normal = await page.locator('shop-chat-launcher [part=panel]').boundingBox();
    assert.ok(big!.width > normal!.width, `${big!.width} > ${normal!.width}`);
    await frame.locator('#close').click();
    await waitFor(async () => !(await isOpen(page)), 'closed by the chat page');
    assert.equal(await page.evaluate(() => (document.activeElement as any)?.id), 'launcher', 'focus on the launcher button');
    await page.locator('#ask').click();
    await waitFor(() => isOpen(page), 'open again');
    await frame.locator('#minimize').click();
    await waitFor(async () => !(await isOpen(page)), 'minimised');
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  });

  it('a card click in the chat reaches the storefront as shop-chat-message-click, then its url', async () => {
    const { page, frame } = await product({ allow: [GOODS_URL] });
    await page.route(GOODS_URL, (route) => route.fulfill({ contentType: 'text/html', body: '<title>goods 1</title>' }));
    await page.evaluate(() => {
      document.getElementById('launcher')!.addEventListener('shop-chat-message-click', (e) => ((window as any).__click = (e as CustomEvent).detail));
    });
    const navigated = page.waitForURL(GOODS_URL);
    await frame.locator('#goods-message shop-chat-goods-card [part=card]').click();
    await navigated;
    assert.equal(page.url(), GOODS_URL);
  });

  it('a cancelled shop-chat-message-click keeps the storefront where it is', async () => {
    const { page, frame, external } = await product();
    await page.evaluate(() => {
      document.getElementById('launcher')!.addEventListener('shop-chat-message-click', (e) => {
        (window as any).__click = (e as CustomEvent).detail;
        e.preventDefault();
      });
    });
    await frame.locator('#goods-message shop-chat-goods-card [part=card]').click();
    const detail = await waitFor(() => page.evaluate(() => (window as any).__click), 'the event');
    assert.equal(detail.type, 'GOODS');
    assert.equal(detail.content.uid, 'goods_demo_001');
    assert.equal(detail.navigateToPath, '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=demo_shop');
    assert.ok(page.url().includes('/demo/index.html'));
    assert.deepEqual(external, []);
  });

  it('mode and lang changes reach the open chat page as messages: dark, English, no reload', async () => {
    const { page, frame, errors } = await product();
    await frame.evaluate(() => ((window as any).__loadId = Math.random()));
    const loadId = await frame.evaluate(() => (window as any).__loadId);
    const bg = () => frame.evaluate(() => getComputedStyle(document.querySelector('.chat')!).backgroundColor);
    assert.equal(await bg(), 'rgb(255, 255, 255)');
    await page.evaluate(() => {
      const l = document.getElementById('launcher') as any;
      l.mode = 'dark';
      l.lang = 'en';
    });
    await waitFor(async () => (await bg()) === 'rgb(31, 31, 31)', 'the stand-in in dark mode');
    await waitFor(async () => (await frame.locator('#who').textContent()) === 'Customer service', 'the stand-in in English');
    assert.equal(await frame.evaluate(() => document.documentElement.dataset.mode), 'dark');
    assert.equal(await frame.evaluate(() => (window as any).__loadId), loadId, 'not reloaded');
    assert.equal(await frame.locator('#goods-message shop-chat-goods-card').getAttribute('mode'), 'dark');
    assert.deepEqual(errors, []);
  });

  it('the unread badge shows the count Bytedesk serves once the page reported its visitor ids', async () => {
    const { page, frame } = await product({ allow: [UNREAD] });
    const asked: string[] = [];
    await page.route(`${UNREAD}?**`, (route) => {
      asked.push(route.request().url());
      return route.fulfill({ contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify({ code: 200, message: 'ok', data: 5 }) });
    });
    // what the real page posts once it knows its visitor (the stand-in has none)
    await frame.evaluate(() => window.parent.postMessage({ type: 'LOCALSTORAGE_RESPONSE', uid: 'bd_visitor_1', visitorUid: 'user_42' }, location.origin));
    await frame.locator('#close').click();
    await waitFor(() => page.evaluate(() => (document.getElementById('launcher') as any).unread === 5), 'the badge count');
    assert.equal((await page.locator('shop-chat-launcher [part=badge]').textContent())!.replace(/\s+/g, ' ').trim(), '5 条未读');
    const q = new URL(asked[0]!).searchParams;
    assert.deepEqual([q.get('uid'), q.get('visitorUid'), q.get('client')], ['bd_visitor_1', 'user_42', 'WEB_FLOAT']);
    assert.ok(q.get('orgUid'));
    await page.locator('#ask').click();
    await waitFor(() => page.evaluate(() => (document.getElementById('launcher') as any).unread === 0), 'opening clears it');
  });
});

describe('mini-program simulation: card clicks carry ?payload=', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('navigateTo gets the card as percent-encoded JSON; the switchTab fallback drops the query', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${server.base}/demo/mini-program.html`);
    await page.waitForSelector('body[data-ready=true]');
    await page.locator('#case-1 [part=card]').click();
    const url = await waitFor(() => page.locator('#nav-log li').first().getAttribute('data-url'), 'navigateTo');
    const payload = new URLSearchParams(url.slice(url.indexOf('?'))).get('payload')!;
    const card = JSON.parse(payload);
    assert.equal(card.uid, 'goods_demo_001');
    assert.equal(typeof card.price, 'number');
    assert.ok(url.startsWith('/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=demo_shop&payload='), url);
    await page.locator('#case-5 [part=card]').click();
    await waitFor(async () => (await page.locator('#nav-log li').count()) >= 3, 'the switchTab fallback');
    assert.equal(await page.locator('#nav-log li').first().getAttribute('data-url'), '/pages/index/index');
    assert.deepEqual(errors, []);
  });
});
