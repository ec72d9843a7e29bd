// The demo as a shopper and a developer see it, in Debian's Chromium against the real server
// (started as `npm start` does, temp SQLite, the demo shop onboarded at start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startServer, waitFor, watchedPage, type RunningServer, type WatchedPage } from './helpers.ts';

describe('demo pages', () => {
  let server: RunningServer;
  let browser: Browser;
  let config: { org: string; sid: string; t: number; chatUrl: string };
  const pages: WatchedPage[] = [];
  const open = async (path: string, opts?: Parameters<typeof watchedPage>[1]) => {
    const w = await watchedPage(browser, opts);
    pages.push(w);
    await w.page.goto(server.base + path);
    return w;
  };

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const res = await fetch(`${server.base}/api/v1/shop/widget/config?shopUid=demo_shop`);
    assert.equal(res.status, 200, 'the server onboarded demo_shop at start');
    config = (await res.json()).data;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The chat iframe inside the launcher's shadow root, once it loaded the chat page. */
  async function chatFrame(page: Page): Promise<Frame> {
    const handle = await page.locator('shop-chat-launcher iframe').elementHandle({ timeout: 10_000 });
    const frame = await waitFor(() => handle!.contentFrame(), 'the chat iframe');
    await frame.waitForLoadState('load');
    await frame.locator('.msg').first().waitFor();
    return frame;
  }

  /** name → value of the chat page's parameter list. */
  async function params(frame: Frame | Page): Promise<Record<string, string>> {
    return frame.evaluate(() => Object.fromEntries([...document.querySelectorAll('dd[data-param]')].map((dd) => [(dd as HTMLElement).dataset.param!, dd.textContent!])));
  }

  it('storefront: product list, the launcher configured from the server', async () => {
    const { page, errors, external } = await open('/demo/index.html');
    const tiles = page.locator('#products .tile');
    await tiles.first().waitFor();
    assert.equal(await tiles.count(), 3);
    assert.deepEqual(await page.locator('#products .name').allTextContents(), ['云朵记忆棉枕头', '手冲咖啡壶 600ml', 'Organic Cotton Tee']);
    // The launcher fetched the widget config of demo_shop from this server.
    const cfg = await waitFor(() => page.evaluate(() => (document.getElementById('launcher') as any).config), 'widget config');
    assert.equal(cfg.org, config.org);
    assert.equal(cfg.sid, config.sid);
    assert.equal(await page.locator('shop-chat-launcher iframe').count(), 0, 'no iframe before the first open');
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    await page.screenshot({ path: screenshotPath('storefront.png') });
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  });

  it('product page → chat: the panel loads demo/chat.html with the goods card and the parameters', async () => {
    const { page, errors, external } = await open('/demo/index.html');
    await page.locator('a.tile[href="#/product/goods_demo_001"]').click();
    await page.locator('#product h1').waitFor();
    // The card as the chat will show it.
    assert.equal(await page.locator('#product shop-chat-goods-card [part=title]').textContent(), '云朵记忆棉枕头');
    await waitFor(() => page.evaluate(() => (document.getElementById('launcher') as any).config), 'widget config');
    await page.locator('#ask').click();

    const frame = await chatFrame(page);
    // The launcher's explicit chat-url wins over the server's chatUrl (https://cdn.weiyuai.cn/chat).
    assert.equal(config.chatUrl, 'https://cdn.weiyuai.cn/chat');
    assert.ok(frame.url().startsWith(`${server.base}/demo/chat.html?`), frame.url());
    assert.equal(await frame.locator('shop-chat-goods-card [part=title]').textContent(), '云朵记忆棉枕头');
    assert.equal(await frame.locator('shop-chat-goods-card [part=price]').textContent(), '¥99.00');
    const p = await params(frame);
    assert.equal(p.org, config.org);
    assert.equal(p.sid, config.sid);
    assert.equal(p.t, '1');
    const goods = JSON.parse(p.goodsInfo!);
    assert.equal(goods.uid, 'goods_demo_001');
    assert.equal(goods.navigateToPath, '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=demo_shop');
    assert.equal(await frame.locator('#problems').isHidden(), true);
    await frame.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => undefined))));
    await page.screenshot({ path: screenshotPath('product-chat-panel.png') });

    // The chat page on its own, full size.
    const { page: chat } = await open(frame.url().slice(server.base.length));
    await chat.locator('#goods-message shop-chat-goods-card [part=title]').waitFor();
    await chat.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => undefined))));
    await chat.screenshot({ path: screenshotPath('chat-goods.png'), fullPage: true });

    // Esc closes the panel, focus returns to the button.
    await page.keyboard.press('Escape');
    await waitFor(() => page.locator('shop-chat-launcher [part=panel]').isHidden(), 'the panel to close');
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  });

  it('order page → chat: the chat page shows the order card; phone and street address stay off screen', async () => {
    const { page, errors } = await open('/demo/index.html#/order/order_demo_001');
    await page.locator('#order h1').waitFor();
    await waitFor(() => page.evaluate(() => (document.getElementById('launcher') as any).config), 'widget config');
    await page.locator('#ask-order').click();
    const frame = await chatFrame(page);
    const card = frame.locator('#order-message shop-chat-order-card');
    assert.equal(await card.locator('[part=order-uid]').textContent(), '订单 order_demo_001');
    assert.equal(await card.locator('[part=status]').textContent(), '待发货');
    assert.equal(await card.locator('[part=total]').textContent(), '¥258.00');
    assert.equal(await card.locator('[part=goods]').count(), 2);
    const text = await card.evaluate((el) => el.shadowRoot!.textContent!);
    assert.ok(text.includes('王小明') && !text.includes('13800000000') && !text.includes('世纪大道'), text);
    const p = await params(frame);
    assert.equal(JSON.parse(p.orderInfo!).uid, 'order_demo_001');
    assert.equal(p.goodsInfo, undefined);
    await page.screenshot({ path: screenshotPath('order-chat-panel.png') });

    // Both cards on one chat page, the URL built by window.ShopChat.buildChatUrl of the IIFE.
    const url = await page.evaluate(async () => {
      const { products, orders } = await import('./data.js' as string);
      return (window as any).ShopChat.buildChatUrl({ baseUrl: new URL('./chat.html', location.href).href, org: 'org_demo', sid: 'wg_demo', goodsInfo: products[1], orderInfo: orders[0] });
    });
    const { page: chat } = await open(url.slice(server.base.length));
    await chat.locator('#order-message shop-chat-order-card [part=total]').waitFor();
    assert.equal(await chat.locator('#goods-message shop-chat-goods-card [part=title]').textContent(), '手冲咖啡壶 600ml');
    await chat.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => undefined))));
    await chat.screenshot({ path: screenshotPath('chat-goods-and-order.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it('the real-chat switch points the launcher at https://cdn.weiyuai.cn/chat', async () => {
    const { page } = await open('/demo/index.html#/product/goods_demo_002');
    await waitFor(() => page.evaluate(() => (document.getElementById('launcher') as any).config), 'widget config');
    const chatUrl = () => page.evaluate(() => (document.getElementById('launcher') as any).chatUrl as string);
    assert.ok((await chatUrl()).startsWith(`${server.base}/demo/chat.html?`));
    await page.locator('#real-chat').check();
    assert.ok((await chatUrl()).startsWith('https://cdn.weiyuai.cn/chat?org='), await chatUrl());
    await page.locator('#real-chat').uncheck();
    assert.ok((await chatUrl()).startsWith(`${server.base}/demo/chat.html?`));
  });

  it('the chat page lists problems of a malformed card and still shows the rest', async () => {
    const { page } = await open('/demo/chat.html?org=o1&sid=s1&t=1&goodsInfo=%7Bnot-json&orderInfo=%7B%22uid%22%3A%22o%22%2C%22goods%22%3A%5B%5D%7D');
    await page.locator('.msg').first().waitFor();
    const problems = await page.locator('#problems li').allTextContents();
    assert.ok(problems.some((p) => p.startsWith('goodsInfo: not valid JSON')), problems.join('\n'));
    assert.equal(await page.locator('#problems').isVisible(), true);
    assert.equal(await page.locator('shop-chat-goods-card').count(), 0);
    assert.equal((await params(page)).org, 'o1');
  });

  it('English: ?lang=en switches the demo and the cards', async () => {
    const { page } = await open('/demo/index.html?lang=en#/product/goods_demo_001');
    await page.locator('#product h1').waitFor();
    assert.equal(await page.locator('#ask').textContent(), 'Ask about this product');
    assert.match((await page.locator('#product shop-chat-goods-card [part=quantity]').textContent())!, /^Qty 1$/);
    assert.equal(await page.evaluate(() => (document.getElementById('launcher') as any).lang), 'en');
  });

  it('mini-program simulation: own path, server default, built-in default, and the switchTab fallback', async () => {
    const { page, errors, external } = await open('/demo/mini-program.html?lang=en');
    await page.waitForSelector('body[data-ready=true]');
    const log = async () =>
      page.evaluate(() => [...document.querySelectorAll('#nav-log li')].reverse().map((li) => {
        const d = (li as HTMLElement).dataset;
        // navigateTo carries the card as ?payload= (its own test is in chat-roundtrip.test.ts)
        return `${d.kind} ${d.url!.replace(/[?&]payload=[^&]*/, '')} ${d.ok}`;
      }));
    const click = async (n: number, entries: number) => {
      await page.locator(`#case-${n} [part=card]`).click();
      await waitFor(async () => (await log()).length >= entries, `log entry ${entries}`);
    };
    await click(1, 1);
    await click(2, 2);
    await click(3, 3);
    await click(4, 4);
    await click(5, 6);
    assert.deepEqual(await log(), [
      'navigateTo /pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=demo_shop true',
      'navigateTo /pages/shop/goods/index true',
      'navigateTo /pages/goods/detail/index true',
      'navigateTo /pages/order/detail/index?type=order&orderUid=order_demo_001&shopUid=demo_shop true',
      'navigateTo /pages/index/index?from=chat false',
      'switchTab /pages/index/index true',
    ]);
    // Labels on screen say which rule applied.
    const labels = await page.locator('#nav-log li .case').allTextContents();
    assert.ok(labels.includes('2 · server default (demo value)'), labels.join(' | '));
    await page.locator('#cards').evaluate((el) => el.scrollTo(0, 0));
    await page.evaluate(() => scrollTo(0, 0));
    await page.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => undefined))));
    await page.screenshot({ path: screenshotPath('mini-program.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  });

  it('the mini-program simulation uses the server default path when the server has one', async () => {
    const custom = await startServer({ env: { SHOP_CHAT_GOODS_DETAIL_PATH: '/pages/shop/product/index' } });
    try {
      const w = await watchedPage(browser);
      pages.push(w);
      await w.page.goto(`${custom.base}/demo/mini-program.html?lang=en`);
      await w.page.waitForSelector('body[data-ready=true]');
      await w.page.locator('#case-2 [part=card]').click();
      const entry = await waitFor(() => w.page.locator('#nav-log li').first().getAttribute('data-url'), 'navigation');
      assert.equal(entry.split('?payload=')[0], '/pages/shop/product/index');
      assert.equal(await w.page.locator('#nav-log li .case').first().textContent(), '2 · server default (SHOP_CHAT_GOODS_DETAIL_PATH)');
    } finally {
      await custom.stop();
    }
  });

  it('mini-program simulation in English: every label of the page, the cards, and a capsule with its two buttons', async () => {
    const { page, errors } = await open('/demo/mini-program.html?lang=en');
    await page.waitForSelector('body[data-ready=true]');
    await page.locator('#case-1 [part=card]').click();
    await page.locator('#nav-log li').first().waitFor();
    // The demo's own text (header, title bar, rules, log, case labels): no Chinese left but the 中文 switch.
    const ui = await page.evaluate(() =>
      [...document.querySelectorAll('.topbar .brand, .topbar nav, .phone .nav, main > div:last-child, .case-label')].map((n) => (n as HTMLElement).innerText).join('\n'),
    );
    assert.doesNotMatch(ui, /[\u3400-\u9fff]/, ui);
    assert.match(ui, /Navigation log/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.match((await page.locator('#case-1 [part=quantity]').textContent())!, /^Qty 1$/);
    assert.equal(await page.locator('#case-4 [part=status]').count(), 1);
    // The capsule shows WeChat's two buttons (more: three dots; close: a ring).
    assert.equal(await page.locator('.phone .capsule .more i').count(), 3);
    const ring = await page.locator('.phone .capsule .exit').evaluate((n) => getComputedStyle(n, '::before').borderTopWidth);
    assert.equal(ring, '2px');
    // Chinese by default, and the language switch leads back.
    assert.equal(await page.locator('#lang-switch').textContent(), '中文');
    const { page: zh } = await open('/demo/mini-program.html');
    await zh.waitForSelector('body[data-ready=true]');
    assert.equal(await zh.locator('.phone .nav [data-t=title]').textContent(), '客服卡片');
    assert.equal(await zh.locator('main h2').first().textContent(), 'navigateToPath 规则');
    assert.deepEqual(errors, []);
  });

  it('an off-shelf product says so once (no "Sold out" tag beside "已下架" / "Off shelf")', async () => {
    for (const lang of ['', '?lang=en']) {
      const { page } = await open(`/demo/index.html${lang}#/product/goods_demo_003`);
      const card = page.locator('#product shop-chat-goods-card');
      await card.locator('[part=title]').waitFor();
      const text = await card.evaluate((el) => el.shadowRoot!.textContent!);
      const marks = text.match(/已下架|售罄|Off shelf|Sold out/gi) ?? [];
      assert.equal(marks.length, 1, `${lang || 'zh'}: ${marks.join(', ')}`);
      await page.evaluate(() => {
        location.hash = '#/';
      });
      await page.locator('#products .tile').nth(2).waitFor();
      const tileText = await page.locator('#products .tile').nth(2).textContent();
      assert.equal((tileText!.match(/已下架|售罄|Off shelf|Sold out/gi) ?? []).length, 1, tileText!);
    }
  });

  for (const width of [375, 1280]) {
    it(`at ${width} px the top navigation keeps every link on one line (screenshots)`, async () => {
      const pages: [string, string][] = [
        ['/demo/index.html', 'storefront'],
        ['/demo/index.html?lang=en#/product/goods_demo_003', 'product-en'],
        ['/demo/mini-program.html', 'mini-program'],
        ['/demo/mini-program.html?lang=en', 'mini-program-en'],
      ];
      for (const [path, name] of pages) {
        const { page, errors } = await open(path, { width, height: 812 });
        await page.locator('.topbar nav a').first().waitFor();
        if (path.includes('mini-program')) await page.waitForSelector('body[data-ready=true]');
        // A word broken in two shows as text boxes on two lines.
        const lines = await page.evaluate(() =>
          [...document.querySelectorAll('.topbar nav a, .topbar .brand span, .topbar .tools label span, #lang-switch, .hero h1')].map((n) => {
            const range = document.createRange();
            range.selectNodeContents(n);
            return [n.textContent, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size] as const;
          }),
        );
        for (const [text, n] of lines) assert.equal(n, 1, `"${text}" on ${n} lines at ${width} px (${path})`);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${path}: no sideways scrolling of the page at ${width} px`);
        await page.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => undefined))));
        await page.screenshot({ path: screenshotPath(`${name}-${width}.png`), fullPage: true });
        assert.deepEqual(errors, []);
      }
    });
  }

  it('GET /demo/ serves the storefront', async () => {
    const res = await fetch(`${server.base}/demo/`);
    assert.equal(res.status, 200);
  });
});
