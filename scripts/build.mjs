#!/usr/bin/env node
// Builds the three bundles of DESIGN.md, their type declarations and custom-elements.json.
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
rmSync('dist', { recursive: true, force: true });

// mode pinned: NODE_ENV=development would otherwise select lit's development build (+4 KB gzip).
const common = { configFile: false, logLevel: 'warn', root, publicDir: false, mode: 'production' };
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
await lib('src/widget/index.ts', 'es', 'shop-chat.js', { rolldownOptions: { external: [/^lit(\/|$)/, /^@lit\//, /^lit-html(\/|$)/, /^lit-element(\/|$)/] } });
// Classic <script>: everything inlined. The elements use lit's ReactiveElement, not lit-html: `lit`,
// lit-element and lit-html only register themselves (version lists, polyfill hooks) when nothing
// of theirs is used, so they may go.
await lib('src/widget/iife.ts', 'iife', 'shop-chat.iife.js', {
  rolldownOptions: { treeshake: { moduleSideEffects: [{ test: /\/node_modules\/(lit|lit-element|lit-html)\//, sideEffects: false }] } },
});
// URL helpers alone (WeChat mini-program code: no DOM, no URLSearchParams, no lit, no zod).
await lib('src/shared/url-entry.ts', 'es', 'shop-chat-url.js');

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('node_modules/@custom-elements-manifest/analyzer')) {
  execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--litelement', '--globs', 'src/widget/**/*.ts', '--exclude', 'src/widget/**/*.styles.ts', '--outdir', '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
writeFileSync('dist/.build-stamp', new Date().toISOString() + '\n');
console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
