// Section 2: the widget in Chromium (playwright-core, the system Chromium; never downloads one).
//  - script execution → launcher painted (vs a vanilla button painted the same way);
//  - bytes and requests fetched before the first open; no request to the chat URL before open;
//  - 1,000 goods cards rendered (vs 1,000 vanilla DOM cards).
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureBuilt } from './bundles.ts';
import { fmt, median, table, type BenchOptions, type Check } from './lib.ts';
import { CHROME_ARGS, chromePath, startStaticServer, type StaticServer } from './static-server.ts';

/** The card every widget figure renders (the profiling aid profile-cards.ts uses it too). */
export const GOODS = {
  uid: 'goods_demo_001',
  type: 'GOODS',
  shopUid: 'shop_demo_005',
  title: '演示商品 Demo product with a fairly long title that wraps',
  description: '商品描述 — a description of the product, clamped to two lines',
  price: 99,
  image: 'http://127.0.0.1:1/none.png',
  url: 'https://example.com/goods/1',
  quantity: 1,
  tagList: ['新品', 'sale'],
  navigateToPath: '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=shop_demo_005',
};

export const PAINT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>paint</title></head><body><main id="root"></main></body></html>`;

function loadPage(chatUrl: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>storefront</title></head>
<body><h1>Storefront</h1><p>Product page.</p>
<script async src="/dist/shop-chat.iife.js" data-org="org_demo" data-sid="wg_demo" data-chat-url="${chatUrl}"></script>
</body></html>`;
}

/** Waits for the next frame after the element is laid out: the launcher has been painted then. */
const PAINTED = `() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))`;

async function timeLauncher(page: Page, base: string, vanilla: boolean): Promise<number> {
  await page.goto(`${base}/paint`);
  const code = vanilla ? '' : await (await fetch(`${base}/dist/shop-chat.iife.js`)).text();
  return page.evaluate(
    async ({ code, vanilla, painted }) => {
      const wait = new Function(`return (${painted})()`) as () => Promise<void>;
      const t0 = performance.now();
      if (vanilla) {
        const host = document.createElement('div');
        const root = host.attachShadow({ mode: 'open' });
        const style = document.createElement('style');
        style.textContent = 'button{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#1677ff;color:#fff}';
        const b = document.createElement('button');
        b.setAttribute('aria-label', 'Open chat');
        b.innerHTML = '<svg viewBox="0 0 24 24" width="24" height="24"><path d="M4 4h16v12H7l-3 3z" fill="currentColor"/></svg>';
        root.append(style, b);
        document.body.append(host);
        void b.getBoundingClientRect();
      } else {
        const s = document.createElement('script');
        s.dataset.org = 'org_demo';
        s.dataset.sid = 'wg_demo';
        s.textContent = code;
        document.head.append(s); // executes synchronously
        const l = document.querySelector('shop-chat-launcher') as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
        if (!l) throw new Error('no <shop-chat-launcher> mounted by the IIFE');
        await l.updateComplete;
        const btn = l.shadowRoot?.querySelector('button');
        if (!btn || btn.getBoundingClientRect().width === 0) throw new Error('launcher button not laid out');
      }
      await wait();
      return performance.now() - t0;
    },
    { code, vanilla, painted: PAINTED },
  );
}

async function timeCards(page: Page, base: string, vanilla: boolean, n: number): Promise<number> {
  await page.goto(`${base}/paint`);
  if (!vanilla) await page.addScriptTag({ url: `${base}/dist/shop-chat.iife.js` });
  return page.evaluate(
    async ({ info, vanilla, n, painted }) => {
      const wait = new Function(`return (${painted})()`) as () => Promise<void>;
      await wait();
      const rootEl = document.getElementById('root')!;
      const t0 = performance.now();
      const frag = document.createDocumentFragment();
      const els: (HTMLElement & { info?: unknown; updateComplete?: Promise<unknown> })[] = [];
      for (let i = 0; i < n; i++) {
        const g = { ...info, uid: `goods_${i}`, title: `${info.title} #${i}`, price: 10 + i };
        if (vanilla) {
          const host = document.createElement('div');
          const root = host.attachShadow({ mode: 'open' });
          const card = document.createElement('div');
          card.className = 'card';
          card.setAttribute('role', 'link');
          card.tabIndex = 0;
          const img = document.createElement('img');
          img.src = g.image;
          img.alt = g.title;
          img.loading = 'lazy';
          const title = document.createElement('span');
          title.textContent = g.title;
          const desc = document.createElement('span');
          desc.textContent = g.description;
          const price = document.createElement('span');
          price.textContent = `¥${g.price.toFixed(2)}`;
          card.append(img, title, desc, price);
          root.append(card);
          frag.append(host);
        } else {
          const el = document.createElement('shop-chat-goods-card') as HTMLElement & { info?: unknown };
          el.info = g;
          els.push(el);
          frag.append(el);
        }
      }
      rootEl.append(frag);
      if (!vanilla) {
        await Promise.all(els.map((e) => e.updateComplete));
        const rendered = els.filter((e) => e.shadowRoot?.querySelector('[part="title"]')).length;
        if (rendered !== n) throw new Error(`only ${rendered} of ${n} cards rendered their title`);
      }
      void rootEl.getBoundingClientRect();
      await wait();
      return performance.now() - t0;
    },
    { info: GOODS, vanilla, n, painted: PAINTED },
  );
}

interface LoadResult {
  requestsBeforeOpen: { url: string; bytes: number }[];
  chatRequestsBeforeOpen: number;
  chatRequestsAfterOpen: number;
  bytesBeforeOpen: number;
  scriptToPaintMs: number;
}

/** Real page with `<script async src=…iife.js>`: what is fetched before the visitor opens the chat. */
async function loadAndOpen(browser: Browser, srv: StaticServer): Promise<LoadResult> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map<string, string>();
  const sizes: { url: string; bytes: number }[] = [];
  let opened = false;
  let chatBefore = 0;
  let chatAfter = 0;
  const chatUrl = `${srv.url}/chat`;
  cdp.on('Network.requestWillBeSent', (e) => {
    byId.set(e.requestId, e.request.url);
    if (e.request.url.startsWith(chatUrl)) {
      if (opened) chatAfter++;
      else chatBefore++;
    }
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (!opened) sizes.push({ url: byId.get(e.requestId) ?? '?', bytes: e.encodedDataLength });
  });
  await page.goto(`${srv.url}/store`, { waitUntil: 'load' });
  await page.waitForFunction(() => {
    const l = document.querySelector('shop-chat-launcher');
    const b = l?.shadowRoot?.querySelector('button');
    return !!b && b.getBoundingClientRect().width > 0;
  });
  // Idle a while: a lazy prefetch of the chat page would show up here.
  await page.waitForTimeout(1500);
  const scriptToPaintMs = await page.evaluate(() => {
    const r = performance.getEntriesByType('resource').find((e) => e.name.includes('shop-chat.iife.js')) as PerformanceResourceTiming | undefined;
    return r ? r.responseEnd : NaN;
  });
  opened = true;
  const bytesBeforeOpen = sizes.reduce((n, s) => n + s.bytes, 0);
  const requestsBeforeOpen = [...sizes];
  await page.evaluate(() => (window as unknown as { ShopChat: { open(): void } }).ShopChat.open());
  await page
    .waitForFunction(() => document.querySelector('shop-chat-launcher')?.shadowRoot?.querySelector('iframe'), undefined, { timeout: 5000 })
    .catch(() => undefined);
  await page.waitForTimeout(500);
  await ctx.close();
  return { requestsBeforeOpen, chatRequestsBeforeOpen: chatBefore, chatRequestsAfterOpen: chatAfter, bytesBeforeOpen, scriptToPaintMs };
}

export async function benchWidget(opts: BenchOptions, checks: Check[]) {
  ensureBuilt();
  const srv = await startStaticServer();
  srv.pages.set('/paint', PAINT_PAGE);
  srv.pages.set('/store', loadPage(`${srv.url}/chat`));
  const browser = await chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
  try {
    const runs = opts.runs;
    const N = 1000;
    const launcher: number[] = [];
    const launcherBase: number[] = [];
    const cards: number[] = [];
    const cardsBase: number[] = [];
    const page = await browser.newPage();
    // Warm-up (JIT, font, first-paint costs), not counted.
    await timeLauncher(page, srv.url, true);
    await timeLauncher(page, srv.url, false);
    for (let i = 0; i < Math.max(runs, 3); i++) {
      // Paint timings are cheap: always at least 3 samples.
      launcherBase.push(await timeLauncher(page, srv.url, true));
      launcher.push(await timeLauncher(page, srv.url, false));
    }
    await timeCards(page, srv.url, false, 100);
    for (let i = 0; i < Math.max(runs, 3); i++) {
      cardsBase.push(await timeCards(page, srv.url, true, N));
      cards.push(await timeCards(page, srv.url, false, N));
    }
    await page.close();
    const load = await loadAndOpen(browser, srv);

    const lm = median(launcher);
    const lb = median(launcherBase);
    const cm = median(cards);
    const cb = median(cardsBase);
    table(
      `2. Widget in Chromium (median of ${launcher.length} runs; baseline = vanilla DOM, same page)`,
      ['figure', 'median ms', 'min ms', 'max ms', 'baseline ms', '× baseline', 'goal'],
      [
        ['script exec → launcher painted', fmt(lm, 1), fmt(Math.min(...launcher), 1), fmt(Math.max(...launcher), 1), fmt(lb, 1), fmt(lm / lb, 2), '-'],
        [`${N} goods cards rendered`, fmt(cm, 1), fmt(Math.min(...cards), 1), fmt(Math.max(...cards), 1), fmt(cb, 1), fmt(cm / cb, 2), '≤ 100 ms'],
      ],
    );
    table(
      '   Storefront page load, before the first open',
      ['request', 'bytes (encoded)'],
      [...load.requestsBeforeOpen.map((r) => [r.url.replace(srv.url, ''), r.bytes]), ['total', load.bytesBeforeOpen], ['chat iframe requests before open', load.chatRequestsBeforeOpen], ['chat iframe requests after open()', load.chatRequestsAfterOpen]],
    );
    checks.push(
      { section: 'widget', name: 'chat URL requests before first open = 0', value: load.chatRequestsBeforeOpen, goal: '0', ok: load.chatRequestsBeforeOpen === 0, hard: true },
      {
        section: 'widget',
        name: 'chat URL requested after open() (probe works)',
        value: load.chatRequestsAfterOpen,
        goal: '≥ 1',
        ok: load.chatRequestsAfterOpen >= 1,
        hard: true,
      },
      { section: 'widget', name: `${N} goods cards rendered ≤ 100 ms`, value: Number(cm.toFixed(1)), goal: '≤ 100 ms', ok: cm <= 100, hard: false },
    );
    return {
      launcherPaintMs: { median: lm, samples: launcher, baselineMedian: lb, baselineSamples: launcherBase, ratio: lm / lb },
      cards1000Ms: { median: cm, samples: cards, baselineMedian: cb, baselineSamples: cardsBase, ratio: cm / cb },
      pageLoad: load,
    };
  } finally {
    await browser.close();
    await srv.close();
  }
}
