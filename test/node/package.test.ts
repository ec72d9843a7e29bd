// The widget package as a consumer gets it: `npm pack` of build/package/, installed from the
// tarball into a fresh folder (lit comes from the npm registry or its cache), then counted,
// imported with `import` and `require`, and compiled by TypeScript under each module resolution,
// the README's React snippets as .tsx and its Vue snippet with vue-tsc.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readmeSnippet } from '../helpers/readme.ts';
import { ROOT } from '../e2e/helpers.ts';

const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const VUE_TSC = join(ROOT, 'node_modules/vue-tsc/bin/vue-tsc.js');

/** Names of the packages installed under `nodeModules` (scoped ones as @scope/name). */
function installed(nodeModules: string): string[] {
  const names: string[] = [];
  for (const e of readdirSync(nodeModules)) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) for (const s of readdirSync(join(nodeModules, e))) names.push(`${e}/${s}`);
    else names.push(e);
  }
  return names.sort();
}

/** `name` and its runtime dependencies, transitively, as the repository's node_modules has them. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  for (const d of Object.keys(pkg.dependencies ?? {})) closure(d, seen);
  return seen;
}

describe('the packed widget package', () => {
  let dir: string;
  let app: string;
  let tarball: string;
  let size: number;

  /** Runs tsc (or vue-tsc) on a tsconfig written into the app; resolves with its output and exit code. */
  async function typecheck(name: string, compilerOptions: Record<string, unknown>, files: string[], bin = TSC) {
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['ES2022', 'DOM', 'DOM.Iterable'], ...compilerOptions }, files }));
    try {
      const { stdout } = await run(process.execPath, [bin, '-p', `tsconfig.${name}.json`], { cwd: app, timeout: 120_000 });
      return { code: 0, out: stdout };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout + err.stderr };
    }
  }
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    writeFileSync(join(app, file), text);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shop-chat-pack-'));
    const { stdout } = await run('npm', ['pack', join(ROOT, 'build/package'), '--json', '--pack-destination', dir], { cwd: dir, timeout: 60_000 });
    const info = JSON.parse(stdout.slice(stdout.indexOf('[')))[0] as { filename: string; size: number };
    tarball = join(dir, info.filename);
    size = info.size;
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball], { cwd: app, timeout: 180_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('installs shop-chat, lit and lit\'s own dependencies, nothing else', () => {
    const expected = [...closure('lit'), 'shop-chat'].sort();
    assert.deepEqual(installed(join(app, 'node_modules')), expected);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/shop-chat/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg.dependencies), ['lit']);
    assert.deepEqual(pkg.peerDependenciesMeta, { react: { optional: true } });
    assert.equal(pkg.license, 'MIT');
    assert.ok(existsSync(join(app, 'node_modules/shop-chat/LICENSE')));
    assert.ok(!existsSync(join(app, 'node_modules/shop-chat/src')), 'no sources');
    // A guard against shipping something by mistake (sources, node_modules, the server): the bundles,
    // their maps and declarations are ~240 KB packed since the launcher learnt the Bytedesk protocol.
    assert.ok(size < 300 * 1024, `packed ${size} bytes`);
  });

  it('loads with import and with require', async () => {
    const check = `
      const out = { url: url.buildChatUrl({ org: 'o', sid: 's', goodsInfo: { uid: 'g', title: '枕头' } }), exports: Object.keys(widget).length,
        defined: typeof customElements === 'object' && !!customElements.get('shop-chat-launcher') };
      process.stdout.write(JSON.stringify(out));`;
    const esm = await run(process.execPath, ['--input-type=module', '-e', `import * as widget from 'shop-chat'; import * as url from 'shop-chat/url'; ${check}`], { cwd: app });
    const cjs = await run(process.execPath, ['-e', `const widget = require('shop-chat'); const url = require('shop-chat/url'); ${check}`], { cwd: app });
    for (const { stdout } of [esm, cjs]) {
      const out = JSON.parse(stdout);
      assert.equal(out.url, 'https://cdn.weiyuai.cn/chat?org=o&sid=s&goodsInfo=' + encodeURIComponent(JSON.stringify({ uid: 'g', title: '枕头' })));
      assert.ok(out.exports > 10, `${out.exports} exports`);
      assert.equal(out.defined, true);
    }
    const kit = await run(process.execPath, ['-e', `process.stdout.write(typeof require('shop-chat/miniprogram').chatPage)`], { cwd: app });
    assert.equal(kit.stdout, 'function');
    const react = await run(process.execPath, ['-e', `require('shop-chat/react')`], { cwd: app }).catch((e: { stderr: string }) => e);
    assert.match((react as { stderr: string }).stderr, /Cannot find module 'react'/, 'react is a peer, not installed');
  });

  it('types resolve under moduleResolution bundler, node16 (ESM and CommonJS) and node', async () => {
    const use = (from: (m: string) => string) => `${from('shop-chat')}
${from('shop-chat/url')}
const goods: GoodsInfoInput = { uid: 'g', title: '枕头', price: 99 };
export const url: string = buildChatUrl({ org: 'o', goodsInfo: goods }) + buildUrl({ sid: 's' });
export const launcher: ShopChatLauncher = document.createElement('shop-chat-launcher');
launcher.addEventListener('shop-chat-open', (e) => e.detail.chatUrl.toUpperCase());
`;
    const esmImports = (m: string) =>
      m === 'shop-chat' ? `import { buildChatUrl, type GoodsInfoInput, type ShopChatLauncher } from 'shop-chat';` : `import { buildChatUrl as buildUrl } from 'shop-chat/url';`;
    write('bundler.ts', use(esmImports));
    write('esm.mts', use(esmImports));
    write('cjs.cts', use((m) => (m === 'shop-chat' ? `import widget = require('shop-chat'); type GoodsInfoInput = widget.GoodsInfoInput; type ShopChatLauncher = widget.ShopChatLauncher; const { buildChatUrl } = widget;` : `import urlHelpers = require('shop-chat/url'); const buildUrl = urlHelpers.buildChatUrl;`)));
    write('legacy.ts', use(esmImports));
    // One program per module kind: an ESM and a CommonJS consumer in one program would see both
    // declaration trees (the dual-package hazard), which no real project does.
    const programs: [string, Record<string, unknown>, string][] = [
      ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'bundler.ts'],
      ['node16-esm', { module: 'node16', moduleResolution: 'node16' }, 'esm.mts'],
      ['node16-cjs', { module: 'node16', moduleResolution: 'node16' }, 'cjs.cts'],
      ['nodenext-esm', { module: 'nodenext', moduleResolution: 'nodenext' }, 'esm.mts'],
      ['nodenext-cjs', { module: 'nodenext', moduleResolution: 'nodenext' }, 'cjs.cts'],
      ['node', { module: 'commonjs', moduleResolution: 'node' }, 'legacy.ts'],
    ];
    const results = await Promise.all(programs.map(([name, options, file]) => typecheck(name, options, [file])));
    for (const [i, r] of results.entries()) assert.equal(r.code, 0, `${programs[i]![0]}:\n${r.out}`);
  });

  it('the README React snippets type-check as .tsx, and a wrong prop does not', async () => {
    mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules/@types/react'), join(app, 'node_modules/@types/react'));
    write('src/Plain.tsx', readmeSnippet('react'));
    write('src/Wrapper.tsx', readmeSnippet('react-wrapper'));
    write('src/Bad.tsx', `import { ShopChatLauncher } from 'shop-chat/react';\nexport const bad = <ShopChatLauncher position="middle" onShopChatOpen={(e) => e.detail.nope} />;\nexport const badTag = <shop-chat-goods-card mode="sepia" />;\n`);
    const options = { module: 'esnext', moduleResolution: 'bundler', jsx: 'react-jsx', types: ['react'] };
    const good = await typecheck('react', options, ['src/Plain.tsx', 'src/Wrapper.tsx']);
    assert.equal(good.code, 0, good.out);
    const bad = await typecheck('react-bad', options, ['src/Bad.tsx']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /"middle"/);
    assert.match(bad.out, /Property 'nope' does not exist on type 'ShopChatOpenDetail'/);
    assert.match(bad.out, /"sepia"/);
  });

  it('the README Vue snippet passes vue-tsc, and a wrong attribute does not', async () => {
    symlinkSync(join(ROOT, 'node_modules/vue'), join(app, 'node_modules/vue'));
    write('src/App.vue', readmeSnippet('vue'));
    // (vue-tsc skips the checks of an element with "//" in a static attribute: the snippet binds its server URL.)
    write('src/Bad.vue', readmeSnippet('vue').replace('shop-chat-launcher ', 'shop-chat-launcher position="middle" ').replace(':goodsInfo.prop="product"', ':goodsInfo.prop="42"'));
    const options = { module: 'esnext', moduleResolution: 'bundler', jsx: 'preserve' };
    const good = await typecheck('vue', options, ['src/App.vue'], VUE_TSC);
    assert.equal(good.code, 0, good.out);
    const bad = await typecheck('vue-bad', options, ['src/Bad.vue'], VUE_TSC);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /"middle"/);
    assert.match(bad.out, /Type 'number' is not assignable/);
  });
});
