// Every code block of README.md is exercised here. Each block is marked `<!-- snippet: NAME -->` and
// has a check below, and the test fails on a block without one. Browser snippets run in Chromium
// against the real server; commands run as written, with the host and token swapped in; the
// mini-program snippet runs in node without URL/URLSearchParams. The tables are compared with their
// sources: the env schemas, custom-elements.json, metrics.ts and the size budgets.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import ts from 'typescript';
import { parseChatParams } from '../../src/shared/index.ts';
import { AuthorizeRequest, StoreWebhookEvent } from '../../src/shared/store/api.ts';
import { envSchema, loadConfig } from '../../src/server/config.ts';
import { storeConfigSchema } from '../../src/server/store/config.ts';
import { createDatabase, migrateToLatest } from '../../src/server/db/index.ts';
import { storeDb } from '../../src/server/store/repo.ts';
import { createWebhookSender } from '../../src/server/store/webhook.ts';
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { snippets } from '../helpers/readme.ts';
import { ROOT, launchBrowser, startServer, waitFor, watchedPage, type RunningServer } from './helpers.ts';

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const ciRun = readFileSync(join(ROOT, '.ci/run'), 'utf8');

// ---- README structure ------------------------------------------------------------------------

const SNIPPETS = new Map(snippets(README).map((s) => [s.name, s]));
const snippet = (name: string) => {
  const s = SNIPPETS.get(name);
  if (!s) throw new Error(`README has no snippet ${name}`);
  return s.code;
};

/** The README text between a heading and the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README section ${heading}`);
  const level = /^#+/.exec(heading)![0].length;
  const rest = README.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Rows of the first Markdown table in `text`, as arrays of cell texts. */
function table(text: string, headerStartsWith: string): string[][] {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => l.startsWith(`| ${headerStartsWith}`));
  assert.ok(h >= 0, `table starting with ${headerStartsWith}`);
  const rows: string[][] = [];
  for (const l of lines.slice(h + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.replace(/\\\|/g, '\u0000').split('|').slice(1, -1).map((c) => c.trim().replace(/\u0000/g, '|')));
  }
  return rows;
}

const codeSpans = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

// ---- custom-elements.json --------------------------------------------------------------------

interface Decl {
  tagName?: string;
  attributes?: { name: string; fieldName?: string }[];
  members?: { kind: string; name: string; privacy?: string; static?: boolean }[];
  events?: { name: string }[];
  cssParts?: { name: string }[];
  cssProperties?: { name: string }[];
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'custom-elements.json'), 'utf8')) as { modules: { declarations?: Decl[] }[] };
const elements = new Map<string, Decl>();
for (const m of manifest.modules) for (const d of m.declarations ?? []) if (d.tagName) elements.set(d.tagName, d);
const el = (tag: string) => {
  const d = elements.get(tag);
  assert.ok(d, `custom-elements.json lists ${tag}`);
  return d;
};
const attrsOf = (tag: string) => new Set((el(tag).attributes ?? []).map((a) => a.name));
const propsOf = (tag: string) => new Set((el(tag).members ?? []).filter((m) => !m.privacy && !m.static).map((m) => m.name));
const eventsOf = (tag: string) => new Set((el(tag).events ?? []).map((e) => e.name));

/** Tags, attributes, properties and events a framework snippet uses all exist in the manifest. */
function checkElementApi(code: string): { tags: string[] } {
  const tags = [...new Set([...code.matchAll(/<(shop-chat-[a-z-]+)/g)].map((m) => m[1]!))];
  const allEvents = new Set([...elements.keys()].flatMap((t) => [...eventsOf(t)]));
  for (const m of code.matchAll(/<(shop-chat-[a-z-]+)([^>]*)>/g)) {
    const tag = m[1]!;
    assert.ok(elements.has(tag), `unknown element ${tag}`);
    for (const a of m[2]!.matchAll(/([:@]?[\w.-]+)=/g)) {
      const name = a[1]!;
      if (name === 'ref') continue;
      if (name.startsWith('@')) assert.ok(eventsOf(tag).has(name.slice(1)), `${tag} has no event ${name}`);
      else if (name.startsWith(':') && name.endsWith('.prop')) assert.ok(propsOf(tag).has(name.slice(1, -5)), `${tag} has no property ${name}`);
      else if (name.startsWith(':')) assert.ok(attrsOf(tag).has(name.slice(1)), `${tag} has no attribute ${name}`);
      else assert.ok(attrsOf(tag).has(name), `${tag} has no attribute ${name}`);
    }
  }
  for (const m of code.matchAll(/\blauncher\.(\w+)\s*=[^=]/g)) assert.ok(propsOf('shop-chat-launcher').has(m[1]!), `launcher has no property ${m[1]}`);
  for (const m of code.matchAll(/addEventListener\('([^']+)'/g)) assert.ok(allEvents.has(m[1]!), `no element fires ${m[1]}`);
  return { tags };
}

/** TypeScript's parser accepts the code (JS, JSX). */
function assertParses(code: string, fileName: string): void {
  const out = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: { jsx: ts.JsxEmit.ReactJSX, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, allowJs: true },
  });
  assert.deepEqual((out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], fileName);
}

// ---- browser plumbing ------------------------------------------------------------------------

const SHOP = 'https://shop.example.com';
const CHAT = 'https://chat.example.com';
const MODULES = 'https://modules.test/';
const IMPORT_MAP = {
  imports: {
    'shop-chat': `${CHAT}/widget/shop-chat.js`,
    lit: `${MODULES}lit/index.js`,
    'lit/': `${MODULES}lit/`,
    'lit-html': `${MODULES}lit-html/lit-html.js`,
    'lit-html/': `${MODULES}lit-html/`,
    'lit-element/': `${MODULES}lit-element/`,
    '@lit/reactive-element': `${MODULES}@lit/reactive-element/reactive-element.js`,
    '@lit/reactive-element/': `${MODULES}@lit/reactive-element/`,
  },
};

describe('README.md', () => {
  let server: RunningServer;
  let browser: Browser;
  let fakes: Awaited<ReturnType<typeof startFakes>>;
  let adminToken: string | undefined;
  let demoConfig: { org: string; sid: string };

  before(async () => {
    fakes = await startFakes();
    [server, browser] = await Promise.all([startServer({ env: fakeStoreEnv(fakes) }), launchBrowser()]);
    demoConfig = (await (await fetch(`${server.base}/api/v1/shop/widget/config?shopUid=demo_shop`)).json()).data;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await fakes?.close();
  });

  /**
   * A page at https://shop.example.com/ holding `body`; https://chat.example.com is this test's
   * server (what the README calls "your shop-chat server"), https://modules.test/ is node_modules.
   */
  async function shopPage(body: string, extra: { head?: string; routes?: Record<string, string> } = {}): Promise<{ page: Page; logs: string[] }> {
    const { page } = await watchedPage(browser);
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.route(`${SHOP}/**`, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">${extra.head ?? ''}</head><body>${body}</body></html>` }),
    );
    await page.route(`${CHAT}/**`, async (route) => {
      const u = new URL(route.request().url());
      const response = await route.fetch({ url: server.base + u.pathname + u.search });
      await route.fulfill({ response });
    });
    await page.route(`${MODULES}**`, (route) => {
      const file = join(ROOT, 'node_modules', new URL(route.request().url()).pathname);
      return existsSync(file) ? route.fulfill({ contentType: 'text/javascript', body: readFileSync(file, 'utf8') }) : route.fulfill({ status: 404 });
    });
    for (const [url, script] of Object.entries(extra.routes ?? {})) {
      await page.route(url, (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
    }
    await page.goto(`${SHOP}/`);
    return { page, logs };
  }
  const iife = `<script src="${CHAT}/widget/shop-chat.iife.js"></script>`;

  /** Runs a README shell snippet with bash against the test server (and the admin token). */
  async function bash(code: string): Promise<string> {
    assert.ok(adminToken, 'the admin-token snippet ran first');
    const script = code
      .replace(/^export SHOP_CHAT_TOKEN=.*$/m, `export SHOP_CHAT_TOKEN='${adminToken}'`)
      .replaceAll('http://127.0.0.1:9003', server.base)
      .replace(/\bcurl -s\b/g, "curl -sS -w '\\n'");
    const { stdout } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: ROOT, timeout: 30_000, env: { ...process.env, SHOP_CHAT_TOKEN: adminToken } });
    return stdout;
  }
  const jsonLines = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

  // ---- one check per snippet ----------------------------------------------------------------

  const checks: Record<string, () => Promise<void> | void> = {
    'two-commands': () => {
      const code = snippet('two-commands');
      assert.match(code, /^npm install && npm start\b/m);
      assert.match(code, /^npm test\b/m);
      // The end-to-end servers are started exactly as `npm start` does (helpers.ts: scripts/start.mjs).
      assert.equal(pkg.scripts.start, 'node scripts/start.mjs');
      assert.equal(pkg.scripts.test, 'node scripts/test.mjs');
      assert.match(ciRun, /^npm ci\b/m);
      assert.match(ciRun, /^npm test$/m);
      const defaults = envSchema.parse({});
      assert.equal(`http://${defaults.HOST}:${defaults.PORT}`, 'http://127.0.0.1:9003');
    },

    'script-tag': async () => {
      const { page } = await shopPage(snippet('script-tag'));
      const launcher = page.locator('shop-chat-launcher[data-shop-chat-auto]');
      await launcher.waitFor({ state: 'attached' });
      const cfg = await waitFor(() => launcher.evaluate((l: any) => l.config), 'widget config through data-server');
      assert.equal(cfg.org, demoConfig.org);
      const chatUrl: string = await launcher.evaluate((l: any) => l.chatUrl);
      const parsed = parseChatParams(chatUrl);
      assert.ok(chatUrl.startsWith('https://cdn.weiyuai.cn/chat?'), chatUrl);
      assert.equal(parsed.org, demoConfig.org);
      assert.equal(parsed.sid, demoConfig.sid);
      assert.equal(parsed.goodsInfo?.uid, 'goods_001', 'the queued setGoods call was replayed');
      assert.equal(await page.evaluate(() => typeof (window as any).ShopChat.open), 'function');
    },

    'versioned-bundle': async () => {
      const code = snippet('versioned-bundle');
      const path = `/widget/v${pkg.version}/shop-chat.iife.js`;
      assert.ok(code.includes(`${CHAT}${path}`), 'the snippet pins this version');
      assert.ok(section('## The server').includes(`\`/widget/v${pkg.version}/…\``));
      const { page } = await shopPage(code);
      await page.locator('shop-chat-launcher[data-shop-chat-auto]').waitFor({ state: 'attached' });
      const res = await fetch(server.base + path, { headers: { 'accept-encoding': 'br' } });
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('content-encoding'), 'br');
    },

    'set-visitor': async () => {
      // queued before the script loads, like the script-tag snippet's setGoods
      const stub = snippet('script-tag').split('</script>')[0]!.split('\n').slice(0, 2).join('\n');
      const { page } = await shopPage(
        `${stub}\n${snippet('set-visitor')}</script><script async src="${CHAT}/widget/shop-chat.iife.js" data-org="org_1" data-sid="wg_1"></script>`,
      );
      const launcher = page.locator('shop-chat-launcher[data-shop-chat-auto]');
      await launcher.waitFor({ state: 'attached' });
      const chatUrl: string = await waitFor(() => launcher.evaluate((l: any) => (l.visitor ? l.chatUrl : null)), 'setVisitor replayed');
      const p = parseChatParams(chatUrl);
      assert.deepEqual([p.visitorUid, p.nickname, p.avatar, p.vipLevel], ['user_42', '小明', 'https://shop.example.com/u/42.png', '2']);
      assert.equal(new URL(chatUrl).searchParams.get('uid'), null);
    },

    'npm-install': async () => {
      assert.equal(pkg.name, 'shop-chat');
      assert.equal(pkg.private, true, 'the repository (the server) is not published; build/package/ is');
      const packageDir = join(ROOT, 'build/package');
      const widget = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
      assert.equal(widget.name, 'shop-chat');
      assert.deepEqual(Object.keys(widget.dependencies), ['lit'], 'lit is the one dependency');
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageDir, timeout: 60_000 });
      const files = new Set((JSON.parse(stdout.slice(stdout.indexOf('['))) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
      for (const f of ['dist/shop-chat.js', 'dist/cjs/shop-chat.js', 'dist/shop-chat.iife.js', 'dist/shop-chat-url.js', 'dist/react.js', 'dist/miniprogram/index.js', 'custom-elements.json', 'LICENSE', 'dist/types/widget/index.d.ts', 'dist/types/shared/url-entry.d.ts']) {
        assert.ok(files.has(f), `the package holds ${f}`);
      }
      assert.ok(![...files].some((f) => f.startsWith('src/') || f.startsWith('build/')), 'no sources, no server');
      for (const p of [pkg, widget]) {
        assert.equal(p.exports['.'].import.default, './dist/shop-chat.js');
        assert.equal(p.exports['.'].require.default, './dist/cjs/shop-chat.js');
        assert.equal(p.exports['./url'].import.default, './dist/shop-chat-url.js');
        assert.equal(p.exports['./iife'], './dist/shop-chat.iife.js');
        assert.equal(p.exports['./custom-elements.json'], './custom-elements.json');
        assert.equal(p.unpkg, './dist/shop-chat.iife.js');
        assert.equal(p.jsdelivr, './dist/shop-chat.iife.js');
        assert.equal(p.customElements, 'custom-elements.json');
      }
      // The exports table names every export of the package.
      const rows = table(section('## From npm'), 'Import');
      assert.deepEqual(rows.map((r) => r[0]!.replaceAll('`', '')).sort(), Object.keys(widget.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'shop-chat' : `shop-chat/${k.slice(2)}`)).sort());
      const types = readFileSync(join(ROOT, 'dist/types/widget/elements.d.ts'), 'utf8') + readFileSync(join(ROOT, 'dist/types/widget/events.d.ts'), 'utf8');
      assert.match(types, /interface HTMLElementTagNameMap[\s\S]*'shop-chat-launcher': ShopChatLauncher/);
      assert.match(types, /interface HTMLElementEventMap[\s\S]*'shop-chat-open': ShopChatOpenEvent/);
    },

    'npm-import': async () => {
      const code = snippet('npm-import').replaceAll("'https://chat.example.com'", `'${CHAT}'`);
      checkElementApi(code);
      const { page, logs } = await shopPage(`<script type="module">${code}</script>`, {
        head: `<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>`,
      });
      const built = await waitFor(() => logs.find((l) => l.startsWith('https://cdn.weiyuai.cn/chat?')), 'console.log(buildChatUrl(…))');
      const parsed = parseChatParams(built);
      assert.equal(parsed.org, 'org_1');
      assert.equal(parsed.goodsInfo?.title, '枕头');
      const launcher = page.locator('shop-chat-launcher');
      await waitFor(() => launcher.evaluate((l: any) => l.config?.org), 'widget config');
      assert.equal(parseChatParams(await launcher.evaluate((l: any) => l.chatUrl)).goodsInfo?.uid, 'goods_001');
      await page.locator('shop-chat-launcher [part=button]').click();
      await waitFor(() => logs.some((l) => l.startsWith('chat opened https://cdn.weiyuai.cn/chat?')), 'the shop-chat-open listener');
    },

    // Both React snippets and the Vue snippet are also compiled against the installed tarball
    // (TypeScript, vue-tsc) by test/node/package.test.ts.
    react: () => {
      const code = snippet('react');
      assertParses(code, 'ChatButton.tsx');
      const { tags } = checkElementApi(code);
      assert.deepEqual(tags, ['shop-chat-launcher']);
      assert.match(code, /import 'shop-chat';/);
    },

    'react-wrapper': () => {
      const code = snippet('react-wrapper');
      assertParses(code, 'ChatButton.tsx');
      assert.match(code, /import \{ ShopChatLauncher \} from 'shop-chat\/react';/);
      const tag = /<ShopChatLauncher([\s\S]*?)\/>/.exec(code)?.[1];
      assert.ok(tag);
      for (const m of tag.matchAll(/(\w+)=/g)) {
        const name = m[1]!;
        if (name.startsWith('on')) assert.ok(eventsOf('shop-chat-launcher').has(name.slice(2).replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())), `no event for ${name}`);
        else assert.ok(propsOf('shop-chat-launcher').has(name), `launcher has no property ${name}`);
      }
    },

    'vue-config': () => {
      const code = snippet('vue-config');
      assertParses(code, 'vite.config.js');
      const fn = /isCustomElement: (\(tag\) => [^}]+?) \}/.exec(code)?.[1];
      assert.ok(fn, 'isCustomElement');
      const isCustomElement = new Function(`return ${fn}`)() as (tag: string) => boolean;
      for (const tag of elements.keys()) assert.equal(isCustomElement(tag), true, tag);
      assert.equal(isCustomElement('div'), false);
    },

    vue: () => {
      const code = snippet('vue');
      const script = /<script setup lang="ts">([\s\S]*?)<\/script>/.exec(code)?.[1];
      const template = /<template>([\s\S]*?)<\/template>/.exec(code)?.[1];
      assert.ok(script && template);
      assertParses(script, 'App.vue.ts');
      checkElementApi(template);
      assert.match(template, /:goodsInfo\.prop="product"/);
      assert.match(template, /@shop-chat-open="onOpen"/);
    },

    'mini-program-button': () => {
      // The component path resolves inside the folder WeChat's npm build copies (miniprogram_npm/shop-chat).
      const path = JSON.parse(snippet('mini-program-button')).usingComponents['shop-chat-button'];
      const widget = JSON.parse(readFileSync(join(ROOT, 'build/package/package.json'), 'utf8'));
      assert.ok(path.startsWith(`${widget.name}/`));
      assert.ok(existsSync(join(ROOT, 'build/package', widget.miniprogram, `${path.slice(widget.name.length + 1)}.json`)), path);
    },

    'mini-program-button-wxml': async () => {
      // Every attribute is a property of the component (WXML turns shop-uid into shopUid).
      const dir = mkdtempSync(join(tmpdir(), 'shop-chat-mp-'));
      try {
        writeFileSync(join(dir, 'run.cjs'), `let o; globalThis.Component = (x) => { o = x; }; require(${JSON.stringify(join(ROOT, 'dist/miniprogram/shop-chat-button/index.js'))}); process.stdout.write(JSON.stringify(Object.keys(o.properties)));`);
        const props: string[] = JSON.parse((await run(process.execPath, [join(dir, 'run.cjs')])).stdout);
        const attrs = [...snippet('mini-program-button-wxml').matchAll(/([\w-]+)="/g)].map((m) => m[1]!.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()));
        assert.deepEqual(attrs, ['shopUid', 'goods', 'visitor']);
        for (const a of attrs) assert.ok(props.includes(a), `shop-chat-button has no property ${a}`);
        for (const p of ['shopUid', 'goods', 'order', 'visitor', 'page', 'label']) assert.ok(section('## WeChat mini-program').includes(p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)), `README names ${p}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },

    'mini-program-page': () => {
      // The snippet is the template the package ships (test/node/miniprogram.test.ts renders it).
      const template = readFileSync(join(ROOT, 'dist/templates/chat-page/index.js'), 'utf8');
      for (const line of snippet('mini-program-page').split('\n').filter((l) => l && !l.startsWith('// pages/'))) assert.ok(template.includes(line), line);
    },

    'mini-program-wxml': () => {
      assert.match(snippet('mini-program-wxml'), /<web-view src="\{\{src\}\}"><\/web-view>/);
      assert.match(snippet('mini-program-js'), /data: \{ src: '' \}/);
    },

    'mini-program-js': async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shop-chat-mp-'));
      try {
        // 'shop-chat' in a mini-program is the package's miniprogram folder (WeChat's npm build).
        const widget = JSON.parse(readFileSync(join(ROOT, 'build/package/package.json'), 'utf8'));
        const kit = pathToFileURL(join(ROOT, 'build/package', widget.miniprogram, 'index.js')).href;
        const code = snippet('mini-program-js');
        assert.ok(code.includes("from 'shop-chat';"));
        writeFileSync(join(dir, 'page.mjs'), code.replace("'shop-chat'", `'${kit}'`));
        // A mini-program's JS engine: no DOM, no URL, no URLSearchParams; `Page` registers the page.
        writeFileSync(
          join(dir, 'run.mjs'),
          `delete globalThis.URL; delete globalThis.URLSearchParams;
           let page; globalThis.Page = (p) => { page = p; };
           await import('./page.mjs');
           const ctx = { data: { ...page.data }, setData(d) { Object.assign(this.data, d); } };
           page.onLoad.call(ctx, { goodsUid: 'goods_001', title: encodeURIComponent('云朵记忆棉枕头 & <枕>'), price: '99' });
           process.stdout.write(JSON.stringify({ src: ctx.data.src, hasURL: typeof URL, hasUSP: typeof URLSearchParams }));`,
        );
        const { stdout } = await run(process.execPath, [join(dir, 'run.mjs')], { timeout: 20_000 });
        const out = JSON.parse(stdout);
        assert.deepEqual([out.hasURL, out.hasUSP], ['undefined', 'undefined']);
        const p = parseChatParams(out.src);
        assert.deepEqual(p.problems, []);
        assert.ok(out.src.startsWith('https://cdn.weiyuai.cn/chat?org=org_xxx'), out.src);
        assert.equal(p.sid, 'wg_xxx');
        assert.equal(p.goodsInfo?.title, '云朵记忆棉枕头 & <枕>');
        assert.equal(p.goodsInfo?.price, 99);
        assert.equal(p.goodsInfo?.navigateToPath, '/pages/goods/detail/index?goodsUid=goods_001');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },

    'web-view-page': async () => {
      // The JS-SDK as a web-view page sees it: the environment flag and wx.miniProgram.
      const jssdk = `window.__wxjs_environment = 'miniprogram'; window.__calls = [];
        window.wx = { miniProgram: {
          navigateTo(o) { __calls.push('navigateTo ' + o.url); o.success && o.success(); },
          switchTab(o) { __calls.push('switchTab ' + o.url); o.success && o.success(); } } };`;
      const code = snippet('web-view-page');
      const sdkUrl = /<script src="(https:\/\/res\.wx\.qq\.com\/[^"]+)"/.exec(code)?.[1];
      assert.ok(sdkUrl, 'the JS-SDK script tag comes first');
      assert.ok(code.indexOf(sdkUrl) < code.indexOf('shop-chat.iife.js'));
      const { page } = await shopPage(code, { routes: { [sdkUrl]: jssdk } });
      await page.locator('shop-chat-goods-card [part=card]').click();
      // No navigateToPath on the card: rule 2, the server default given as goods-detail-path.
      const calls: string[] = await waitFor(() => page.evaluate(() => ((window as any).__calls.length ? (window as any).__calls : null)), 'navigateTo');
      // the card goes along as ?payload= (JSON), as Bytedesk's detail pages read it
      assert.deepEqual(calls.map((c) => c.split('?payload=')[0]), ['navigateTo /pages/goods/detail/index']);
      assert.equal(JSON.parse(decodeURIComponent(calls[0]!.split('?payload=')[1]!)).title, '云朵记忆棉枕头');
    },

    'launcher-attributes': async () => {
      const code = snippet('launcher-attributes');
      checkElementApi(code);
      const { page } = await shopPage(iife + code);
      const launcher = page.locator('shop-chat-launcher');
      await page.locator('shop-chat-launcher [part=badge]').waitFor();
      assert.equal(await page.locator('shop-chat-launcher [part=label]').textContent(), 'Chat with us');
      assert.match((await page.locator('shop-chat-launcher [part=badge]').textContent())!, /^3/);
      assert.equal(await launcher.evaluate((l) => getComputedStyle(l).left), '20px');
      const p = parseChatParams(await launcher.evaluate((l: any) => l.chatUrl));
      // auto goes out as the Bytedesk page's `system`
      assert.deepEqual([p.org, p.sid, p.lang, p.mode, p.navbar], ['org_xxx', 'wg_xxx', 'en', 'system', false]);
    },

    events: async () => {
      const code = snippet('events');
      checkElementApi(code);
      const { page } = await shopPage(
        `${iife}<shop-chat-launcher org="org_1" sid="wg_1"></shop-chat-launcher>
         <shop-chat-goods-card info='{"uid":"goods_001","title":"枕头","url":"https://shop.example.com/goods/1"}'></shop-chat-goods-card>
         <script>
           window.seen = [];
           window.analytics = { track: (name, detail) => seen.push(name + ' ' + detail.display) };
           window.router = { push: (path) => seen.push('push ' + path) };
           window.open = (url) => seen.push('window.open ' + url);
         </script>
         <script>${code}</script>`,
      );
      await page.locator('shop-chat-goods-card [part=card]').click();
      await page.locator('shop-chat-launcher [part=button]').click();
      assert.deepEqual(await page.evaluate(() => (window as any).seen), ['push /goods/goods_001', 'chat_open panel']);
    },

    theming: async () => {
      const css = snippet('theming');
      for (const p of css.match(/--shop-chat-[\w-]+/g)!) assert.ok(el('shop-chat-launcher').cssProperties!.some((c) => c.name === p), p);
      for (const m of css.matchAll(/(shop-chat-[\w-]+)::part\(([\w-]+)\)/g)) assert.ok(el(m[1]!).cssParts!.some((c) => c.name === m[2]), m[0]);
      const { page } = await shopPage(
        `<style>${css}</style>${iife}<shop-chat-launcher org="o" sid="s"></shop-chat-launcher><shop-chat-goods-card info='{"uid":"g","title":"枕头","price":99}'></shop-chat-goods-card>`,
      );
      await page.locator('shop-chat-goods-card [part=title]').waitFor();
      // A string, not a function: tsx would wrap an inner arrow function in a helper the page lacks.
      const style = await page.evaluate(`(() => {
        const l = document.querySelector('shop-chat-launcher');
        const c = document.querySelector('shop-chat-goods-card');
        const part = (h, p) => getComputedStyle(h.shadowRoot.querySelector('[part=' + p + ']'));
        return [part(l, 'button').backgroundColor, getComputedStyle(l).bottom, part(c, 'title').fontSize, part(c, 'price').color];
      })()`);
      assert.deepEqual(style, ['rgb(228, 57, 60)', '88px', '16px', 'rgb(228, 57, 60)']);
    },

    'admin-token': async () => {
      const code = snippet('admin-token');
      assert.equal(code.trim(), 'npm run admin -- token create --name ops');
      const [cmd, ...args] = code.trim().split(/\s+/);
      const { stdout } = await run(cmd!, args, { cwd: ROOT, env: { ...process.env, ...server.env }, timeout: 60_000 });
      const token = JSON.parse(stdout.slice(stdout.indexOf('{')));
      assert.equal(token.name, 'ops');
      assert.match(token.accessToken, /^sc_adm_[A-Za-z0-9_-]{43}$/);
      adminToken = token.accessToken;
      // It is accepted at once by the running server.
      const res = await fetch(`${server.base}/api/v1/shop/open/binding?shopUid=demo_shop`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(res.status, 200);
    },

    'api-calls': async () => {
      const [onboard, created, listed, config] = jsonLines(await bash(snippet('api-calls')));
      assert.equal(onboard.code, 200, JSON.stringify(onboard));
      assert.ok(onboard.data.shopList.some((s: { shopUid: string }) => s.shopUid === 'shop_001'));
      assert.equal(created.code, 200);
      assert.match(created.data.accessToken, /^sc_at_[A-Za-z0-9_-]{43}$/, 'full token in token/create');
      assert.equal(listed.code, 200);
      const mine = listed.data.content.find((t: { uid: string }) => t.uid === created.data.uid);
      assert.equal(mine.accessToken, `sc_at_…${created.data.accessToken.slice(-4)}`, 'masked elsewhere');
      assert.equal(mine.refreshToken, `sc_rt_…${created.data.refreshToken.slice(-4)}`);
      assert.equal(config.code, 200);
      assert.ok(config.data.org && config.data.sid);
      assert.ok(!JSON.stringify(config).includes('13800000001'), 'no mobile in the public config');
    },

    postgres: () => {
      const code = snippet('postgres');
      const env = Object.fromEntries([...code.matchAll(/\b([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
      assert.ok(code.trim().endsWith('npm start'));
      const config = loadConfig(env);
      assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/shop_chat');
      assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
      // CI runs the server suites on PostgreSQL (TEST_DATABASE_URL) and the machine's Redis.
      assert.match(ciRun, /TEST_DATABASE_URL=.*postgres:\/\//);
    },

    'store-calls': async () => {
      const [authorized, status, revoked] = jsonLines(await bash(snippet('store-calls')));
      assert.equal(authorized.code, 200, JSON.stringify(authorized));
      assert.ok(authorized.data.authUrl.startsWith(`${fakes.fkw.url}/api/oauth/getAuthCode?`), authorized.data.authUrl);
      assert.match(authorized.data.authUrl, /[?&]state=[\w.-]+/);
      assert.equal(status.code, 200);
      assert.deepEqual(status.data.connections.map((c: { platform: string; status: string }) => `${c.platform} ${c.status}`), ['FKW PENDING']);
      assert.ok(!/token/i.test(Object.keys(status.data.connections[0]).join(' ')), 'no token in status');
      assert.deepEqual(revoked.data, { shopUid: 'shop_001', platform: 'FKW', revoked: true });
    },

    'store-key-body': () => {
      const r = AuthorizeRequest.safeParse(JSON.parse(snippet('store-key-body')));
      assert.ok(r.success, JSON.stringify(r.error?.issues));
    },

    'webhook-body': () => {
      StoreWebhookEvent.parse(JSON.parse(snippet('webhook-body')));
    },

    'webhook-verify': async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shop-chat-hook-'));
      const received: { body: string; signature: string }[] = [];
      const receiver = createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          received.push({ body, signature: String(req.headers['x-shop-chat-signature']) });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      try {
        writeFileSync(join(dir, 'verify.mjs'), snippet('webhook-verify'));
        const { verifyShopChatSignature } = await import(pathToFileURL(join(dir, 'verify.mjs')).href);
        const secret = 'readme-webhook-secret';
        const log = { debug() {}, info() {}, warn() {}, error() {} };
        const handle = createDatabase('sqlite::memory:');
        await migrateToLatest(handle.db);
        const sender = createWebhookSender({ db: handle.db, url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, secret, log });
        await sender.enqueue(storeDb(handle.db), { shopUid: 'shop_001', platform: 'FKW', sellerId: '123456', authType: 'URL', status: 'AUTHORIZED', auth_fail_reason: '' });
        sender.wake();
        await sender.drain();
        await sender.stop();
        await handle.close();
        const [hook] = received;
        assert.ok(hook);
        assert.match(hook.signature, /^sha256=[0-9a-f]{64}$/);
        assert.equal(verifyShopChatSignature(hook.body, hook.signature, secret), true);
        assert.equal(verifyShopChatSignature(Buffer.from(hook.body), hook.signature, secret), true);
        assert.equal(verifyShopChatSignature(hook.body.replace('AUTHORIZED', 'FAILED'), hook.signature, secret), false);
        assert.equal(verifyShopChatSignature(hook.body, hook.signature, 'another-secret'), false);
        assert.equal(verifyShopChatSignature(hook.body, undefined, secret), false);
        StoreWebhookEvent.parse(JSON.parse(hook.body));
      } finally {
        receiver.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },

    metrics: async () => {
      const out = await bash(snippet('metrics'));
      const lines = out.split('\n').filter(Boolean);
      assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('shop_chat_http_requests_total{')), out);
      assert.ok(lines.some((l) => l.includes('route="/api/v1/shop/open/onboard"')), out);
    },

    testing: () => {
      const code = snippet('testing');
      for (const m of code.matchAll(/^npm (?:run )?([\w:]+)/gm)) {
        assert.ok(pkg.scripts[m[1]!], `package.json has script ${m[1]}`);
        assert.match(ciRun, new RegExp(`^npm ${m[1] === 'test' ? 'test' : `run ${m[1]}`}\\b`, 'm'), `.ci/run runs ${m[1]}`);
      }
    },

    seam: () => {
      const code = snippet('seam');
      // Every file the drawing names exists, and both backends are named.
      for (const m of code.matchAll(/\b((?:[\w-]+\/)*[\w-]+\.ts)\b/g)) assert.ok(findIn(join(ROOT, 'src/server'), m[1]!), `src/server/…/${m[1]} exists`);
      assert.match(code, /open-api\/local\.ts/);
      assert.match(code, /open-api\/upstream\/backend\.ts/);
    },

    'upstream-setup': async () => {
      const code = snippet('upstream-setup');
      assert.ok(code.trim().endsWith('npm start'));
      const env = Object.fromEntries([...code.matchAll(/^export ([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
      assert.equal(loadConfig(env).upstream?.url, 'https://api.weiyuai.cn');
      // set-token and status against a fresh database: the tokens come from stdin, none is printed.
      const dir = mkdtempSync(join(tmpdir(), 'shop-chat-upstream-snippet-'));
      try {
        const script = code.replace(/\nnpm start\s*$/, '\n');
        const tokens = { BYTEDESK_ACCESS_TOKEN: 'readme-access-token-0123456789', BYTEDESK_REFRESH_TOKEN: 'readme-refresh-token-0123456789' };
        const { stdout } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], {
          cwd: ROOT,
          timeout: 60_000,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: `sqlite:${join(dir, 'up.db')}`, ...tokens },
        });
        assert.match(stdout, /"status": "ACTIVE"/);
        assert.match(stdout, /"refreshable": true/);
        for (const t of Object.values(tokens)) assert.ok(!stdout.includes(t), 'a token printed');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },

    architecture: () => {
      const code = snippet('architecture');
      let dir = '';
      for (const line of code.split('\n')) {
        const head = /^(\S+\/)\s/.exec(line)?.[1];
        if (head) {
          dir = head;
          assert.ok(statSync(join(ROOT, dir)).isDirectory(), dir);
        }
        const rest = head ? line.slice(head.length) : line;
        for (const m of rest.matchAll(/\b([\w.-]+\/|[\w-]+\.(?:ts|html))(?=[\s,):]|$)/g)) {
          const name = m[1]!;
          assert.ok(findIn(join(ROOT, dir), name.replace(/\/$/, '')), `${dir}${name} exists`);
        }
      }
    },
  };

  it('marks every code block and has a check for each', () => {
    assert.deepEqual([...SNIPPETS.keys()].sort(), Object.keys(checks).sort());
    assert.equal(snippets(README).length, SNIPPETS.size, 'snippet names are unique');
  });

  // The admin token comes first: the API snippets use it.
  const order = ['admin-token', ...Object.keys(checks).filter((k) => k !== 'admin-token')];
  for (const name of order) it(`snippet ${name}`, () => checks[name]!());

  it('the configuration table lists exactly the variables of envSchema and storeConfigSchema, with their defaults', () => {
    const rows = table(section('### Configuration'), 'Variable');
    const documented = rows.map((r) => codeSpans(r[0]!)[0]!);
    const keys = [...new Set([...Object.keys(envSchema.shape), ...Object.keys(storeConfigSchema.shape)])];
    assert.deepEqual([...documented].sort(), [...keys].sort());
    assert.equal(new Set(documented).size, documented.length, 'each variable once');
    const env = envSchema.parse({}) as Record<string, unknown>;
    const store = storeConfigSchema.parse({}) as Record<string, unknown>;
    const effective: Record<string, unknown> = { SHOP_CHAT_DEMO_SHOP: loadConfig({}).demoShop };
    for (const row of rows) {
      const name = codeSpans(row[0]!)[0]!;
      const value = name in effective ? effective[name] : name in env ? env[name] : store[name];
      const cell = row[1]!;
      if (value === undefined || value === null) assert.equal(cell, '—', `${name}: no default`);
      else if (value === '') assert.equal(cell, 'empty', `${name}: empty default`);
      else assert.equal(codeSpans(cell)[0], String(value), `${name}: default`);
    }
  });

  it('the element tables list every attribute and property of custom-elements.json', () => {
    const launcher = table(section('### `<shop-chat-launcher>`'), 'Attribute');
    const cards = table(section('### `<shop-chat-goods-card>` and `<shop-chat-order-card>`'), 'Attribute');
    const fieldOf = (tag: string) => new Map((el(tag).attributes ?? []).map((a) => [a.name, a.fieldName]));
    assert.deepEqual(new Set(launcher.map((r) => codeSpans(r[0]!)[0])), attrsOf('shop-chat-launcher'));
    for (const r of launcher) assert.equal(codeSpans(r[1]!)[0], fieldOf('shop-chat-launcher').get(codeSpans(r[0]!)[0]!));
    const cardAttrs = new Set([...attrsOf('shop-chat-goods-card'), ...attrsOf('shop-chat-order-card')]);
    assert.deepEqual(new Set(cards.map((r) => codeSpans(r[0]!)[0])), cardAttrs);
    const text = section('### `<shop-chat-launcher>`');
    for (const p of ['chatUrl', 'isOpen', 'config', 'open()', 'close()', 'toggle()']) assert.ok(text.includes(`\`${p}\``), p);
    for (const p of ['chatUrl', 'isOpen', 'config', 'open', 'close', 'toggle']) assert.ok(propsOf('shop-chat-launcher').has(p), p);
    for (const p of ['value', 'activate']) assert.ok(propsOf('shop-chat-goods-card').has(p) && propsOf('shop-chat-order-card').has(p), p);
  });

  it('the events table lists every event of custom-elements.json with the elements that fire it', () => {
    const rows = table(section('### Events'), 'Event');
    const all = new Set([...elements.keys()].flatMap((t) => [...eventsOf(t)]));
    assert.deepEqual(new Set(rows.map((r) => codeSpans(r[0]!)[0])), all);
    for (const r of rows) {
      const name = codeSpans(r[0]!)[0]!;
      const firedBy = [...elements.keys()].filter((t) => eventsOf(t).has(name));
      const expected = firedBy.length === 3 ? 'all three' : firedBy.length === 2 ? 'both cards' : 'launcher';
      assert.ok(r[1]!.startsWith(expected), `${name}: ${r[1]} (fired by ${firedBy.join(', ')})`);
    }
  });

  it('the theming tables list every custom property and CSS part of custom-elements.json', () => {
    const text = section('## Theming');
    const props = table(text, 'Custom property');
    const all = new Set([...elements.values()].flatMap((d) => (d.cssProperties ?? []).map((p) => p.name)));
    assert.deepEqual(new Set(props.map((r) => codeSpans(r[0]!)[0])), all);
    for (const r of props) {
      const name = codeSpans(r[0]!)[0]!;
      const users = [...elements.keys()].filter((t) => el(t).cssProperties!.some((p) => p.name === name));
      const expected = users.length === 3 ? 'all' : users.length === 2 && !users.includes('shop-chat-launcher') ? 'cards' : users.length === 1 ? (users[0] === 'shop-chat-launcher' ? 'launcher' : 'goods card') : '?';
      assert.equal(r[1], expected, name);
    }
    const parts = table(text, 'Element');
    assert.equal(parts.length, 3);
    for (const r of parts) {
      const tag = /<([\w-]+)>/.exec(r[0]!)![1]!;
      assert.deepEqual(codeSpans(r[1]!), el(tag).cssParts!.map((p) => p.name), tag);
    }
    // The light defaults are the theme's.
    const theme = readFileSync(join(ROOT, 'src/widget/theme.styles.ts'), 'utf8') + readFileSync(join(ROOT, 'src/widget/launcher/launcher.styles.ts'), 'utf8') + readFileSync(join(ROOT, 'src/widget/cards/cards.styles.ts'), 'utf8');
    for (const r of props) {
      const name = codeSpans(r[0]!)[0]!;
      const dflt = codeSpans(r[2]!)[0]!;
      assert.ok(theme.includes(`var(${name}, ${dflt})`), `${name} defaults to ${dflt}`);
    }
  });

  it('the metrics table names the metrics of src/server/http/metrics.ts', () => {
    const rows = table(section('### Metrics'), 'Metric');
    const source = readFileSync(join(ROOT, 'src/server/http/metrics.ts'), 'utf8');
    const names = [...source.matchAll(/name: '(shop_chat_\w+)'/g)].map((m) => m[1]);
    assert.deepEqual(rows.map((r) => codeSpans(r[0]!)[0]), names);
    for (const r of rows) {
      // The metric's own declaration (up to the next one); a metric may have no labels.
      const declaration = source.split(`name: '${codeSpans(r[0]!)[0]}'`)[1]!.split("name: '")[0]!;
      const labels = /labelNames: \[([^\]]*)\]/.exec(declaration)?.[1] ?? '';
      for (const l of labels.match(/'(\w+)'/g) ?? []) assert.ok(r[2]!.includes(`\`${l.slice(1, -1)}\``), `${r[0]} label ${l}`);
    }
  });

  it('the bundle sizes are current and the budgets are those of scripts/size.mjs', () => {
    const rows = table(section('## Bundle sizes'), 'File');
    const size = readFileSync(join(ROOT, 'scripts/size.mjs'), 'utf8');
    for (const r of rows) {
      const file = codeSpans(r[0]!)[0]!;
      const gz = gzipSync(readFileSync(join(ROOT, file)), { level: 9 }).length / 1024;
      const documented = Number(/^([\d.]+) KB$/.exec(r[1]!)![1]);
      assert.ok(Math.abs(gz - documented) <= 1, `${file}: README says ${documented} KB, it is ${gz.toFixed(2)} KB gzip`);
      const budget = new RegExp(`'${file.replace('dist/', '')}': (\\d+)`).exec(size)?.[1];
      assert.equal(r[2], budget ? `${budget} KB` : 'none', file);
    }
  });

  it('every `npm run X` is a package.json script; every linked file exists; the screenshot is small', () => {
    for (const m of README.matchAll(/npm run ([\w:-]+)/g)) assert.ok(pkg.scripts[m[1]!], `script ${m[1]}`);
    for (const m of README.matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)) assert.ok(existsSync(join(ROOT, m[1]!)), m[1]);
    assert.ok(statSync(join(ROOT, 'docs/storefront.png')).size < 150 * 1024);
    for (const s of ['/docs', '/openapi.json']) assert.ok(README.includes(`\`${s}\``), s);
  });

  it('the inline commands work: openssl for a vault key, the CLI’s token list, token revoke and store refresh-due', async () => {
    assert.ok(README.includes('`openssl rand -base64 32`'));
    const { decodeSecretKey } = await import('../../src/server/store/config.ts');
    const key = (await run('openssl', ['rand', '-base64', '32'])).stdout.trim();
    assert.ok(decodeSecretKey(key), 'a valid SHOP_CHAT_SECRET_KEY');
    for (const c of ['token list', 'token revoke --uid UID', 'store refresh-due']) assert.ok(README.includes(`\`${c}\``), c);
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...server.env }, timeout: 60_000 });
    const listed = JSON.parse((await cli('token', 'list')).stdout) as { uid: string; name: string; accessToken: string }[];
    const ops = listed.find((t) => t.name === 'ops');
    assert.ok(ops, 'token list shows the token made by the admin-token snippet');
    assert.match(ops.accessToken, /^sc_adm_…[A-Za-z0-9_-]{4}$/, 'masked in the list');
    const due = await cli('store', 'refresh-due');
    assert.deepEqual(JSON.parse(due.stdout), { total: 0, done: 0, refreshed: 0, failed: 0, needsReauth: 0, skipped: 0 });
    assert.match(due.stderr, /refresh-due: 0\/0 done/);
    assert.deepEqual(JSON.parse((await cli('token', 'revoke', '--uid', ops.uid)).stdout), { uid: ops.uid, revoked: true });
    const res = await fetch(`${server.base}/api/v1/shop/open/binding?shopUid=demo_shop`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(res.status, 401, 'a revoked token is refused');
  });

  it('the server serves what the README lists: /docs, /openapi.json, /healthz, /readyz, /metrics, /widget/, /demo/index.html', async () => {
    for (const path of ['/docs', '/openapi.json', '/healthz', '/readyz', '/metrics', '/widget/shop-chat.iife.js', '/widget/shop-chat-url.js', '/demo/index.html', '/demo/chat.html', '/demo/mini-program.html']) {
      const res = await fetch(server.base + path, { redirect: 'follow' });
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
  });
});

/** Whether `name` is a file or folder somewhere below `dir`. */
function findIn(dir: string, name: string): boolean {
  if (existsSync(join(dir, name))) return true;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.') && findIn(join(dir, e.name), name)) return true;
  }
  return false;
}

