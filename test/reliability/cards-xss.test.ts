// Card input: a corpus of XSS payloads in every card field, through the chat URL (parseChatParams +
// rendering) and through attributes, in Chromium with the built IIFE. Nothing executes (a global flag
// the payloads would set stays unset), no javascript:/data: navigation, window.open or wx path.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseChatParams } from '../../src/shared/index.ts';
import { buildChatUrl } from '../../src/shared/index.ts';
import { ensureBuilt } from '../bench/bundles.ts';
import { CHROME_ARGS, chromePath, startStaticServer, type StaticServer } from '../bench/static-server.ts';

const F = 'window.__xss=1';
export const PAYLOADS = [
  `<img src=x onerror="${F}">`,
  `"><script>${F}</script>`,
  `'><svg onload=${F}>`,
  `javascript:${F}`,
  `JaVaScRiPt:${F}`,
  ` \tjavascript:${F}`,
  `java\nscript:${F}`,
  `&#106;avascript:${F}`,
  `javascript&colon;${F}`,
  `data:text/html,<script>${F}</script>`,
  `vbscript:${F}`,
  `//evil.example/%0a${F}`,
  `https://example.com/"onmouseover="${F}`,
  `\${${F}}`,
  `{{constructor.constructor('${F}')()}}`,
  `</style><style>*{background:url(javascript:${F})}</style>`,
  `<iframe srcdoc="<script>parent.__xss=1</script>">`,
  `/pages/x?<script>${F}</script>`,
  `\u2028\u2029<script>${F}</script>`,
];

const GOODS_FIELDS = ['uid', 'type', 'shopUid', 'title', 'description', 'image', 'url', 'navigateToPath', 'extra'];
const ORDER_FIELDS = ['uid', 'type', 'visitorUid', 'shopUid', 'time', 'status', 'statusText', 'paymentMethod', 'navigateToPath', 'extra'];
const baseGoods = () => ({ uid: 'g1', title: 'T', price: 1, url: 'https://example.com/g', image: 'https://example.com/i.png', tagList: ['a'] as string[] });
const baseOrder = () => ({ uid: 'o1', status: 'paid', totalAmount: 2, goods: baseGoods() as Record<string, unknown>, shippingAddress: { name: 'n', phone: '1', address: 'a' } as Record<string, unknown> });

/** Every (kind, info) with one payload in one field. */
function corpus(): { kind: 'goods' | 'order'; info: Record<string, unknown>; where: string }[] {
  const out: { kind: 'goods' | 'order'; info: Record<string, unknown>; where: string }[] = [];
  for (const p of PAYLOADS) {
    for (const f of GOODS_FIELDS) out.push({ kind: 'goods', info: { ...baseGoods(), [f]: p }, where: `goods.${f}` });
    out.push({ kind: 'goods', info: { ...baseGoods(), tagList: [p, p] }, where: 'goods.tagList' });
    for (const f of ORDER_FIELDS) out.push({ kind: 'order', info: { ...baseOrder(), [f]: p }, where: `order.${f}` });
    for (const f of ['title', 'url', 'image', 'navigateToPath']) out.push({ kind: 'order', info: { ...baseOrder(), goods: [{ ...baseGoods(), [f]: p }] }, where: `order.goods[].${f}` });
    for (const f of ['name', 'phone', 'address']) out.push({ kind: 'order', info: { ...baseOrder(), shippingAddress: { [f]: p } }, where: `order.shippingAddress.${f}` });
  }
  return out;
}

const UNSAFE = /^\s*(javascript|data|vbscript)\s*:/i;
/** Unsafe scheme in any url / image / navigateToPath, at any depth (text fields may hold anything: they render as text). */
const unsafeDeep = (v: unknown, key = ''): string[] =>
  typeof v === 'string'
    ? ['url', 'image', 'navigateToPath'].includes(key) && UNSAFE.test(v.replace(/[\u0000-\u0020]/g, '')) ? [v] : []
    : v && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => unsafeDeep(x, Array.isArray(v) ? key : k))
      : [];

test('parseChatParams: no card comes back with a javascript:/data:/vbscript: URL or path', () => {
  let accepted = 0;
  for (const c of corpus()) {
    const url = buildChatUrl({ org: 'o', sid: 's', [c.kind === 'goods' ? 'goodsInfo' : 'orderInfo']: c.info as never });
    const p = parseChatParams(new URL(url));
    const card = c.kind === 'goods' ? p.goodsInfo : p.orderInfo;
    if (card) accepted++;
    assert.deepEqual(card ? unsafeDeep(card) : [], [], `${c.where}: unsafe value accepted`);
  }
  assert.ok(accepted > 0, 'every payload card was rejected: the test would not exercise rendering');
});

let srv: StaticServer;
let browser: Browser;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>
<script>
  window.__xss = 0; window.__opened = []; window.__wx = []; window.__nav = [];
  window.open = function (u) { window.__opened.push(String(u)); return null; };
</script>
<script src="/dist/shop-chat.iife.js"></script>
<main id="root"></main>
</body></html>`;

before(async () => {
  ensureBuilt();
  srv = await startStaticServer();
  srv.pages.set('/chatpage', PAGE);
  browser = await chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
});
after(async () => {
  await browser?.close();
  await srv?.close();
});

async function render(page: Page, mode: 'url' | 'attribute' | 'property', items: ReturnType<typeof corpus>, miniProgram: boolean) {
  if (miniProgram) {
    // A string, not a function: tsx would wrap named arrows in a __name helper the page lacks.
    await page.evaluate(`window.__wxjs_environment = 'miniprogram';
      window.wx = { miniProgram: { navigateTo: function (o) { window.__wx.push(o.url); }, switchTab: function (o) { window.__wx.push(o.url); } } };`);
  }
  return page.evaluate(
    async ({ items, mode, miniProgram }) => {
      const w = window as any;
      const root = document.getElementById('root')!;
      const cards: any[] = [];
      for (const it of items) {
        const el = document.createElement(it.kind === 'goods' ? 'shop-chat-goods-card' : 'shop-chat-order-card') as any;
        if (mode === 'url') {
          const url = w.ShopChat.buildChatUrl({ org: 'o', sid: 's', [it.kind === 'goods' ? 'goodsInfo' : 'orderInfo']: it.info });
          const p = w.ShopChat.parseChatParams(url);
          el.info = it.kind === 'goods' ? p.goodsInfo : p.orderInfo;
        } else if (mode === 'attribute') el.setAttribute('info', JSON.stringify(it.info));
        else el.info = it.info;
        root.append(el);
        cards.push(el);
      }
      await Promise.all(cards.map((c) => c.updateComplete));
      const badImgs: string[] = [];
      for (const c of cards) {
        for (const img of c.shadowRoot?.querySelectorAll('img') ?? []) if (!/^https?:/i.test(img.getAttribute('src') ?? '')) badImgs.push(img.getAttribute('src'));
        if (c.shadowRoot?.querySelector('script,iframe,svg[onload],[onerror],[onload],[onmouseover]')) badImgs.push('injected element in ' + c.tagName);
        const target = c.shadowRoot?.querySelector('[part="card"]');
        target?.click();
        target?.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      }
      // Launcher with the same data: its chat URL and iframe must stay http(s).
      const badLauncher: string[] = [];
      for (const it of items.slice(0, 60)) {
        const l = document.createElement('shop-chat-launcher') as any;
        l.setAttribute('org', 'o');
        l.setAttribute('sid', 's');
        l.setAttribute('chat-url', 'javascript:window.__xss=1//');
        l.setAttribute(it.kind === 'goods' ? 'goods-info' : 'order-info', JSON.stringify(it.info));
        root.append(l);
        await l.updateComplete;
        if (!/^https?:/i.test(l.chatUrl)) badLauncher.push(l.chatUrl);
        if (!miniProgram) {
          l.open();
          await l.updateComplete;
          const f = l.shadowRoot?.querySelector('iframe');
          if (f && !/^https?:/i.test(f.getAttribute('src') ?? '')) badLauncher.push('iframe ' + f.getAttribute('src'));
          l.close();
        }
        l.remove();
      }
      await new Promise((r) => setTimeout(r, 300));
      return { xss: w.__xss, opened: w.__opened, wx: w.__wx, badImgs, badLauncher, rendered: cards.filter((c) => c.shadowRoot?.querySelector('[part="card"]')).length };
    },
    { items, mode, miniProgram },
  );
}

for (const mode of ['url', 'attribute', 'property'] as const) {
  for (const miniProgram of [false, true]) {
    test(`cards in Chromium via ${mode}${miniProgram ? ' (mini-program web-view)' : ''}: nothing executes, no javascript: navigation`, { timeout: 120_000 }, async () => {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const navs: string[] = [];
      page.on('framenavigated', (f) => navs.push(f.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${srv.url}/chatpage`);
      const items = corpus();
      const r = await render(page, mode, items, miniProgram);
      const xss = await page.evaluate(() => (window as any).__xss);
      await page.close();
      assert.equal(r.xss, 0, `a payload executed (${mode})`);
      assert.equal(xss, 0, `a payload executed after clicks (${mode})`);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(r.badImgs, [], 'non-http(s) image or injected element');
      assert.deepEqual(r.badLauncher, [], 'launcher chat URL / iframe not http(s)');
      assert.deepEqual(r.opened.filter((u: string) => !/^https?:\/\//i.test(u)), [], 'window.open with a non-http(s) URL');
      assert.deepEqual(r.wx.filter((u: string) => !u.startsWith('/') || u.startsWith('//') || /(javascript|data|vbscript)\s*:/i.test(u)), [], 'wx navigation to an unsafe path');
      assert.ok(navs.every((u) => u.startsWith(srv.url) || u === 'about:blank'), `navigated away: ${navs.join(', ')}`);
      assert.ok(r.rendered > 0, 'no card rendered: the corpus did not reach the renderer');
      if (!miniProgram) assert.ok(r.opened.length > 0, 'no card click opened its URL: click handling not exercised');
      else assert.ok(r.wx.length > 0, 'no wx navigation happened: mini-program path not exercised');
    });
  }
}
