#!/usr/bin/env node
// Compiles the server (src/server/main.ts) to one plain ESM file, build/server/main.js, so
// `npm start` runs without a TypeScript loader: tsx's loader thread alone holds ~40 MB of memory
// and its hooks sit on every dynamic import. npm packages stay external (node_modules at run time);
// the project's own modules are bundled. The nesting is the same as src/server/, so paths made from
// import.meta.url (the dist/ and demo/ folders of app.ts) still resolve.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from './stale.mjs';

export const SERVER_ENTRY = 'build/server/main.js';

/** True when build/server/ is missing or older than any server or shared source. */
export function serverIsStale(root = '.') {
  return isStale(root, SERVER_ENTRY, ['src/server', 'src/shared']);
}

export async function buildServer(root = '.') {
  const { build } = await import('esbuild');
  const started = Date.now();
  rmSync(join(root, 'build/server'), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['src/server/main.ts'],
    outfile: SERVER_ENTRY,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked', // for debuggers and `node --enable-source-maps`; off by default (costly stacks)
    logLevel: 'warning',
  });
  console.log(`built build/server/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildServer(fileURLToPath(new URL('..', import.meta.url)));
}
