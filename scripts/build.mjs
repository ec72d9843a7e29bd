#!/usr/bin/env node
// Builds the widget into dist/: the bundles of DESIGN.md (ESM, IIFE, URL helpers), their CommonJS
// twins, the React wrappers, the mini-program kit, type declarations and custom-elements.json;
// then assembles the publishable package folder build/package/ (scripts/build-package.mjs).
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import zlib, { brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { assemblePackage } from './build-package.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
rmSync('dist', { recursive: true, force: true });

// mode pinned: NODE_ENV=development would otherwise select lit's development build (+4 KB gzip).
const common = { configFile: false, logLevel: 'warn', root, publicDir: false, mode: 'production' };
const LIT = [/^lit(\/|$)/, /^@lit\/reactive-element(\/|$)/, /^lit-html(\/|$)/, /^lit-element(\/|$)/];
const lib = (entry, format, fileName, extra = {}) =>
  build({
    ...common,
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      sourcemap: true,
      target: 'es2021',
      minify: true,
      lib: { entry, formats: [format], fileName: () => fileName, ...(format === 'iife' ? { name: 'ShopChatBundle' } : {}) },
      ...extra,
    },
  });

const started = Date.now();
// ESM for bundlers and import maps: lit stays a dependency.
await lib('src/widget/index.ts', 'es', 'shop-chat.js', { rolldownOptions: { external: LIT } });
// Classic <script>: everything inlined. The elements use lit's ReactiveElement, not lit-html: `lit`,
// lit-element and lit-html only register themselves (version lists, polyfill hooks) when nothing
// of theirs is used, so they may go.
await lib('src/widget/iife.ts', 'iife', 'shop-chat.iife.js', {
  rolldownOptions: { treeshake: { moduleSideEffects: [{ test: /\/node_modules\/(lit|lit-element|lit-html)\//, sideEffects: false }] } },
});
// URL helpers alone (WeChat mini-program code: no DOM, no URLSearchParams, no lit, no zod).
await lib('src/shared/url-entry.ts', 'es', 'shop-chat-url.js');

const esbuild = await import('esbuild');
const WIDGET = /\/src\/widget\/index\.ts$/;
/** The React entry imports the widget from the package itself, so it never holds a second copy. */
const widgetFromPackage = {
  name: 'widget-from-package',
  setup(b) {
    b.onResolve({ filter: /widget\/index\.ts$/ }, (args) => {
      const abs = new URL(args.path, `file://${args.resolveDir}/`).pathname;
      return WIDGET.test(abs) ? { path: 'shop-chat', external: true } : undefined;
    });
  },
};
// CommonJS outputs are built for platform node: esbuild then names the exports in a form Node's
// import of CommonJS reads (`import { buildChatUrl } from` the kit works); nothing else differs.
const es = (options) =>
  esbuild.build({ absWorkingDir: root, bundle: true, minify: true, sourcemap: true, target: 'es2021', logLevel: 'warning', legalComments: 'none', ...options });
await Promise.all([
  // CommonJS twins (`require` condition): same sources, lit external.
  es({ entryPoints: ['src/widget/index.ts'], outfile: 'dist/cjs/shop-chat.js', format: 'cjs', platform: 'node', external: ['lit', 'lit/*', '@lit/reactive-element', 'lit-html', 'lit-element'] }),
  es({ entryPoints: ['src/shared/url-entry.ts'], outfile: 'dist/cjs/shop-chat-url.js', format: 'cjs', platform: 'node' }),
  // React wrappers: react and the widget external, @lit/react (1 KB) inlined.
  ...['esm', 'cjs'].map((format) =>
    es({
      entryPoints: ['src/react/index.ts'],
      outfile: format === 'esm' ? 'dist/react.js' : 'dist/cjs/react.js',
      format,
      platform: format === 'cjs' ? 'node' : 'neutral',
      mainFields: ['module', 'main'],
      external: ['react'],
      plugins: [widgetFromPackage],
    }),
  ),
  // The mini-program kit: CommonJS for WeChat's npm build; the button requires the kit's index.
  es({ entryPoints: ['src/miniprogram/index.ts'], outfile: 'dist/miniprogram/index.js', format: 'cjs', platform: 'node', target: 'es2017', minify: false, sourcemap: false }),
  es({
    entryPoints: ['src/miniprogram/shop-chat-button/index.ts'],
    outfile: 'dist/miniprogram/shop-chat-button/index.js',
    format: 'cjs',
    platform: 'node',
    target: 'es2017',
    minify: false,
    sourcemap: false,
    plugins: [{ name: 'kit-index', setup: (b) => b.onResolve({ filter: /^\.\.\/index\.ts$/ }, () => ({ path: '../index', external: true })) }],
  }),
]);
// The CommonJS folders say so to Node and TypeScript (the package itself is "type": "module").
for (const dir of ['dist/cjs', 'dist/miniprogram']) writeFileSync(`${dir}/package.json`, '{ "type": "commonjs" }\n');
for (const ext of ['json', 'wxml', 'wxss']) cpSync(`src/miniprogram/shop-chat-button/index.${ext}`, `dist/miniprogram/shop-chat-button/index.${ext}`);
mkdirSync('dist/templates', { recursive: true });
cpSync('src/miniprogram/chat-page', 'dist/templates/chat-page', { recursive: true });

/**
 * lit is ESM only: CommonJS declarations refer to its types with `resolution-mode: import`, which
 * TypeScript accepts under node16 too (nodenext would allow the plain form, node16 does not).
 */
function litTypesAsImport(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.d.ts')) continue;
    const file = join(e.parentPath, e.name);
    const text = readFileSync(file, 'utf8');
    const next = text
      .replace(/^import (?:type )?\{([^}]*)\} from 'lit';$/gm, (_, names) => `import type {${names.replace(/\btype /g, '')}} from 'lit' with { 'resolution-mode': 'import' };`)
      .replaceAll('import("lit")', `import("lit", { with: { 'resolution-mode': 'import' } })`);
    if (next !== text) writeFileSync(file, next);
  }
}

const tsc = (project) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
tsc('tsconfig.build.json');
tsc('src/miniprogram/tsconfig.build.json');
// The same declarations once more under dist/cjs/: there they describe CommonJS (its package.json).
cpSync('dist/types', 'dist/cjs/types', { recursive: true });
litTypesAsImport('dist/cjs/types');
writeFileSync('dist/miniprogram/index.d.ts', "export * from './types/miniprogram/index.js';\n");
if (existsSync('node_modules/@custom-elements-manifest/analyzer')) {
  execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--litelement', '--globs', 'src/widget/**/*.ts', '--exclude', 'src/widget/**/*.styles.ts', '--outdir', '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
assemblePackage(root);
// Served by the server with @fastify/static's preCompressed: brotli and gzip made once, here (not
// per request, and not in the npm package).
for (const f of readdirSync('dist')) {
  if (!f.endsWith('.js')) continue;
  const raw = readFileSync(`dist/${f}`);
  writeFileSync(`dist/${f}.br`, brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
  writeFileSync(`dist/${f}.gz`, gzipSync(raw, { level: 9 }));
}
writeFileSync('dist/.build-stamp', new Date().toISOString() + '\n');
console.log(`built dist/ and build/package/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
